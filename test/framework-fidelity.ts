/**
 * The framework-fidelity suite: each glue must honour its framework's own semantics, not only
 * the session contract (test/framework-contract.ts). Its cases come from the peers' own test
 * suites (express-session's test/session.js, @fastify/session's and koa-session's tests) and
 * from RFC 6265bis. Each framework's fidelity test file builds an app whose routes do the same
 * thing in that framework's own idiom; the README's "Framework behaviour" section states the
 * rule each case holds. (No .test suffix: the runner does not collect this file itself.)
 *
 * Every route below is served under the prefixes '', '/app' and '/other':
 *
 *   GET  /count, /session        as in the framework contract
 *   GET  /own-cookie/replace     sets "seen", and the app cookie APP_SET_COOKIE the framework's
 *                                replacing way (writeHead headers, ctx.set, c.header, ...)
 *   GET  /own-cookie/helper      the same through the framework's cookie helper / appending way
 *   POST /login-own-cookie       login (id rotation) plus the app cookie, the replacing way
 *   GET  /stream                 sets "streamed", then sends "a", "b", "c" over a few ticks
 *   GET  /pipe                   sets "piped", then pipes a node Readable of "x", "y", "z"
 *   GET  /late                   starts a streamed response; 20 ms later calls fidelity.late()
 *                                and sends what it returned as the rest of the body
 *   HEAD /count                  through the framework's HEAD handling of GET routes
 *   GET  /not-modified           sets "conditional", answers 304
 *   GET  /redirect               sets "redirected", rotates the id, answers 302 to /session
 *   GET  /throw/400, /throw/500  sets "beforeError", then throws BadRequest / a plain Error
 *   GET  /reassign               sets "kept", then assigns null to the framework's session
 *                                property (or c.set('session', null)); answers
 *                                {"assigned": <error name> | "ignored"}
 *   GET  /bad/key, /bad/big, /bad/bigint   session data that cannot be stored
 *   errors                       errorReply() as in the framework contract
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionStoreError } from '../runtime/core/errors.js';
import { createSessionManager, type SessionManager } from '../runtime/core/manager.js';
import type { SessionOptions } from '../runtime/core/options.js';
import type { Session, SessionData } from '../runtime/core/session.js';
import type { SessionStore } from '../runtime/core/store.js';
import { memoryStore } from '../runtime/stores/memory.js';
import { BadRequest, Browser, routes, type RunningApp } from './framework-contract.js';

export interface FidelityOptions {
  /** Turn on the framework's trust-proxy setting (Express "trust proxy", Fastify trustProxy, ...). */
  trustProxy: boolean;
  /** Mount the session middleware twice in a row. */
  mountTwice: boolean;
}

export interface FidelityHarness {
  /** Builds the app around `manager` and listens on 127.0.0.1, port 0. */
  start(manager: SessionManager, options: FidelityOptions): Promise<RunningApp>;
  /** A second mount either defers to the first (`shared`) or makes start-up fail (`refused`). */
  secondMount: 'shared' | 'refused';
  /** Assigning the framework's session property throws (`throws`) or is ignored by the save (`ignored`). */
  reassign: 'throws' | 'ignored';
}

export const PREFIXES = ['', '/app', '/other'] as const;
export const APP_SET_COOKIE = 'app=1; Path=/';

/** What the routes do with the session, shared so every app does exactly the same. */
export const fidelity = {
  seen(session: Session<SessionData>): void {
    session.set('seen', true);
  },
  login(session: Session<SessionData>): void {
    routes.login(session, { user: 'ada' });
  },
  /** Called after the response has started: the change must fail loudly, never vanish. */
  late(session: Session<SessionData>): string {
    try {
      session.set('late', true);
      return 'no error';
    } catch (error) {
      return (error as Error).name;
    }
  },
  throw400(session: Session<SessionData>): never {
    session.set('beforeError', true);
    throw new BadRequest('rejected on purpose');
  },
  throw500(session: Session<SessionData>): never {
    session.set('beforeError', true);
    throw new Error('crashed on purpose');
  },
  badKey(session: Session<SessionData>): void {
    session.set('constructor', 1);
  },
  badBig(session: Session<SessionData>): void {
    session.set('big', 'x'.repeat(70_000));
  },
  badBigint(session: Session<SessionData>): void {
    session.set('nested', { n: 10n });
  },
};

/** "a", "b" and "c", a few milliseconds apart: a body that is still being written when the response starts. */
export async function* chunks(): AsyncGenerator<string> {
  yield 'a';
  await sleep(5);
  yield 'b';
  await sleep(5);
  yield 'c';
}

const quiet = () => ({ warn: vi.fn<(message: string) => void>(), error: vi.fn<(m: string, c?: unknown) => void>() });

/** A store that refuses every call the way a wrong password does. */
function refusingStore(): SessionStore {
  const refuse = () =>
    Promise.reject(new SessionStoreError('refusing', 'misconfigured', 'access denied for user "app"'));
  return { ...memoryStore(), name: 'refusing', get: refuse, write: refuse, touch: refuse, destroy: refuse };
}

export function testFidelity(name: string, harness: FidelityHarness): void {
  describe(`${name} glue: framework fidelity`, () => {
    const running: Array<{ app: RunningApp; manager: SessionManager }> = [];
    afterEach(async () => {
      for (const { app, manager } of running.splice(0)) {
        await app.close();
        await manager.close();
      }
    });

    async function start(
      options: Partial<SessionOptions> = {},
      app: Partial<FidelityOptions> = {},
    ): Promise<{ url: string; manager: SessionManager }> {
      const manager = createSessionManager({ store: memoryStore(), logger: quiet(), ...options });
      const started = await harness.start(manager, { trustProxy: false, mountTwice: false, ...app });
      running.push({ app: started, manager });
      return { url: started.url, manager };
    }

    async function data(browser: Browser): Promise<unknown> {
      return ((await browser.send('GET', '/session')).body as { data: unknown }).data;
    }

    describe("a handler's own cookies", () => {
      it.each(['/own-cookie/replace', '/own-cookie/helper'])('%s: both cookies reach the client', async (path) => {
        const browser = new Browser((await start()).url);
        const response = await browser.send('GET', path);
        expect(response.status).toBe(200);
        expect(response.sessionCookie).toBeDefined();
        expect(response.setCookies.filter((header) => header.startsWith('app=1'))).toHaveLength(1);
        expect(await data(browser)).toEqual({ seen: true });
      });

      it('a login that sets its own cookie the replacing way keeps the user logged in', async () => {
        const browser = new Browser((await start()).url);
        await browser.send('GET', '/count');
        const before = browser.id;
        const response = await browser.send('POST', '/login-own-cookie');
        expect(response.status).toBe(200);
        expect(response.setCookies.filter((header) => header.startsWith('app=1'))).toHaveLength(1);
        expect(browser.id).toBeDefined();
        expect(browser.id).not.toBe(before);
        expect(await data(browser)).toEqual({ count: 1, user: 'ada' });
        expect(await data(Browser.with(browser.url, before))).toEqual({});
      });
    });

    describe('responses that are not one JSON body', () => {
      it('a body written in several chunks over time: saved, cookie set, body intact', async () => {
        const browser = new Browser((await start()).url);
        const response = await browser.send('GET', '/stream');
        expect(response.status).toBe(200);
        expect(response.text).toBe('abc');
        expect(response.sessionCookie).toBeDefined();
        expect(await data(browser)).toEqual({ streamed: true });
      });

      it('a piped node stream: saved, cookie set, body intact', async () => {
        const browser = new Browser((await start()).url);
        const response = await browser.send('GET', '/pipe');
        expect(response.status).toBe(200);
        expect(response.text).toBe('xyz');
        expect(response.sessionCookie).toBeDefined();
        expect(await data(browser)).toEqual({ piped: true });
      });

      it('HEAD: the session is saved and the cookie sent, without a body', async () => {
        const browser = new Browser((await start()).url);
        const head = await browser.send('HEAD', '/count');
        expect(head.status).toBe(200);
        expect(head.text).toBe('');
        expect(head.sessionCookie).toBeDefined();
        expect((await browser.send('GET', '/count')).body).toEqual({ count: 2 });
      });

      it('304 Not Modified: the session is saved and the cookie sent (browsers take Set-Cookie from a 304)', async () => {
        const browser = new Browser((await start()).url);
        const response = await browser.send('GET', '/not-modified');
        expect(response.status).toBe(304);
        expect(response.sessionCookie).toBeDefined();
        expect(await data(browser)).toEqual({ conditional: true });
      });

      it('a redirect: the rotated id travels with the 302', async () => {
        const browser = new Browser((await start()).url);
        await browser.send('GET', '/count');
        const before = browser.id;
        const response = await browser.send('GET', '/redirect');
        expect(response.status).toBe(302);
        expect(response.headers.get('location')).toBe('/session');
        expect(response.sessionCookie).toBeDefined();
        expect(browser.id).not.toBe(before);
        expect(await data(browser)).toEqual({ count: 1, redirected: true });
      });
    });

    describe('changes after the response has started', () => {
      it('throw a SessionUsageError instead of being lost, and the response still completes', async () => {
        const browser = new Browser((await start()).url);
        await browser.send('GET', '/count');
        const response = await browser.send('GET', '/late');
        expect(response.status).toBe(200);
        expect(response.text).toBe('started:SessionUsageError');
        expect(await data(browser)).toEqual({ count: 1 });
        // The app is still serving.
        expect((await browser.send('GET', '/count')).body).toEqual({ count: 2 });
      });
    });

    describe('handler errors', () => {
      it.each([
        ['/throw/400', 400],
        ['/throw/500', 500],
      ])('%s: the error keeps its status, and the session is saved with the error response', async (path, status) => {
        const browser = new Browser((await start()).url);
        const response = await browser.send('GET', path);
        expect(response.status).toBe(status);
        expect(response.body).toEqual({ error: expect.any(String) });
        expect(response.sessionCookie).toBeDefined();
        expect(await data(browser)).toEqual({ beforeError: true });
      });
    });

    describe('bad session data gets a deliberate status, never a 500', () => {
      it.each([
        ['/bad/key', 400, /cannot be used as a session key/],
        ['/bad/big', 413, /over the "maxSize" limit/],
        ['/bad/bigint', 400, /cannot be stored as JSON/],
      ])('%s → %i with the reason, nothing stored', async (path, status, reason) => {
        const browser = new Browser((await start()).url);
        const response = await browser.send('GET', path);
        expect(response.status).toBe(status);
        expect((response.body as { error: string }).error).toMatch(reason);
        expect(response.sessionCookie).toBeUndefined();
      });
    });

    describe('store failures', () => {
      it('a store that refuses us (wrong password, unknown database) is a 500 and one log line naming the cause', async () => {
        const logger = quiet();
        const browser = new Browser((await start({ store: refusingStore(), logger })).url);
        for (let i = 0; i < 3; i++) {
          const response = await Browser.with(browser.url, 'a'.repeat(43)).send('GET', '/count');
          expect(response.status).toBe(500);
          expect(response.body).toEqual({ error: 'internal error' });
        }
        expect(logger.error).toHaveBeenCalledTimes(1);
        expect(logger.error.mock.calls[0]?.[0]).toMatch(
          /\[refusing\] store refuses the session layer \(misconfigured\)/,
        );
      });
    });

    describe('cookie.path is a scope', () => {
      it('outside it nothing is read or written and a change is refused; inside it all works', async () => {
        const { url } = await start({ cookie: { path: '/app' } });
        const browser = new Browser(url);
        const first = await browser.send('GET', '/app/count');
        expect(first.body).toEqual({ count: 1 });
        expect(first.sessionCookie).toMatch(/; Path=\/app(;|$)/);
        // (A browser would not even send the cookie here; ours does, to show it is not used.)
        const read = await browser.send('GET', '/other/session');
        expect(read.status).toBe(200);
        expect(read.body).toEqual({ data: {} });
        expect(read.setCookies).toEqual([]);
        const write = await browser.send('GET', '/other/count');
        expect(write.status).toBe(500);
        expect(write.setCookies).toEqual([]);
        expect((await browser.send('GET', '/app/count')).body).toEqual({ count: 2 });
      });
    });

    describe('trust proxy and Secure', () => {
      it('X-Forwarded-Proto: https makes the cookie Secure only when the app trusts its proxy', async () => {
        const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.7' };
        const trusted = (await start({}, { trustProxy: true })).url;
        expect((await new Browser(trusted).send('GET', '/count', undefined, forwarded)).sessionCookie).toMatch(
          /; Secure(;|$)/,
        );
        expect((await new Browser(trusted).send('GET', '/count')).sessionCookie).not.toMatch(/; Secure/);
        const untrusted = (await start()).url;
        expect((await new Browser(untrusted).send('GET', '/count', undefined, forwarded)).sessionCookie).not.toMatch(
          /; Secure/,
        );
      });
    });

    describe('the app and its session property', () => {
      it(`reassigning the session ${harness.reassign === 'throws' ? 'throws' : 'is ignored'}; the loaded session is saved`, async () => {
        const browser = new Browser((await start()).url);
        const response = await browser.send('GET', '/reassign');
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ assigned: harness.reassign === 'throws' ? 'TypeError' : 'ignored' });
        expect(await data(browser)).toEqual({ kept: true });
      });

      if (harness.secondMount === 'shared') {
        it('mounted twice, the first mount serves: one load, one save, one cookie', async () => {
          const browser = new Browser((await start({}, { mountTwice: true })).url);
          const first = await browser.send('GET', '/count');
          expect(first.body).toEqual({ count: 1 });
          expect(first.setCookies).toHaveLength(1);
          expect((await browser.send('GET', '/count')).body).toEqual({ count: 2 });
        });
      } else {
        it('mounted twice, the app refuses to start', async () => {
          const manager = createSessionManager({ store: memoryStore(), logger: quiet() });
          await expect(harness.start(manager, { trustProxy: false, mountTwice: true })).rejects.toThrow();
          await manager.close();
        });
      }
    });
  });
}
