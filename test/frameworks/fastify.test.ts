/** The Fastify glue held to the framework contract (test/framework-contract.ts). */
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { SessionUsageError } from '../../runtime/core/errors.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import { fastifySession } from '../../runtime/frameworks/fastify.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { APP_COOKIE, errorReply, routes, testFramework } from '../framework-contract.js';

testFramework('fastify', {
  async start(manager) {
    const app = Fastify();
    app.setErrorHandler((error, _request, reply) => {
      const { status, body } = errorReply(error);
      return reply.code(status).send(body);
    });
    // A sibling of the session context: reads no session.
    app.get('/health', async () => ({ ok: true }));
    await app.register(async (scoped) => {
      await scoped.register(fastifySession(manager));
      scoped.get('/session', async (request) => routes.get(request.session));
      scoped.patch('/session', async (request) => routes.patch(request.session, request.body));
      scoped.delete('/session', async (request, reply) => {
        routes.invalidate(request.session);
        return reply.code(204).send();
      });
      scoped.post('/session/refresh', async (request) => routes.refresh(request.session, request.body));
      scoped.post('/login', async (request) => routes.login(request.session, request.body));
      scoped.get('/count', async (request) => routes.count(request.session));
      const mine =
        (action: Parameters<typeof routes.mySessions>[2]) =>
        async (request: FastifyRequest<{ Params: { handle?: string } }>, reply: FastifyReply) => {
          const result = await routes.mySessions(manager, request.session, action, request.params.handle);
          return reply.code(result.status).send(result.body);
        };
      scoped.get('/me/sessions', mine('list'));
      scoped.delete('/me/sessions/:handle', mine('revoke'));
      scoped.post('/me/sessions/revoke-others', mine('revoke-others'));
      scoped.post('/me/sessions/revoke-all', mine('revoke-all'));
      scoped.post('/flash', async (request, reply) => {
        routes.flash(request.session, request.body);
        return reply.code(204).send();
      });
      scoped.get('/flash', async (request) => routes.takeFlash(request.session));
      scoped.get('/theme', async (request, reply) => {
        reply.header('set-cookie', APP_COOKIE);
        return routes.theme(request.session);
      });
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
  },
});

describe('fastify glue: a hijacked reply', () => {
  it('saves a change to an existing session after the response; a new session that needed a cookie is refused and logged', async () => {
    const logger = {
      warn: vi.fn<(message: string) => void>(),
      error: vi.fn<(message: string, cause?: unknown) => void>(),
    };
    const manager = createSessionManager({ store: memoryStore(), logger });
    const app = Fastify();
    await app.register(fastifySession(manager));
    app.get('/count', async (request) => routes.count(request.session));
    app.get('/raw', async (request, reply) => {
      request.session.set('raw', true);
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/plain' }).end('raw');
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    try {
      const first = await fetch(`${url}/count`);
      const cookie = first.headers.getSetCookie()[0]!.split(';')[0]!;
      const raw = await fetch(`${url}/raw`, { headers: { cookie } });
      expect(await raw.text()).toBe('raw');
      await vi.waitFor(async () => {
        const session = await manager.load({ cookieHeader: cookie, ip: '', userAgent: '', https: false });
        expect(session.toJSON()).toEqual({ count: 1, raw: true });
      });

      const stranger = await fetch(`${url}/raw`);
      expect(await stranger.text()).toBe('raw');
      await vi.waitFor(() => expect(logger.error).toHaveBeenCalledTimes(1));
      expect(logger.error.mock.calls[0]?.[1]).toBeInstanceOf(SessionUsageError);
    } finally {
      await app.close();
      await manager.close();
    }
  });
});
