// Hono (on @hono/node-server) with no session library: the BARE row for `hono` (LIMIT unset)
// and its LIMIT rows (LIMIT=<backend>).
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { bareHandlers } from './bare-handlers.mjs';
import { host, listening, onShutdown, port } from './common.mjs';

const handlers = await bareHandlers();
const app = new Hono();
app.get('/health', (c) => c.json({ ok: true }));
const route = (handler) => async (c) => {
  const { body, setCookie } = await handler(c.req.header('cookie'));
  if (setCookie) c.header('Set-Cookie', setCookie, { append: true });
  return c.json(body);
};
app.get('/count', route(handlers.count));
app.get('/session', route(handlers.session));
const server = serve({ fetch: app.fetch, port, hostname: host }, () => listening(`hono ${handlers.name}`));
onShutdown(() => server.close(), handlers.close);
