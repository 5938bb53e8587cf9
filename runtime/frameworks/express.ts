/**
 * Express glue (Express 5 and 4): `app.use(expressSession(manager))` gives every later handler
 * `req.session`. The session is saved, and its cookie set, before the response goes out.
 * Store failures go to Express' error path as a `SessionStoreError` with status 503.
 */
import type { Request, RequestHandler } from 'express';
import { holdResponse } from '../core/hold-response.js';
import { LazyIpRequest } from '../core/lazy-request.js';
import type { SessionManager } from '../core/manager.js';
import type { Session, SessionData } from '../core/session.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The visitor's session; see ../core/session.ts. */
      session: Session<SessionData>;
    }
  }
}

export function expressSession(manager: SessionManager): RequestHandler {
  return (req, res, next) => {
    manager
      // req.ip and req.secure honour Express' "trust proxy" setting for X-Forwarded-For/-Proto.
      .load(new LazyIpRequest(req, clientIp, req.headers.cookie, req.headers['user-agent'], req.secure))
      .then((session) => {
        req.session = session;
        holdResponse(
          res,
          async () => {
            const cookie = await manager.commit(session);
            if (cookie) res.append('Set-Cookie', cookie);
          },
          next,
        );
        next();
      }, next);
  };
}

function clientIp(req: Request): string | undefined {
  return req.ip;
}
