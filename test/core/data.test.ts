import { describe, expect, it } from 'vitest';
import { applyChanges, diffData, isForbiddenKey, parseData } from '../../runtime/core/data.js';

describe('parseData', () => {
  it('parses a JSON object into a fresh object', () => {
    const text = '{"user":"ada","cart":[1,2],"nested":{"deep":true}}';
    const first = parseData(text);
    expect(first).toEqual({ user: 'ada', cart: [1, 2], nested: { deep: true } });
    expect(parseData(text)).not.toBe(first);
    expect(parseData('{}')).toEqual({});
  });

  it.each(['not json', '', '[1,2]', '[]', 'null', '1', '"text"', 'true', '{"a":1', '{"a":1}x', '{a:1}'])(
    'refuses %j',
    (text) => {
      expect(parseData(text)).toBeUndefined();
    },
  );

  it.each([
    '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{"polluted":1}}}',
    '{"prototype":1}',
    '{"a":{"b":[{"__proto__":{"polluted":1}}]}}',
    '{"a":{"constructor":1}}',
    '{"\\u005f_proto__":{"polluted":1}}',
  ])('refuses prototype-polluting keys at any depth: %s', (text) => {
    expect(parseData(text)).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('accepts the dangerous words as values and inside longer keys', () => {
    const text = '{"note":"__proto__ constructor prototype","constructors":1,"my_prototype":2}';
    expect(parseData(text)).toEqual({ note: '__proto__ constructor prototype', constructors: 1, my_prototype: 2 });
  });

  it('lists the forbidden keys', () => {
    expect(['__proto__', 'constructor', 'prototype'].every(isForbiddenKey)).toBe(true);
    expect(isForbiddenKey('proto')).toBe(false);
    expect(isForbiddenKey('toString')).toBe(false);
  });
});

describe('diffData', () => {
  it('is empty when nothing changed, even for equal but distinct objects', () => {
    expect(diffData({ a: 1, b: { c: [1] } }, { a: 1, b: { c: [1] } })).toEqual({ set: {}, removed: [] });
  });

  it('lists added and changed keys with their new values, and removed keys', () => {
    const changes = diffData({ keep: 1, change: 'old', drop: true }, { keep: 1, change: 'new', add: [1] });
    expect(changes).toEqual({ set: { change: 'new', add: [1] }, removed: ['drop'] });
  });

  it('catches in-place mutation of nested values', () => {
    const before = JSON.parse('{"obj":{"list":[1]}}') as Record<string, { list: number[] }>;
    const after = JSON.parse('{"obj":{"list":[1]}}') as Record<string, { list: number[] }>;
    after.obj!.list.push(2);
    expect(diffData(before, after).set).toEqual({ obj: { list: [1, 2] } });
  });

  it('treats a key set to null as changed and its value as null', () => {
    expect(diffData({ a: 1 }, { a: null })).toEqual({ set: { a: null }, removed: [] });
  });
});

describe('applyChanges', () => {
  it("lays one request's changes over the freshest data, keeping the other keys", () => {
    const base = { other: 'theirs', shared: 'theirs', gone: 1 };
    const merged = applyChanges(base, { set: { mine: 'mine', shared: 'mine' }, removed: ['gone'] });
    expect(merged).toEqual({ other: 'theirs', shared: 'mine', mine: 'mine' });
    expect(base).toEqual({ other: 'theirs', shared: 'theirs', gone: 1 });
  });

  it('removing a key the base no longer has is harmless', () => {
    expect(applyChanges({ a: 1 }, { set: {}, removed: ['missing'] })).toEqual({ a: 1 });
  });

  it('diff then apply reproduces the new data on the old base', () => {
    const before = { a: 1, b: 2, c: { d: 3 } };
    const after = { a: 1, c: { d: 4 }, e: 5 };
    expect(applyChanges(before, diffData(before, after))).toEqual(after);
  });
});
