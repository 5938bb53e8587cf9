/**
 * Example server for the session layer on Hono (served by @hono/node-server): each part of the
 * session API on a route of its own. Start it from the app root with `npx tsx <this file>` (or
 * `node` for JavaScript). Environment: PORT (default 3000), and the layer's SESSION_STORE,
 * SESSION_SECRET, SESSION_MAX_AGE, SESSION_REGENERATE, SESSION_ROTATE_GRACE and SESSION_COOKIE (see
 * the layer's README).
 */
import { serve } from '@hono/node-server';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { SessionManager } from '../core/manager.js';

/** A JSON object (not null, not an array). */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The request body as JSON; undefined when absent, a 400 when invalid. */
async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed;
  } catch {
    throw new HTTPException(400, { message: 'invalid JSON' });
  }
}

/**
 * The example app: `sessions` is the layer's session manager and `sessionMiddleware` its Hono
 * middleware.
 */
export function exampleApp(sessions: SessionManager, sessionMiddleware: MiddlewareHandler): Hono {
  const app = new Hono();

  // Request bodies over 16 KiB are refused with 413.
  app.use('*', bodyLimit({ maxSize: 16_384, onError: (c) => c.json({ error: 'request body too large' }, 413) }));

  // Registered before the session middleware: health checks touch no session and set no cookie.
  app.get('/health', (c) => c.json({ ok: true }));

  app.use('*', sessionMiddleware);

  app.get('/session', (c) => c.json({ data: c.get('session').toJSON() }));

  app.patch('/session', async (c) => {
    const body = await readJson(c);
    if (!isObject(body)) return c.json({ error: 'expected a JSON object' }, 400);
    const session = c.get('session');
    // A key or value the session cannot store throws SessionDataError (400), answered by onError.
    for (const [key, value] of Object.entries(body)) {
      if (value === null) session.delete(key);
      else session.set(key, value);
    }
    return c.json({ data: session.toJSON() });
  });

  app.delete('/session', (c) => {
    c.get('session').invalidate();
    return c.body(null, 204);
  });

  app.post('/session/refresh', async (c) => {
    const body = await readJson(c);
    const { rotate, maxAge } = isObject(body) ? body : {};
    if (maxAge !== undefined && typeof maxAge !== 'number' && typeof maxAge !== 'string')
      return c.json({ error: 'maxAge must be seconds or a duration like "2h"' }, 400);
    const session = c.get('session');
    try {
      session.refresh({ rotate: rotate === true, ...(maxAge === undefined ? {} : { maxAge }) });
    } catch (error) {
      return c.json({ error: error instanceof Error ? error.message : 'invalid refresh' }, 400);
    }
    return c.json({ data: session.toJSON() });
  });

  app.post('/login', async (c) => {
    const body = await readJson(c);
    const user = isObject(body) ? body.user : undefined;
    if (typeof user !== 'string' || user === '') return c.json({ error: 'expected {"user":"name"}' }, 400);
    const session = c.get('session');
    session.set('user', user);
    // A new id at login defeats session fixation; the session joins the user's list (GET /me/sessions).
    session.login(user);
    return c.json({ data: session.toJSON() });
  });

  app.get('/count', (c) => {
    const session = c.get('session');
    // update(), not get-then-set: parallel requests' increments all count, across processes too.
    session.update('count', (count: unknown) => (typeof count === 'number' ? count : 0) + 1);
    return c.json({ count: session.get('count') });
  });

  // The user's sessions: "see my devices", "log out other devices", "log out everywhere".
  app.get('/me/sessions', async (c) => {
    const session = c.get('session');
    const userId = session.userId;
    if (userId === undefined) return c.json({ error: 'not logged in' }, 401);
    return c.json({ sessions: await sessions.list(userId, session) });
  });

  app.delete('/me/sessions/:handle', async (c) => {
    const userId = c.get('session').userId;
    if (userId === undefined) return c.json({ error: 'not logged in' }, 401);
    if (await sessions.revoke(userId, c.req.param('handle'))) return c.body(null, 204);
    return c.json({ error: 'no such session' }, 404);
  });

  app.post('/me/sessions/:which', async (c) => {
    const session = c.get('session');
    const userId = session.userId;
    if (userId === undefined) return c.json({ error: 'not logged in' }, 401);
    const which = c.req.param('which');
    if (which === 'revoke-others') await sessions.revokeAll(userId, { except: session });
    else if (which === 'revoke-all') {
      await sessions.revokeAll(userId);
      session.invalidate(); // clears this browser's cookie too
    } else return c.json({ error: 'not found' }, 404);
    return c.body(null, 204);
  });

  // Flash messages, as a redirect-after-POST uses them: POST keeps one, the next page takes it.
  app.post('/flash', async (c) => {
    const body = await readJson(c);
    const message = isObject(body) ? body.message : undefined;
    if (typeof message !== 'string' || message === '') return c.json({ error: 'expected {"message":"text"}' }, 400);
    c.get('session').flash('notice', message);
    return c.body(null, 204);
  });

  // Each message is taken once, even by parallel requests.
  app.get('/flash', async (c) => c.json({ messages: await c.get('session').takeFlash('notice') }));

  // Every error keeps its status: the glue throws the session layer's as HTTPException (store outage
  // 503, bad session data 400 or 413), and a session change in a handler throws SessionDataError
  // (400 or 413). The session layer logs store failures itself.
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      const { cause } = error;
      if (error.status >= 500 && !(cause instanceof Error && cause.name === 'SessionStoreError'))
        console.error(cause ?? error);
      return c.json({ error: error.message }, error.status);
    }
    const { status, expose } = error as { status?: unknown; expose?: unknown };
    if (typeof status === 'number' && status >= 400 && status < 500 && expose === true)
      return c.json({ error: error.message }, status as ContentfulStatusCode);
    console.error(error);
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}

/** Serves the example on 127.0.0.1:PORT until SIGINT or SIGTERM, then closes the session store. */
export function serveExample(sessions: SessionManager, sessionMiddleware: MiddlewareHandler): void {
  const port = Number(process.env.PORT) || 3000;
  const app = exampleApp(sessions, sessionMiddleware);
  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => {
    console.log(`session example (hono) listening on http://127.0.0.1:${String(port)}`);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      server.close();
      void sessions.close();
    });
  }
}
