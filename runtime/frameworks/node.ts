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
 * the client sees anything. `commitSession` saves earlier, e.g. before `res.flushHeaders()` or
 * writing to the socket directly, which the hold cannot see. Store failures answer 503 JSON
 * `{"error":"session store unavailable"}` unless the response has already started.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SessionStoreError } from '../core/errors.js';
import { holdResponse } from '../core/hold-response.js';
import type { RequestInfo, SessionManager } from '../core/manager.js';
import type { Session, SessionData } from '../core/session.js';

export interface NodeSessionOptions {
  /**
   * Set it when a proxy you run (nginx, a load balancer) sits in front of the app and sets
   * X-Forwarded-Proto and X-Forwarded-For. Their last entry, the one your proxy added, is then
   * the protocol and client address. Off, they are ignored: any client can send them.
   * @default false
   */
  trustProxy?: boolean;
}

export type SessionHandler = (req: IncomingMessage, res: ServerResponse, session: Session<SessionData>) => unknown;

export interface NodeSessions {
  /** A request listener that loads the session, calls `handler` and saves it before the response. */
  withSession(handler: SessionHandler): (req: IncomingMessage, res: ServerResponse) => void;
  /** Loads the session and holds `res` until it is saved. Rejects with `SessionStoreError`. */
  loadSession(req: IncomingMessage, res: ServerResponse): Promise<Session<SessionData>>;
  /** Saves now and sets the cookie on `res` (later saves do nothing). Rejects with `SessionStoreError`. */
  commitSession(session: Session<SessionData>, res: ServerResponse): Promise<void>;
  /** Answers 503 JSON for a store error, 500 JSON for anything else; drops a response already started. */
  sendError(res: ServerResponse, error: unknown): void;
}

export function nodeSession(manager: SessionManager, options: NodeSessionOptions = {}): NodeSessions {
  const trustProxy = options.trustProxy ?? false;
  /** Responses we added a session cookie to, for keepAppCookies. */
  const withCookie = new WeakSet<ServerResponse>();

  function requestInfo(req: IncomingMessage): RequestInfo {
    const forwardedFor = trustProxy ? lastEntry(req.headers['x-forwarded-for']) : undefined;
    const forwardedProto = trustProxy ? lastEntry(req.headers['x-forwarded-proto']) : undefined;
    return {
      cookieHeader: req.headers.cookie,
      ip: forwardedFor ?? req.socket.remoteAddress,
      userAgent: req.headers['user-agent'],
      https: forwardedProto ? forwardedProto.toLowerCase() === 'https' : 'encrypted' in req.socket,
    };
  }

  async function commitSession(session: Session<SessionData>, res: ServerResponse): Promise<void> {
    const cookie = await manager.commit(session);
    if (!cookie) return;
    res.appendHeader('Set-Cookie', cookie);
    withCookie.add(res);
  }

  /** Loads, holds the response, and reports whether the handler has started responding. */
  async function attach(req: IncomingMessage, res: ServerResponse) {
    const session = await manager.load(requestInfo(req));
    let started = false;
    keepAppCookies(res, withCookie);
    holdResponse(
      res,
      () => {
        started = true;
        return commitSession(session, res);
      },
      (error) => sendError(res, error),
    );
    return { session, started: () => started };
  }

  return {
    withSession: (handler) => (req, res) => {
      void attach(req, res).then(
        async ({ session, started }) => {
          try {
            await handler(req, res, session);
          } catch (error) {
            // Once the handler has begun its response it owns it; only log what it threw.
            if (started()) console.error(error);
            else sendError(res, error);
          }
        },
        (error: unknown) => sendError(res, error),
      );
    },
    loadSession: async (req, res) => (await attach(req, res)).session,
    commitSession,
    sendError,
  };
}

function sendError(res: ServerResponse, error: unknown): void {
  const fromStore = error instanceof SessionStoreError;
  if (!fromStore) console.error(error);
  if (res.headersSent) {
    // Too late for a status: cut the response rather than let it pass as complete.
    res.destroy();
    return;
  }
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  const body = JSON.stringify({ error: fromStore ? 'session store unavailable' : 'internal error' });
  res.writeHead(fromStore ? 503 : 500, { 'content-type': 'application/json; charset=utf-8' }).end(body);
}

/**
 * `res.writeHead(status, { 'Set-Cookie': ... })` replaces a Set-Cookie set before it, which would
 * drop the session cookie. When we set one, the handler's cookies are appended next to it instead.
 * Installed before holdResponse, so it runs when the held writeHead is replayed after the commit.
 */
function keepAppCookies(res: ServerResponse, withCookie: WeakSet<ServerResponse>): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    const headers = args.at(-1);
    if (withCookie.has(res) && typeof headers === 'object' && headers !== null) {
      const pairs = Array.isArray(headers) ? pairsOf(headers) : Object.entries(headers);
      const rest: unknown[] = [];
      for (const [name, value] of pairs) {
        if (String(name).toLowerCase() === 'set-cookie') res.appendHeader('Set-Cookie', value as string | string[]);
        else rest.push(name, value);
      }
      args[args.length - 1] = rest;
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}

/** writeHead's array form is flat: [name, value, name, value, ...]. */
function pairsOf(flat: unknown[]): Array<[unknown, unknown]> {
  const pairs: Array<[unknown, unknown]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
  return pairs;
}

/** A repeated X-Forwarded-* header arrives comma-joined; the last entry is the nearest proxy's. */
function lastEntry(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  const last = text?.split(',').at(-1)?.trim();
  return last || undefined;
}
