/** The Fastify glue held to the framework contract (test/framework-contract.ts). */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { SessionUsageError } from '../../runtime/core/errors.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import { fastifySession } from '../../runtime/frameworks/fastify.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { exampleApp } from '../../runtime/examples/fastify.js';
import { APP_COOKIE, routes, testFramework } from '../framework-contract.js';

testFramework('fastify', {
  async start(manager) {
    const app = exampleApp(manager, fastifySession(manager));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
  },
  async startWithAppCookie(manager) {
    const app = Fastify();
    await app.register(fastifySession(manager));
    app.get('/session', async (request) => routes.get(request.session));
    app.get('/theme', async (request, reply) => {
      reply.header('set-cookie', APP_COOKIE);
      return routes.theme(request.session);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
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
