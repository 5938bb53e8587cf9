// node:http with no framework and no session library: the BARE row for the `node` framework
// (LIMIT unset) and its LIMIT rows (LIMIT=<backend>).
import { createServer } from 'node:http';
import { bareHandlers } from './bare-handlers.mjs';
import { host, listening, onShutdown, port } from './common.mjs';

const handlers = await bareHandlers();
const send = (res, status, body, setCookie) => {
  const text = JSON.stringify(body);
  const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) };
  if (setCookie) headers['set-cookie'] = setCookie;
  res.writeHead(status, headers).end(text);
};
const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/health') return send(res, 200, { ok: true });
  const handler = path === '/count' ? handlers.count : path === '/session' ? handlers.session : undefined;
  if (!handler || req.method !== 'GET') return send(res, 404, { error: 'not found' });
  handler(req.headers.cookie).then(
    ({ body, setCookie }) => send(res, 200, body, setCookie),
    (error) => send(res, 500, { error: String(error?.message ?? error) }),
  );
});
server.listen(port, host, () => listening(`node:http ${handlers.name}`));
onShutdown(() => server.close(), handlers.close);
