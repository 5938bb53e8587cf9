/**
 * The contract app (test/framework-contract.ts) on Express: shared by express.test.ts and
 * express4-prototype.test.ts, which run it on Express 5 and 4.
 */
import { createServer } from 'node:http';
import type express from 'express';
import type { ErrorRequestHandler } from 'express';
import { expressSession } from '../../runtime/frameworks/express.js';
import type { SessionManager } from '../../runtime/core/manager.js';
import { APP_COOKIE, errorReply, listen, routes } from '../framework-contract.js';

export function startApp(createApp: typeof express, manager: SessionManager) {
  const app = createApp();
  app.use(createApp.json());
  // Before the glue: reads no session.
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(expressSession(manager));
  app.get('/session', (req, res) => {
    res.json(routes.get(req.session));
  });
  app.patch('/session', (req, res) => {
    res.json(routes.patch(req.session, req.body));
  });
  app.delete('/session', (req, res) => {
    routes.invalidate(req.session);
    res.status(204).end();
  });
  app.post('/session/refresh', (req, res) => {
    res.json(routes.refresh(req.session, req.body));
  });
  app.post('/login', (req, res) => {
    res.json(routes.login(req.session, req.body));
  });
  app.get('/count', (req, res) => {
    res.json(routes.count(req.session));
  });
  const mine = (action: Parameters<typeof routes.mySessions>[2]) => async (req: express.Request, res: express.Response) => {
    const reply = await routes.mySessions(manager, req.session, action, String(req.params.handle ?? ''));
    if (reply.body === undefined) res.status(reply.status).end();
    else res.status(reply.status).json(reply.body);
  };
  app.get('/me/sessions', mine('list'));
  app.delete('/me/sessions/:handle', mine('revoke'));
  app.post('/me/sessions/revoke-others', mine('revoke-others'));
  app.post('/me/sessions/revoke-all', mine('revoke-all'));
  app.post('/flash', (req, res) => {
    routes.flash(req.session, req.body);
    res.status(204).end();
  });
  app.get('/flash', async (req, res) => {
    res.json(await routes.takeFlash(req.session));
  });
  app.get('/theme', (req, res) => {
    res.append('Set-Cookie', APP_COOKIE);
    res.json(routes.theme(req.session));
  });
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const reply = errorReply(error);
    res.status(reply.status).json(reply.body);
  };
  app.use(onError);
  return listen(createServer(app));
}
