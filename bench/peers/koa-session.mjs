// koa-session with koa-redis as its external store, the Koa user's pick for Redis. Routing is a
// plain switch on ctx.path (no router package), the same in the bare Koa row.
import Koa from 'koa';
import redisStore from 'koa-redis';
import session from 'koa-session';
import { host, listening, maxAgeMs, namespace, onShutdown, port, redisUrl, secret, sessionValues } from './common.mjs';

const redisDb = Number(new URL(redisUrl).pathname.slice(1) || 0);
const store = redisStore({ host: '127.0.0.1', port: 6379, db: redisDb, keyPrefix: `bench:${namespace}:` });

const app = new Koa();
app.keys = [secret];
app.use(async (ctx, next) => {
  if (ctx.path === '/health') ctx.body = { ok: true };
  else await next();
});
app.use(session({ key: 'session_id', maxAge: maxAgeMs, store, httpOnly: true, sameSite: 'lax', signed: true }, app));
app.use(async (ctx) => {
  if (ctx.method !== 'GET') ctx.throw(405);
  if (ctx.path === '/session') ctx.body = { data: sessionValues(ctx.session.toJSON()) };
  else if (ctx.path === '/count') {
    const count = (Number(ctx.session.count) || 0) + 1;
    ctx.session.count = count;
    ctx.body = { count };
  } else ctx.throw(404);
});
const server = app.listen(port, host, () => listening('koa-session (koa-redis)'));
onShutdown(
  () => server.close(),
  () => store.quit(),
);
