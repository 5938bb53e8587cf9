/**
 * Time-driven behaviour: rolling expiry with throttled touches, idle and absolute timeouts, and
 * periodic id regeneration. The manager and the memory store read the clock through Date.now(),
 * so only Date is faked.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { storeKey } from '../../runtime/core/id.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import type { SessionOptions } from '../../runtime/core/options.js';
import { Browser, cookieAttributes, cookieValue, maxAgeOf, quietLogger, request, spyStore } from './helpers.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const at = (ms: number) => vi.setSystemTime(T0 + ms);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  at(0);
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(options: Partial<SessionOptions> = {}) {
  const spy = spyStore();
  const manager = createSessionManager({ store: spy.store, logger: quietLogger(), ...options });
  return { spy, manager, browser: new Browser(manager) };
}

describe('rolling expiry of an unchanged session', () => {
  it('makes no store call beyond the read within the first 10% of maxAge', async () => {
    const { browser, spy } = setup();
    await browser.visit((session) => session.set('user', 'ada'));
    for (const ms of [1, 30_000, 89_999]) {
      at(ms);
      spy.reset();
      const { setCookie } = await browser.visit();
      expect(setCookie).toBeUndefined();
      expect(spy.calls.map((call) => call.operation)).toEqual(['get']);
    }
  });

  it('after 10% of maxAge does one touch and sends a refreshed cookie', async () => {
    const { browser, spy } = setup();
    await browser.visit((session) => session.set('user', 'ada'));
    const id = browser.id;
    at(90_000);
    spy.reset();
    const { setCookie } = await browser.visit();
    expect(spy.calls.map((call) => call.operation)).toEqual(['get', 'touch']);
    expect(cookieValue(setCookie!)).toBe(id);
    expect(maxAgeOf(setCookie!)).toBe(900);
    expect(cookieAttributes(setCookie!).expires).toBe(new Date(T0 + 90_000 + 900_000).toUTCString());
    const record = await spy.inner.get(storeKey(id!));
    expect(record?.expiresAt).toBe(T0 + 90_000 + 900_000);
    expect(record?.version).toBe(1);
    // The touch restarted the 10% window.
    at(170_000);
    spy.reset();
    expect((await browser.visit()).setCookie).toBeUndefined();
    expect(spy.count('touch')).toBe(0);
    at(180_000);
    spy.reset();
    expect((await browser.visit()).setCookie).toBeDefined();
    expect(spy.count('touch')).toBe(1);
  });

  it('keeps a short-lived session (maxAge 2 s) alive while it is used every 0.5 s', async () => {
    const { browser, spy } = setup({ maxAge: 2 });
    await browser.visit((session) => session.set('user', 'ada'));
    const id = browser.id;
    for (let ms = 500; ms <= 5_000; ms += 500) {
      at(ms);
      const { session, setCookie } = await browser.visit();
      expect(session.isNew).toBe(false);
      expect(session.get('user')).toBe('ada');
      expect(maxAgeOf(setCookie!)).toBe(2);
    }
    expect(browser.id).toBe(id);
    expect(spy.count('touch')).toBe(10);
    at(5_000 + 2_000);
    const { session } = await browser.visit();
    expect(session.isNew).toBe(true);
  });

  it('lets a session that is no longer used expire after maxAge of idleness', async () => {
    const { browser, manager } = setup({ regenerateEvery: false });
    await browser.visit((session) => session.set('user', 'ada'));
    const cookie = browser.cookie;
    at(899_999);
    expect((await manager.load(request({ cookieHeader: cookie }))).get('user')).toBe('ada');
    at(900_000);
    const expired = await manager.load(request({ cookieHeader: cookie }));
    expect(expired.isNew).toBe(true);
    expect(expired.keys()).toEqual([]);
    expect(await manager.commit(expired)).toBeUndefined();
  });

  it('measures idleness from the last write', async () => {
    const { browser } = setup({ regenerateEvery: false });
    await browser.visit((session) => session.set('n', 1));
    at(800_000);
    await browser.visit((session) => session.set('n', 2));
    at(1_600_000);
    expect((await browser.visit()).session.get('n')).toBe(2);
  });
});

describe('absoluteTimeout', () => {
  it('ends a session at the cap however active it is, and cookies never outlive the cap', async () => {
    const { browser, spy } = setup({ absoluteTimeout: '30m', regenerateEvery: false });
    await browser.visit((session) => session.set('n', 0));
    const id = browser.id!;
    const expected: Record<number, number> = { 5: 900, 10: 900, 15: 900, 20: 600, 25: 300 };
    for (const minutes of [5, 10, 15, 20, 25]) {
      at(minutes * 60_000);
      const { session, setCookie } = await browser.visit((s) => s.set('n', minutes));
      expect(session.isNew).toBe(false);
      expect(maxAgeOf(setCookie!)).toBe(expected[minutes]);
      expect((await spy.inner.get(storeKey(id)))!.expiresAt).toBeLessThanOrEqual(T0 + 30 * 60_000);
    }
    at(29 * 60_000 + 59_999);
    expect((await browser.visit()).session.get('n')).toBe(25);
    at(30 * 60_000);
    expect((await browser.visit()).session.isNew).toBe(true);
  });

  it('counts from creation, not from the latest id regeneration', async () => {
    const { browser } = setup({ absoluteTimeout: '10m', regenerateEvery: '4m' });
    await browser.visit((session) => session.set('user', 'ada'));
    const ids = new Set([browser.id]);
    for (const minutes of [3, 6, 9]) {
      at(minutes * 60_000);
      const { session } = await browser.visit((s) => s.set('m', minutes));
      expect(session.get('user')).toBe('ada');
      ids.add(browser.id);
    }
    expect(ids.size).toBeGreaterThan(1);
    at(10 * 60_000);
    expect((await browser.visit()).session.isNew).toBe(true);
  });

  it('is honoured when a record outlives it in the store', async () => {
    const { browser, manager, spy } = setup({ absoluteTimeout: '10m', regenerateEvery: false });
    await browser.visit((session) => session.set('user', 'ada'));
    const key = storeKey(browser.id!);
    const record = (await spy.inner.get(key))!;
    await spy.inner.write(key, { ...record, version: 2, expiresAt: T0 + 3_600_000 }, 1);
    at(10 * 60_000);
    expect((await manager.load(request({ cookieHeader: browser.cookie }))).isNew).toBe(true);
  });
});

describe('periodic id regeneration', () => {
  it('replaces the id after regenerateEvery (default 4 min), keeping data and, without a grace window, killing the old id', async () => {
    const { browser, manager, spy } = setup({ rotateGrace: false });
    await browser.visit((session) => session.set('user', 'ada'));
    const firstCookie = browser.cookie!;
    const firstId = browser.id!;
    at(239_999);
    await browser.visit();
    expect(browser.id).toBe(firstId);
    at(240_000);
    const { session, setCookie } = await browser.visit();
    expect(session.get('user')).toBe('ada');
    const secondId = cookieValue(setCookie!);
    expect(secondId).not.toBe(firstId);
    expect(maxAgeOf(setCookie!)).toBe(900);
    expect(cookieAttributes(setCookie!)).toMatchObject({ httponly: true, samesite: 'Lax', path: '/' });
    expect((await browser.visit()).session.get('user')).toBe('ada');
    expect(await spy.inner.get(storeKey(firstId))).toBeUndefined();
    expect((await manager.load(request({ cookieHeader: firstCookie }))).isNew).toBe(true);
    const record = await spy.inner.get(storeKey(secondId));
    expect(record).toMatchObject({ createdAt: T0, issuedAt: T0 + 240_000, data: '{"user":"ada"}' });
  });

  it('counts the next regeneration from the new id', async () => {
    const { browser } = setup({ regenerateEvery: '1m' });
    await browser.visit((session) => session.set('user', 'ada'));
    const ids = [browser.id];
    for (const ms of [30_000, 60_000, 90_000, 119_999, 120_000]) {
      at(ms);
      await browser.visit();
      ids.push(browser.id);
    }
    // New ids at 60 s and 120 s only.
    expect(new Set(ids).size).toBe(3);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[1]);
    expect(ids[4]).toBe(ids[2]);
    expect(ids[5]).not.toBe(ids[4]);
  });

  it('carries changes made in the regenerating request', async () => {
    const { browser } = setup();
    await browser.visit((session) => session.set('n', 1));
    at(300_000);
    const before = browser.id;
    await browser.visit((session) => session.set('n', 2));
    expect(browser.id).not.toBe(before);
    expect((await browser.visit()).session.get('n')).toBe(2);
  });

  it.each<[string, false | 0]>([
    ['false', false],
    ['0', 0],
  ])('never happens with regenerateEvery %s', async (_label, regenerateEvery) => {
    const { browser } = setup({ regenerateEvery });
    await browser.visit((session) => session.set('user', 'ada'));
    const id = browser.id;
    for (let ms = 200_000; ms <= 2_000_000; ms += 200_000) {
      at(ms);
      const { session } = await browser.visit();
      expect(session.get('user')).toBe('ada');
      expect(browser.id).toBe(id);
    }
  });
});
