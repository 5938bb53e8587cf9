/**
 * Express 4 through the glue's prototype hold: here the glue's own `import express` resolves to
 * Express 4 (the `express4` alias), as it does in an app on Express 4, so its responses inherit
 * from the prototype the stand-ins sit on. express.test.ts covers Express 5 the same way and
 * Express 4 through the fallback.
 */
import { createServer } from 'node:http';
import express4 from 'express4';
import { expect, it, vi } from 'vitest';
import { expressSession } from '../../runtime/frameworks/express.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { listen, routes, testFramework } from '../framework-contract.js';
import { startApp } from './express-app.js';

vi.mock('express', async () => await import('express4'));

testFramework('express 4 (prototype hold)', { start: (manager) => startApp(express4, manager) });

it('holds Express 4 responses without adding a property to them', async () => {
  const manager = createSessionManager({ store: memoryStore(), secret: 'express-glue-test-secret-0123456789abcdef' });
  const added: Array<string | symbol> = [];
  const app = express4();
  app.use((_req, res, next) => {
    const before = new Set(Reflect.ownKeys(res));
    res.on('finish', () => added.push(...Reflect.ownKeys(res).filter((key) => !before.has(key))));
    next();
  });
  app.use(expressSession(manager));
  app.get('/count', (req, res) => {
    res.json(routes.count(req.session));
  });
  const running = await listen(createServer(app));
  try {
    const first = await fetch(`${running.url}/count`);
    const cookie = first.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const second = await fetch(`${running.url}/count`, { headers: { cookie } });
    expect([await first.json(), await second.json()]).toEqual([{ count: 1 }, { count: 2 }]);
  } finally {
    await running.close();
  }
  expect(added.filter((key) => ['writeHead', 'write', 'end'].includes(String(key)) || typeof key === 'symbol')).toEqual(
    [],
  );
});
