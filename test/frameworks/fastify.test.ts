/** The Fastify glue held to the framework contract (test/framework-contract.ts). */
import Fastify from 'fastify';
import { fastifySession } from '../../runtime/frameworks/fastify.js';
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
