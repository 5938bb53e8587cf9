import { describe, expect, it } from 'vitest';
import { SessionConfigError } from '../../runtime/core/errors.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import { resolveOptions, type SessionOptions } from '../../runtime/core/options.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { OLD_SECRET, SECRET } from './helpers.js';

const store = memoryStore();

function rejects(options: Partial<SessionOptions> | Record<string, unknown>, option: string): SessionConfigError {
  let caught: unknown;
  try {
    resolveOptions({ store, ...options } as SessionOptions);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SessionConfigError);
  const error = caught as SessionConfigError;
  expect(error.message.startsWith(`[session] option "${option}" `)).toBe(true);
  return error;
}

describe('resolveOptions defaults', () => {
  it('matches the original module: session_id cookie on /, 15 min idle, new id every 4 min', () => {
    const resolved = resolveOptions({ store });
    expect(resolved.store).toBe(store);
    expect(resolved.cookie).toEqual({
      name: 'session_id',
      path: '/',
      domain: undefined,
      sameSite: 'Lax',
      httpOnly: true,
    });
    expect(resolved.maxAge).toBe(900_000);
    expect(resolved.regenerateEvery).toBe(240_000);
    expect(resolved.absoluteTimeout).toBeUndefined();
    expect(resolved.secrets).toEqual([]);
    expect(resolved.secure).toBe('auto');
    expect(resolved.bindIp).toBe(false);
    expect(resolved.bindUserAgent).toBe(false);
    expect(resolved.maxSize).toBe(65_536);
    expect(resolved.logger).toBe(console);
  });

  it('takes every option given', () => {
    const logger = { warn: () => {}, error: () => {} };
    const resolved = resolveOptions({
      store,
      maxAge: '1h',
      absoluteTimeout: '1d',
      regenerateEvery: '10m',
      secret: [SECRET, OLD_SECRET],
      cookie: { name: '__Host-sid', path: '/app', domain: 'example.com', sameSite: 'none', secure: true },
      bind: ['ip', 'user-agent'],
      maxSize: 1_024,
      logger,
    });
    expect(resolved).toMatchObject({
      maxAge: 3_600_000,
      absoluteTimeout: 86_400_000,
      regenerateEvery: 600_000,
      secrets: [SECRET, OLD_SECRET],
      cookie: { name: '__Host-sid', path: '/app', domain: 'example.com', sameSite: 'None', httpOnly: true },
      secure: true,
      bindIp: true,
      bindUserAgent: true,
      maxSize: 1_024,
    });
    expect(resolved.logger).toBe(logger);
  });

  it('maps sameSite to its attribute spelling', () => {
    expect(resolveOptions({ store, cookie: { sameSite: 'strict' } }).cookie.sameSite).toBe('Strict');
    expect(resolveOptions({ store, cookie: { sameSite: 'lax' } }).cookie.sameSite).toBe('Lax');
  });

  it('turns regenerateEvery and absoluteTimeout off with 0 or false', () => {
    expect(resolveOptions({ store, regenerateEvery: false }).regenerateEvery).toBeUndefined();
    expect(resolveOptions({ store, regenerateEvery: 0 }).regenerateEvery).toBeUndefined();
    expect(resolveOptions({ store, absoluteTimeout: 0 }).absoluteTimeout).toBeUndefined();
    expect(resolveOptions({ store, absoluteTimeout: false }).absoluteTimeout).toBeUndefined();
  });

  it('takes a single secret as a one-element list and copies a list', () => {
    expect(resolveOptions({ store, secret: SECRET }).secrets).toEqual([SECRET]);
    const list = [SECRET];
    const resolved = resolveOptions({ store, secret: list });
    list.push('later');
    expect(resolved.secrets).toEqual([SECRET]);
  });

  it('accepts sameSite none with secure "auto" or true', () => {
    expect(() => resolveOptions({ store, cookie: { sameSite: 'none' } })).not.toThrow();
    expect(() => resolveOptions({ store, cookie: { sameSite: 'none', secure: true } })).not.toThrow();
  });

  it('accepts a 32-character generated secret and refuses a repetitive one', () => {
    expect(() => resolveOptions({ store, secret: 'Zp3q9Xv2LmN8rT5wYb7Kc1Hd4Jf6Gs0A' })).not.toThrow();
    expect(() => resolveOptions({ store, secret: 'x'.repeat(32) })).toThrow(/option "secret" is too repetitive/);
    expect(() => resolveOptions({ store, secret: 'abab'.repeat(10) })).toThrow(/too repetitive/);
  });
});

describe('resolveOptions rejects bad configuration at start-up', () => {
  it('a missing or wrong store', () => {
    expect(() => resolveOptions(undefined as unknown as SessionOptions)).toThrow(/^\[session\] option "store" /);
    expect(() => resolveOptions({} as SessionOptions)).toThrow(/^\[session\] option "store" /);
    expect(() => resolveOptions({ store: 'memory://' } as unknown as SessionOptions)).toThrow(SessionConfigError);
  });

  it.each(['', 'a b', 'a;b', 'a=b', 'séssion', 'a,b', 'a\nb'])('cookie name %j', (name) => {
    const error = rejects({ cookie: { name } }, 'cookie.name');
    expect(error.message).toContain(JSON.stringify(name));
  });

  it.each(['', 'app', 'app/', '/a;b', '/a b', '/a\r\nX: y', '/é'])('cookie path %j', (path) => {
    rejects({ cookie: { path } }, 'cookie.path');
  });

  it.each(['', 'a;b', 'example.com; Secure', 'exa mple.com', 'é.com'])('cookie domain %j', (domain) => {
    rejects({ cookie: { domain } }, 'cookie.domain');
  });

  it.each(['Lax', 'bogus', ''])('cookie sameSite %j', (sameSite) => {
    rejects({ cookie: { sameSite } }, 'cookie.sameSite');
  });

  it('sameSite none on a cookie that is never Secure', () => {
    const error = rejects({ cookie: { sameSite: 'none', secure: false } }, 'cookie.sameSite');
    expect(error.message).toMatch(/Secure/);
  });

  it.each(['yes', 1, 'true'])('cookie secure %j', (secure) => {
    rejects({ cookie: { secure } }, 'cookie.secure');
  });

  it('a secret shorter than 32 characters, alone or in a list, and an empty list', () => {
    const error = rejects({ secret: 'x'.repeat(31) }, 'secret');
    expect(error.message).toContain('32');
    rejects({ secret: '' }, 'secret');
    rejects({ secret: [SECRET, 'short'] }, 'secret');
    rejects({ secret: [] }, 'secret');
    rejects({ secret: [SECRET, 42] }, 'secret');
  });

  it.each([['cookie'], ['IP'], ['ip', 'useragent'], [''], [null]])('bind %j', (...bind) => {
    rejects({ bind }, 'bind');
  });

  it.each([0, 1, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1024'])('maxSize %j', (maxSize) => {
    rejects({ maxSize }, 'maxSize');
  });

  it.each([
    ['maxAge', 'abc'],
    ['maxAge', -1],
    ['maxAge', ''],
    ['maxAge', 0],
    ['absoluteTimeout', '5 years'],
    ['absoluteTimeout', -10],
    ['regenerateEvery', 'often'],
    ['regenerateEvery', true],
  ])('%s %j', (option, value) => {
    rejects({ [option]: value }, option);
  });

  it('createSessionManager checks the same way', () => {
    expect(() => createSessionManager({ store, cookie: { path: 'nope' } })).toThrow(
      /^\[session\] option "cookie\.path" /,
    );
    expect(() => createSessionManager({ store, secret: 'short' })).toThrow(SessionConfigError);
  });
});
