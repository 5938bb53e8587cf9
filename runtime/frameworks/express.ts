/**
 * Express glue (Express 5 and 4): `app.use(expressSession(manager))` gives every later handler
 * `req.session`. The session is saved, and its cookie set, before the response goes out.
 * Store failures go to Express' error path as a `SessionStoreError` with status 503.
 */
import type { ServerResponse } from 'node:http';
import { response as expressResponse, type Request, type RequestHandler } from 'express';
import { prototypeHold } from '../core/hold-response.js';
import { LazyRequest, type RequestReader } from '../core/lazy-request.js';
import type { SessionManager } from '../core/manager.js';
import type { Session, SessionData } from '../core/session.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /**
       * The visitor's session; see ../core/session.ts. Read-only: the response is held until
       * this session is saved, so it cannot be swapped for another object. To end it, call
       * `req.session.invalidate()`.
       */
      readonly session: Session<SessionData>;
    }
  }
}

export function expressSession(manager: SessionManager): RequestHandler {
  // express.response is the prototype under every app's response prototype, sub-apps' included.
  // Installed now, at app setup, before any request: see prototypeHold for why. Each held
  // response's state lives on its request's session, found again through res.req.
  const holdResponse = prototypeHold(expressResponse, sessionOfResponse);
  return (req, res, next) => {
    const { headers } = req;
    manager.load(new LazyRequest(req, readRequest, headers.cookie, headers['user-agent'])).then((session) => {
      // Held before req.session changes, so a second mount of this middleware joins the first's hold.
      holdResponse(
        res,
        session,
        async () => {
          const cookie = await manager.commit(session);
          if (cookie) res.append('Set-Cookie', cookie);
        },
        next,
      );
      // Not writable, so an assignment fails loudly instead of unhooking the save. Configurable,
      // so a second mount can set its own.
      Object.defineProperty(req, 'session', { value: session, enumerable: true, configurable: true });
      next();
    }, next);
  };
}

/** req.ip and req.secure honour Express' "trust proxy" setting for X-Forwarded-For/-Proto. */
const readRequest: RequestReader<Request> = {
  ip: (req) => req.ip,
  https: (req) => req.secure,
};

function sessionOfResponse(res: ServerResponse): unknown {
  return (res.req as Partial<Request> | undefined)?.session;
}
