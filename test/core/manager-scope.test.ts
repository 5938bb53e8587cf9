/**
 * When a session cannot be saved the normal way: on a request outside cookie.path, and when the
 * response's headers are already out (commit with `cookie: false`). Either way a change is never
 * dropped without a word.
 */
import { describe, expect, it } from 'vitest';
import { SessionUsageError } from '../../runtime/core/errors.js';
import { inCookiePath } from '../../runtime/core/cookie.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import type { SessionOptions } from '../../runtime/core/options.js';
import type { SessionStore } from '../../runtime/core/store.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { Browser, maxAgeOf, quietLogger, request, spyStore } from './helpers.js';

function setup(options: Partial<SessionOptions> = {}) {
  const spy = spyStore();
  const manager = createSessionManager({ store: spy.store, logger: quietLogger(), ...options });
  return { spy, manager, browser: new Browser(manager) };
}

describe('inCookiePath (RFC 6265 path-match)', () => {
  it.each([
    ['/app', '/app', true],
    ['/app', '/app/', true],
    ['/app', '/app/x/y', true],
    ['/app', '/app?x=1', true],
    ['/app', '/app/?x=1', true],
    ['/app', '/application', false],
    ['/app', '/ap', false],
    ['/app', '/', false],
    ['/app', '/other/app', false],
    ['/app', '/APP', false],
    ['/app/', '/app/x', true],
    ['/app/', '/app', false],
    ['/', '/anything', true],
    ['/app', undefined, true],
  ])('cookie path %j, request %j → %j', (cookiePath, url, expected) => {
    expect(inCookiePath(url, cookiePath)).toBe(expected);
  });
});

describe('a request outside cookie.path', () => {
  it('reads nothing, sets no cookie, and refuses changes with an error naming cookie.path', async () => {
    const { spy, manager, browser } = setup({ cookie: { path: '/app' } });
    await browser.visit((session) => session.set('user', 'ada'), { path: '/app/login' });
    expect(browser.cookie).toBeDefined();
    spy.reset();

    const outside = await manager.load(browser.request({ path: '/other' }));
    expect(outside.isNew).toBe(true);
    expect(outside.get('user')).toBeUndefined();
    expect(spy.calls).toEqual([]);
    expect(() => outside.set('x', 1)).toThrow(SessionUsageError);
    expect(() => outside.set('x', 1)).toThrow(/outside cookie.path/);
    expect(() => outside.invalidate()).toThrow(SessionUsageError);
    expect(await manager.commit(outside)).toBeUndefined();
    expect(spy.calls).toEqual([]);

    // Inside the path the same cookie still finds the session.
    const inside = await manager.load(browser.request({ path: '/app?tab=1' }));
    expect(inside.get('user')).toBe('ada');
  });
});

describe('commit with cookie: false (the headers are already out)', () => {
  it('still saves a change to an existing session, and sends no cookie', async () => {
    const { manager, browser } = setup();
    await browser.visit((session) => session.set('n', 1));
    const session = await manager.load(browser.request());
    session.set('n', 2);
    expect(await manager.commit(session, { cookie: false })).toBeUndefined();
    expect((await browser.visit()).session.get('n')).toBe(2);
  });

  it('refuses a new session that would need a cookie, storing nothing', async () => {
    const { spy, manager } = setup();
    const session = await manager.load(request());
    session.set('n', 1);
    await expect(manager.commit(session, { cookie: false })).rejects.toThrow(SessionUsageError);
    expect(spy.count('write')).toBe(0);
    // An empty new session needs nothing, so it is no error.
    await expect(manager.commit(await manager.load(request()), { cookie: false })).resolves.toBeUndefined();
  });

  it('refuses a rotation for security, leaving the old id working', async () => {
    const { spy, manager, browser } = setup();
    await browser.visit((session) => session.set('user', 'ada'));
    const session = await manager.load(browser.request());
    session.refresh({ rotate: true });
    spy.reset();
    await expect(manager.commit(session, { cookie: false })).rejects.toThrow(/rotated after its response began/);
    expect(spy.count('write') + spy.count('destroy')).toBe(0);
    expect((await browser.visit()).session.get('user')).toBe('ada');
  });

  it('postpones a periodic regeneration to a later request, saving the change under the current id', async () => {
    const { manager, browser } = setup({ regenerateEvery: '1ms', rotateGrace: false });
    await browser.visit((session) => session.set('n', 1));
    const before = browser.id;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const session = await manager.load(browser.request());
    session.set('n', 2);
    expect(await manager.commit(session, { cookie: false })).toBeUndefined();
    // The old id still reaches the data; the next normal request regenerates it.
    const next = await browser.visit();
    expect(next.session.get('n')).toBe(2);
    expect(next.setCookie).toBeDefined();
    expect(browser.id).not.toBe(before);
  });

  it('logs out even without a cookie to clear', async () => {
    const { manager, browser } = setup();
    await browser.visit((session) => session.set('user', 'ada'));
    const cookie = browser.cookie;
    const session = await manager.load(browser.request());
    session.invalidate();
    expect(await manager.commit(session, { cookie: false })).toBeUndefined();
    expect((await manager.load(request({ cookieHeader: cookie }))).isNew).toBe(true);
  });
});

describe('the cookie never outlives its record', () => {
  it('sends Max-Age no larger than the time the record has left, on every kind of commit', async () => {
    const { manager, browser } = setup({ maxAge: 900 });
    for (let i = 0; i < 200; i++) {
      const fresh = new Browser(manager);
      const { setCookie } = await fresh.visit((session) => session.set('i', i));
      expect(maxAgeOf(setCookie!)).toBeLessThanOrEqual(900);
    }
    const first = await browser.visit((session) => session.set('a', 1));
    expect(maxAgeOf(first.setCookie!)).toBe(900);
    const rotated = await browser.visit((session) => session.refresh({ rotate: true }));
    expect(maxAgeOf(rotated.setCookie!)).toBeLessThanOrEqual(900);
  });

  it('keeps Max-Age at the full lifetime when the store is slow: expiry and cookie share one clock reading', async () => {
    const inner = memoryStore();
    const slow: SessionStore = {
      ...inner,
      write: async (key, record, version) => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        return inner.write(key, record, version);
      },
    };
    const manager = createSessionManager({ store: slow, logger: quietLogger() });
    const browser = new Browser(manager);
    expect(maxAgeOf((await browser.visit((session) => session.set('a', 1))).setCookie!)).toBe(900);
    const refreshed = await browser.visit((session) => session.refresh({ maxAge: 3600 }));
    expect(maxAgeOf(refreshed.setCookie!)).toBe(3600);
    const written = await browser.visit((session) => session.set('b', 2));
    expect(maxAgeOf(written.setCookie!)).toBe(3600);
  });
});
