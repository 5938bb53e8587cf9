/**
 * The contract every framework glue is held to, run in-process over real HTTP against the
 * framework's example app (runtime/examples/<framework>.ts), mounted with a session manager of the
 * test's own. The example's routes are the HTTP contract that test/helpers/example-contract.ts
 * drives, here as in the matrix; this file adds what only an in-process app can show: a store that
 * fails on demand, short regeneration periods, heavy parallelism, and a cookie the app sets itself
 * (on a small app of the test's own, as no example sets one). Each framework's test file passes
 * its harness to `testFramework`. (No .test suffix: the runner does not collect this file itself.)
 *
 * Everything runs on the real memory store; the one double is a store that fails on demand, used
 * only for the error paths. `routes`, `errorReply` and `BadRequest` serve the test-only apps of the
 * framework tests (the fidelity suite, the glue's own cases).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createSessionManager, type SessionManager } from '../runtime/core/manager.js';
import type { SessionOptions } from '../runtime/core/options.js';
import type { Session, SessionData } from '../runtime/core/session.js';
import type { SessionStore } from '../runtime/core/store.js';
import { memoryStore } from '../runtime/stores/memory.js';
import { driveExampleContract } from './helpers/example-contract.js';

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

export interface FrameworkHarness {
  /** The framework's example app (runtime/examples/) with `manager` and its glue, on 127.0.0.1, port 0. */
  start(manager: SessionManager): Promise<RunningApp>;
  /**
   * A small app of the test's own with the glue and two routes: GET /theme sets APP_COOKIE the
   * framework's own way and "theme": "dark" in the session (answering `routes.theme`); GET /session
   * answers `routes.get`.
   */
  startWithAppCookie(manager: SessionManager): Promise<RunningApp>;
}

// ---------------------------------------------------------------------------------------------
// What the apps share

/** The cookie GET /theme sets itself (Koa through ctx.cookies); it must reach the client too. */
export const APP_COOKIE = 'theme=dark; Path=/';

export class BadRequest extends Error {
  readonly status = 400;
  readonly statusCode = 400;
  readonly expose = true;
}

type Reply = { data: Partial<SessionData> };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What the test-only apps do with the session, shared so every one does exactly the same. */
export const routes = {
  get: (session: Session<SessionData>): Reply => ({ data: session.toJSON() }),

  login(session: Session<SessionData>, body: unknown): Reply {
    const user = isObject(body) ? body.user : undefined;
    if (typeof user !== 'string' || user === '') throw new BadRequest('expected {"user":"name"}');
    session.set('user', user);
    session.login(user);
    return { data: session.toJSON() };
  },

  count(session: Session<SessionData>): { count: number } {
    // update(), not get-then-set: parallel requests' increments all count.
    session.update('count', (count) => (typeof count === 'number' ? count : 0) + 1);
    return { count: Number(session.get('count')) };
  },

  theme(session: Session<SessionData>): Reply {
    session.set('theme', 'dark');
    return { data: session.toJSON() };
  },
};

/** The status and JSON body an app answers an error with. */
export function errorReply(error: unknown): { status: number; body: { error: string } } {
  const fields = isObject(error) ? error : {};
  const status = Number(fields.status ?? fields.statusCode);
  if (status === 503) return { status, body: { error: 'session store unavailable' } };
  if (status >= 400 && status < 500) return { status, body: { error: String(fields.message) } };
  console.error(error);
  return { status: 500, body: { error: 'internal error' } };
}

/** Listens on 127.0.0.1:0; close() also drops the keep-alive connections fetch leaves open. */
export async function listen(server: Server): Promise<RunningApp> {
  // Longer than fetch's own idle timeout (4 s), so the client, not the server, ends an idle
  // connection: otherwise a request sent just as the server drops it fails with ECONNRESET,
  // which a machine stalled for a few seconds makes likely. (Fastify's default is already 72 s.)
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// The client: fetch plus a cookie jar

const NAME = 'session_id';

export interface Response {
  status: number;
  /** The body parsed as JSON, or its text when it is not JSON. */
  body: unknown;
  text: string;
  headers: Headers;
  setCookies: string[];
  /** The Set-Cookie of the session cookie, if the response sent one. */
  sessionCookie: string | undefined;
}

/** One browser: keeps the cookies it is given (Max-Age=0 drops one) and sends them back. */
export class Browser {
  readonly jar = new Map<string, string>();
  constructor(readonly url: string) {}

  /** A browser that presents `value` as its session cookie. */
  static with(url: string, value: string | undefined): Browser {
    const browser = new Browser(url);
    if (value !== undefined) browser.jar.set(NAME, value);
    return browser;
  }

  get id(): string | undefined {
    return this.jar.get(NAME);
  }

  async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const cookie = [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(this.url + path, {
      method,
      redirect: 'manual',
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const setCookies = response.headers.getSetCookie();
    for (const header of setCookies) {
      const pair = header.split(';', 1)[0]!;
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      if (/;\s*Max-Age=0(;|$)/i.test(header)) this.jar.delete(name);
      else this.jar.set(name, pair.slice(eq + 1).trim());
    }
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? undefined : parseOrText(text),
      text,
      headers: response.headers,
      setCookies,
      sessionCookie: setCookies.find((header) => header.startsWith(`${NAME}=`)),
    };
  }
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------------------------
// The error-path double

type Operation = 'get' | 'write' | 'touch' | 'destroy';

/** The memory store, failing the operations switched on in `failing` (as a server that is down). */
function flakyStore(): { store: SessionStore; failing: Set<Operation> } {
  const inner = memoryStore();
  const failing = new Set<Operation>();
  const guard = (operation: Operation) => {
    if (failing.has(operation)) throw new Error(`connection refused (${operation})`);
  };
  const store: SessionStore = {
    name: 'flaky',
    async get(key) {
      guard('get');
      return inner.get(key);
    },
    async write(key, record, version) {
      guard('write');
      return inner.write(key, record, version);
    },
    async touch(key, expiresAt) {
      guard('touch');
      return inner.touch(key, expiresAt);
    },
    async destroy(key) {
      guard('destroy');
      return inner.destroy(key);
    },
    deleteExpired: () => inner.deleteExpired(),
    close: () => inner.close(),
  };
  return { store, failing };
}

// ---------------------------------------------------------------------------------------------
// The suite

const SECRET = 'framework-contract-secret-0123456789abcdef';

export function testFramework(name: string, harness: FrameworkHarness): void {
  describe(`${name} glue: framework contract`, () => {
    const running: Array<{ app: RunningApp; manager: SessionManager }> = [];
    afterEach(async () => {
      for (const { app, manager } of running.splice(0)) {
        await app.close();
        await manager.close();
      }
    });

    async function start(
      options: Partial<SessionOptions> = {},
      startApp: (manager: SessionManager) => Promise<RunningApp> = (manager) => harness.start(manager),
    ): Promise<string> {
      const manager = createSessionManager({ store: memoryStore(), ...options });
      const app = await startApp(manager);
      running.push({ app, manager });
      return app.url;
    }

    /** An app on a store whose operations fail on demand. */
    async function startFlaky(): Promise<{ url: string; failing: Set<Operation> }> {
      const { store, failing } = flakyStore();
      return { url: await start({ store }), failing };
    }

    function expectStoreError(response: Response): void {
      expect(response.status).toBe(503);
      expect(response.body).toEqual({ error: expect.any(String) });
      expect(response.sessionCookie).toBeUndefined();
    }

    it('serves the example contract (unsigned cookies)', async () => {
      await driveExampleContract(await start(), { cookieName: 'session_id', signed: false });
    });

    it('serves the example contract (signed cookies)', async () => {
      await driveExampleContract(await start({ secret: SECRET }), { cookieName: 'session_id', signed: true });
    });

    it('regenerates the id every regenerateEvery, keeping the data and killing the old id', async () => {
      // rotateGrace off: the old id dies at once (with a grace window it forwards for a while).
      const url = await start({ regenerateEvery: 1, rotateGrace: false });
      const browser = new Browser(url);
      const startedAt = Date.now();
      await browser.send('PATCH', '/session', { kept: true });
      const first = browser.id;
      const early = await browser.send('GET', '/session');
      // Not due yet (unless this machine stalled for most of the second in between).
      if (Date.now() - startedAt < 800) expect(early.sessionCookie).toBeUndefined();

      await sleep(1_100);
      const late = await browser.send('GET', '/session');
      expect(late.status).toBe(200);
      expect(late.body).toEqual({ data: { kept: true } });
      expect(late.sessionCookie).toBeDefined();
      expect(browser.id).not.toBe(first);
      expect((await browser.send('GET', '/session')).body).toEqual({ data: { kept: true } });
      expect((await Browser.with(url, first).send('GET', '/session')).body).toEqual({ data: {} });
    });

    it('GET /health answers 200 without reading the session or setting a cookie', async () => {
      const { url, failing } = await startFlaky();
      const browser = new Browser(url);
      await browser.send('PATCH', '/session', { user: 'ada' });
      expect(browser.id).toBeDefined();
      failing.add('get').add('write').add('touch').add('destroy');
      const health = await browser.send('GET', '/health');
      expect(health.status).toBe(200);
      expect(health.setCookies).toEqual([]);
      // The same cookie on a session route does reach the (failing) store.
      expectStoreError(await browser.send('GET', '/session'));
    });

    it('a store failing at load answers 503 JSON, never 200 with an empty session', async () => {
      const { url, failing } = await startFlaky();
      const browser = new Browser(url);
      await browser.send('PATCH', '/session', { user: 'ada' });
      failing.add('get');
      expectStoreError(await browser.send('GET', '/session'));
      expectStoreError(await browser.send('PATCH', '/session', { more: 1 }));
      expectStoreError(await browser.send('GET', '/count'));
      failing.clear();
      expect((await browser.send('GET', '/session')).body).toEqual({ data: { user: 'ada' } });
    });

    it('a store failing at commit answers 503 JSON instead of the 200 the handler wrote, and saves nothing', async () => {
      const { url, failing } = await startFlaky();

      // A new visitor's first write.
      const visitor = new Browser(url);
      failing.add('write');
      expectStoreError(await visitor.send('PATCH', '/session', { a: 1 }));
      expect(visitor.id).toBeUndefined();

      // A change to an existing session.
      failing.clear();
      const browser = new Browser(url);
      await browser.send('PATCH', '/session', { a: 1 });
      failing.add('write');
      expectStoreError(await browser.send('PATCH', '/session', { b: 2 }));
      expectStoreError(await browser.send('POST', '/login', { user: 'ada' }));

      // A logout whose delete fails leaves the session alive, and says so.
      failing.clear();
      failing.add('destroy');
      expectStoreError(await browser.send('DELETE', '/session'));

      failing.clear();
      expect((await browser.send('GET', '/session')).body).toEqual({ data: { a: 1 } });
    });

    it('saves before the response: each of 50 sequential requests sees every earlier one', async () => {
      const browser = new Browser(await start());
      const counts: unknown[] = [];
      for (let n = 1; n <= 50; n++) counts.push((await browser.send('GET', '/count')).body);
      expect(counts).toEqual(Array.from({ length: 50 }, (_, i) => ({ count: i + 1 })));
    });

    it('20 parallel PATCH requests on one session all land', async () => {
      const url = await start();
      const browser = new Browser(url);
      await browser.send('PATCH', '/session', { seed: true });
      const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
      const responses = await Promise.all(keys.map((key, i) => browser.send('PATCH', '/session', { [key]: i })));
      expect(responses.map((response) => response.status)).toEqual(keys.map(() => 200));
      const { body } = await browser.send('GET', '/session');
      expect(body).toEqual({ data: { seed: true, ...Object.fromEntries(keys.map((key, i) => [key, i])) } });
    });

    it('50 parallel GET /count on one session end at 50: no increment is lost', async () => {
      const browser = new Browser(await start());
      await browser.send('GET', '/count');
      await Promise.all(Array.from({ length: 49 }, () => browser.send('GET', '/count')));
      expect((await browser.send('GET', '/session')).body).toEqual({ data: { count: 50 } });
    });

    it('a cookie the app sets survives next to the session cookie', async () => {
      const browser = new Browser(await start({}, (manager) => harness.startWithAppCookie(manager)));
      const response = await browser.send('GET', '/theme');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: { theme: 'dark' } });
      // Frameworks spell attributes their own way (Koa: "path=/; httponly"); the pair is what counts.
      expect(response.setCookies.filter((header) => header.startsWith('theme=dark;'))).toHaveLength(1);
      expect(response.sessionCookie).toBeDefined();
      expect(browser.jar.get('theme')).toBe('dark');
      expect((await browser.send('GET', '/session')).body).toEqual({ data: { theme: 'dark' } });
    });
  });
}
