/**
 * Hono glue (Hono 4): `app.use(honoSession(manager))` gives every later handler
 * `c.get('session')`. The session is saved, and its cookie added to `c.res`, after the handler
 * returns and before Hono hands the response to the server. Store failures are thrown as an
 * `HTTPException` with status 503 (the `SessionStoreError` as its `cause`), so `app.onError`
 * sees them and Hono's default handler answers 503.
 *
 * Typed both ways: `c.get('session')` through Hono's ContextVariableMap, or explicitly with
 * `new Hono<{ Variables: SessionVariables }>()`.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { LazyRequest, type RequestReader } from '../core/lazy-request.js';
import type { SessionManager } from '../core/manager.js';
import type { Session, SessionData } from '../core/session.js';
import { SessionStoreError } from '../core/errors.js';

export interface SessionVariables {
  /** The visitor's session; see ../core/session.ts. */
  session: Session<SessionData>;
}

export interface SessionEnv {
  Variables: SessionVariables;
}

declare module 'hono' {
  interface ContextVariableMap extends SessionVariables {}
}

export interface HonoSessionOptions {
  /**
   * The client address, for `bind: ['ip']`. Hono has no trust-proxy setting, so behind a proxy
   * return what your proxy reports. Default: the socket address on @hono/node-server, else none.
   */
  getIp?: (c: Context) => string | undefined;
}

/** The adapter builds the URL from the connection (https only for a TLS socket). */
function isHttps(c: Context): boolean {
  return c.req.url.startsWith('https:');
}

/** @hono/node-server puts the node:http request in `c.env.incoming`; read without importing it. */
function socketAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

export function honoSession(manager: SessionManager, options: HonoSessionOptions = {}): MiddlewareHandler<SessionEnv> {
  const reader: RequestReader<Context> = { ip: options.getIp ?? socketAddress, https: isHttps };
  return async (c, next) => {
    const session = await storeGuard(() =>
      manager.load(new LazyRequest(c, reader, c.req.header('Cookie'), c.req.header('User-Agent'))),
    );
    c.set('session', session);
    // A handler that threw has been answered by app.onError by now; the session is saved with
    // that response like with any other, as the Express glue does.
    await next();
    const cookie = await storeGuard(() => manager.commit(session));
    if (cookie) appendCookie(c, cookie);
  };
}

/**
 * Appends to the finished response's own headers, which keeps @hono/node-server on its fast path
 * (c.header would read the body into a stream first: a third of the requests per second). A
 * response with immutable headers, such as one passed through from fetch(), throws a TypeError;
 * c.header then rebuilds it around the same body.
 */
function appendCookie(c: Context, cookie: string): void {
  try {
    c.res.headers.append('Set-Cookie', cookie);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    c.header('Set-Cookie', cookie, { append: true });
  }
}

/** A store failure becomes Hono's own HTTP error, so even the default onError answers 503. */
async function storeGuard<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof SessionStoreError)
      throw new HTTPException(503, { message: 'session store unavailable', cause: error });
    throw error;
  }
}
