import { describe, expect, it, vi } from 'vitest';
import { SessionConfigError } from '../../runtime/core/errors.js';
import { redact, storeFromUrl } from '../../runtime/core/registry.js';
import type { SessionStore } from '../../runtime/core/store.js';
import { memoryStore } from '../../runtime/stores/memory.js';

describe('storeFromUrl', () => {
  it('builds the store named by the URL scheme, handing it the whole URL', () => {
    const built = memoryStore();
    const memory = vi.fn((_url: string): SessionStore => built);
    const redis = vi.fn((_url: string): SessionStore => built);
    expect(storeFromUrl('memory://?maxEntries=10', { 'memory:': memory, 'redis:': redis })).toBe(built);
    expect(memory).toHaveBeenCalledWith('memory://?maxEntries=10');
    expect(redis).not.toHaveBeenCalled();
  });

  it('names the vendored schemes when the URL uses another', () => {
    const error = (() => {
      try {
        storeFromUrl('redis://localhost:6379', { 'memory:': () => memoryStore(), 'dir:': () => memoryStore() });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(SessionConfigError);
    expect((error as Error).message).toBe(
      '[session] option "store" uses the scheme "redis://", which this app has no store for (vendored: memory://, dir://)',
    );
  });

  it('does not take inherited object keys for store factories', () => {
    expect(() => storeFromUrl('constructor://x', {})).toThrow(SessionConfigError);
    expect(() => storeFromUrl('tostring://x', {})).toThrow(SessionConfigError);
  });

  it('rejects a string that is not a URL without echoing its password', () => {
    expect(() => storeFromUrl('not a url', {})).toThrow(/^\[session\] option "store" is not a valid URL/);
    // An unencoded "/" in the password (common in base64 secrets) makes the URL invalid for
    // `new URL`; the registry only reads the scheme, and no error may echo the password.
    const url = 'redis://:pa/ss@localhost:6379';
    expect(() => new URL(url)).toThrow();
    let message = '';
    try {
      storeFromUrl(url, {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/uses the scheme "redis:\/\/", which this app has no store for/);
    expect(message).not.toContain('pa/ss');
    expect(message).not.toContain('ss@');
  });
});

describe('redact', () => {
  it('hides the user information of a URL', () => {
    expect(redact('redis://user:secret@cache:6379/0')).toBe('redis://***@cache:6379/0');
    expect(redact('mysql://:secret@db/app')).toBe('mysql://***@db/app');
  });

  it('hides a password that holds "/", "?", "#" or "@"', () => {
    for (const password of ['a/b', 'a?b', 'a#b', 'a@b', 'x/y+z==']) {
      const text = redact(`redis://user:${password}@cache:6379`);
      expect(text).not.toContain(password);
      expect(text).toContain('***@cache:6379');
    }
  });

  it('leaves URLs without credentials alone', () => {
    expect(redact('memory://')).toBe('memory://');
    expect(redact('dir:///var/lib/app/sessions')).toBe('dir:///var/lib/app/sessions');
    expect(redact('redis://cache:6379')).toBe('redis://cache:6379');
  });
});
