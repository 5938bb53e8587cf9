/**
 * The one contract every framework glue is held to, run in-process over real HTTP. Each
 * framework's test file builds a small app with its glue serving the routes below and calls
 * `testFramework`. (No .test suffix: the runner does not collect this file itself.)
 *
 *   GET    /health           200, reads no session, sets no cookie (mounted outside the glue)
 *   GET    /session          200 {"data":{...}}
 *   PATCH  /session          JSON object: sets each key, null deletes → 200 {"data":{...}}
 *   DELETE /session          invalidate → 204
 *   POST   /session/refresh  {"rotate":bool,"maxAge"?:seconds} → 200 {"data":{...}}
 *   POST   /login            {"user":"name"}: session.login(user) (a new id) and sets "user" → 200 {"data":{...}}
 *   GET    /me/sessions      the user's sessions → 200 {"sessions":[...]}, 401 when not logged in
 *   DELETE /me/sessions/:handle               revokes one → 204 (404 when it is not the user's)
 *   POST   /me/sessions/revoke-others         → 204; POST /me/sessions/revoke-all → 204
 *   GET    /count            increments "count" with update() → 200 {"count":n}
 *   POST   /flash            {"message":"..."}: flashes it under "notice" → 204
 *   GET    /flash            takes the "notice" messages → 200 {"messages":[...]}
 *   GET    /theme            sets the app's own cookie (APP_COOKIE) and "theme" → 200 {"data":{...}}
 *   errors                   errorReply(): 503 {"error":"..."} for store failures, 400 for bad input
 *
 * `routes` holds the route bodies so every app does exactly the same thing; only the glue and
 * the framework plumbing differ. Everything runs on the real memory store; the one double is a
 * store that fails on demand, used only for the error paths.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createSessionManager, type SessionManager } from '../runtime/core/manager.js';
import type { SessionOptions } from '../runtime/core/options.js';
import type { Session, SessionData } from '../runtime/core/session.js';
import type { SessionStore } from '../runtime/core/store.js';
import { memoryStore } from '../runtime/stores/memory.js';

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

export interface FrameworkHarness {
  /** Builds the app around `manager` and listens on 127.0.0.1, port 0. */
  start(manager: SessionManager): Promise<RunningApp>;
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

export const routes = {
  get: (session: Session<SessionData>): Reply => ({ data: session.toJSON() }),

  patch(session: Session<SessionData>, body: unknown): Reply {
    if (!isObject(body)) throw new BadRequest('expected a JSON object');
    for (const [key, value] of Object.entries(body)) {
      if (value === null) session.delete(key);
      else session.set(key, value);
    }
    return { data: session.toJSON() };
  },

  invalidate(session: Session<SessionData>): void {
    session.invalidate();
  },

  refresh(session: Session<SessionData>, body: unknown): Reply {
    const { rotate, maxAge } = isObject(body) ? body : {};
    if (maxAge !== undefined && typeof maxAge !== 'number') throw new BadRequest('maxAge must be seconds');
    session.refresh({ rotate: rotate === true, ...(maxAge === undefined ? {} : { maxAge }) });
    return { data: session.toJSON() };
  },

  login(session: Session<SessionData>, body: unknown): Reply {
    const user = isObject(body) ? body.user : undefined;
    if (typeof user !== 'string' || user === '') throw new BadRequest('expected {"user":"name"}');
    session.set('user', user);
    session.login(user);
    return { data: session.toJSON() };
  },

  /** GET /me/sessions, DELETE /me/sessions/:handle and the two revocations, by route name. */
  async mySessions(
    manager: SessionManager,
    session: Session<SessionData>,
    action: 'list' | 'revoke' | 'revoke-others' | 'revoke-all',
    handle?: string,
  ): Promise<{ status: number; body?: unknown }> {
    const userId = session.userId;
    if (userId === undefined) return { status: 401, body: { error: 'not logged in' } };
    if (action === 'list') return { status: 200, body: { sessions: await manager.list(userId, session) } };
    if (action === 'revoke')
      return (await manager.revoke(userId, handle ?? '')) ? { status: 204 } : { status: 404, body: { error: 'no such session' } };
    await manager.revokeAll(userId, action === 'revoke-others' ? { except: session } : {});
    // Everywhere includes here: this browser's cookie is cleared too.
    if (action === 'revoke-all') session.invalidate();
    return { status: 204 };
  },

  count(session: Session<SessionData>): { count: number } {
    // update(), not get-then-set: parallel requests' increments all count.
    session.update('count', (count) => (typeof count === 'number' ? count : 0) + 1);
    return { count: Number(session.get('count')) };
  },

  flash(session: Session<SessionData>, body: unknown): void {
    const message = isObject(body) ? body.message : undefined;
    if (typeof message !== 'string' || message === '') throw new BadRequest('expected {"message":"text"}');
    session.flash('notice', message);
  },

  async takeFlash(session: Session<SessionData>): Promise<{ messages: unknown[] }> {
    return { messages: await session.takeFlash('notice') };
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

/** A JSON request body for apps without a body parser (node:http, Koa). */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  req.setEncoding('utf8');
  for await (const chunk of req) text += chunk as string;
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadRequest('invalid JSON');
  }
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

    async function start(options: Partial<SessionOptions> = {}): Promise<string> {
      const manager = createSessionManager({ store: memoryStore(), ...options });
      const app = await harness.start(manager);
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

    it('a new visitor gets 200 {"data":{}} and no cookie', async () => {
      const browser = new Browser(await start());
      const response = await browser.send('GET', '/session');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: {} });
      expect(response.setCookies).toEqual([]);
    });

    it('keeps data across requests; null deletes a key; the cookie is HttpOnly, SameSite=Lax, Path=/', async () => {
      const url = await start();
      const browser = new Browser(url);
      const data = { user: 'ada', cart: [1, 2], nested: { deep: 'yes' } };
      const patched = await browser.send('PATCH', '/session', data);
      expect(patched.status).toBe(200);
      expect(patched.body).toEqual({ data });
      const cookie = patched.sessionCookie ?? '';
      expect(cookie).toMatch(/;\s*HttpOnly(;|$)/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax(;|$)/i);
      expect(cookie).toMatch(/;\s*Path=\/(;|$)/i);
      expect(cookie).toMatch(/;\s*Max-Age=[1-9]\d*(;|$)/i);
      expect(cookie).not.toMatch(/;\s*Secure/i); // plain HTTP

      expect((await browser.send('GET', '/session')).body).toEqual({ data });
      expect((await browser.send('PATCH', '/session', { cart: null })).body).toEqual({
        data: { user: 'ada', nested: { deep: 'yes' } },
      });
      expect((await browser.send('GET', '/session')).body).toEqual({ data: { user: 'ada', nested: { deep: 'yes' } } });
      // Another browser does not see it.
      expect((await new Browser(url).send('GET', '/session')).body).toEqual({ data: {} });
    });

    it('DELETE /session invalidates: 204, cookie cleared, the old id is dead', async () => {
      const url = await start();
      const browser = new Browser(url);
      await browser.send('PATCH', '/session', { user: 'ada' });
      const old = browser.id;
      expect(old).toBeDefined();

      const response = await browser.send('DELETE', '/session');
      expect(response.status).toBe(204);
      expect(response.sessionCookie).toMatch(/;\s*Max-Age=0(;|$)/i);
      expect(browser.id).toBeUndefined();
      expect((await browser.send('GET', '/session')).body).toEqual({ data: {} });
      const replay = await Browser.with(url, old).send('GET', '/session');
      expect(replay.status).toBe(200);
      expect(replay.body).toEqual({ data: {} });
    });

    it('POST /session/refresh: rotate gives a new id with the same data; maxAge renews the cookie', async () => {
      const url = await start();
      const browser = new Browser(url);
      await browser.send('PATCH', '/session', { user: 'ada' });
      const old = browser.id;

      const rotated = await browser.send('POST', '/session/refresh', { rotate: true });
      expect(rotated.status).toBe(200);
      expect(rotated.body).toEqual({ data: { user: 'ada' } });
      expect(browser.id).toBeDefined();
      expect(browser.id).not.toBe(old);
      expect((await browser.send('GET', '/session')).body).toEqual({ data: { user: 'ada' } });
      expect((await Browser.with(url, old).send('GET', '/session')).body).toEqual({ data: {} });

      const current = browser.id;
      const extended = await browser.send('POST', '/session/refresh', { rotate: false, maxAge: 3600 });
      expect(extended.status).toBe(200);
      expect(extended.sessionCookie).toMatch(/;\s*Max-Age=3600(;|$)/i);
      expect(browser.id).toBe(current);
    });

    it('POST /login sets the user and rotates the id; the pre-login id is dead', async () => {
      const url = await start();
      const browser = new Browser(url);
      await browser.send('PATCH', '/session', { cart: [1] });
      const old = browser.id;

      const login = await browser.send('POST', '/login', { user: 'grace' });
      expect(login.status).toBe(200);
      expect(login.body).toEqual({ data: { cart: [1], user: 'grace' } });
      expect(browser.id).toBeDefined();
      expect(browser.id).not.toBe(old);
      expect((await browser.send('GET', '/session')).body).toEqual({ data: { cart: [1], user: 'grace' } });
      expect((await Browser.with(url, old).send('GET', '/session')).body).toEqual({ data: {} });

      // Fixation: an id planted before login is not the one the user ends up with.
      const planted = new Browser(url);
      await planted.send('PATCH', '/session', { x: 1 });
      const plantedId = planted.id;
      await planted.send('POST', '/login', { user: 'victim' });
      expect(planted.id).not.toBe(plantedId);
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

    it('a malformed, unknown or forged cookie is a new visitor, not an error', async () => {
      const unsigned = await start();
      const junk = [
        'garbage',
        'a'.repeat(43), // well-formed, unknown
        `${'b'.repeat(43)}.${'c'.repeat(43)}`,
        '../../etc/passwd',
        '%00%ff',
        '{"$gt":""}',
        'x'.repeat(5000),
      ];
      for (const value of junk) {
        const response = await Browser.with(unsigned, value).send('GET', '/session');
        expect(response.status, value.slice(0, 20)).toBe(200);
        expect(response.body, value.slice(0, 20)).toEqual({ data: {} });
      }

      const signed = await start({ secret: SECRET });
      const browser = new Browser(signed);
      await browser.send('PATCH', '/session', { user: 'ada' });
      const value = browser.id ?? '';
      expect(value).toContain('.');
      expect((await Browser.with(signed, value).send('GET', '/session')).body).toEqual({ data: { user: 'ada' } });
      const tampered = value.slice(0, -2) + (value.endsWith('AA') ? 'BB' : 'AA');
      for (const forged of [tampered, value.split('.')[0]!]) {
        const response = await Browser.with(signed, forged).send('GET', '/session');
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ data: {} });
      }
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

    it('POST /flash then GET /flash: each message shown once, even to parallel readers', async () => {
      const browser = new Browser(await start());
      expect((await browser.send('POST', '/flash', { message: 'Saved' })).status).toBe(204);
      await Promise.all(['one', 'two'].map((message) => browser.send('POST', '/flash', { message })));
      const readers = await Promise.all(Array.from({ length: 5 }, () => browser.send('GET', '/flash')));
      const shown = readers.flatMap((reply) => (reply.body as { messages: string[] }).messages);
      expect(shown.sort()).toEqual(['Saved', 'one', 'two']);
      expect((await browser.send('GET', '/flash')).body).toEqual({ messages: [] });
      expect((await browser.send('POST', '/flash', { message: 42 })).status).toBe(400);
    });

    it("a user's sessions over HTTP: listed, one revoked, the others, then all", async () => {
      const url = await start();
      const [laptop, phone, tablet] = [new Browser(url), new Browser(url), new Browser(url)];
      for (const browser of [laptop, phone, tablet]) await browser.send('POST', '/login', { user: 'ada' });
      expect((await new Browser(url).send('GET', '/me/sessions')).status).toBe(401);
      const listed = (await laptop.send('GET', '/me/sessions')).body as {
        sessions: Array<{ handle: string; current: boolean; createdAt: number; lastSeenAt: number; ip: string; userAgent: string }>;
      };
      expect(listed.sessions).toHaveLength(3);
      expect(listed.sessions.filter((entry) => entry.current)).toHaveLength(1);
      const phoneHandle = ((await phone.send('GET', '/me/sessions')).body as typeof listed).sessions.find((entry) => entry.current)!.handle;
      expect((await laptop.send('DELETE', `/me/sessions/${phoneHandle}`)).status).toBe(204);
      expect((await laptop.send('DELETE', `/me/sessions/${phoneHandle}`)).status).toBe(404);
      expect((await phone.send('GET', '/me/sessions')).status).toBe(401);
      expect((await laptop.send('POST', '/me/sessions/revoke-others')).status).toBe(204);
      expect((await tablet.send('GET', '/me/sessions')).status).toBe(401);
      expect(((await laptop.send('GET', '/me/sessions')).body as typeof listed).sessions).toHaveLength(1);
      expect((await laptop.send('POST', '/me/sessions/revoke-all')).status).toBe(204);
      expect((await laptop.send('GET', '/me/sessions')).status).toBe(401);
    });

    it('a cookie the app sets survives next to the session cookie', async () => {
      const browser = new Browser(await start());
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
