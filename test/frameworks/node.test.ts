/** The node:http glue held to the framework contract (test/framework-contract.ts), plus trustProxy. */
import { createServer, type ServerResponse } from 'node:http';
import { expect, it } from 'vitest';
import { createSessionManager, type SessionManager } from '../../runtime/core/manager.js';
import { nodeSession, type NodeSessionOptions } from '../../runtime/frameworks/node.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { APP_COOKIE, errorReply, listen, readJson, routes, testFramework } from '../framework-contract.js';

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function app(manager: SessionManager, options: NodeSessionOptions = {}) {
  const handle = nodeSession(manager, options).withSession(async (req, res, session) => {
    try {
      const mine = /^\/me\/sessions(?:\/(revoke-others|revoke-all)|\/([^/]+))?$/.exec(req.url ?? '');
      if (mine) {
        const action = mine[1] === 'revoke-others' || mine[1] === 'revoke-all' ? mine[1] : mine[2] ? 'revoke' : 'list';
        const result = await routes.mySessions(manager, session, action, mine[2]);
        if (result.body === undefined) return res.writeHead(result.status).end();
        return json(res, result.status, result.body);
      }
      switch (`${req.method} ${req.url}`) {
        case 'GET /session':
          return json(res, 200, routes.get(session));
        case 'PATCH /session':
          return json(res, 200, routes.patch(session, await readJson(req)));
        case 'DELETE /session':
          routes.invalidate(session);
          return res.writeHead(204).end();
        case 'POST /session/refresh':
          return json(res, 200, routes.refresh(session, await readJson(req)));
        case 'POST /login':
          return json(res, 200, routes.login(session, await readJson(req)));
        case 'GET /count':
          return json(res, 200, routes.count(session));
        case 'POST /flash':
          routes.flash(session, await readJson(req));
          return res.writeHead(204).end();
        case 'GET /flash':
          return json(res, 200, await routes.takeFlash(session));
        case 'GET /theme':
          // writeHead's own Set-Cookie would replace the session cookie without the glue's care.
          return json(res, 200, routes.theme(session), { 'Set-Cookie': APP_COOKIE });
        default:
          return json(res, 404, { error: 'not found' });
      }
    } catch (error) {
      const reply = errorReply(error);
      return json(res, reply.status, reply.body);
    }
  });
  // Outside the wrapper: reads no session.
  return createServer((req, res) => (req.url === '/health' ? json(res, 200, { ok: true }) : handle(req, res)));
}

testFramework('node:http', { start: (manager) => listen(app(manager)) });

it.each([
  [false, 'ignores'],
  [true, 'honours'],
])('trustProxy: %s → the glue %s X-Forwarded-Proto and X-Forwarded-For', async (trustProxy) => {
  const warnings: string[] = [];
  const logger = { warn: (message: string) => void warnings.push(message), error: () => {} };
  const manager = createSessionManager({ store: memoryStore(), bind: ['ip'], logger });
  const server = await listen(app(manager, { trustProxy }));
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
