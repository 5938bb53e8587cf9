/** The Koa glue held to the framework-fidelity suite (test/framework-fidelity.ts). */
import { createServer } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import Koa, { type Context } from 'koa';
import type { Session, SessionData } from '../../runtime/core/session.js';
import { koaSession } from '../../runtime/frameworks/koa.js';
import { errorReply, listen, routes } from '../framework-contract.js';
import { APP_SET_COOKIE, chunks, fidelity, PREFIXES, testFidelity } from '../framework-fidelity.js';

type Handler = (ctx: Context, session: Session<SessionData>) => unknown;

const handlers: Record<string, Handler> = {
  'GET /count': (ctx, session) => (ctx.body = routes.count(session)),
  'GET /session': (ctx, session) => (ctx.body = routes.get(session)),
  'GET /own-cookie/replace': (ctx, session) => {
    fidelity.seen(session);
    ctx.set('Set-Cookie', APP_SET_COOKIE);
    ctx.body = {};
  },
  'GET /own-cookie/helper': (ctx, session) => {
    fidelity.seen(session);
    ctx.cookies.set('app', '1', { httpOnly: false });
    ctx.body = {};
  },
  'POST /login-own-cookie': (ctx, session) => {
    fidelity.login(session);
    ctx.set('Set-Cookie', APP_SET_COOKIE);
    ctx.body = {};
  },
  'GET /stream': (ctx, session) => {
    session.set('streamed', true);
    ctx.body = Readable.from(chunks());
  },
  'GET /pipe': (ctx, session) => {
    session.set('piped', true);
    ctx.body = Readable.from(['x', 'y', 'z']);
  },
  'GET /late': (ctx, session) => {
    const body = new PassThrough();
    body.write('started:');
    setTimeout(() => body.end(fidelity.late(session)), 20);
    ctx.body = body;
  },
  'GET /not-modified': (ctx, session) => {
    session.set('conditional', true);
    ctx.status = 304;
  },
  'GET /redirect': (ctx, session) => {
    session.set('redirected', true);
    session.refresh({ rotate: true });
    ctx.status = 302;
    ctx.redirect('/session');
  },
  'GET /throw/400': (_ctx, session) => fidelity.throw400(session),
  'GET /throw/500': (_ctx, session) => fidelity.throw500(session),
  'GET /reassign': (ctx, session) => {
    session.set('kept', true);
    let assigned = 'ignored';
    try {
      (ctx as { session: unknown }).session = null;
    } catch (error) {
      assigned = (error as Error).name;
    }
    ctx.body = { assigned };
  },
  'GET /bad/key': (ctx, session) => {
    fidelity.badKey(session);
    ctx.body = {};
  },
  'GET /bad/big': (ctx, session) => {
    fidelity.badBig(session);
    ctx.body = {};
  },
  'GET /bad/bigint': (ctx, session) => {
    fidelity.badBigint(session);
    ctx.body = {};
  },
};

testFidelity('koa', {
  secondMount: 'shared',
  reassign: 'throws',
  start(manager, options) {
    const app = new Koa();
    app.proxy = options.trustProxy;
    app.silent = true;
    // Upstream of the glue, so errors thrown by it or by the handlers arrive here.
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        const { status, body } = errorReply(error);
        ctx.status = status;
        ctx.body = body;
      }
    });
    app.use(koaSession(manager));
    if (options.mountTwice) app.use(koaSession(manager));
    app.use(async (ctx) => {
      const prefix = PREFIXES.find((candidate) => candidate !== '' && ctx.path.startsWith(`${candidate}/`)) ?? '';
      const method = ctx.method === 'HEAD' ? 'GET' : ctx.method;
      const handler = handlers[`${method} ${ctx.path.slice(prefix.length)}`];
      if (handler) await handler(ctx, ctx.session);
    });
    return listen(createServer(app.callback()));
  },
});
