/**
 * Koa glue (Koa 3): `app.use(koaSession(manager))` gives every later middleware
 * `ctx.session`. The session is saved, and its cookie set, after the downstream middleware
 * finishes and before Koa writes the response. Store failures are thrown into Koa's error path as
 * a `SessionStoreError` with status 503 (and `expose: false`, so its message is not sent).
 * With `ctx.respond = false` (writing `ctx.res` yourself) the response can leave before the save.
 */
import type { Context, Middleware } from 'koa';
import { LazyRequest, type RequestReader } from '../core/lazy-request.js';
import type { SessionManager } from '../core/manager.js';
import type { Session, SessionData } from '../core/session.js';

declare module 'koa' {
  interface DefaultContext {
    /** The visitor's session; see ../core/session.ts. */
    session: Session<SessionData>;
  }
}

export function koaSession(manager: SessionManager): Middleware {
  return async (ctx, next) => {
    ctx.session = await manager.load(new LazyRequest(ctx, readContext, ctx.headers.cookie, ctx.headers['user-agent']));
    // If downstream throws, nothing is saved: the session stays as it was loaded, like a
    // rolled-back transaction. (Koa's own error responder removes every header, so a new or
    // rotated cookie set now could be lost while the store had already moved to the new id.)
    await next();
    // Koa writes the response only after the middleware chain resolves, so this runs first.
    const cookie = await manager.commit(ctx.session);
    // append keeps the cookies the app set (ctx.cookies.set) next to ours.
    if (cookie) ctx.append('Set-Cookie', cookie);
  };
}

/** ctx.ip and ctx.secure honour Koa's `app.proxy` setting for X-Forwarded-For/-Proto. */
const readContext: RequestReader<Context> = {
  ip: (ctx) => ctx.ip,
  https: (ctx) => ctx.secure,
};
