/**
 * Example server for the session layer on Fastify: each part of the session API on a route of
 * its own. Start it from the app root with `npx tsx <this file>` (or `node` for JavaScript).
 * Environment: PORT (default 3000), and the layer's SESSION_STORE, SESSION_SECRET, SESSION_MAX_AGE,
 * SESSION_REGENERATE, SESSION_ROTATE_GRACE and SESSION_COOKIE (see the layer's README).
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { SessionManager } from '../core/manager.js';

/** A JSON object (not null, not an array). */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The example app, not yet listening: `sessions` is the layer's session manager and
 * `sessionPlugin` its Fastify plugin.
 */
export function exampleApp(sessions: SessionManager, sessionPlugin: FastifyPluginAsync): FastifyInstance {
  // A body over the limit is Fastify's own 413.
  const app = Fastify({ bodyLimit: 16_384 });

  // Outside the session scope: health checks touch no session and set no cookie.
  app.get('/health', () => ({ ok: true }));

  // Every error keeps its status: the session layer's (store outage 503, bad session data 400 or
  // 413) and Fastify's own (a bad or oversized body). The session layer logs store failures itself.
  app.setErrorHandler((error: FastifyError & { expose?: unknown }, _request, reply) => {
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500 && error.name !== 'SessionStoreError') console.error(error);
    const exposed = status < 500 && error.expose !== false;
    const message =
      status === 503
        ? 'session store unavailable'
        : exposed
          ? error.message
          : status < 500
            ? 'bad request'
            : 'internal error';
    return reply.code(status).send({ error: message });
  });

  // No top-level await, so the example also runs in CommonJS apps: Fastify queues registrations.
  void app.register(async (scoped) => {
    await scoped.register(sessionPlugin);

    scoped.get('/session', (request) => ({ data: request.session.toJSON() }));

    scoped.patch('/session', (request, reply) => {
      const body = request.body;
      if (!isObject(body)) return reply.code(400).send({ error: 'expected a JSON object' });
      // A key or value the session cannot store throws SessionDataError (400), answered above.
      for (const [key, value] of Object.entries(body)) {
        if (value === null) request.session.delete(key);
        else request.session.set(key, value);
      }
      return { data: request.session.toJSON() };
    });

    scoped.delete('/session', (request, reply) => {
      request.session.invalidate();
      return reply.code(204).send();
    });

    scoped.post('/session/refresh', (request, reply) => {
      const { rotate, maxAge } = isObject(request.body) ? request.body : {};
      if (maxAge !== undefined && typeof maxAge !== 'number' && typeof maxAge !== 'string')
        return reply.code(400).send({ error: 'maxAge must be seconds or a duration like "2h"' });
      try {
        request.session.refresh({ rotate: rotate === true, ...(maxAge === undefined ? {} : { maxAge }) });
      } catch (error) {
        return reply.code(400).send({ error: error instanceof Error ? error.message : 'invalid refresh' });
      }
      return { data: request.session.toJSON() };
    });

    scoped.post('/login', (request, reply) => {
      const user = isObject(request.body) ? request.body.user : undefined;
      if (typeof user !== 'string' || user === '') return reply.code(400).send({ error: 'expected {"user":"name"}' });
      request.session.set('user', user);
      // A new id at login defeats session fixation; the session joins the user's list (GET /me/sessions).
      request.session.login(user);
      return { data: request.session.toJSON() };
    });

    scoped.get('/count', (request) => {
      // update(), not get-then-set: parallel requests' increments all count, across processes too.
      request.session.update('count', (count: unknown) => (typeof count === 'number' ? count : 0) + 1);
      return { count: request.session.get('count') };
    });

    // The user's sessions: "see my devices", "log out other devices", "log out everywhere".
    scoped.get('/me/sessions', async (request, reply) => {
      const userId = request.session.userId;
      if (userId === undefined) return reply.code(401).send({ error: 'not logged in' });
      return { sessions: await sessions.list(userId, request.session) };
    });

    // The route's parameters are typed by a cast, not a type argument, so a JavaScript copy keeps them (JSDoc).
    scoped.delete('/me/sessions/:handle', async (request, reply) => {
      const userId = request.session.userId;
      if (userId === undefined) return reply.code(401).send({ error: 'not logged in' });
      const { handle } = request.params as { handle: string };
      if (await sessions.revoke(userId, handle)) return reply.code(204).send();
      return reply.code(404).send({ error: 'no such session' });
    });

    scoped.post('/me/sessions/:which', async (request, reply) => {
      const userId = request.session.userId;
      if (userId === undefined) return reply.code(401).send({ error: 'not logged in' });
      const { which } = request.params as { which: string };
      if (which === 'revoke-others') await sessions.revokeAll(userId, { except: request.session });
      else if (which === 'revoke-all') {
        await sessions.revokeAll(userId);
        request.session.invalidate(); // clears this browser's cookie too
      } else return reply.code(404).send({ error: 'not found' });
      return reply.code(204).send();
    });

    // Flash messages, as a redirect-after-POST uses them: POST keeps one, the next page takes it.
    scoped.post('/flash', (request, reply) => {
      const message = isObject(request.body) ? request.body.message : undefined;
      if (typeof message !== 'string' || message === '')
        return reply.code(400).send({ error: 'expected {"message":"text"}' });
      request.session.flash('notice', message);
      return reply.code(204).send();
    });

    // Each message is taken once, even by parallel requests.
    scoped.get('/flash', async (request) => ({ messages: await request.session.takeFlash('notice') }));
  });
  return app;
}

/** Serves the example on 127.0.0.1:PORT until SIGINT or SIGTERM, then closes the session store. */
export function serveExample(sessions: SessionManager, sessionPlugin: FastifyPluginAsync): void {
  const app = exampleApp(sessions, sessionPlugin);
  const port = Number(process.env.PORT) || 3000;
  app.listen({ port, host: '127.0.0.1' }).then(
    () => {
      console.log(`session example (fastify) listening on http://127.0.0.1:${String(port)}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void app.close().then(() => sessions.close());
    });
  }
}
