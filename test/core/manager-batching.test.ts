/**
 * Commits of one session from one process are queued and the plain writes among them saved
 * together: fewer store writes than requests, no write lost to a conflict with ourselves, every
 * request's changes applied in arrival order, and each request's failure still its own.
 */
import { describe, expect, it } from 'vitest';
import { storeKey } from '../../runtime/core/id.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import type { SessionOptions } from '../../runtime/core/options.js';
import type { SessionStore } from '../../runtime/core/store.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { Browser, quietLogger, spyStore } from './helpers.js';

async function setup(options: Partial<SessionOptions> = {}, inner: SessionStore = memoryStore()) {
  const spy = spyStore(inner);
  const refused: string[] = [];
  const store: SessionStore = {
    ...spy.store,
    write: async (key, record, expectedVersion) => {
      const written = await spy.store.write(key, record, expectedVersion);
      if (!written) refused.push(key);
      return written;
    },
  };
  const manager = createSessionManager({ store, logger: quietLogger(), regenerateEvery: false, ...options });
  const browser = new Browser(manager);
  await browser.visit((session) => session.set('user', 'ada'));
  spy.reset();
  return { spy, manager, browser, refused };
}

async function loadMany(manager: ReturnType<typeof createSessionManager>, browser: Browser, count: number) {
  return Promise.all(Array.from({ length: count }, () => manager.load(browser.request())));
}

describe('batched commits of one session', () => {
  it('20 parallel requests setting their own keys take 2 writes, none refused, and all keys are saved', async () => {
    const { spy, manager, browser, refused } = await setup();
    const sessions = await loadMany(manager, browser, 20);
    sessions.forEach((session, i) => session.set(`key${i}`, i));
    spy.reset();
    const cookies = await Promise.all(sessions.map((session) => manager.commit(session)));
    // The first commit writes at once; the 19 that queue behind it go in one write.
    expect(spy.count('write')).toBe(2);
    expect(spy.count('get')).toBe(0);
    expect(refused).toEqual([]);
    // Every request still gets its renewed cookie.
    expect(cookies.every((cookie) => cookie?.startsWith('session_id='))).toBe(true);
    const { session } = await browser.visit();
    expect(session.toJSON()).toEqual({ user: 'ada', ...Object.fromEntries(sessions.map((_, i) => [`key${i}`, i])) });
  });

  it('requests setting the same key apply in arrival order: the last to commit wins', async () => {
    const { manager, browser } = await setup();
    const sessions = await loadMany(manager, browser, 5);
    sessions.forEach((session, i) => session.set('color', `c${i}`));
    await Promise.all(sessions.map((session) => manager.commit(session)));
    expect((await browser.visit()).session.get('color')).toBe('c4');
  });

  it("one request's removal and a later request's unrelated change both apply", async () => {
    const { manager, browser } = await setup();
    await browser.visit((session) => session.set('flash', 'saved'));
    const [remover, adder, keeper] = await loadMany(manager, browser, 3);
    remover!.delete('flash');
    adder!.set('cart', [1]);
    keeper!.set('visits', 3);
    await Promise.all([remover, adder, keeper].map((session) => manager.commit(session!)));
    expect((await browser.visit()).session.toJSON()).toEqual({ user: 'ada', cart: [1], visits: 3 });
  });

  it('a request whose own data is too large fails alone; the others in its batch are saved', async () => {
    const { manager, browser } = await setup({ maxSize: 400 });
    const sessions = await loadMany(manager, browser, 4);
    sessions[0]!.set('a', 1);
    sessions[1]!.set('b', 2);
    sessions[2]!.set('big', 'x'.repeat(500));
    sessions[3]!.set('d', 4);
    const results = await Promise.allSettled(sessions.map((session) => manager.commit(session)));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/maxSize/);
    expect((await browser.visit()).session.toJSON()).toEqual({ user: 'ada', a: 1, b: 2, d: 4 });
  });

  it('requests that fit alone but not together: saved one by one, and only the one crossing the limit fails', async () => {
    const { manager, browser } = await setup({ maxSize: 300 });
    const sessions = await loadMany(manager, browser, 4);
    sessions[0]!.set('first', 1);
    sessions[1]!.set('x', 'x'.repeat(120));
    sessions[2]!.set('y', 'y'.repeat(120));
    sessions[3]!.set('z', 'z'.repeat(120));
    const results = await Promise.allSettled(sessions.map((session) => manager.commit(session)));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    const data = (await browser.visit()).session.toJSON();
    expect(Object.keys(data).sort()).toEqual(['first', 'user', 'x', 'y']);
  });

  it('a logout queued between writes: the writes before it land, the session then dies, later writes do not revive it', async () => {
    const { manager, browser, spy } = await setup();
    const id = browser.id!;
    const [before, logout, after] = await loadMany(manager, browser, 3);
    before!.set('a', 1);
    logout!.invalidate();
    after!.set('b', 2);
    const [, clearing, late] = await Promise.all([before, logout, after].map((session) => manager.commit(session!)));
    expect(clearing).toMatch(/Max-Age=0/);
    expect(late).toBeUndefined();
    expect(await spy.inner.get(storeKey(id))).toBeUndefined();
    expect((await manager.load(browser.request())).isNew).toBe(true);
  });

  it('another process writing while our batch waits: our write is refused once, re-read and merged, nothing lost', async () => {
    const inner = memoryStore();
    const { manager, browser, refused } = await setup({}, inner);
    // A second process on the same store, sharing the cookie (same secret-less ids).
    const other = createSessionManager({ store: inner, logger: quietLogger(), regenerateEvery: false });
    const ours = await loadMany(manager, browser, 6);
    const theirs = await other.load(browser.request());
    ours.forEach((session, i) => session.set(`ours${i}`, i));
    theirs.set('theirs', true);
    // Ours: the first commit writes; while it is in flight the other process commits; the five
    // queued behind ours then start from our own last write, which the other process has passed.
    const first = manager.commit(ours[0]!);
    await other.commit(theirs);
    await Promise.all([first, ...ours.slice(1).map((session) => manager.commit(session))]);
    expect(refused).toHaveLength(1);
    const data = (await browser.visit()).session.toJSON();
    expect(data).toEqual({ user: 'ada', theirs: true, ...Object.fromEntries(ours.map((_, i) => [`ours${i}`, i])) });
  });

  it('a refresh({ maxAge }) in the batch sets the lifetime for the batch; later writes keep it', async () => {
    const { manager, browser } = await setup();
    const [refresher, writer] = await loadMany(manager, browser, 2);
    refresher!.refresh({ maxAge: '2h' });
    writer!.set('a', 1);
    const [, cookie] = await Promise.all([manager.commit(refresher!), manager.commit(writer!)]);
    expect(cookie).toMatch(/Max-Age=7200/);
    const next = await manager.load(browser.request());
    next.set('b', 2);
    expect(await manager.commit(next)).toMatch(/Max-Age=7200/);
  });
});
