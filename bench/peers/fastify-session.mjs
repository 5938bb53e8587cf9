// @fastify/session with connect-redis (the Redis store its README shows), the Fastify user's pick.
// Library defaults, except saveUninitialized: false (an empty session costs no store write, as in
// the generated layer) and the shared cookie name, lifetime and secret.
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import { RedisStore } from 'connect-redis';
import Fastify from 'fastify';
import { createClient } from 'redis';
import { host, listening, maxAgeMs, namespace, onShutdown, port, redisUrl, secret, sessionValues } from './common.mjs';

const client = createClient({ url: redisUrl });
client.on('error', (error) => console.error('redis:', error.message));
await client.connect();

const app = Fastify({ logger: false });
app.get('/health', async () => ({ ok: true }));
await app.register(async (scope) => {
  await scope.register(fastifyCookie);
  await scope.register(fastifySession, {
    secret,
    cookieName: 'session_id',
    saveUninitialized: false,
    cookie: { secure: false, httpOnly: true, sameSite: 'lax', maxAge: maxAgeMs },
    store: new RedisStore({ client, prefix: `bench:${namespace}:` }),
  });
  scope.get('/session', async (request) => ({ data: sessionValues(request.session) }));
  scope.get('/count', async (request) => {
    const count = (Number(request.session.get('count')) || 0) + 1;
    request.session.set('count', count);
    return { count };
  });
});
await app.listen({ port, host });
listening('@fastify/session (redis)');
onShutdown(
  () => app.close(),
  () => client.quit(),
);
