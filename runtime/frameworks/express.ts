/**
 * Express glue (Express 5 and 4): `app.use(expressSession(manager))` gives every later handler
 * `req.session`. The session is saved, and its cookie set, before the response's first byte goes
 * out (see ./_hold-response.ts). Errors go to Express' error path with their status: a store
 * outage 503, bad session data 400 or 413 (see ../core/errors.ts).
 */
import type { RequestHandler } from 'express';
import type { SessionManager } from '../core/manager.js';
import type { Session } from '../core/session.js';
import { appendSessionCookie, holdResponse } from './_hold-response.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express types its Request in this global namespace
  namespace Express {
    interface Request {
      /**
       * The visitor's session; see ../core/session.ts. Read-only: the response is held until
       * this session is saved, so it cannot be swapped for another object. To end it, call
       * `req.session.invalidate()`.
       */
      readonly session: Session;
    }
  }
}

export function expressSession(manager: SessionManager): RequestHandler {
  return (req, res, next) => {
    // Mounted twice (an app and its router, say): the first mount's session serves the request.
    if ((req as { session?: unknown }).session !== undefined) {
      next();
      return;
    }
    const info = {
      cookieHeader: req.headers.cookie,
      // The path before any sub-app or router mount stripped its prefix.
      path: req.originalUrl,
      // req.ip and req.secure honour Express' "trust proxy" setting (X-Forwarded-For, -Proto).
      ip: req.ip,
      userAgent: req.headers['user-agent'],
      https: req.secure,
    };
    manager.load(info).then((session) => {
      holdResponse(res, {
        beforeSend: async () => {
          const cookie = await manager.commit(session);
          if (cookie) appendSessionCookie(res, cookie);
        },
        onError: next,
      });
      // Not writable, so an assignment fails loudly instead of unhooking the save.
      Object.defineProperty(req, 'session', { value: session, enumerable: true });
      next();
    }, next);
  };
}
