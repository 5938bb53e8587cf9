/**
 * Example server for the session layer on Koa: each part of the session API on a route of its
 * own. Start it from the app root with `npx tsx <this file>` (or `node` for JavaScript).
 * Environment: PORT (default 3000), and the layer's SESSION_STORE, SESSION_SECRET, SESSION_MAX_AGE,
 * SESSION_REGENERATE, SESSION_ROTATE_GRACE and SESSION_COOKIE (see the layer's README).
 */
import Koa, { type Context, type Middleware } from 'koa';
import type { SessionManager } from '../core/manager.js';

/** Largest request body read, in bytes; more is a 413. */
const BODY_LIMIT = 16_384;

/** A JSON object (not null, not an array). */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The request body as JSON (Koa has no body parser built in); undefined when absent, 400 when invalid. */
async function readJson(ctx: Context): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) ctx.throw(413, `request body over ${String(BODY_LIMIT)} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed;
  } catch {
    ctx.throw(400, 'invalid JSON');
  }
}

/**
 * Outermost, so every error arrives here and keeps its status: the session layer's (store outage
 * 503, bad session data 400 or 413) and the app's own. The session layer logs store failures itself.
 */
const answerErrors: Middleware = async (ctx, next) => {
  try {
    await next();
  } catch (caught) {
    const { name, status, expose, message } = isObject(caught) ? caught : {};
    const code = typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
    if (code >= 500 && name !== 'SessionStoreError') console.error(caught);
    ctx.status = code;
    ctx.body = {
      error:
        code === 503
          ? 'session store unavailable'
          : expose === true && typeof message === 'string'
            ? message
            : code < 500
              ? 'bad request'
              : 'internal error',
    };
  }
};

/** The routes behind the session middleware; Koa has no router built in, so one function tells them apart. */
function routes(sessions: SessionManager): Middleware {
  return async (ctx: Context) => {
    const { session } = ctx;
    const route = `${ctx.method} ${ctx.path}`;
    if (route === 'GET /session') {
      ctx.body = { data: session.toJSON() };
    } else if (route === 'PATCH /session') {
      const body = await readJson(ctx);
      if (!isObject(body)) ctx.throw(400, 'expected a JSON object');
      // A key or value the session cannot store throws SessionDataError (400), answered above.
      for (const [key, value] of Object.entries(body)) {
        if (value === null) session.delete(key);
        else session.set(key, value);
      }
      ctx.body = { data: session.toJSON() };
    } else if (route === 'DELETE /session') {
      session.invalidate();
      ctx.status = 204;
    } else if (route === 'POST /session/refresh') {
      const body = await readJson(ctx);
      const { rotate, maxAge } = isObject(body) ? body : {};
      if (maxAge !== undefined && typeof maxAge !== 'number' && typeof maxAge !== 'string')
        ctx.throw(400, 'maxAge must be seconds or a duration like "2h"');
      try {
        session.refresh({ rotate: rotate === true, ...(maxAge === undefined ? {} : { maxAge }) });
      } catch (error) {
        ctx.throw(400, error instanceof Error ? error.message : 'invalid refresh');
      }
      ctx.body = { data: session.toJSON() };
    } else if (route === 'POST /login') {
      const body = await readJson(ctx);
      const user = isObject(body) ? body.user : undefined;
      if (typeof user !== 'string' || user === '') ctx.throw(400, 'expected {"user":"name"}');
      session.set('user', user);
      // A new id at login defeats session fixation; the session joins the user's list (GET /me/sessions).
      session.login(user);
      ctx.body = { data: session.toJSON() };
    } else if (route === 'GET /count') {
      // update(), not get-then-set: parallel requests' increments all count, across processes too.
      session.update('count', (count: unknown) => (typeof count === 'number' ? count : 0) + 1);
      ctx.body = { count: session.get('count') };
    } else if (route === 'GET /me/sessions' || /^(DELETE|POST) \/me\/sessions\//.test(route)) {
      // The user's sessions: "see my devices", "log out other devices", "log out everywhere".
      const userId = session.userId;
      if (userId === undefined) ctx.throw(401, 'not logged in');
      const handle = ctx.path.slice('/me/sessions/'.length);
      if (route === 'GET /me/sessions') ctx.body = { sessions: await sessions.list(userId, session) };
      else if (route === 'POST /me/sessions/revoke-others') {
        await sessions.revokeAll(userId, { except: session });
        ctx.status = 204;
      } else if (route === 'POST /me/sessions/revoke-all') {
        await sessions.revokeAll(userId);
        session.invalidate(); // clears this browser's cookie too
        ctx.status = 204;
      } else if (ctx.method === 'DELETE' && handle !== '' && !handle.includes('/')) {
        if (await sessions.revoke(userId, handle)) ctx.status = 204;
        else ctx.throw(404, 'no such session');
      } else ctx.throw(404, 'not found');
    } else if (route === 'POST /flash') {
      // Flash messages, as a redirect-after-POST uses them: POST keeps one, the next page takes it.
      const body = await readJson(ctx);
      const message = isObject(body) ? body.message : undefined;
      if (typeof message !== 'string' || message === '') ctx.throw(400, 'expected {"message":"text"}');
      session.flash('notice', message);
      ctx.status = 204;
    } else if (route === 'GET /flash') {
      // Each message is taken once, even by parallel requests.
      ctx.body = { messages: await session.takeFlash('notice') };
    } else {
      ctx.status = 404;
      ctx.body = { error: 'not found' };
    }
  };
}

/**
 * The example app, not yet listening: `sessions` is the layer's session manager and
 * `sessionMiddleware` its Koa middleware.
 */
export function exampleApp(sessions: SessionManager, sessionMiddleware: Middleware): Koa {
  const app = new Koa();
  app.use(answerErrors);
  // Before the session middleware: health checks touch no session and set no cookie.
  app.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/health') ctx.body = { ok: true };
    else await next();
  });
  app.use(sessionMiddleware);
  app.use(routes(sessions));
  return app;
}

/** Serves the example on 127.0.0.1:PORT until SIGINT or SIGTERM, then closes the session store. */
export function serveExample(sessions: SessionManager, sessionMiddleware: Middleware): void {
  const port = Number(process.env.PORT) || 3000;
  const server = exampleApp(sessions, sessionMiddleware).listen(port, '127.0.0.1', () => {
    console.log(`session example (koa) listening on http://127.0.0.1:${String(port)}`);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      server.close();
      void sessions.close();
    });
  }
}
