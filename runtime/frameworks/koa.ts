/**
 * Koa glue (Koa 3): `app.use(koaSession(manager))` gives every later middleware `ctx.session`.
 * The session is saved, and its cookie set, after the downstream middleware finishes and before
 * Koa writes the response, error responses included. Errors are thrown into Koa's error path with
 * their status: a store outage 503, bad session data 400 or 413 (see ../core/errors.ts).
 */
import type { Context, Middleware } from 'koa';
import { SessionStoreError } from '../core/errors.js';
import type { SessionManager } from '../core/manager.js';
import type { Session } from '../core/session.js';

declare module 'koa' {
  interface DefaultContext {
    /**
     * The visitor's session; see ../core/session.ts. Read-only: the glue saves the session it
     * loaded. To end it, call `ctx.session.invalidate()`.
     */
    readonly session: Session;
  }
}

export function koaSession(manager: SessionManager): Middleware {
  return async (ctx, next) => {
    // Mounted twice: the first mount's session serves the request.
    if ((ctx as { session?: unknown }).session !== undefined) {
      await next();
      return;
    }
    const session = await manager.load({
      cookieHeader: ctx.headers.cookie,
      path: ctx.originalUrl,
      // ctx.ip and ctx.secure honour Koa's `app.proxy` setting (X-Forwarded-For, -Proto).
      ip: ctx.ip,
      userAgent: ctx.headers['user-agent'],
      https: ctx.secure,
    });
    // Not writable, so an assignment fails loudly instead of unhooking the save.
    Object.defineProperty(ctx, 'session', { value: session, enumerable: true });
    try {
      await next();
    } catch (error) {
      // An error response saves the session like any other: changes made before the error stay.
      // The request's own error is the one to answer with; a failed save is only logged (a
      // store outage is logged by the core already).
      await save(ctx, session, error).catch((saveError: unknown) => {
        if (!(saveError instanceof SessionStoreError))
          manager.options.logger.error('[session] could not save the session of a failed request', saveError);
      });
      throw error;
    }
    await save(ctx, session, undefined);
  };

  async function save(ctx: Context, session: Session, error: unknown): Promise<void> {
    // A handler that wrote to ctx.res itself may have sent the headers already; then no cookie
    // can follow, and the commit saves what it can without one (or throws, see CommitOptions).
    const cookie = await manager.commit(session, { cookie: !ctx.headerSent });
    if (!cookie) return;
    // append keeps the cookies the app set (ctx.cookies.set, ctx.set) next to ours.
    ctx.append('Set-Cookie', cookie);
    // Koa's default error responder clears every header and then sets the error's own `headers`.
    if (error instanceof Error) {
      const carrier = error as Error & { headers?: Record<string, unknown> };
      const headers = carrier.headers ?? {};
      const previous = headers['Set-Cookie'];
      const list: unknown[] = previous === undefined ? [] : Array.isArray(previous) ? previous : [previous];
      carrier.headers = { ...headers, 'Set-Cookie': [...list, cookie] };
    }
  }
}
