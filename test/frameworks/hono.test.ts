/** The Hono glue (on @hono/node-server) held to the framework contract (test/framework-contract.ts). */
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { honoSession, type SessionEnv } from '../../runtime/frameworks/hono.js';
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
    app.get('/theme', (c) => {
      c.header('Set-Cookie', APP_COOKIE, { append: true });
      return c.json(routes.theme(c.get('session')));
    });
    return listen(createServer(getRequestListener(app.fetch)));
  },
});

// The explicit form types the same way (checked by tsc, not run).
export const typed = new Hono<SessionEnv>().get('/', (c) => c.json(c.var.session.toJSON()));
