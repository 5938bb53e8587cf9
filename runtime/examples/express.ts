/**
 * Example server for the session layer on Express: each part of the session API on a route of
 * its own. Start it from the app root with `npx tsx <this file>` (or `node` for JavaScript).
 * Environment: PORT (default 3000), and the layer's SESSION_STORE, SESSION_SECRET, SESSION_MAX_AGE,
 * SESSION_REGENERATE, SESSION_ROTATE_GRACE and SESSION_COOKIE (see the layer's README).
 */
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { SessionManager } from '../core/manager.js';

/** A JSON object (not null, not an array). */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every error keeps its status: the session layer's (store outage 503, bad session data 400 or
 * 413) and Express' own (a bad or oversized body). The session layer logs store failures itself.
 */
const onError: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  // A response already under way cannot change its status: Express' own handler cuts it.
  if (res.headersSent) {
    next(error);
    return;
  }
  const { name, status, expose, message } = isObject(error) ? error : {};
  const code = typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
  if (code >= 500 && name !== 'SessionStoreError') console.error(error);
  const shown =
    code === 503
      ? 'session store unavailable'
      : expose === true && typeof message === 'string'
        ? message
        : code < 500
          ? 'bad request'
          : 'internal error';
  res.status(code).json({ error: shown });
};

/**
 * The example's routes on `app` (a new Express app unless one is given): `sessions` is the
 * layer's session manager and `sessionMiddleware` its Express middleware.
 */
export function exampleApp(
  sessions: SessionManager,
  sessionMiddleware: RequestHandler,
  app: Express = express(),
): Express {
  app.disable('x-powered-by');
  // Only the routes that take a body parse one; the others skip the parser on every request.
  // A body over the limit is Express' own 413.
  const json = express.json({ limit: '16kb' });

  // Before the session middleware: health checks touch no session and set no cookie.
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  app.use(sessionMiddleware);

  app.get('/session', (req, res) => {
    res.json({ data: req.session.toJSON() });
  });

  app.patch('/session', json, (req, res) => {
    const body: unknown = req.body;
    if (!isObject(body)) {
      res.status(400).json({ error: 'expected a JSON object' });
      return;
    }
    // A key or value the session cannot store throws SessionDataError (400), answered by onError.
    for (const [key, value] of Object.entries(body)) {
      if (value === null) req.session.delete(key);
      else req.session.set(key, value);
    }
    res.json({ data: req.session.toJSON() });
  });

  app.delete('/session', (req, res) => {
    req.session.invalidate();
    res.status(204).end();
  });

  app.post('/session/refresh', json, (req, res) => {
    const body: unknown = req.body;
    const { rotate, maxAge } = isObject(body) ? body : {};
    if (maxAge !== undefined && typeof maxAge !== 'number' && typeof maxAge !== 'string') {
      res.status(400).json({ error: 'maxAge must be seconds or a duration like "2h"' });
      return;
    }
    try {
      req.session.refresh({ rotate: rotate === true, ...(maxAge === undefined ? {} : { maxAge }) });
    } catch (error) {
      res.status(400).json({ error: error instanceof Error ? error.message : 'invalid refresh' });
      return;
    }
    res.json({ data: req.session.toJSON() });
  });

  app.post('/login', json, (req, res) => {
    const body: unknown = req.body;
    const user = isObject(body) ? body.user : undefined;
    if (typeof user !== 'string' || user === '') {
      res.status(400).json({ error: 'expected {"user":"name"}' });
      return;
    }
    req.session.set('user', user);
    // A new id at login defeats session fixation; the session joins the user's list (GET /me/sessions).
    req.session.login(user);
    res.json({ data: req.session.toJSON() });
  });

  app.get('/count', (req, res) => {
    // update(), not get-then-set: parallel requests' increments all count, across processes too.
    req.session.update('count', (count: unknown) => (typeof count === 'number' ? count : 0) + 1);
    res.json({ count: req.session.get('count') });
  });

  // The user's sessions: "see my devices", "log out other devices", "log out everywhere".
  app.get('/me/sessions', async (req, res) => {
    const userId = req.session.userId;
    if (userId === undefined) {
      res.status(401).json({ error: 'not logged in' });
      return;
    }
    res.json({ sessions: await sessions.list(userId, req.session) });
  });

  app.delete('/me/sessions/:handle', async (req, res) => {
    const userId = req.session.userId;
    if (userId === undefined) {
      res.status(401).json({ error: 'not logged in' });
      return;
    }
    if (await sessions.revoke(userId, req.params.handle)) res.status(204).end();
    else res.status(404).json({ error: 'no such session' });
  });

  app.post('/me/sessions/:which', async (req, res) => {
    const userId = req.session.userId;
    if (userId === undefined) {
      res.status(401).json({ error: 'not logged in' });
      return;
    }
    if (req.params.which === 'revoke-others') await sessions.revokeAll(userId, { except: req.session });
    else if (req.params.which === 'revoke-all') {
      await sessions.revokeAll(userId);
      req.session.invalidate(); // clears this browser's cookie too
    } else {
      res.status(404).json({ error: 'not found' });
      return;
    }
    res.status(204).end();
  });

  // Flash messages, as a redirect-after-POST uses them: POST keeps one, the next page takes it.
  app.post('/flash', json, (req, res) => {
    const body: unknown = req.body;
    const message = isObject(body) ? body.message : undefined;
    if (typeof message !== 'string' || message === '') {
      res.status(400).json({ error: 'expected {"message":"text"}' });
      return;
    }
    req.session.flash('notice', message);
    res.status(204).end();
  });

  app.get('/flash', async (req, res) => {
    // Each message is taken once, even by parallel requests.
    res.json({ messages: await req.session.takeFlash('notice') });
  });

  app.use(onError);
  return app;
}

/** Serves the example on 127.0.0.1:PORT until SIGINT or SIGTERM, then closes the session store. */
export function serveExample(sessions: SessionManager, sessionMiddleware: RequestHandler): void {
  const port = Number(process.env.PORT) || 3000;
  const server = exampleApp(sessions, sessionMiddleware).listen(port, '127.0.0.1', () => {
    console.log(`session example (express) listening on http://127.0.0.1:${String(port)}`);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      server.close();
      void sessions.close();
    });
  }
}
