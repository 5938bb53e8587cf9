/**
 * The Express glue held to the framework contract (test/framework-contract.ts), on Express 5 and
 * on Express 4 (installed here as the `express4` alias; the example app takes the Express app to
 * add its routes to), and how it holds each response.
 */
import { createServer, type ServerResponse } from 'node:http';
import express from 'express';
import express4 from 'express4';
import { afterEach, describe, expect, it } from 'vitest';
import { expressSession } from '../../runtime/frameworks/express.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { exampleApp } from '../../runtime/examples/express.js';
import {
  APP_COOKIE,
  listen,
  routes,
  testFramework,
  type FrameworkHarness,
  type RunningApp,
} from '../framework-contract.js';

/** The example app, and the app-cookie app, on an Express of the given major version. */
function harness(createApp: typeof express): FrameworkHarness {
  return {
    start: (manager) => listen(createServer(exampleApp(manager, expressSession(manager), createApp()))),
    startWithAppCookie(manager) {
      const app = createApp();
      app.use(expressSession(manager));
      app.get('/session', (req, res) => {
        res.json(routes.get(req.session));
      });
      app.get('/theme', (req, res) => {
        res.append('Set-Cookie', APP_COOKIE);
        res.json(routes.theme(req.session));
      });
      return listen(createServer(app));
    },
  };
}

testFramework('express', harness(express));
testFramework('express 4', harness(express4));

describe('express glue: how it holds the response', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });
  const manager = () =>
    createSessionManager({ store: memoryStore(), secret: 'express-glue-test-secret-0123456789abcdef' });

  /** GET path twice, the second time with the first's cookie; the JSON bodies and the cookie. */
  async function twice(path: string) {
    const first = await fetch(running!.url + path);
    const cookie = first.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const second = await fetch(running!.url + path, { headers: { cookie } });
    return { cookie, bodies: [await first.json(), await second.json()] };
  }

  it('saves a session whose response a mounted sub-app sends', async () => {
    const app = express();
    app.use(expressSession(manager()));
    const sub = express();
    sub.get('/count', (req, res) => {
      res.json(routes.count(req.session));
    });
    app.use('/sub', sub);
    running = await listen(createServer(app));
    const { cookie, bodies } = await twice('/sub/count');
    expect(cookie).toMatch(/^session_id=/);
    expect(bodies).toEqual([{ count: 1 }, { count: 2 }]);
  });

  it('holds a response that a middleware mounted before it has wrapped', async () => {
    const app = express();
    app.use((_req, res, next) => {
      // As compression does: keeps the end it finds and calls it later, asynchronously.
      const previousEnd = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
      res.end = ((chunk?: unknown) => {
        setImmediate(() => previousEnd(chunk));
        return res;
      }) as typeof res.end;
      next();
    });
    app.use(expressSession(manager()));
    app.get('/count', (req, res) => {
      res.json(routes.count(req.session));
    });
    running = await listen(createServer(app));
    const { cookie, bodies } = await twice('/count');
    expect(cookie).toMatch(/^session_id=/);
    expect(bodies).toEqual([{ count: 1 }, { count: 2 }]);
  });

  it('makes req.session read-only: a handler that assigns it gets an error, and the session is still saved', async () => {
    const app = express();
    app.use(expressSession(manager()));
    app.get('/count', (req, res) => {
      let assigned = 'yes';
      try {
        (req as { session: unknown }).session = null;
      } catch (error) {
        assigned = (error as Error).name;
      }
      res.json({ ...routes.count(req.session), assigned });
    });
    running = await listen(createServer(app));
    const { cookie, bodies } = await twice('/count');
    expect(cookie).toMatch(/^session_id=/);
    expect(bodies).toEqual([
      { count: 1, assigned: 'TypeError' },
      { count: 2, assigned: 'TypeError' },
    ]);
  });

  it('changes no prototype shared with other apps: express.response and ServerResponse.prototype stay as they were', async () => {
    const shared = [express.response, Object.getPrototypeOf(express.response) as object];
    const before = shared.map((proto) =>
      Object.getOwnPropertyNames(proto).map((name) => [name, Object.getOwnPropertyDescriptor(proto, name)?.value]),
    );
    const app = express();
    app.use(expressSession(manager()));
    app.get('/count', (req, res) => {
      res.json(routes.count(req.session));
    });
    running = await listen(createServer(app));
    const { bodies } = await twice('/count');
    expect(bodies).toEqual([{ count: 1 }, { count: 2 }]);
    const after = shared.map((proto) =>
      Object.getOwnPropertyNames(proto).map((name) => [name, Object.getOwnPropertyDescriptor(proto, name)?.value]),
    );
    expect(after).toEqual(before);
  });

  it('puts the response methods back once the session is saved', async () => {
    const app = express();
    let restored: boolean[] = [];
    app.use((_req, res, next) => {
      const own = { writeHead: res.writeHead, write: res.write, end: res.end };
      res.on(
        'finish',
        () => (restored = (['writeHead', 'write', 'end'] as const).map((method) => res[method] === own[method])),
      );
      next();
    });
    app.use(expressSession(manager()));
    app.get('/count', (req, res) => {
      res.json(routes.count(req.session));
    });
    running = await listen(createServer(app));
    await twice('/count');
    expect(restored).toEqual([true, true, true]);
  });
});
