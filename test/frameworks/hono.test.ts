/** The Hono glue (on @hono/node-server) held to the framework contract (test/framework-contract.ts). */
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { expect, it } from 'vitest';
import { storeKey } from '../../runtime/core/id.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import { honoSession, type HonoSessionOptions, type SessionEnv } from '../../runtime/frameworks/hono.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { APP_COOKIE, BadRequest, errorReply, listen, routes, testFramework } from '../framework-contract.js';

const body = (c: Context) =>
  c.req.json().catch(() => {
    throw new BadRequest('invalid JSON');
  });

testFramework('hono', {
  start(manager) {
    // Untyped on purpose: c.get('session') is typed through ContextVariableMap.
    const app = new Hono();
    app.onError((error, c) => {
      const reply = errorReply(error);
      return c.json(reply.body, reply.status as ContentfulStatusCode);
    });
    // Registered before the glue and answers without next(): reads no session.
    app.get('/health', (c) => c.json({ ok: true }));
    app.use(honoSession(manager));
    app.get('/session', (c) => c.json(routes.get(c.get('session'))));
    app.patch('/session', async (c) => c.json(routes.patch(c.get('session'), await body(c))));
    app.delete('/session', (c) => {
      routes.invalidate(c.get('session'));
      return c.body(null, 204);
    });
    app.post('/session/refresh', async (c) => c.json(routes.refresh(c.get('session'), await body(c))));
    app.post('/login', async (c) => c.json(routes.login(c.get('session'), await body(c))));
    app.get('/count', (c) => c.json(routes.count(c.get('session'))));
    const mine = (action: Parameters<typeof routes.mySessions>[2]) => async (c: Context) => {
      const result = await routes.mySessions(manager, c.get('session'), action, c.req.param('handle'));
      return result.body === undefined
        ? c.body(null, result.status as 204)
        : c.json(result.body, result.status as ContentfulStatusCode);
    };
    app.get('/me/sessions', mine('list'));
    app.delete('/me/sessions/:handle', mine('revoke'));
    app.post('/me/sessions/revoke-others', mine('revoke-others'));
    app.post('/me/sessions/revoke-all', mine('revoke-all'));
    app.post('/flash', async (c) => {
      routes.flash(c.get('session'), await body(c));
      return c.body(null, 204);
    });
    app.get('/flash', async (c) => c.json(await routes.takeFlash(c.get('session'))));
    app.get('/theme', (c) => {
      c.header('Set-Cookie', APP_COOKIE, { append: true });
      return c.json(routes.theme(c.get('session')));
    });
    return listen(createServer(getRequestListener(app.fetch)));
  },
});

it.each<[string, HonoSessionOptions, string]>([
  ['the socket, through @hono/node-server', {}, '127.0.0.1'],
  ['getIp', { getIp: (c) => c.req.header('x-client') }, '198.51.100.7'],
])('takes the client address from %s', async (_source, options, expected) => {
  const store = memoryStore();
  const manager = createSessionManager({ store });
  const app = new Hono().use(honoSession(manager, options));
  app.get('/', (c) => c.json(routes.count(c.get('session'))));
  const server = await listen(createServer(getRequestListener(app.fetch)));
  try {
    const response = await fetch(server.url, { headers: { 'x-client': '198.51.100.7' } });
    const id = /^session_id=([^;]+)/.exec(response.headers.getSetCookie()[0] ?? '')?.[1] ?? '';
    expect((await store.get(storeKey(id)))?.ip).toBe(expected);
  } finally {
    await server.close();
    await manager.close();
  }
});

// The explicit form types the same way (checked by tsc, not run).
export const typed = new Hono<SessionEnv>().get('/', (c) => c.json(c.var.session.toJSON()));

// The glue appends its cookie to the response's own headers; a response whose headers are
// immutable, like one passed through from fetch(), must still carry it.
it('sets the cookie on a response with immutable headers', async () => {
  const manager = createSessionManager({ store: memoryStore() });
  const app = new Hono().use('/proxy', honoSession(manager));
  app.get('/upstream', (c) => c.text('from upstream', 201, { 'x-upstream': 'yes' }));
  app.get('/proxy', async (c) => {
    routes.count(c.get('session'));
    const upstream = await fetch(new URL('/upstream', c.req.url));
    expect(() => upstream.headers.append('x-probe', '1')).toThrow(TypeError);
    return upstream;
  });
  const server = await listen(createServer(getRequestListener(app.fetch)));
  try {
    const response = await fetch(`${server.url}/proxy`);
    expect([response.status, response.headers.get('x-upstream'), await response.text()]).toEqual([
      201,
      'yes',
      'from upstream',
    ]);
    expect(response.headers.getSetCookie()).toEqual([expect.stringMatching(/^session_id=/)]);
  } finally {
    await server.close();
    await manager.close();
  }
});
