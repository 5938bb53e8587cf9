/** The node:http glue held to the framework-fidelity suite (test/framework-fidelity.ts). */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Session, SessionData } from '../../runtime/core/session.js';
import { nodeSession } from '../../runtime/frameworks/node.js';
import { listen, routes } from '../framework-contract.js';
import { APP_SET_COOKIE, fidelity, PREFIXES, testFidelity } from '../framework-fidelity.js';

type Handler = (req: IncomingMessage, res: ServerResponse, session: Session<SessionData>) => unknown;

function json(res: ServerResponse, body: unknown): void {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

const handlers: Record<string, Handler> = {
  'GET /count': (_req, res, session) => json(res, routes.count(session)),
  'GET /session': (_req, res, session) => json(res, routes.get(session)),
  'GET /own-cookie/replace': (_req, res, session) => {
    fidelity.seen(session);
    res.setHeader('Set-Cookie', 'earlier=1');
    res.writeHead(200, { 'Set-Cookie': APP_SET_COOKIE, 'content-type': 'application/json' }).end('{}');
  },
  'GET /own-cookie/helper': (_req, res, session) => {
    fidelity.seen(session);
    res.writeHead(200, ['Set-Cookie', APP_SET_COOKIE, 'content-type', 'application/json']).end('{}');
  },
  'POST /login-own-cookie': (_req, res, session) => {
    fidelity.login(session);
    res.writeHead(200, { 'Set-Cookie': APP_SET_COOKIE, 'content-type': 'application/json' }).end('{}');
  },
  'GET /stream': async (_req, res, session) => {
    session.set('streamed', true);
    res.write('a');
    await sleep(5);
    res.write('b');
    await sleep(5);
    res.end('c');
  },
  'GET /pipe': (_req, res, session) => {
    session.set('piped', true);
    Readable.from(['x', 'y', 'z']).pipe(res);
  },
  'GET /late': (_req, res, session) => {
    res.write('started:');
    setTimeout(() => res.end(fidelity.late(session)), 20);
  },
  'GET /not-modified': (_req, res, session) => {
    session.set('conditional', true);
    res.writeHead(304).end();
  },
  'GET /redirect': (_req, res, session) => {
    session.set('redirected', true);
    session.refresh({ rotate: true });
    res.writeHead(302, { location: '/session' }).end();
  },
  'GET /throw/400': (_req, _res, session) => fidelity.throw400(session),
  'GET /throw/500': (_req, _res, session) => fidelity.throw500(session),
  // The session is the handler's argument: reassigning the parameter cannot unhook the save.
  'GET /reassign': (_req, res, session) => {
    session.set('kept', true);
    json(res, { assigned: 'ignored' });
  },
  'GET /bad/key': (_req, res, session) => {
    fidelity.badKey(session);
    json(res, {});
  },
  'GET /bad/big': (_req, res, session) => {
    fidelity.badBig(session);
    json(res, {});
  },
  'GET /bad/bigint': (_req, res, session) => {
    fidelity.badBigint(session);
    json(res, {});
  },
};

testFidelity('node', {
  secondMount: 'shared',
  reassign: 'ignored',
  start(manager, options) {
    const sessions = nodeSession(manager, { trustProxy: options.trustProxy });
    const server = createServer((req, res) => {
      void (async () => {
        let session: Session<SessionData>;
        try {
          session = await sessions.loadSession(req, res);
          // A second load of the same request (another layer of the app) gets the same session.
          if (options.mountTwice && (await sessions.loadSession(req, res)) !== session) throw new Error('two sessions');
        } catch (error) {
          sessions.sendError(res, error);
          return;
        }
        const path = (req.url ?? '/').split('?')[0]!;
        const prefix = PREFIXES.find((candidate) => candidate !== '' && path.startsWith(`${candidate}/`)) ?? '';
        const method = req.method === 'HEAD' ? 'GET' : req.method;
        const handler = handlers[`${method} ${path.slice(prefix.length)}`];
        try {
          if (handler) await handler(req, res, session);
          else res.writeHead(404).end();
        } catch (error) {
          sessions.sendError(res, error);
        }
      })();
    });
    return listen(server);
  },
});
