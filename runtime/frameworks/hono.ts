/**
 * Hono glue (Hono 4): `app.use(honoSession(manager))` gives every later handler
 * `c.get('session')`. The session is saved, and its cookie added to `c.res`, after the handler
 * returns and before Hono hands the response to the server, error responses included. The
 * session layer's errors are thrown as an `HTTPException` with their status (a store outage 503,
 * bad session data 400 or 413; the original error as its `cause`), so `app.onError` sees them
 * and Hono's default handler answers with that status.
 *
 * Typed both ways: `c.get('session')` through Hono's ContextVariableMap, or explicitly with
 * `new Hono<{ Variables: SessionVariables }>()`.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { SessionDataError, SessionStoreError, SessionUsageError } from '../core/errors.js';
import type { SessionManager } from '../core/manager.js';
import type { Session } from '../core/session.js';
import { lastForwarded } from './_forwarded.js';

export interface SessionVariables {
  /** The visitor's session; see ../core/session.ts. */
  session: Session;
}

export interface SessionEnv {
  Variables: SessionVariables;
}

declare module 'hono' {
  interface ContextVariableMap {
    session: SessionVariables['session'];
  }
}

export interface HonoSessionOptions {
  /**
   * Set it when a proxy you run (nginx, a load balancer) sits in front of the app and sets
   * X-Forwarded-Proto and X-Forwarded-For: their last entry is then the protocol and client
   * address. Off, they are ignored (any client can send them). Hono has no such setting itself.
   * @default false
   */
  trustProxy?: boolean;
  /**
   * The client address, for `bind: ['ip']`, when neither the socket nor X-Forwarded-For tells it
   * (another runtime than @hono/node-server, say).
   */
  getIp?: (c: Context) => string | undefined;
}

export function honoSession(manager: SessionManager, options: HonoSessionOptions = {}): MiddlewareHandler<SessionEnv> {
  const trustProxy = options.trustProxy ?? false;
  const getIp = options.getIp ?? socketAddress;
  return async (c, next) => {
    // Mounted twice: the first mount's session serves the request. (c.get is typed as always
    // set, but before this middleware has run it is not.)
    const mounted: unknown = c.get('session');
    if (mounted !== undefined) return next();
    const forwardedProto = trustProxy ? lastForwarded(c.req.header('X-Forwarded-Proto')) : undefined;
    const session = await asHttpError(() =>
      manager.load({
        cookieHeader: c.req.header('Cookie'),
        path: c.req.path,
        ip: (trustProxy ? lastForwarded(c.req.header('X-Forwarded-For')) : undefined) ?? getIp(c),
        userAgent: c.req.header('User-Agent'),
        // The adapter builds the URL from the connection: https only for a TLS socket.
        https: forwardedProto ? forwardedProto.toLowerCase() === 'https' : c.req.url.startsWith('https:'),
      }),
    );
    // The glue saves this session whatever c.set('session', ...) later puts in its place.
    c.set('session', session);
    // A handler that threw has been answered by app.onError by now; the session is saved with
    // that response like with any other.
    await next();
    const cookie = await asHttpError(() => manager.commit(session));
    if (cookie) appendCookie(c, cookie);
  };
}

/** @hono/node-server puts the node:http request in `c.env.incoming`; read without importing it. */
function socketAddress(c: Context): string | undefined {
  const env: unknown = c.env;
  return (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
}

/**
 * Appends to the finished response's own headers, which keeps @hono/node-server on its fast path
 * (c.header would read the body into a stream first). A response with immutable headers, such as
 * one passed through from fetch(), throws a TypeError; c.header then rebuilds it around the same
 * body.
 */
function appendCookie(c: Context, cookie: string): void {
  try {
    c.res.headers.append('Set-Cookie', cookie);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    c.header('Set-Cookie', cookie, { append: true });
  }
}

/** The session layer's errors become Hono's own HTTP errors, so even the default onError keeps their status. */
async function asHttpError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof SessionStoreError || error instanceof SessionDataError || error instanceof SessionUsageError) {
      const message = error.expose
        ? error.message
        : error.status === 503
          ? 'session store unavailable'
          : 'internal error';
      throw new HTTPException(error.status as ContentfulStatusCode, { message, cause: error });
    }
    throw error;
  }
}
