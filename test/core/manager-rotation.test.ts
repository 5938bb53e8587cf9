/**
 * Id rotation under concurrency: the grace window of periodic regeneration (old id forwards to
 * the new one for a while, never learns it, then dies), parallel regenerations (one winner, no
 * fork, nothing lost), and security rotations (old id dead at once).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { storeKey } from '../../runtime/core/id.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import type { SessionOptions } from '../../runtime/core/options.js';
import type { SessionStore } from '../../runtime/core/store.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { Browser, cookiePair, cookieValue, quietLogger, request } from './helpers.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const at = (ms: number) => vi.setSystemTime(T0 + ms);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  at(0);
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(options: Partial<SessionOptions> = {}, store: SessionStore = memoryStore()) {
  const manager = createSessionManager({ store, logger: quietLogger(), regenerateEvery: '4m', ...options });
  return { manager, store, browser: new Browser(manager) };
}

describe('periodic regeneration with a grace window', () => {
  it('lets a request in flight with the old id read and write the session, without handing it the new id', async () => {
    const { manager, browser } = setup();
    await browser.visit((session) => session.set('user', 'ada'));
    const oldCookie = browser.cookie!;
    at(240_000);
    // A parallel fetch loaded the session with the old id just before the rotation...
    const inFlight = await manager.load(request({ cookieHeader: oldCookie }));
    const { setCookie } = await browser.visit();
    expect(cookieValue(setCookie!)).not.toBe(oldCookie.split('=')[1]);
    // ...and commits after it: its change lands on the session, and it gets no cookie at all.
    inFlight.set('cart', [1]);
    expect(await manager.commit(inFlight)).toBeUndefined();
    // A request that starts with the old id during the window also reaches the session.
    at(245_000);
    const late = await manager.load(request({ cookieHeader: oldCookie }));
    expect(late.toJSON()).toEqual({ user: 'ada', cart: [1] });
    late.set('seen', true);
    expect(await manager.commit(late)).toBeUndefined();
    expect((await browser.visit()).session.toJSON()).toEqual({ user: 'ada', cart: [1], seen: true });
    // After the window (10 s by default) the old id is dead.
    at(250_001);
    expect((await manager.load(request({ cookieHeader: oldCookie }))).isNew).toBe(true);
  });

  it('two requests due at the same moment rotate once: one new id, no fork, both changes kept', async () => {
    const { manager, browser } = setup();
    await browser.visit((session) => session.set('n', 0));
    at(240_000);
    const first = await manager.load(browser.request());
    const second = await manager.load(browser.request());
    first.set('a', 1);
    second.set('b', 2);
    const cookies = [await manager.commit(first), await manager.commit(second)];
    const issued = cookies.filter((cookie) => cookie !== undefined);
    expect(issued).toHaveLength(1);
    browser.receive(issued[0]);
    expect((await browser.visit()).session.toJSON()).toEqual({ n: 0, a: 1, b: 2 });
  });

  it('carries over a write that lands on the old id while the rotation is under way', async () => {
    const inner = memoryStore();
    // Another process (no regeneration of its own) writes the old id exactly between the
    // rotation's read and its forwarding write.
    const other = createSessionManager({ store: inner, logger: quietLogger(), regenerateEvery: false });
    let interleave: (() => Promise<void>) | undefined;
    const store: SessionStore = {
      ...inner,
      async write(key, record, expected) {
        if (interleave && record.data.startsWith('"moved:')) {
          const run = interleave;
          interleave = undefined;
          await run();
        }
        return inner.write(key, record, expected);
      },
    };
    const { manager, browser } = setup({}, store);
    await browser.visit((session) => session.set('user', 'ada'));
    const oldCookie = browser.cookie!;
    const racer = await other.load(request({ cookieHeader: oldCookie }));
    racer.set('racer', 'was here');
    interleave = async () => {
      await other.commit(racer);
    };
    at(240_000);
    await browser.visit((session) => session.set('rotated', true));
    expect(browser.cookie).not.toBe(oldCookie);
    expect((await browser.visit()).session.toJSON()).toEqual({ user: 'ada', racer: 'was here', rotated: true });
    expect(await inner.get(storeKey(browser.id!))).toBeDefined();
  });

  it('rotateGrace 0 kills the old id at once', async () => {
    const { manager, browser } = setup({ rotateGrace: 0 });
    await browser.visit((session) => session.set('user', 'ada'));
    const oldCookie = browser.cookie!;
    at(240_000);
    await browser.visit();
    expect((await manager.load(request({ cookieHeader: oldCookie }))).isNew).toBe(true);
  });
});

describe('security rotations ignore the grace window', () => {
  it('refresh({ rotate: true }) kills the old id at once, and a slow request with it cannot revive it', async () => {
    const { manager, browser, store } = setup();
    await browser.visit((session) => session.set('user', 'ada'));
    const oldCookie = browser.cookie!;
    const slow = await manager.load(request({ cookieHeader: oldCookie }));
    await browser.visit((session) => session.refresh({ rotate: true }));
    expect((await manager.load(request({ cookieHeader: oldCookie }))).isNew).toBe(true);
    slow.set('late', true);
    expect(await manager.commit(slow)).toBeUndefined();
    expect(await store.get(storeKey(oldCookie.split('=')[1]!))).toBeUndefined();
    expect((await browser.visit()).session.toJSON()).toEqual({ user: 'ada' });
  });

  it('logout during the grace window ends the session for the old id and the new id alike', async () => {
    const { manager, browser } = setup();
    await browser.visit((session) => session.set('user', 'ada'));
    const oldCookie = browser.cookie!;
    at(240_000);
    await browser.visit();
    const newCookie = browser.cookie!;
    const old = await manager.load(request({ cookieHeader: oldCookie }));
    old.invalidate();
    await manager.commit(old);
    expect((await manager.load(request({ cookieHeader: oldCookie }))).isNew).toBe(true);
    expect((await manager.load(request({ cookieHeader: newCookie }))).isNew).toBe(true);
  });
});

describe('store failures', () => {
  const hanging: SessionStore = {
    name: 'hanging',
    get: () => new Promise(() => {}),
    write: () => new Promise(() => {}),
    touch: () => new Promise(() => {}),
    destroy: () => new Promise(() => {}),
    deleteExpired: async () => undefined,
    close: async () => {},
  };

  it('a store call that hangs fails as a timeout after storeTimeout', async () => {
    vi.useRealTimers();
    const manager = createSessionManager({ store: hanging, logger: quietLogger(), storeTimeout: '100ms' });
    const started = Date.now();
    await expect(manager.load(request({ cookieHeader: `session_id=${'a'.repeat(43)}` }))).rejects.toMatchObject({
      name: 'SessionStoreError',
      code: 'timeout',
      status: 503,
    });
    // Deadlines are checked every quarter of the timeout: never early, at most a quarter late.
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('onStoreError "continue" serves an anonymous, unsaved session and logs the outage once', async () => {
    vi.useRealTimers();
    const logger = quietLogger();
    const manager = createSessionManager({ store: hanging, logger, storeTimeout: '50ms', onStoreError: 'continue' });
    const session = await manager.load(request({ cookieHeader: `session_id=${'a'.repeat(43)}` }));
    expect(session.isNew).toBe(true);
    session.set('x', 1);
    expect(await manager.commit(session)).toBeUndefined();
    const again = await manager.load(request({ cookieHeader: `session_id=${'a'.repeat(43)}` }));
    expect(again.isNew).toBe(true);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringMatching(/store is failing \(timeout\).*took longer than 50 ms/),
      undefined,
    );
  });
});

describe('cookie hardening', () => {
  it('hostPrefix makes the cookie Secure even with secure "auto" over plain HTTP', async () => {
    const { manager } = setup({ cookie: { hostPrefix: true } });
    const session = await manager.load(request({ https: false }));
    session.set('a', 1);
    const cookie = await manager.commit(session);
    expect(cookie).toMatch(/^__Host-session_id=/);
    expect(cookie).toMatch(/; Secure(;|$)/);
  });

  it('hostPrefix names the cookie __Host-… and refuses a domain or another path', () => {
    const { manager } = setup({ cookie: { hostPrefix: true, secure: true } });
    expect(manager.options.cookie.name).toBe('__Host-session_id');
    expect(() => setup({ cookie: { hostPrefix: true, domain: 'example.com' } })).toThrow(/option "cookie.hostPrefix"/);
    expect(() => setup({ cookie: { hostPrefix: true, path: '/app' } })).toThrow(/option "cookie.hostPrefix"/);
  });

  it('warns once when a Secure cookie is sent over plain HTTP (missing trust proxy)', async () => {
    const logger = quietLogger();
    const manager = createSessionManager({ store: memoryStore(), logger, cookie: { secure: true } });
    for (let i = 0; i < 3; i++) {
      const session = await manager.load(request({ https: false }));
      session.set('i', i);
      expect(cookiePair((await manager.commit(session))!)).toMatch(/^session_id=/);
    }
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]![0]).toMatch(/trust proxy/);
  });
});
