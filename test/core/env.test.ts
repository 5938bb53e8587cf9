import { describe, expect, it } from 'vitest';
import { optionsFromEnv } from '../../runtime/core/env.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import type { StoreFactories } from '../../runtime/core/store.js';
import { memoryStore } from '../../runtime/stores/memory.js';

const stores: StoreFactories = { 'memory:': (url) => memoryStore({ url }) };
const NEW = 'new-secret-0123456789-abcdefghijklmnop';
const OLD = 'old-secret-9876543210-zyxwvutsrqponmlk';

describe('optionsFromEnv', () => {
  it('sets nothing but the store when no variable is set, so the defaults stay in one place', () => {
    const options = optionsFromEnv({}, stores, 'memory://');
    expect(Object.keys(options)).toEqual(['store']);
    expect(options.store.name).toBe('memory');
    const manager = createSessionManager(options);
    expect(manager.options.maxAge).toBe(900_000);
    expect(manager.options.cookie.name).toBe('session_id');
  });

  it('takes SESSION_SECRET as a comma-separated list: the first signs, all verify', async () => {
    const signer = createSessionManager(optionsFromEnv({ SESSION_SECRET: OLD }, stores, 'memory://'));
    const session = await signer.load({ cookieHeader: undefined, ip: '', userAgent: '', https: false });
    session.set('a', 1);
    const cookie = (await signer.commit(session))!.split(';')[0]!;

    const options = optionsFromEnv({ SESSION_SECRET: ` ${NEW} , ${OLD} ` }, stores, 'memory://');
    expect(options.secret).toEqual([NEW, OLD]);
    // A cookie signed with the old secret still verifies after the rotation.
    const rotated = createSessionManager({ ...options, store: signer.options.store });
    const again = await rotated.load({ cookieHeader: cookie, ip: '', userAgent: '', https: false });
    expect(again.get('a')).toBe(1);
  });

  it.each([
    [{ SESSION_SECRET: 'short' }, /^\[session\] environment variable SESSION_SECRET must be at least 32 characters/],
    [{ SESSION_SECRET: `${NEW},,${OLD}` }, /environment variable SESSION_SECRET has an empty entry/],
    [{ SESSION_MAX_AGE: 'soon' }, /^\[session\] environment variable SESSION_MAX_AGE must be a positive duration/],
    [{ SESSION_REGENERATE: '-1' }, /environment variable SESSION_REGENERATE must be a positive duration/],
    [{ SESSION_ROTATE_GRACE: 'x' }, /environment variable SESSION_ROTATE_GRACE/],
    [{ SESSION_COOKIE: 'a b' }, /environment variable SESSION_COOKIE must be a cookie token/],
    [
      { SESSION_STORE: 'redis://x' },
      /environment variable SESSION_STORE is not usable: option "store" uses the scheme "redis:\/\/"/,
    ],
    [
      { SESSION_STORE: 'memory://?maxEntrie=2' },
      /environment variable SESSION_STORE is not usable: \[memory\] option "maxEntrie"/,
    ],
  ])('names the variable the user set: %j', (env, message) => {
    expect(() => optionsFromEnv(env, stores, 'memory://')).toThrow(message);
  });

  it('passes durations and the cookie name through; 0 turns regeneration and the grace off', () => {
    const options = optionsFromEnv(
      {
        SESSION_MAX_AGE: '2h',
        SESSION_REGENERATE: '0',
        SESSION_ROTATE_GRACE: '0',
        SESSION_COOKIE: 'sid',
        SESSION_STORE: '',
      },
      stores,
      'memory://',
    );
    const manager = createSessionManager(options);
    expect(manager.options.maxAge).toBe(7_200_000);
    expect(manager.options.regenerateEvery).toBeUndefined();
    expect(manager.options.rotateGrace).toBeUndefined();
    expect(manager.options.cookie.name).toBe('sid');
  });
});
