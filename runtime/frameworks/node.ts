/**
 * Plain node:http glue. Wrap a handler and it receives the session as a third argument:
 *
 *   const sessions = nodeSession(manager);
 *   createServer(sessions.withSession(async (req, res, session) => { ... }));
 *
 * Code that cannot be wrapped loads the session itself and answers a load failure:
 *
 *   let session;
 *   try { session = await sessions.loadSession(req, res); }
 *   catch (error) { return sessions.sendError(res, error); }
 *
 * Either way the response is held back until the session is saved, so the cookie is set before
 * the client sees anything (see ./_hold-response.ts). `commitSession` saves earlier, e.g. before
 * writing to the socket directly, which the hold cannot see. Errors answer JSON with their
 * status: a store outage 503, bad session data 400 or 413, anything else 500.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SessionStoreError } from '../core/errors.js';
import type { SessionManager } from '../core/manager.js';
import type { RequestInfo, Session } from '../core/session.js';
import { lastForwarded } from './_forwarded.js';
import { appendSessionCookie, holdResponse, responseEnded, responseStarted } from './_hold-response.js';

export interface NodeSessionOptions {
  /**
   * Set it when a proxy you run (nginx, a load balancer) sits in front of the app and sets
   * X-Forwarded-Proto and X-Forwarded-For. Their last entry, the one your proxy added, is then
   * the protocol and client address. Off, they are ignored: any client can send them.
   * @default false
   */
  trustProxy?: boolean;
}

export type SessionHandler = (req: IncomingMessage, res: ServerResponse, session: Session) => unknown;

export interface NodeSessions {
  /** A request listener that loads the session, calls `handler` and saves it before the response. */
  withSession(handler: SessionHandler): (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * Loads the session and holds `res` until it is saved; a second call for the same request
   * returns the same session. Rejects with `SessionStoreError`.
   */
  loadSession(req: IncomingMessage, res: ServerResponse): Promise<Session>;
  /** Saves now and sets the cookie on `res` (later saves do nothing). Rejects with `SessionStoreError`. */
  commitSession(session: Session, res: ServerResponse): Promise<void>;
  /** Answers an error as JSON with its status (see above); cuts a response that has already started. */
  sendError(res: ServerResponse, error: unknown): void;
}

export function nodeSession(manager: SessionManager, options: NodeSessionOptions = {}): NodeSessions {
  // Where a request keeps this instance's session once loading has begun, so a second load
  // returns the same one. One per instance: a second nodeSession() on the same request has its own.
  const LOADED = Symbol('session');
  const trustProxy = options.trustProxy ?? false;
  const { logger } = manager.options;

  function requestInfo(req: IncomingMessage): RequestInfo {
    const forwardedFor = trustProxy ? lastForwarded(req.headers['x-forwarded-for']) : undefined;
    const forwardedProto = trustProxy ? lastForwarded(req.headers['x-forwarded-proto']) : undefined;
    return {
      cookieHeader: req.headers.cookie,
      path: req.url,
      ip: forwardedFor ?? req.socket.remoteAddress,
      userAgent: req.headers['user-agent'],
      https: forwardedProto ? forwardedProto.toLowerCase() === 'https' : 'encrypted' in req.socket,
    };
  }

  async function commitSession(session: Session, res: ServerResponse): Promise<void> {
    const cookie = await manager.commit(session, { cookie: !res.headersSent });
    if (cookie) appendSessionCookie(res, cookie);
  }

  function sendError(res: ServerResponse, error: unknown): void {
    const { status, message } = describeError(error);
    // Store failures are logged by the core, once per outage; anything else failing is a bug to see.
    if (status >= 500 && !(error instanceof SessionStoreError)) logger.error('[session] request failed', error);
    if (responseStarted(res)) {
      // Too late for a status: cut an unfinished response rather than let it pass as complete.
      if (!responseEnded(res)) res.destroy();
      return;
    }
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res
      .writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
      .end(JSON.stringify({ error: message }));
  }

  function loadSession(request: IncomingMessage, res: ServerResponse): Promise<Session> {
    const req = request as IncomingMessage & { [LOADED]?: Promise<Session> };
    const existing = req[LOADED];
    if (existing) return existing;
    const session = manager.load(requestInfo(req)).then((session) => {
      holdResponse(res, {
        beforeSend: () => commitSession(session, res),
        onError: (error) => {
          sendError(res, error);
        },
      });
      return session;
    });
    req[LOADED] = session;
    return session;
  }

  return {
    withSession: (handler) => (req, res) => {
      loadSession(req, res).then(
        async (session) => {
          try {
            await handler(req, res, session);
          } catch (error) {
            // An error response saves the session like any other (see the README).
            sendError(res, error);
          }
        },
        (error: unknown) => {
          sendError(res, error);
        },
      );
    },
    loadSession,
    commitSession,
    sendError,
  };
}

/**
 * The status and client-facing message of an error: the session layer's own errors carry
 * `status` and `expose` (as http-errors does), and only an exposed message reaches the client.
 */
function describeError(error: unknown): { status: number; message: string } {
  const { status, expose, message } = (error ?? {}) as { status?: unknown; expose?: unknown; message?: unknown };
  const code = typeof status === 'number' && status >= 400 && status <= 599 ? status : 500;
  if (expose === true && typeof message === 'string') return { status: code, message };
  return { status: code, message: code === 503 ? 'session store unavailable' : 'internal error' };
}
