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

describe('BoundedMap dropping in order across deletes', () => {
  it('drops the oldest present entry after others were deleted around it', () => {
    const map = new BoundedMap<string, number>(3);
    for (const key of ['a', 'b', 'c']) map.set(key, 0);
    map.set('d', 0); // drops a
    map.delete('c');
    map.delete('b');
    map.set('e', 0);
    map.set('f', 0);
    map.set('g', 0); // d is the oldest present: dropped
    expect(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((key) => map.get(key) !== undefined)).toEqual([
      false,
      false,
      false,
      false,
      true,
      true,
      true,
    ]);
  });

  it('keeps first-in, first-out order over many drops, with the table rebuilt in between', () => {
    const map = new BoundedMap<number, number>(1_000);
    const model: number[] = []; // the same rules on a plain array, oldest first
    for (let key = 0; key < 50_000; key++) {
      map.set(key, key);
      model.push(key);
      if (model.length > 1_000) model.shift();
      if (key % 7 === 0) {
        // Holes behind and ahead of the oldest entry.
        map.delete(key - 500);
        const at = model.indexOf(key - 500);
        if (at >= 0) model.splice(at, 1);
      }
    }
    const present = [];
    for (let key = 0; key < 50_000; key++) if (map.get(key) !== undefined) present.push(key);
    expect(present).toEqual(model);
    expect(map.size).toBe(model.length);
  });
});
