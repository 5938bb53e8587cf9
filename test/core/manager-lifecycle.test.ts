/**
 * Load and commit through one session's life on the memory store: creation, reading back,
 * change detection, invalidate and refresh. Time-driven behaviour is in manager-expiry.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionDataError, SessionUsageError } from '../../runtime/core/errors.js';
import { isSessionId, storeKey } from '../../runtime/core/id.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import type { SessionOptions } from '../../runtime/core/options.js';
import {
  Browser,
  cookieAttributes,
  cookieValue,
  countRecords,
  maxAgeOf,
  quietLogger,
  request,
  spyStore,
} from './helpers.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(options: Partial<SessionOptions> = {}) {
  const spy = spyStore();
  const logger = quietLogger();
  const manager = createSessionManager({ store: spy.store, logger, ...options });
  return { spy, logger, manager, browser: new Browser(manager) };
}

describe('a new visitor', () => {
  it('without a cookie costs no store call, and an empty session is never stored', async () => {
    const { spy, manager } = setup();
    const session = await manager.load(request());
    expect(session.isNew).toBe(true);
    expect(await manager.commit(session)).toBeUndefined();
    expect(spy.calls).toEqual([]);
    expect(await countRecords(spy.inner)).toBe(0);
  });

  it('who sets a key gets a session cookie: HttpOnly, SameSite=Lax, Path=/, Max-Age of maxAge', async () => {
    const { spy, manager } = setup();
    const session = await manager.load(request());
    session.set('user', 'ada');
    const setCookie = await manager.commit(session);
    expect(setCookie).toBeDefined();
    expect(setCookie!.startsWith('session_id=')).toBe(true);
    expect(isSessionId(cookieValue(setCookie!))).toBe(true);
    const attributes = cookieAttributes(setCookie!);
    expect(attributes).toMatchObject({ path: '/', httponly: true, samesite: 'Lax', 'max-age': '900' });
    expect(attributes.expires).toBe(new Date(T0 + 900_000).toUTCString());
    expect(attributes.secure).toBeUndefined();
    expect(attributes.domain).toBeUndefined();
    expect(spy.count('write')).toBe(1);
    expect(await countRecords(spy.inner)).toBe(1);
  });

  it('stores the record under the SHA-256 of the id, with the request metadata', async () => {
    const { spy, browser } = setup();
    await browser.visit((session) => session.set('user', 'ada'), { ip: '198.51.100.1', userAgent: 'ua/2' });
    const id = browser.id!;
    for (const call of spy.calls) {
      expect(call.key).toMatch(/^[0-9a-f]{64}$/);
      expect(call.key).not.toContain(id);
    }
    expect(await spy.inner.get(storeKey(id))).toEqual({
      data: '{"user":"ada"}',
      version: 1,
      createdAt: T0,
      issuedAt: T0,
      expiresAt: T0 + 900_000,
      maxAge: 900_000,
      ip: '198.51.100.1',
      userAgent: 'ua/2',
    });
  });

  it('whose cookie is stale or foreign is not sent a cookie for an empty session', async () => {
    const { manager } = setup();
    const session = await manager.load(request({ cookieHeader: 'session_id=' + 'A'.repeat(43) }));
    expect(session.isNew).toBe(true);
    expect(await manager.commit(session)).toBeUndefined();
  });
});

describe('a returning visitor', () => {
  it('sees the data stored by the previous request', async () => {
    const { browser } = setup();
    await browser.visit((session) => session.set('user', 'ada').set('cart', [1, 2, 3]));
    const { session } = await browser.visit();
    expect(session.isNew).toBe(false);
    expect(session.get('user')).toBe('ada');
    expect(session.get('cart')).toEqual([1, 2, 3]);
  });

  it('with an unchanged session causes no write, no touch and no cookie', async () => {
    const { spy, browser } = setup();
    await browser.visit((session) => session.set('user', 'ada'));
    spy.reset();
    const { session, setCookie } = await browser.visit((s) => {
      s.get('user');
      s.set('user', 'ada'); // same value: not a change
    });
    expect(session.get('user')).toBe('ada');
    expect(setCookie).toBeUndefined();
    expect(spy.count('write')).toBe(0);
    expect(spy.count('touch')).toBe(0);
    expect(spy.count('get')).toBe(1);
  });

  it('with a changed key writes once and keeps the same id', async () => {
    const { spy, browser } = setup();
    await browser.visit((session) => session.set('count', 1));
    const id = browser.id;
    spy.reset();
    const { setCookie } = await browser.visit((session) => session.set('count', 2));
    expect(spy.count('write')).toBe(1);
    expect(cookieValue(setCookie!)).toBe(id);
    expect(maxAgeOf(setCookie!)).toBe(900);
    expect((await browser.visit()).session.get('count')).toBe(2);
  });

  it('has nested in-place mutations detected and saved', async () => {
    const { spy, browser } = setup();
    await browser.visit((session) => session.set('obj', { list: [1] }));
    spy.reset();
    await browser.visit((session) => (session.get('obj') as { list: number[] }).list.push(2));
    expect(spy.count('write')).toBe(1);
    expect((await browser.visit()).session.get('obj')).toEqual({ list: [1, 2] });
  });

  it('has deleted keys and clear() saved', async () => {
    const { browser } = setup();
    await browser.visit((session) => session.set('a', 1).set('b', 2).set('c', 3));
    await browser.visit((session) => session.delete('a'));
    expect((await browser.visit()).session.keys()).toEqual(['b', 'c']);
    await browser.visit((session) => session.clear());
    const { session } = await browser.visit();
    expect(session.isNew).toBe(false);
    expect(session.keys()).toEqual([]);
  });

  it('finds the session when the cookie is quoted or among other cookies', async () => {
    const { browser, manager } = setup();
    await browser.visit((session) => session.set('user', 'ada'));
    const id = browser.id!;
    for (const header of [`session_id="${id}"`, `a=1; session_id=${id}; b=2`, ` session_id = ${id} `]) {
      expect((await manager.load(request({ cookieHeader: header }))).get('user')).toBe('ada');
    }
  });

  it('is found under a later duplicate cookie when the first is unknown', async () => {
    const { browser, manager } = setup();
    await browser.visit((session) => session.set('user', 'ada'));
    const header = `session_id=${'B'.repeat(43)}; session_id=garbage; ${browser.cookie}`;
    expect((await manager.load(request({ cookieHeader: header }))).get('user')).toBe('ada');
  });

  it('looks at most three candidate cookies up in the store', async () => {
    const { browser, manager, spy } = setup();
    await browser.visit((session) => session.set('user', 'ada'));
    spy.reset();
    const unknown = ['B', 'C', 'D', 'E'].map((c) => `session_id=${c.repeat(43)}`).join('; ');
    const session = await manager.load(request({ cookieHeader: `${unknown}; ${browser.cookie}` }));
    expect(session.isNew).toBe(true);
    expect(spy.count('get')).toBe(3);
  });
});

describe('commit', () => {
  it('runs once: a second commit is a no-op, and a change after the first one throws instead of being lost', async () => {
    const { spy, manager } = setup();
    const session = await manager.load(request());
    session.set('a', 1);
    expect(await manager.commit(session)).toBeDefined();
    for (const change of [
      () => session.set('b', 2),
      () => session.delete('a'),
      () => session.clear(),
      () => session.invalidate(),
      () => session.refresh(),
    ]) {
      expect(change).toThrow(SessionUsageError);
      expect(change).toThrow(/changed after its response started/);
    }
    expect(session.toJSON()).toEqual({ a: 1 });
    spy.reset();
    expect(await manager.commit(session)).toBeUndefined();
    expect(spy.calls).toEqual([]);
  });

  it('is sealed from the moment it starts, not only once it has finished', async () => {
    const { manager } = setup();
    const session = await manager.load(request());
    session.set('a', 1);
    const pending = manager.commit(session);
    expect(() => session.set('late', true)).toThrow(SessionUsageError);
    await pending;
  });

  it('sets Secure over HTTPS with secure "auto", never over HTTP', async () => {
    const { manager } = setup();
    const overHttps = await manager.load(request({ https: true }));
    overHttps.set('a', 1);
    expect(cookieAttributes((await manager.commit(overHttps))!).secure).toBe(true);
    const overHttp = await manager.load(request({ https: false }));
    overHttp.set('a', 1);
    expect(cookieAttributes((await manager.commit(overHttp))!).secure).toBeUndefined();
  });

  it('follows secure true and false whatever the request', async () => {
    const always = setup({ cookie: { secure: true } }).manager;
    const plain = await always.load(request({ https: false }));
    plain.set('a', 1);
    expect(cookieAttributes((await always.commit(plain))!).secure).toBe(true);
    const never = setup({ cookie: { secure: false } }).manager;
    const tls = await never.load(request({ https: true }));
    tls.set('a', 1);
    expect(cookieAttributes((await never.commit(tls))!).secure).toBeUndefined();
  });

  it('uses the configured cookie name, path, domain and SameSite, and reads that name back', async () => {
    const { browser } = setup({
      cookie: { name: 'sid', path: '/app', domain: 'example.com', sameSite: 'strict' },
    });
    const { setCookie } = await browser.visit((session) => session.set('a', 1));
    expect(setCookie!.startsWith('sid=')).toBe(true);
    expect(cookieAttributes(setCookie!)).toMatchObject({ path: '/app', domain: 'example.com', samesite: 'Strict' });
    expect((await browser.visit()).session.get('a')).toBe(1);
  });

  it('fails on data JSON cannot carry, without storing anything', async () => {
    const { manager, spy } = setup();
    const session = await manager.load(request());
    // set() checks the value it is given; a BigInt or a cycle deeper down is found at commit.
    expect(() => session.set('big', 10n)).toThrow(SessionDataError);
    session.set('nested', { big: 10n });
    const error = await manager.commit(session).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionDataError);
    expect(error).toMatchObject({ code: 'invalid-value', status: 400, expose: true });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const other = await manager.load(request());
    other.set('cyclic', cyclic);
    await expect(manager.commit(other)).rejects.toMatchObject({ code: 'invalid-value', status: 400 });
    expect(spy.count('write')).toBe(0);
  });
});

describe('invalidate', () => {
  it('destroys the record, clears the cookie and kills the id', async () => {
    const { browser, manager, spy } = setup();
    await browser.visit((session) => session.set('user', 'ada'));
    const oldCookie = browser.cookie!;
    const id = browser.id!;
    const { setCookie } = await browser.visit((session) => {
      session.invalidate();
      session.set('ignored', true);
    });
    expect(setCookie).toBe(
      'session_id=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    );
    expect(browser.cookie).toBeUndefined();
    expect(await spy.inner.get(storeKey(id))).toBeUndefined();
    const replayed = await manager.load(request({ cookieHeader: oldCookie }));
    expect(replayed.isNew).toBe(true);
    expect(replayed.get('user')).toBeUndefined();
  });

  it('clears the cookie with Secure over HTTPS', async () => {
    const { browser } = setup();
    await browser.visit((session) => session.set('user', 'ada'), { https: true });
    const { setCookie } = await browser.visit((session) => session.invalidate(), { https: true });
    expect(cookieAttributes(setCookie!)).toMatchObject({ 'max-age': '0', secure: true });
  });

  it('on a new visitor only clears a cookie the browser actually sent', async () => {
    const { manager, spy } = setup();
    const bare = await manager.load(request());
    bare.invalidate();
    expect(await manager.commit(bare)).toBeUndefined();
    const stale = await manager.load(request({ cookieHeader: 'session_id=stale' }));
    stale.invalidate();
    expect(maxAgeOf((await manager.commit(stale))!)).toBe(0);
    expect(spy.count('destroy')).toBe(0);
  });
});

describe('refresh', () => {
  it('with rotate issues a new id with the same data and kills the old id', async () => {
    const { browser, manager, spy } = setup();
    await browser.visit((session) => session.set('user', 'ada'));
    const oldCookie = browser.cookie!;
    const oldId = browser.id!;
    vi.setSystemTime(T0 + 5_000);
    const { setCookie } = await browser.visit((session) => session.refresh({ rotate: true }));
    const newId = cookieValue(setCookie!);
    expect(isSessionId(newId)).toBe(true);
    expect(newId).not.toBe(oldId);
    expect(maxAgeOf(setCookie!)).toBe(900);
    expect((await browser.visit()).session.get('user')).toBe('ada');
    expect(await spy.inner.get(storeKey(oldId))).toBeUndefined();
    expect((await manager.load(request({ cookieHeader: oldCookie }))).isNew).toBe(true);
    // Rotation is a new id for the same session: the absolute lifetime still counts from creation.
    expect((await spy.inner.get(storeKey(newId)))?.createdAt).toBe(T0);
    expect((await spy.inner.get(storeKey(newId)))?.issuedAt).toBe(T0 + 5_000);
  });

  it('with rotate keeps changes made in the same request', async () => {
    const { browser } = setup();
    await browser.visit((session) => session.set('role', 'guest'));
    await browser.visit((session) => {
      session.set('role', 'admin');
      session.refresh({ rotate: true });
    });
    expect((await browser.visit()).session.get('role')).toBe('admin');
  });

  it('with maxAge gives the cookie that Max-Age, and the record keeps it on later requests', async () => {
    const { browser, spy } = setup({ regenerateEvery: false });
    await browser.visit((session) => session.set('user', 'ada'));
    const { setCookie } = await browser.visit((session) => session.refresh({ maxAge: '1h' }));
    expect(maxAgeOf(setCookie!)).toBe(3_600);
    expect((await spy.inner.get(storeKey(browser.id!)))?.maxAge).toBe(3_600_000);
    // Later writes keep the per-session lifetime ...
    vi.setSystemTime(T0 + 60_000);
    const changed = await browser.visit((session) => session.set('n', 1));
    expect(maxAgeOf(changed.setCookie!)).toBe(3_600);
    // ... and so does a touch, long after the default 15 minutes would have expired it.
    vi.setSystemTime(T0 + 60_000 + 40 * 60_000);
    const touched = await browser.visit();
    expect(touched.session.get('user')).toBe('ada');
    expect(maxAgeOf(touched.setCookie!)).toBe(3_600);
    expect((await spy.inner.get(storeKey(browser.id!)))?.maxAge).toBe(3_600_000);
  });

  it('with maxAge survives a periodic id regeneration', async () => {
    const { browser, spy } = setup();
    await browser.visit((session) => session.set('user', 'ada'));
    await browser.visit((session) => session.refresh({ maxAge: '1h' }));
    const before = browser.id;
    vi.setSystemTime(T0 + 40 * 60_000);
    const { session, setCookie } = await browser.visit();
    expect(session.get('user')).toBe('ada');
    expect(browser.id).not.toBe(before);
    expect(maxAgeOf(setCookie!)).toBe(3_600);
    expect((await spy.inner.get(storeKey(browser.id!)))?.maxAge).toBe(3_600_000);
  });

  it('without options forces a write of an unchanged session and renews it', async () => {
    const { browser, spy } = setup();
    await browser.visit((session) => session.set('user', 'ada'));
    spy.reset();
    vi.setSystemTime(T0 + 1_000);
    const { setCookie } = await browser.visit((session) => session.refresh());
    expect(spy.count('write')).toBe(1);
    expect(maxAgeOf(setCookie!)).toBe(900);
    expect((await spy.inner.get(storeKey(browser.id!)))?.expiresAt).toBe(T0 + 1_000 + 900_000);
  });

  it('on a new visitor with data applies maxAge to the first cookie', async () => {
    const { manager } = setup();
    const session = await manager.load(request());
    session.set('a', 1);
    session.refresh({ maxAge: '2h', rotate: true });
    expect(maxAgeOf((await manager.commit(session))!)).toBe(7_200);
  });
});
