import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  clearCookie,
  isCookieAttributeValue,
  isCookieName,
  readCookie,
  serializeCookie,
  type CookieAttributes,
} from '../../runtime/core/cookie.js';
import { resolveOptions } from '../../runtime/core/options.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { cookieAttributes, junkText } from './helpers.js';

describe('readCookie', () => {
  it('returns nothing for a missing or empty header', () => {
    expect(readCookie(undefined, 'session_id')).toEqual([]);
    expect(readCookie('', 'session_id')).toEqual([]);
  });

  it('finds the named cookie among several', () => {
    expect(readCookie('theme=dark; session_id=abc; lang=en', 'session_id')).toEqual(['abc']);
    expect(readCookie('session_id=abc', 'session_id')).toEqual(['abc']);
    expect(readCookie('theme=dark; lang=en', 'session_id')).toEqual([]);
  });

  it('returns every duplicate, in header order', () => {
    expect(readCookie('session_id=one; theme=dark; session_id=two;session_id=three', 'session_id')).toEqual([
      'one',
      'two',
      'three',
    ]);
  });

  it('matches the whole name, not a prefix or suffix', () => {
    expect(readCookie('xsession_id=1; session_idx=2; session=3; SESSION_ID=4', 'session_id')).toEqual([]);
  });

  it('strips one pair of surrounding double quotes', () => {
    expect(readCookie('session_id="abc"', 'session_id')).toEqual(['abc']);
    expect(readCookie('session_id=""', 'session_id')).toEqual(['']);
    expect(readCookie('session_id="', 'session_id')).toEqual(['"']);
    expect(readCookie('session_id="abc', 'session_id')).toEqual(['"abc']);
  });

  it('ignores whitespace around names and values', () => {
    expect(readCookie('  a=1 ;   session_id =  abc  ;b=2', 'session_id')).toEqual(['abc']);
    expect(readCookie('\tsession_id=abc\t', 'session_id')).toEqual(['abc']);
  });

  it('treats only spaces and tabs as whitespace (RFC 6265), not other Unicode spaces', () => {
    for (const space of ['\u00a0', '\u2003', '\ufeff', '\v', '\f', '\r', '\n']) {
      expect(readCookie(`${space}__Host-session_id=abc`, '__Host-session_id'), JSON.stringify(space)).toEqual([]);
      expect(readCookie(`__Host-session_id=abc${space}`, '__Host-session_id'), JSON.stringify(space)).toEqual([
        `abc${space}`,
      ]);
    }
  });

  it('skips parts without "=" and empty parts', () => {
    expect(readCookie('flag; ;; session_id=abc; other', 'session_id')).toEqual(['abc']);
    expect(readCookie('session_id; x=1', 'session_id')).toEqual([]);
    expect(readCookie(';;;;', 'session_id')).toEqual([]);
  });

  it('keeps "=" inside a value and empty values', () => {
    expect(readCookie('session_id=a=b==', 'session_id')).toEqual(['a=b==']);
    expect(readCookie('session_id=', 'session_id')).toEqual(['']);
  });

  it('handles unicode names and values', () => {
    expect(readCookie('séssion=1; session_id=héllo✓😀', 'session_id')).toEqual(['héllo✓😀']);
    expect(readCookie('séssion=1; session_id=2', 'séssion')).toEqual(['1']);
  });

  it('reads the start of a huge header and ignores the rest, without throwing', () => {
    const padding = `${'x=y; '.repeat(3_000)}`;
    expect(padding.length).toBeLessThan(16 * 1024);
    expect(readCookie(`${padding}session_id=early`, 'session_id')).toEqual(['early']);
    const huge = `${'junk=value; '.repeat(100_000)}session_id=late`;
    expect(huge.length).toBeGreaterThan(1_000_000);
    expect(readCookie(huge, 'session_id')).toEqual([]);
    expect(() => readCookie(';'.repeat(1_000_000), 'session_id')).not.toThrow();
  });

  it('never throws on arbitrary headers', () => {
    fc.assert(
      fc.property(junkText(500), (header) => {
        const values = readCookie(header, 'session_id');
        expect(Array.isArray(values)).toBe(true);
        for (const value of values) expect(value).not.toContain(';');
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('serializeCookie / clearCookie', () => {
  const now = Date.UTC(2030, 0, 1, 12, 0, 0);
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const defaults = () => resolveOptions({ store: memoryStore() }).cookie;

  it('defaults to HttpOnly, SameSite=Lax, Path=/ and no Domain, with Max-Age and a matching Expires', () => {
    const header = serializeCookie(defaults(), 'abc', now + 900_000, now, false);
    expect(header).toBe(
      `session_id=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=900; Expires=${new Date(now + 900_000).toUTCString()}`,
    );
    const attributes = cookieAttributes(header);
    expect(attributes.secure).toBeUndefined();
    expect(attributes.domain).toBeUndefined();
  });

  it('adds Secure when asked', () => {
    const header = serializeCookie(defaults(), 'abc', now + 900_000, now, true);
    expect(cookieAttributes(header).secure).toBe(true);
    expect(header).toMatch(/; Secure(;|$)/);
  });

  it('writes the configured name, path, domain and SameSite', () => {
    const attributes: CookieAttributes = {
      name: 'sid',
      path: '/app',
      domain: 'example.com',
      sameSite: 'Strict',
      httpOnly: true,
    };
    const header = serializeCookie(attributes, 'v', now + 60_000, now, true);
    expect(header.startsWith('sid=v; ')).toBe(true);
    expect(cookieAttributes(header)).toMatchObject({
      path: '/app',
      domain: 'example.com',
      samesite: 'Strict',
      httponly: true,
      secure: true,
      'max-age': '60',
    });
  });

  it('leaves out HttpOnly only when the attributes say so', () => {
    const header = serializeCookie({ ...defaults(), httpOnly: false }, 'v', now + 1_000, now, false);
    expect(cookieAttributes(header).httponly).toBeUndefined();
  });

  it('never outlives the record: Max-Age rounds down and Expires is the record expiry, rounded down', () => {
    const maxAgeOf = (expiresAt: number, at: number) =>
      cookieAttributes(serializeCookie(defaults(), 'v', expiresAt, at, false))['max-age'];
    expect(maxAgeOf(now + 900_999, now)).toBe('900');
    expect(maxAgeOf(now + 900_000, now)).toBe('900');
    expect(maxAgeOf(now + 899_999, now)).toBe('899');
    expect(maxAgeOf(now + 1_500, now)).toBe('1');
    const header = serializeCookie(defaults(), 'v', now + 900_999, now, false);
    expect(cookieAttributes(header).expires).toBe(new Date(now + 900_000).toUTCString());
  });

  it('clamps a lifetime already over to 0', () => {
    expect(cookieAttributes(serializeCookie(defaults(), 'v', now - 5_000, now, false))['max-age']).toBe('0');
  });

  it('clearCookie empties the value and expires it at once, with the same scope', () => {
    expect(clearCookie(defaults(), false)).toBe(
      'session_id=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    );
    const scoped = clearCookie({ ...defaults(), path: '/app', domain: 'example.com' }, true);
    expect(cookieAttributes(scoped)).toMatchObject({
      path: '/app',
      domain: 'example.com',
      secure: true,
      'max-age': '0',
    });
  });
});

describe('isCookieName / isCookieAttributeValue', () => {
  it('accepts RFC 6265 tokens only as names', () => {
    for (const name of ['session_id', 'sid', '__Host-session', 'a.b', "x!#$%&'*+-.^_`|~9"]) {
      expect(isCookieName(name)).toBe(true);
    }
    for (const name of ['', 'a b', 'a;b', 'a=b', 'a,b', 'a"b', 'a(b)', 'sé', 'a\tb', 'a\nb', 'a/b', 'a@b']) {
      expect(isCookieName(name)).toBe(false);
    }
  });

  it('rejects attribute values that could smuggle attributes', () => {
    for (const value of ['/', '/app/v1', 'example.com', '.example.com'])
      expect(isCookieAttributeValue(value)).toBe(true);
    for (const value of ['', '/a;b', '/a b', '/a\r\nSet-Cookie: x=y', '/é', '/\0']) {
      expect(isCookieAttributeValue(value)).toBe(false);
    }
  });
});
