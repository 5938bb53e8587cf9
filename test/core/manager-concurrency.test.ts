/**
 * Several requests on one session at once: conditional writes merge their changes key by key,
 * a destroyed session stays destroyed, and id regeneration does not log the user out.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { storeKey } from '../../runtime/core/id.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import type { SessionOptions } from '../../runtime/core/options.js';
import type { SessionStore } from '../../runtime/core/store.js';
import { Browser, countRecords, maxAgeOf, quietLogger, slowStore, spyStore } from './helpers.js';

async function setup(options: Partial<SessionOptions> = {}, store?: SessionStore) {
  const spy = spyStore(store);
  const manager = createSessionManager({ store: spy.store, logger: quietLogger(), ...options });
  const browser = new Browser(manager);
  await browser.visit((session) => session.set('user', 'ada'));
  return { spy, manager, browser };
}

describe('concurrent requests on one session', () => {
  it('setting different keys: both survive, committed one after the other', async () => {
    const { manager, browser } = await setup();
    const first = await manager.load(browser.request());
    const second = await manager.load(browser.request());
    first.set('a', 1);
    second.set('b', 2);
    await manager.commit(first);
    await manager.commit(second);
    expect((await browser.visit()).session.toJSON()).toEqual({ user: 'ada', a: 1, b: 2 });
  });

  it('setting different keys: both survive, committed at the same time', async () => {
    const { manager, browser } = await setup();
    const [first, second] = await Promise.all([manager.load(browser.request()), manager.load(browser.request())]);
    first!.set('a', 1);
    second!.set('b', 2);
    const cookies = await Promise.all([manager.commit(first!), manager.commit(second!)]);
    for (const cookie of cookies) expect(cookie === undefined || maxAgeOf(cookie) > 0).toBe(true);
    expect((await browser.visit()).session.toJSON()).toEqual({ user: 'ada', a: 1, b: 2 });
  });

  it('setting the same key: the last writer wins', async () => {
    const { manager, browser } = await setup();
    const first = await manager.load(browser.request());
    const second = await manager.load(browser.request());
    second.set('color', 'blue');
    first.set('color', 'red');
    await manager.commit(second);
    await manager.commit(first);
    expect((await browser.visit()).session.get('color')).toBe('red');
  });

  it("one request's removal and another's addition both apply", async () => {
    const { manager, browser } = await setup();
    await browser.visit((session) => session.set('flash', 'saved'));
    const reader = await manager.load(browser.request());
    const writer = await manager.load(browser.request());
    reader.delete('flash');
    writer.set('cart', [1]);
    await manager.commit(writer);
    await manager.commit(reader);
    expect((await browser.visit()).session.toJSON()).toEqual({ user: 'ada', cart: [1] });
  });

  it('a nested change merges as a whole value over a parallel change to another key', async () => {
    const { manager, browser } = await setup();
    await browser.visit((session) => session.set('prefs', { theme: 'dark', langs: ['en'] }));
    const first = await manager.load(browser.request());
    const second = await manager.load(browser.request());
    (first.get('prefs') as { langs: string[] }).langs.push('de');
    second.set('visits', 1);
    await manager.commit(second);
    await manager.commit(first);
    expect((await browser.visit()).session.toJSON()).toEqual({
      user: 'ada',
      prefs: { theme: 'dark', langs: ['en', 'de'] },
      visits: 1,
    });
  });

  it.each([
    ['the memory store', () => undefined],
    ['a store with uneven latency', () => slowStore(3)],
  ])('20 parallel requests each setting its own key: all 20 keys are saved (%s)', async (_label, store) => {
    const { manager, browser } = await setup({}, store());
    const sessions = await Promise.all(Array.from({ length: 20 }, () => manager.load(browser.request())));
    sessions.forEach((session, i) => session.set(`key${i}`, i));
    const results = await Promise.allSettled(sessions.map((session) => manager.commit(session)));
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    const { session } = await browser.visit();
    for (let i = 0; i < 20; i++) expect(session.get(`key${i}`)).toBe(i);
    expect(session.get('user')).toBe('ada');
  });
});

describe('a session destroyed while another request still holds it', () => {
  it('stays destroyed when the other request then commits a change, and that request sends no cookie', async () => {
    const { manager, browser, spy } = await setup();
    const id = browser.id!;
    const slow = await manager.load(browser.request());
    const logout = await manager.load(browser.request());
    logout.invalidate();
    await manager.commit(logout);
    slow.set('cart', [1, 2]);
    // The logout response clears the cookie; a second clearing cookie from this slow request could
    // arrive after a fresh login's cookie and wipe it, so it sends none.
    expect(await manager.commit(slow)).toBeUndefined();
    expect(await spy.inner.get(storeKey(id))).toBeUndefined();
    expect((await manager.load(browser.request())).isNew).toBe(true);
    expect(await countRecords(spy.inner)).toBe(0);
  });

  it('stays destroyed when the other request is unchanged but due for a touch', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { manager, browser, spy } = await setup({ regenerateEvery: false });
      vi.setSystemTime(Date.now() + 120_000);
      const slow = await manager.load(browser.request());
      const logout = await manager.load(browser.request());
      logout.invalidate();
      await manager.commit(logout);
      await manager.commit(slow);
      expect(await spy.inner.get(storeKey(browser.id!))).toBeUndefined();
      expect((await manager.load(browser.request())).isNew).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stays destroyed when the other request was due for id regeneration', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { manager, browser, spy } = await setup();
      vi.setSystemTime(Date.now() + 300_000);
      const slow = await manager.load(browser.request());
      const logout = await manager.load(browser.request());
      logout.invalidate();
      await manager.commit(logout);
      slow.set('cart', [1]);
      const setCookie = await manager.commit(slow);
      // No live cookie for a session that no longer exists.
      expect(setCookie === undefined || maxAgeOf(setCookie) === 0).toBe(true);
      expect(await countRecords(spy.inner)).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('id regeneration with requests in flight', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a parallel request that finishes after the regeneration does not clear the new cookie', async () => {
    const { manager, browser } = await setup();
    vi.setSystemTime(Date.now() + 300_000);
    // A page and its XHR, sent with the same (soon old) cookie.
    const page = await manager.load(browser.request());
    const xhr = await manager.load(browser.request());
    browser.receive(await manager.commit(page));
    browser.receive(await manager.commit(xhr));
    const { session } = await browser.visit();
    expect(session.isNew).toBe(false);
    expect(session.get('user')).toBe('ada');
  });

  it('the same holds when the parallel request had changed something', async () => {
    const { manager, browser } = await setup();
    vi.setSystemTime(Date.now() + 300_000);
    const page = await manager.load(browser.request());
    const xhr = await manager.load(browser.request());
    xhr.set('seen', true);
    browser.receive(await manager.commit(page));
    browser.receive(await manager.commit(xhr));
    expect((await browser.visit()).session.get('user')).toBe('ada');
  });
});
