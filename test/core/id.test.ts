import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSessionId, newSessionId, signSessionId, storeKey, unsignSessionId } from '../../runtime/core/id.js';
import { junkText, OLD_SECRET, SECRET } from './helpers.js';

/** Changes the character at `index` to another base64url character. */
function flip(text: string, index: number): string {
  const replacement = text[index] === 'A' ? 'B' : 'A';
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe('newSessionId', () => {
  it('is 43 base64url characters encoding 32 bytes', () => {
    const id = newSessionId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const bytes = Buffer.from(id, 'base64url');
    expect(bytes).toHaveLength(32);
    expect(bytes.toString('base64url')).toBe(id);
  });

  it('never repeats and looks random', () => {
    const ids = Array.from({ length: 2_000 }, newSessionId);
    expect(new Set(ids).size).toBe(ids.length);
    // Every byte value should turn up across 64 000 random bytes; a constant or counter would not.
    const seen = new Set(ids.flatMap((id) => [...Buffer.from(id, 'base64url')]));
    expect(seen.size).toBe(256);
    for (const id of ids) expect(isSessionId(id)).toBe(true);
  });

  it('hands out each random byte once, across refills of its pool', () => {
    // 2 000 ids span several 4 KiB pools. Ids cut from overlapping ranges would start with the
    // bytes the previous id ended with; random ids do so for about 1 pair in 256.
    const ids = Array.from({ length: 2_000 }, () => Buffer.from(newSessionId(), 'base64url'));
    let sharedEdges = 0;
    for (let i = 1; i < ids.length; i++) if (ids[i]![0] === ids[i - 1]![31]) sharedEdges++;
    expect(sharedEdges).toBeLessThan(40);
  });
});

describe('isSessionId', () => {
  const id = newSessionId();

  it('accepts exactly 43 characters of [A-Za-z0-9_-]', () => {
    expect(isSessionId(id)).toBe(true);
    expect(isSessionId('A'.repeat(43))).toBe(true);
    expect(isSessionId('_-'.repeat(21) + 'z')).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['42 characters', 'A'.repeat(42)],
    ['44 characters', 'A'.repeat(44)],
    ['standard base64 "+"', '+'.repeat(43)],
    ['standard base64 "/"', `${'A'.repeat(42)}/`],
    ['padding', `${'A'.repeat(42)}=`],
    ['a dot', `${'A'.repeat(42)}.`],
    ['a space', `${'A'.repeat(42)} `],
    ['a trailing newline', `${'A'.repeat(43)}\n`],
    ['a leading newline', `\n${'A'.repeat(42)}`],
    ['a NUL byte', `${'A'.repeat(42)}\0`],
    ['a non-ASCII letter', `${'A'.repeat(42)}é`],
    ['an astral character', `${'A'.repeat(41)}😀`],
    ['a path', '../../etc/passwd'.padEnd(43, 'A').replace(/A/g, '/')],
  ])('rejects %s', (_label, value) => {
    expect(isSessionId(value)).toBe(false);
  });
});

describe('storeKey', () => {
  it('is the SHA-256 hex of the id, not the id', () => {
    const id = newSessionId();
    const key = storeKey(id);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).toBe(createHash('sha256').update(id).digest('hex'));
    expect(key).not.toBe(id);
    expect(key).not.toContain(id);
  });

  it('is stable for one id and distinct across ids', () => {
    const id = newSessionId();
    expect(storeKey(id)).toBe(storeKey(id));
    const keys = new Set(Array.from({ length: 500 }, () => storeKey(newSessionId())));
    expect(keys.size).toBe(500);
  });
});

describe('signSessionId / unsignSessionId', () => {
  it('round-trips: id.signature with an HMAC-SHA256 base64url signature', () => {
    const id = newSessionId();
    const signed = signSessionId(id, SECRET);
    expect(signed).toBe(`${id}.${createHmac('sha256', SECRET).update(id).digest('base64url')}`);
    expect(signed).toHaveLength(87);
    expect(unsignSessionId(signed, [SECRET])).toBe(id);
  });

  it('rejects a tampered signature, wherever the change is', () => {
    const id = newSessionId();
    const signed = signSessionId(id, SECRET);
    for (const index of [44, 60, 86]) expect(unsignSessionId(flip(signed, index), [SECRET])).toBeUndefined();
  });

  it('rejects a tampered id carrying the original signature', () => {
    const id = newSessionId();
    const signed = signSessionId(id, SECRET);
    for (const index of [0, 20, 42]) expect(unsignSessionId(flip(signed, index), [SECRET])).toBeUndefined();
    const other = newSessionId();
    expect(unsignSessionId(`${other}${signed.slice(43)}`, [SECRET])).toBeUndefined();
  });

  it('rejects a value signed with another secret', () => {
    const signed = signSessionId(newSessionId(), OLD_SECRET);
    expect(unsignSessionId(signed, [SECRET])).toBeUndefined();
  });

  it('accepts values signed with a retired secret still in the list (rotation)', () => {
    const id = newSessionId();
    const signedWithOld = signSessionId(id, OLD_SECRET);
    expect(unsignSessionId(signedWithOld, [SECRET, OLD_SECRET])).toBe(id);
    expect(unsignSessionId(signSessionId(id, SECRET), [SECRET, OLD_SECRET])).toBe(id);
    // Once the old secret is dropped, its signatures stop working.
    expect(unsignSessionId(signedWithOld, [SECRET])).toBeUndefined();
  });

  it('rejects everything when there are no secrets', () => {
    expect(unsignSessionId(signSessionId(newSessionId(), SECRET), [])).toBeUndefined();
  });

  it('rejects values of the wrong length or shape', () => {
    const id = newSessionId();
    const signed = signSessionId(id, SECRET);
    const cases = [
      '',
      '.',
      id,
      `${id}.`,
      signed.slice(0, -1),
      `${signed}A`,
      `A${signed}`,
      signed.replace('.', '-'),
      signed.replace('.', ''),
      `${id.slice(1)}.${signed.slice(44)}A`,
      `${signed.slice(44)}.${id}`,
      `x.${signed.slice(44)}`,
    ];
    for (const value of cases) expect(unsignSessionId(value, [SECRET])).toBeUndefined();
  });

  it('rejects a signature of the right character count but multi-byte characters', () => {
    const id = newSessionId();
    const signed = signSessionId(id, SECRET);
    const value = `${id}.${'é'.repeat(43)}`;
    expect(value).toHaveLength(signed.length);
    expect(() => unsignSessionId(value, [SECRET])).not.toThrow();
    expect(unsignSessionId(value, [SECRET])).toBeUndefined();
  });

  it('never throws and never accepts junk', () => {
    fc.assert(
      fc.property(junkText(200), (value) => {
        expect(unsignSessionId(value, [SECRET, OLD_SECRET])).toBeUndefined();
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(junkText(43, 43), (signature) => {
        expect(unsignSessionId(`${newSessionId()}.${signature}`, [SECRET])).toBeUndefined();
      }),
      { numRuns: 2_000 },
    );
    expect(unsignSessionId('x'.repeat(10_000), [SECRET])).toBeUndefined();
  });
});
