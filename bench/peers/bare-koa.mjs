// Koa with no session library: the BARE row (LIMIT unset) and the LIMIT rows (LIMIT=<backend>).
import Koa from 'koa';
import { bareHandlers } from './bare-handlers.mjs';
import { host, listening, onShutdown, port } from './common.mjs';

const handlers = await bareHandlers();
const app = new Koa();
app.use(async (ctx) => {
  if (ctx.path === '/health') {
    ctx.body = { ok: true };
    return;
  }
  const handler = ctx.path === '/count' ? handlers.count : ctx.path === '/session' ? handlers.session : undefined;
  if (!handler || ctx.method !== 'GET') ctx.throw(404);
  const { body, setCookie } = await handler(ctx.get('cookie'));
  if (setCookie) ctx.append('Set-Cookie', setCookie);
  ctx.body = body;
});
const server = app.listen(port, host, () => listening(`koa ${handlers.name}`));
onShutdown(() => server.close(), handlers.close);
