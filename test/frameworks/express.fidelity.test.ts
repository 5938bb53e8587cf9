/** The Express glue held to the framework-fidelity suite (test/framework-fidelity.ts), on Express 5 and 4. */
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import express, { type ErrorRequestHandler } from 'express';
import express4 from 'express4';
import { expressSession } from '../../runtime/frameworks/express.js';
import type { SessionManager } from '../../runtime/core/manager.js';
import { errorReply, listen, routes } from '../framework-contract.js';
import { APP_SET_COOKIE, fidelity, PREFIXES, testFidelity, type FidelityOptions } from '../framework-fidelity.js';

function start(createApp: typeof express, manager: SessionManager, options: FidelityOptions) {
  const app = createApp();
  if (options.trustProxy) app.set('trust proxy', true);
  app.use(expressSession(manager));
  if (options.mountTwice) app.use(expressSession(manager));
  for (const prefix of PREFIXES) {
    app.get(`${prefix}/count`, (req, res) => {
      res.json(routes.count(req.session));
    });
    app.get(`${prefix}/session`, (req, res) => {
      res.json(routes.get(req.session));
    });
    app.get(`${prefix}/own-cookie/replace`, (req, res) => {
      fidelity.seen(req.session);
      res.writeHead(200, { 'Set-Cookie': APP_SET_COOKIE, 'content-type': 'application/json' }).end('{}');
    });
    app.get(`${prefix}/own-cookie/helper`, (req, res) => {
      fidelity.seen(req.session);
      res.cookie('app', '1').json({});
    });
    app.post(`${prefix}/login-own-cookie`, (req, res) => {
      fidelity.login(req.session);
      res.writeHead(200, { 'Set-Cookie': APP_SET_COOKIE, 'content-type': 'application/json' }).end('{}');
    });
    app.get(`${prefix}/stream`, async (req, res) => {
      req.session.set('streamed', true);
      res.write('a');
      await sleep(5);
      res.write('b');
      await sleep(5);
      res.end('c');
    });
    app.get(`${prefix}/pipe`, (req, res) => {
      req.session.set('piped', true);
      Readable.from(['x', 'y', 'z']).pipe(res);
    });
    app.get(`${prefix}/late`, (req, res) => {
      res.write('started:');
      setTimeout(() => res.end(fidelity.late(req.session)), 20);
    });
    app.get(`${prefix}/not-modified`, (req, res) => {
      req.session.set('conditional', true);
      res.status(304).end();
    });
    app.get(`${prefix}/redirect`, (req, res) => {
      req.session.set('redirected', true);
      req.session.refresh({ rotate: true });
      res.redirect(302, '/session');
    });
    app.get(`${prefix}/throw/400`, (req) => fidelity.throw400(req.session));
    app.get(`${prefix}/throw/500`, (req) => fidelity.throw500(req.session));
    app.get(`${prefix}/reassign`, (req, res) => {
      req.session.set('kept', true);
      let assigned = 'ignored';
      try {
        (req as { session: unknown }).session = null;
      } catch (error) {
        assigned = (error as Error).name;
      }
      res.json({ assigned });
    });
    app.get(`${prefix}/bad/key`, (req, res) => {
      fidelity.badKey(req.session);
      res.json({});
    });
    app.get(`${prefix}/bad/big`, (req, res) => {
      fidelity.badBig(req.session);
      res.json({});
    });
    app.get(`${prefix}/bad/bigint`, (req, res) => {
      fidelity.badBigint(req.session);
      res.json({});
    });
  }
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const reply = errorReply(error);
    res.status(reply.status).json(reply.body);
  };
  app.use(onError);
  return listen(createServer(app));
}

testFidelity('express', {
  start: (manager, options) => start(express, manager, options),
  secondMount: 'shared',
  reassign: 'throws',
});
testFidelity('express 4', {
  start: (manager, options) => start(express4 as unknown as typeof express, manager, options),
  secondMount: 'shared',
  reassign: 'throws',
});
