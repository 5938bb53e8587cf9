/**
 * Example server for the session layer on node:http, no framework: each part of the session API
 * on a route of its own. Start it from the app root with `npx tsx <this file>` (or `node` for
 * JavaScript). Environment: PORT (default 3000), and the layer's SESSION_STORE, SESSION_SECRET,
 * SESSION_MAX_AGE, SESSION_REGENERATE, SESSION_ROTATE_GRACE and SESSION_COOKIE (see the layer's
 * README).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { SessionManager } from '../core/manager.js';
import type { Session } from '../core/session.js';
import type { NodeSessions } from '../frameworks/node.js';

/** Largest request body read, in bytes; more is a 413 (answered by the glue's sendError). */
const BODY_LIMIT = 16_384;

/** A JSON object (not null, not an array). */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sendJson(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

/** The request body as JSON; undefined when absent, null when invalid. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT)
      throw Object.assign(new Error(`request body over ${String(BODY_LIMIT)} bytes`), { status: 413, expose: true });
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed;
  } catch {
    return null;
  }
}

/** The routes, told apart by method and path; what is not one of them is a 404. */
async function answer(
  sessions: SessionManager,
  req: IncomingMessage,
  res: ServerResponse,
  session: Session,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const route = `${req.method ?? 'GET'} ${path}`;
  if (route === 'GET /session') {
    sendJson(res, 200, { data: session.toJSON() });
    return;
  }
  if (route === 'PATCH /session') {
    const body = await readJson(req);
    if (!isObject(body)) {
      sendJson(res, 400, { error: 'expected a JSON object' });
      return;
    }
    // A key or value the session cannot store throws SessionDataError (400), answered by the glue.
    for (const [key, value] of Object.entries(body)) {
      if (value === null) session.delete(key);
      else session.set(key, value);
    }
    sendJson(res, 200, { data: session.toJSON() });
    return;
  }
  if (route === 'DELETE /session') {
    session.invalidate();
    sendJson(res, 204);
    return;
  }
  if (route === 'POST /session/refresh') {
    const body = await readJson(req);
    const { rotate, maxAge } = isObject(body) ? body : {};
    if (maxAge !== undefined && typeof maxAge !== 'number' && typeof maxAge !== 'string') {
      sendJson(res, 400, { error: 'maxAge must be seconds or a duration like "2h"' });
      return;
    }
    try {
      session.refresh({ rotate: rotate === true, ...(maxAge === undefined ? {} : { maxAge }) });
    } catch (error) {
      sendJson(res, 400, { error: error instanceof Error ? error.message : 'invalid refresh' });
      return;
    }
    sendJson(res, 200, { data: session.toJSON() });
    return;
  }
  if (route === 'POST /login') {
    const body = await readJson(req);
    const user = isObject(body) ? body.user : undefined;
    if (typeof user !== 'string' || user === '') {
      sendJson(res, 400, { error: 'expected {"user":"name"}' });
      return;
    }
    session.set('user', user);
    // A new id at login defeats session fixation; the session joins the user's list (GET /me/sessions).
    session.login(user);
    sendJson(res, 200, { data: session.toJSON() });
    return;
  }
  if (route === 'GET /count') {
    // update(), not get-then-set: parallel requests' increments all count, across processes too.
    session.update('count', (count: unknown) => (typeof count === 'number' ? count : 0) + 1);
    sendJson(res, 200, { count: session.get('count') });
    return;
  }
  if (route === 'GET /me/sessions' || /^(DELETE|POST) \/me\/sessions\//.test(route)) {
    await mySessions(sessions, route, res, session);
    return;
  }
  if (route === 'POST /flash') {
    // Flash messages, as a redirect-after-POST uses them: POST keeps one, the next page takes it.
    const body = await readJson(req);
    const message = isObject(body) ? body.message : undefined;
    if (typeof message !== 'string' || message === '') {
      sendJson(res, 400, { error: 'expected {"message":"text"}' });
      return;
    }
    session.flash('notice', message);
    sendJson(res, 204);
    return;
  }
  if (route === 'GET /flash') {
    // Each message is taken once, even by parallel requests.
    sendJson(res, 200, { messages: await session.takeFlash('notice') });
    return;
  }
  sendJson(res, 404, { error: 'not found' });
}

/** The user's sessions: "see my devices", "log out other devices", "log out everywhere". */
async function mySessions(
  sessions: SessionManager,
  route: string,
  res: ServerResponse,
  session: Session,
): Promise<void> {
  const userId = session.userId;
  if (userId === undefined) {
    sendJson(res, 401, { error: 'not logged in' });
    return;
  }
  const handle = route.slice(route.indexOf('/me/sessions/') + '/me/sessions/'.length);
  if (route === 'GET /me/sessions') sendJson(res, 200, { sessions: await sessions.list(userId, session) });
  else if (route === 'POST /me/sessions/revoke-others') {
    await sessions.revokeAll(userId, { except: session });
    sendJson(res, 204);
  } else if (route === 'POST /me/sessions/revoke-all') {
    await sessions.revokeAll(userId);
    session.invalidate(); // clears this browser's cookie too
    sendJson(res, 204);
  } else if (route.startsWith('DELETE ') && handle !== '' && !handle.includes('/')) {
    if (await sessions.revoke(userId, handle)) sendJson(res, 204);
    else sendJson(res, 404, { error: 'no such session' });
  } else sendJson(res, 404, { error: 'not found' });
}

/**
 * The example server, not yet listening: `sessions` is the layer's session manager and
 * `nodeSessions` its node:http glue.
 */
export function exampleApp(sessions: SessionManager, nodeSessions: NodeSessions): Server {
  // Store failures and bad session data answer JSON with their status through the glue
  // (503, 400, 413); never 200 without a session.
  const withSession = nodeSessions.withSession((req, res, session) => answer(sessions, req, res, session));
  return createServer((req, res) => {
    // Health checks touch no session and set no cookie.
    if (req.method === 'GET' && req.url === '/health') sendJson(res, 200, { ok: true });
    else withSession(req, res);
  });
}

/** Serves the example on 127.0.0.1:PORT until SIGINT or SIGTERM, then closes the session store. */
export function serveExample(sessions: SessionManager, nodeSessions: NodeSessions): void {
  const port = Number(process.env.PORT) || 3000;
  const server = exampleApp(sessions, nodeSessions).listen(port, '127.0.0.1', () => {
    console.log(`session example (node) listening on http://127.0.0.1:${String(port)}`);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      server.close();
      void sessions.close();
    });
  }
}
