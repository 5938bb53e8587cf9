/**
 * The Express glue held to the framework contract (test/framework-contract.ts), on Express 5 and
 * on Express 4 (installed here as the `express4` alias).
 */
import { createServer } from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import express4 from 'express4';
import { expressSession } from '../../runtime/frameworks/express.js';
import type { SessionManager } from '../../runtime/core/manager.js';
import { APP_COOKIE, errorReply, listen, routes, testFramework } from '../framework-contract.js';

testFramework('express', { start: (manager) => startApp(express, manager) });
testFramework('express 4', { start: (manager) => startApp(express4, manager) });

function startApp(createApp: typeof express, manager: SessionManager) {
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
