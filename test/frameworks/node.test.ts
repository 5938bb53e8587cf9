/** The node:http glue held to the framework contract (test/framework-contract.ts), plus trustProxy. */
import { createServer, type ServerResponse } from 'node:http';
import { expect, it } from 'vitest';
import { createSessionManager } from '../../runtime/core/manager.js';
import { nodeSession } from '../../runtime/frameworks/node.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { exampleApp } from '../../runtime/examples/node.js';
import { APP_COOKIE, listen, routes, testFramework } from '../framework-contract.js';

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

testFramework('node:http', {
  start: (manager) => listen(exampleApp(manager, nodeSession(manager))),
  startWithAppCookie: (manager) =>
    listen(
      createServer(
        // writeHead's own Set-Cookie would replace the session cookie without the glue's care.
        nodeSession(manager).withSession((req, res, session) => {
          if (req.url === '/theme') json(res, 200, routes.theme(session), { 'Set-Cookie': APP_COOKIE });
          else if (req.url === '/session') json(res, 200, routes.get(session));
          else json(res, 404, { error: 'not found' });
        }),
      ),
    ),
});

it.each([
  [false, 'ignores'],
  [true, 'honours'],
])('trustProxy: %s → the glue %s X-Forwarded-Proto and X-Forwarded-For', async (trustProxy) => {
  const warnings: string[] = [];
  const logger = { warn: (message: string) => void warnings.push(message), error: () => {} };
  const manager = createSessionManager({ store: memoryStore(), bind: ['ip'], logger });
  const server = await listen(exampleApp(manager, nodeSession(manager, { trustProxy })));
  try {
    const headers = {
      'content-type': 'application/json',
      'x-forwarded-proto': 'https',
      'x-forwarded-for': '198.51.100.1, 203.0.113.9',
    };
    const first = await fetch(`${server.url}/session`, { method: 'PATCH', headers, body: '{"a":1}' });
    const cookie = first.headers.getSetCookie()[0] ?? '';
    expect(/;\s*Secure/i.test(cookie)).toBe(trustProxy);
    const pair = cookie.split(';')[0]!;
    const visit = async (forwardedFor: string) =>
      (await fetch(`${server.url}/session`, { headers: { cookie: pair, 'x-forwarded-for': forwardedFor } })).json();
    // bind: ['ip']. With trustProxy the client is the last X-Forwarded-For entry, the one the proxy
    // added: entries a client prepends change nothing, another last entry is a stranger.
    expect(await visit('10.6.6.6, 203.0.113.9')).toEqual({ data: { a: 1 } });
    expect(await visit('203.0.113.10')).toEqual(trustProxy ? { data: {} } : { data: { a: 1 } });
    expect(warnings.some((message) => message.includes('another IP address'))).toBe(trustProxy);
  } finally {
    await server.close();
    await manager.close();
  }
});
