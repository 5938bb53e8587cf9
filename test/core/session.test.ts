import { describe, expect, it } from 'vitest';
import { SessionConfigError } from '../../runtime/core/errors.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import { Session, type SessionData } from '../../runtime/core/session.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { Browser, quietLogger, request } from './helpers.js';

function manager() {
  return createSessionManager({ store: memoryStore(), logger: quietLogger() });
}

async function fresh(): Promise<Session<SessionData>> {
  return manager().load(request());
}

describe('Session as a dictionary', () => {
  it('starts empty and new for a visitor without a cookie', async () => {
    const session = await fresh();
    expect(session.isNew).toBe(true);
    expect(session.keys()).toEqual([]);
    expect(session.toJSON()).toEqual({});
  });

  it('sets, gets, has, deletes and lists keys', async () => {
    const session = await fresh();
    expect(session.set('user', 'ada')).toBe(session);
    session.set('cart', [1, 2]).set('count', 0).set('flag', false).set('nothing', null);
    expect(session.get('user')).toBe('ada');
    expect(session.get('count')).toBe(0);
    expect(session.get('flag')).toBe(false);
    expect(session.get('nothing')).toBeNull();
    expect(session.has('cart')).toBe(true);
    expect(session.has('missing')).toBe(false);
    expect(session.get('missing')).toBeUndefined();
    expect(session.keys()).toEqual(['user', 'cart', 'count', 'flag', 'nothing']);
    expect(session.delete('cart')).toBe(true);
    expect(session.delete('cart')).toBe(false);
    expect(session.has('cart')).toBe(false);
  });

  it('removes a key set to undefined, as JSON would', async () => {
    const session = await fresh();
    session.set('user', 'ada');
    session.set('user', undefined);
    expect(session.has('user')).toBe(false);
    expect(session.keys()).toEqual([]);
  });

  it('hands out the live value, so nested changes are made in place', async () => {
    const session = await fresh();
    session.set('obj', { list: [1] });
    (session.get('obj') as { list: number[] }).list.push(2);
    expect(session.toJSON()).toEqual({ obj: { list: [1, 2] } });
  });

  it('toJSON is a copy of the top level', async () => {
    const session = await fresh();
    session.set('a', 1);
    const copy = session.toJSON() as Record<string, unknown>;
    copy.b = 2;
    expect(session.has('b')).toBe(false);
    expect(JSON.stringify(session)).toBe('{"a":1}');
  });

  it('clear removes every key', async () => {
    const session = await fresh();
    session.set('a', 1).set('b', 2);
    session.clear();
    expect(session.keys()).toEqual([]);
    session.set('c', 3);
    expect(session.toJSON()).toEqual({ c: 3 });
  });

  it('does not report inherited Object.prototype members as keys', async () => {
    const session = await fresh();
    for (const key of ['toString', 'hasOwnProperty', 'valueOf', '__proto__', 'constructor']) {
      expect(session.has(key)).toBe(false);
      expect(session.get(key)).toBeUndefined();
      expect(session.delete(key)).toBe(false);
    }
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'set(%j) throws a 400 SessionDataError and changes nothing',
    async (key) => {
      const session = await fresh();
      expect(() => session.set(key, { polluted: true })).toThrow(
        expect.objectContaining({ code: 'invalid-key', status: 400 }),
      );
      expect(() => session.set(key, { polluted: true })).toThrow(`"${key}" cannot be used as a session key`);
      expect(session.keys()).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(session.toJSON())).toBe(Object.prototype);
    },
  );

  it('refresh rejects a bad maxAge at once, naming refresh.maxAge', async () => {
    const session = await fresh();
    expect(() => session.refresh({ maxAge: 'forever' })).toThrow(SessionConfigError);
    expect(() => session.refresh({ maxAge: -1 })).toThrow('[session] option "refresh.maxAge"');
  });

  it('isNew turns false once the session has been stored and loaded again', async () => {
    const browser = new Browser(manager());
    const { session: first } = await browser.visit((session) => session.set('user', 'ada'));
    expect(first.isNew).toBe(true);
    const { session: second } = await browser.visit();
    expect(second.isNew).toBe(false);
    expect(second.get('user')).toBe('ada');
  });
});
