/** The Fastify glue held to the framework-fidelity suite (test/framework-fidelity.ts). */
import { PassThrough, Readable } from 'node:stream';
import Fastify from 'fastify';
import { fastifySession } from '../../runtime/frameworks/fastify.js';
import { errorReply, routes } from '../framework-contract.js';
import { APP_SET_COOKIE, chunks, fidelity, PREFIXES, testFidelity } from '../framework-fidelity.js';

testFidelity('fastify', {
  secondMount: 'refused',
  reassign: 'throws',
  async start(manager, options) {
    const app = Fastify({ trustProxy: options.trustProxy });
    app.setErrorHandler((error, _request, reply) => {
      const { status, body } = errorReply(error);
      return reply.code(status).send(body);
    });
    await app.register(fastifySession(manager));
    if (options.mountTwice) await app.register(fastifySession(manager));
    for (const prefix of PREFIXES) {
      app.get(`${prefix}/count`, async (request) => routes.count(request.session));
      app.get(`${prefix}/session`, async (request) => routes.get(request.session));
      app.get(`${prefix}/own-cookie/replace`, async (request, reply) => {
        fidelity.seen(request.session);
        return reply.header('set-cookie', APP_SET_COOKIE).send({});
      });
      app.get(`${prefix}/own-cookie/helper`, async (request, reply) => {
        fidelity.seen(request.session);
        return reply.headers({ 'set-cookie': APP_SET_COOKIE }).send({});
      });
      app.post(`${prefix}/login-own-cookie`, async (request, reply) => {
        fidelity.login(request.session);
        return reply.header('set-cookie', APP_SET_COOKIE).send({});
      });
      app.get(`${prefix}/stream`, async (request, reply) => {
        request.session.set('streamed', true);
        return reply.send(Readable.from(chunks()));
      });
      app.get(`${prefix}/pipe`, async (request, reply) => {
        request.session.set('piped', true);
        return reply.send(Readable.from(['x', 'y', 'z']));
      });
      app.get(`${prefix}/late`, async (request, reply) => {
        const body = new PassThrough();
        body.write('started:');
        setTimeout(() => body.end(fidelity.late(request.session)), 20);
        return reply.send(body);
      });
      app.get(`${prefix}/not-modified`, async (request, reply) => {
        request.session.set('conditional', true);
        return reply.code(304).send();
      });
      app.get(`${prefix}/redirect`, async (request, reply) => {
        request.session.set('redirected', true);
        request.session.refresh({ rotate: true });
        return reply.redirect('/session', 302);
      });
      app.get(`${prefix}/throw/400`, async (request) => fidelity.throw400(request.session));
      app.get(`${prefix}/throw/500`, async (request) => fidelity.throw500(request.session));
      app.get(`${prefix}/reassign`, async (request) => {
        request.session.set('kept', true);
        let assigned = 'ignored';
        try {
          (request as { session: unknown }).session = null;
        } catch (error) {
          assigned = (error as Error).name;
        }
        return { assigned };
      });
      app.get(`${prefix}/bad/key`, async (request) => {
        fidelity.badKey(request.session);
        return {};
      });
      app.get(`${prefix}/bad/big`, async (request) => {
        fidelity.badBig(request.session);
        return {};
      });
      app.get(`${prefix}/bad/bigint`, async (request) => {
        fidelity.badBigint(request.session);
        return {};
      });
    }
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
  },
});
