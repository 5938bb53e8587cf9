// Fastify with no session library: the BARE row (LIMIT unset) and the LIMIT rows (LIMIT=<backend>).
import Fastify from 'fastify';
import { bareHandlers } from './bare-handlers.mjs';
import { host, listening, onShutdown, port } from './common.mjs';

const handlers = await bareHandlers();
const app = Fastify({ logger: false });
app.get('/health', async () => ({ ok: true }));
const route = (handler) => async (request, reply) => {
  const { body, setCookie } = await handler(request.headers.cookie);
  if (setCookie) reply.header('set-cookie', setCookie);
  return body;
};
app.get('/count', route(handlers.count));
app.get('/session', route(handlers.session));
await app.listen({ port, host });
listening(`fastify ${handlers.name}`);
onShutdown(() => app.close(), handlers.close);
