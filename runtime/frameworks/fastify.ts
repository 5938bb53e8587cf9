/**
 * Fastify glue (Fastify 5): `await app.register(fastifySession(manager))` gives every route of
 * that instance and its children `request.session`. The session is saved, and its cookie set, in
 * `onSend`, before Fastify writes the reply, error replies included. Errors go to Fastify's error
 * handler with their statusCode: a store outage 503, bad session data 400 or 413.
 *
 * Routes that must not touch the session (health checks) go in a sibling context:
 *   app.get('/health', ...);
 *   await app.register(async (scoped) => { await scoped.register(fastifySession(manager)); ... });
 *
 * A reply written to `reply.raw` or taken over with `reply.hijack()` skips `onSend`; its session
 * is saved when the response has finished, without a cookie (see CommitOptions in the core).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { SessionStoreError } from '../core/errors.js';
import type { SessionManager } from '../core/manager.js';
import type { Session } from '../core/session.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The visitor's session; see ../core/session.ts. Read-only: the glue saves the session it
     * loaded. To end it, call `request.session.invalidate()`.
     */
    readonly session: Session;
  }
}

/**
 * Where the glue keeps a request's session. Fastify declares the slot on every request up front
 * (decorateRequest), so setting it does not change the request's shape.
 */
const SESSION = Symbol('session');
type WithSlot = FastifyRequest & { [SESSION]: Session | null };

export function fastifySession(manager: SessionManager): FastifyPluginAsync {
  // A promise, which a refusal while it registers (a second registration) rejects: that fails
  // app.ready() and app.listen() instead of being thrown out of Fastify's boot.
  const plugin: FastifyPluginAsync = (fastify) =>
    new Promise((resolve) => {
      // A getter only: assigning request.session throws instead of unhooking the save. Fastify
      // refuses a second registration of the same decorator, so the plugin cannot run twice.
      fastify.decorateRequest(SESSION, null);
      fastify.decorateRequest('session', {
        getter(this: FastifyRequest) {
          // Null, whatever the type says, in an app's onRequest hook that runs before ours.
          return (this as WithSlot)[SESSION] as unknown as Session;
        },
      });

      // onRequest, the first hook: later hooks (auth checks in preHandler) can read the session.
      // A rejection here is Fastify's error path, so a store failure answers 503.
      fastify.addHook('onRequest', async (req) => {
        const request = req as WithSlot;
        const session = await manager.load({
          cookieHeader: request.headers.cookie,
          path: request.url,
          // request.ip and request.protocol honour Fastify's `trustProxy` option.
          ip: request.ip,
          userAgent: request.headers['user-agent'],
          https: request.protocol === 'https',
        });
        request[SESSION] = session;
      });

      // onSend runs before the headers go out, for handler replies and error replies alike. If the
      // commit throws, Fastify sends the error reply instead, which runs onSend once more: commit
      // runs once per session, so that second call resolves undefined and returns at once.
      fastify.addHook('onSend', async (req, reply, payload) => {
        const session = (req as WithSlot)[SESSION];
        if (session) {
          const cookie = await manager.commit(session);
          // reply.header appends Set-Cookie to the cookies the app set, rather than replacing them.
          if (cookie) reply.header('set-cookie', cookie);
        }
        return payload;
      });

      // A reply that never passed onSend (written to reply.raw, hijacked) is saved here, after
      // the fact. Nothing can answer an error any more, so it is logged.
      fastify.addHook('onResponse', async (req) => {
        const session = (req as WithSlot)[SESSION];
        if (!session) return;
        try {
          await manager.commit(session, { cookie: false });
        } catch (error) {
          if (!(error instanceof SessionStoreError))
            manager.options.logger.error('[session] could not save the session of a finished response', error);
        }
      });
      resolve();
    });

  // What fastify-plugin does, without depending on it: skip-override makes the decorator and hooks
  // apply to the instance that registers the plugin instead of a private child context.
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'session',
    // Lets other plugins declare `dependencies: ['session']`.
    [Symbol.for('plugin-meta')]: { name: 'session', fastify: '5.x' },
  });
}
