/** The Koa glue held to the framework contract (test/framework-contract.ts). */
import { createServer } from 'node:http';
import Koa from 'koa';
import { koaSession } from '../../runtime/frameworks/koa.js';
import { errorReply, listen, readJson, routes, testFramework } from '../framework-contract.js';

testFramework('koa', {
  start(manager) {
    const app = new Koa();
    // Upstream of the glue, so store failures thrown by it arrive here.
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        const { status, body } = errorReply(error);
        ctx.status = status;
        ctx.body = body;
      }
    });
    app.use(async (ctx, next) => {
      if (ctx.path === '/health') ctx.body = { ok: true };
      else await next();
    });
    app.use(koaSession(manager));
    app.use(async (ctx) => {
      const { session } = ctx;
      switch (`${ctx.method} ${ctx.path}`) {
        case 'GET /session':
          ctx.body = routes.get(session);
          return;
        case 'PATCH /session':
          ctx.body = routes.patch(session, await readJson(ctx.req));
          return;
        case 'DELETE /session':
          routes.invalidate(session);
          ctx.status = 204;
          return;
        case 'POST /session/refresh':
          ctx.body = routes.refresh(session, await readJson(ctx.req));
          return;
        case 'POST /login':
          ctx.body = routes.login(session, await readJson(ctx.req));
          return;
        case 'GET /count':
          ctx.body = routes.count(session);
          return;
        case 'GET /theme':
          ctx.cookies.set('theme', 'dark', { httpOnly: false });
          ctx.body = routes.theme(session);
          return;
      }
    });
    return listen(createServer(app.callback()));
  },
});
