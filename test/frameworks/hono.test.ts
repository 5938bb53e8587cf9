/** The Hono glue (on @hono/node-server) held to the framework contract (test/framework-contract.ts). */
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { expect, it } from 'vitest';
import { storeKey } from '../../runtime/core/id.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import { honoSession, type HonoSessionOptions, type SessionEnv } from '../../runtime/frameworks/hono.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { exampleApp } from '../../runtime/examples/hono.js';
import { APP_COOKIE, listen, routes, testFramework } from '../framework-contract.js';

testFramework('hono', {
  start: (manager) => listen(createServer(getRequestListener(exampleApp(manager, honoSession(manager)).fetch))),
  startWithAppCookie(manager) {
    const app = new Hono().use(honoSession(manager));
    app.get('/session', (c) => c.json(routes.get(c.get('session'))));
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
