/**
 * Fastify glue (Fastify 5): `await app.register(fastifySession(manager))` gives every route of
 * that instance and its children `request.session`. The session is saved, and its cookie set, in
 * `onSend`, before Fastify writes the reply. Store failures go to Fastify's error handler as a
 * `SessionStoreError` with statusCode 503.
 *
 * Routes that must not touch the session (health checks) go in a sibling context:
 *   app.get('/health', ...);
 *   await app.register(async (scoped) => { await scoped.register(fastifySession(manager)); ... });
 *
 * A reply sent with `reply.hijack()` or written to `reply.raw` skips `onSend`, so it saves nothing.
 */
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import { LazyRequest, type RequestReader } from '../core/lazy-request.js';
import type { SessionManager } from '../core/manager.js';
import type { Session, SessionData } from '../core/session.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The visitor's session; see ../core/session.ts. */
    session: Session<SessionData>;
  }
}

export function fastifySession(manager: SessionManager): FastifyPluginCallback {
  const plugin: FastifyPluginCallback = (fastify, _options, done) => {
    // Declared up front (as null) so Fastify keeps one request shape; the third argument picks the
    // overload that accepts null for a property typed as a Session.
    fastify.decorateRequest('session', null, []);

    // onRequest, the first hook: later hooks (auth checks in preHandler) can read the session.
    // A rejection here is Fastify's error path, so a store failure answers 503.
    fastify.addHook('onRequest', async (request) => {
      request.session = await manager.load(
        new LazyRequest(request, readRequest, request.headers.cookie, request.headers['user-agent']),
      );
    });

    // onSend runs before the headers go out, for handler replies and error replies alike. If the
    // commit throws, Fastify sends the error reply instead, which runs onSend once more: commit
    // runs once per session, so that second call resolves undefined and returns at once.
    fastify.addHook('onSend', async (request, reply, payload) => {
      // Null when onRequest failed (the store was down at load): nothing to save.
      const session = request.session as Session<SessionData> | null;
      if (session) {
        const cookie = await manager.commit(session);
        // reply.header appends Set-Cookie to the cookies the app set, rather than replacing them.
        if (cookie) reply.header('set-cookie', cookie);
      }
      return payload;
    });
    done();
  };

  // What fastify-plugin does, without depending on it: skip-override makes the decorator and hooks
  // apply to the instance that registers the plugin instead of a private child context.
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'session',
    // Lets other plugins declare `dependencies: ['session']`.
    [Symbol.for('plugin-meta')]: { name: 'session', fastify: '5.x' },
  });
}

/** request.ip and request.protocol honour Fastify's `trustProxy` option. */
const readRequest: RequestReader<FastifyRequest> = {
  ip: (request) => request.ip,
  https: (request) => request.protocol === 'https',
};
