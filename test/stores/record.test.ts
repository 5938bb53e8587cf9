import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord } from '../../runtime/stores/_record.js';
import type { SessionRecord } from '../../runtime/core/store.js';

const record: SessionRecord = {
  data: '{"user":"ada","cart":[1,2,3]}',
  version: 7,
  createdAt: 1_700_000_000_000,
  issuedAt: 1_700_000_100_000,
  expiresAt: 1_700_000_900_000,
  maxAge: 900_000,
  ip: '2001:db8::1',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
};

describe('encodeRecord / decodeRecord', () => {
  it('round-trips every field', () => {
    expect(decodeRecord(encodeRecord(record))).toEqual(record);
  });

  it('puts the metadata on line one and the data verbatim after it', () => {
    const text = encodeRecord({ ...record, data: '{ "spaced" : 1 }' });
    const newline = text.indexOf('\n');
    expect(JSON.parse(text.slice(0, newline))).toEqual([
      1,
      7,
      1_700_000_000_000,
      1_700_000_100_000,
      1_700_000_900_000,
      900_000,
      '2001:db8::1',
      'Mozilla/5.0 (X11; Linux x86_64)',
    ]);
    expect(text.slice(newline + 1)).toBe('{ "spaced" : 1 }');
    expect(decodeRecord(text)?.data).toBe('{ "spaced" : 1 }');
  });

  it('round-trips newlines and unicode in the client fields and the data', () => {
    const odd = { ...record, ip: '', userAgent: 'line one\nline two ✓ 😀', data: '{"a":"x\\ny"}\n' };
    expect(decodeRecord(encodeRecord(odd))).toEqual(odd);
  });

  it('round-trips zero values', () => {
    const zero = { ...record, version: 0, createdAt: 0, issuedAt: 0, expiresAt: 0, maxAge: 0, data: '{}' };
    expect(decodeRecord(encodeRecord(zero))).toEqual(zero);
  });

  const header = (fields: unknown[]) => `${JSON.stringify(fields)}\n{}`;
  const good = [1, 1, 0, 0, 1, 1, 'ip', 'ua'];
  const replace = (index: number, value: unknown) => header(good.map((field, i) => (i === index ? value : field)));

  it.each([
    ['empty text', ''],
    ['no newline', JSON.stringify(good)],
    ['a header that is not JSON', 'not json\n{}'],
    ['a header that is an object', '{"version":1}\n{}'],
    ['too few fields', header(good.slice(0, 7))],
    ['too many fields', header([...good, 'extra'])],
    ['another format', replace(0, 2)],
    ['a string version', replace(1, '1')],
    ['a negative time', replace(2, -1)],
    ['a fractional time', replace(3, 1.5)],
    ['an unsafe integer', replace(4, 2 ** 53)],
    ['a null maxAge', replace(5, null)],
    ['a numeric ip', replace(6, 127)],
    ['a missing user agent', replace(7, null)],
  ])('refuses %s', (_label, text) => {
    expect(decodeRecord(text)).toBeUndefined();
  });

  it('accepts the well-formed header the refusal cases start from', () => {
    expect(decodeRecord(header(good))).toEqual({
      data: '{}',
      version: 1,
      createdAt: 0,
      issuedAt: 0,
      expiresAt: 1,
      maxAge: 1,
      ip: 'ip',
      userAgent: 'ua',
    });
  });
});
