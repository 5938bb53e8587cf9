// Express with no session library: the BARE row (LIMIT unset) and the LIMIT rows (LIMIT=<backend>).
import express from 'express';
import { bareHandlers } from './bare-handlers.mjs';
import { host, listening, onShutdown, port } from './common.mjs';

const handlers = await bareHandlers();
const app = express();
app.disable('x-powered-by');
app.get('/health', (_req, res) => {
  res.json({ ok: true });
});
const route = (handler) => (req, res, next) => {
  handler(req.headers.cookie).then(({ body, setCookie }) => {
    if (setCookie) res.append('Set-Cookie', setCookie);
    res.json(body);
  }, next);
};
app.get('/count', route(handlers.count));
app.get('/session', route(handlers.session));
const server = app.listen(port, host, () => listening(`express ${handlers.name}`));
onShutdown(() => server.close(), handlers.close);
