/**
 * update() and flash messages as one request sees them; the store contract
 * (test/store-contract.ts) runs the parallel cases on every store.
 */
import { describe, expect, it } from 'vitest';
import { SessionDataError } from '../../runtime/core/errors.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import { Browser, quietLogger, request, spyStore } from './helpers.js';

function setup() {
  const spy = spyStore();
  const manager = createSessionManager({ store: spy.store, logger: quietLogger() });
  return { spy, manager, browser: new Browser(manager) };
}

describe('update()', () => {
  it('applies at once, and is applied again to the freshest value at save', async () => {
    const { manager, browser } = setup();
    await browser.visit((session) => session.set('count', 10));
    const slow = await manager.load(browser.request());
    slow.update('count', (count) => Number(count) + 1);
    expect(slow.get('count')).toBe(11);
    // Another request moves the value meanwhile; the update lands on top of it.
    await browser.visit((session) => session.set('count', 100));
    await manager.commit(slow);
    expect((await browser.visit()).session.get('count')).toBe(101);
  });

  it('a later set() or delete() of the key replaces its pending updates; undefined removes the key', async () => {
    const { manager, browser } = setup();
    await browser.visit((session) => session.set('a', 1).set('b', 1).set('c', 1));
    const session = await manager.load(browser.request());
    session.update('a', (n) => Number(n) + 1).set('a', 50);
    session.update('b', (n) => Number(n) + 1);
    session.delete('b');
    session.update('c', () => undefined);
    expect(session.has('c')).toBe(false);
    await browser.visit((other) => other.set('a', 7).set('b', 7).set('c', 7));
    await manager.commit(session);
    // a: the plain value wins over another request's, as any set() does; b: deleted; c: removed by its update.
    expect((await browser.visit()).session.toJSON()).toEqual({ a: 50 });
  });

  it('refuses a value JSON cannot carry and a reserved key, like set()', async () => {
    const { manager } = setup();
    const session = await manager.load(request());
    expect(() => session.update('n', () => 1n as never)).toThrow(SessionDataError);
    expect(() => session.update('constructor', () => 1)).toThrow(SessionDataError);
  });
});

describe('flash messages', () => {
  it('live outside the data: toJSON(), keys() and clear() leave them alone, and the key is reserved', async () => {
    const { manager, browser } = setup();
    await browser.visit((session) => session.set('user', 'ada').flash('notice', 'Saved'));
    const session = await manager.load(browser.request());
    expect(session.toJSON()).toEqual({ user: 'ada' });
    expect(session.keys()).toEqual(['user']);
    session.clear();
    expect(() => session.set('$flash', {})).toThrow(/flash messages live/);
    expect(await session.takeFlash('notice')).toEqual(['Saved']);
  });

  it('a new visitor can flash and take in the same request; a taken message is gone', async () => {
    const { manager, browser } = setup();
    const { session } = await browser.visit((first) => first.flash('a', 1).flash('a', 2).flash('b', 3));
    expect(session.isNew).toBe(true);
    const next = await manager.load(browser.request());
    expect(await next.takeFlash('a')).toEqual([1, 2]);
    expect(await next.takeFlash('a')).toEqual([]);
    await manager.commit(next);
    const later = await manager.load(browser.request());
    expect(await later.takeFlash('a')).toEqual([]);
    expect(await later.takeFlash('b')).toEqual([3]);
  });

  it('taking costs a store write only when there is something to take', async () => {
    const { spy, manager, browser } = setup();
    await browser.visit((session) => session.set('user', 'ada'));
    const session = await manager.load(browser.request());
    spy.reset();
    expect(await session.takeFlash('notice')).toEqual([]);
    expect(spy.count('write')).toBe(0);
  });

  it('a message flashed and taken in one request is not saved', async () => {
    const { manager, browser } = setup();
    await browser.visit((session) => session.set('user', 'ada'));
    const session = await manager.load(browser.request());
    session.flash('notice', 'once');
    expect(await session.takeFlash('notice')).toEqual(['once']);
    await manager.commit(session);
    expect(await (await manager.load(browser.request())).takeFlash('notice')).toEqual([]);
  });
});

describe("a user's sessions: what a request costs", () => {
  it('a logged-in read-only request reads the store twice (its session and its user index); an anonymous one once', async () => {
    const { spy, manager, browser } = setup();
    const anonymous = new Browser(manager);
    await anonymous.visit((session) => session.set('cart', [1]));
    await browser.visit((session) => session.login('ada'));
    spy.reset();
    const loggedIn = await browser.visit();
    expect(loggedIn.session.userId).toBe('ada');
    expect(spy.calls.map((call) => call.operation)).toEqual(['get', 'get']);
    spy.reset();
    await anonymous.visit();
    expect(spy.calls.map((call) => call.operation)).toEqual(['get']);
    spy.reset();
    await new Browser(manager).visit();
    expect(spy.calls).toEqual([]);
  });
});
