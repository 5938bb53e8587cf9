import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../runtime/core/bounded-map.js';

describe('BoundedMap', () => {
  it('keeps at most its limit, dropping the entry set longest ago', () => {
    const map = new BoundedMap<string, number>(3);
    for (const [index, key] of ['a', 'b', 'c', 'd'].entries()) map.set(key, index);
    expect(map.size).toBe(3);
    expect(map.get('a')).toBeUndefined();
    expect([map.get('b'), map.get('c'), map.get('d')]).toEqual([1, 2, 3]);
  });

  it('replaces the value of a present key in place, keeping its place in line', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('a', 3); // a keeps its place: still the one added longest ago
    expect(map.size).toBe(2);
    expect(map.get('a')).toBe(3);
    map.set('c', 4); // drops a, not b
    expect(map.get('a')).toBeUndefined();
    expect(map.get('b')).toBe(2);
    expect(map.get('c')).toBe(4);
  });

  it('forgets a deleted key and frees its place', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.delete('a');
    map.set('c', 3);
    expect(map.size).toBe(2);
    expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([undefined, 2, 3]);
  });

  it('stays within its limit under many distinct keys', () => {
    const map = new BoundedMap<number, number>(100);
    for (let key = 0; key < 10_000; key++) map.set(key, key);
    expect(map.size).toBe(100);
    expect(map.get(9_999)).toBe(9_999);
    expect(map.get(9_899)).toBeUndefined();
  });
});
