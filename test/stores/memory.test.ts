import { expect, it } from 'vitest';
import { memoryStore } from '../../runtime/stores/memory.js';
import { randomKey, sampleRecord, testStore } from '../store-contract.js';

const shared = memoryStore();

testStore('memory', {
  // One process-wide instance stands in for "the same backend": memory is per process.
  create: () => ({ ...shared, close: async () => {} }),
  skip: [
    {
      reason: 'the memory store has no external form to dump',
      tests: ['the backend never holds a live session id, only its SHA-256'],
    },
  ],
});

it('memory: evicts the least recently written session beyond maxEntries', async () => {
  const store = memoryStore({ url: 'memory://?maxEntries=3' });
  const keys = [randomKey(), randomKey(), randomKey(), randomKey()];
  for (const key of keys) await store.write(key, sampleRecord(), undefined);
  expect(await store.get(keys[0]!)).toBeUndefined();
  for (const key of keys.slice(1)) expect(await store.get(key)).toBeDefined();
});

it('memory: a session written again outlives those not written since, at any store size', async () => {
  const store = memoryStore({ url: 'memory://?maxEntries=3' });
  const [a, b, c, d, e] = [randomKey(), randomKey(), randomKey(), randomKey(), randomKey()];
  for (const key of [a, b, c]) await store.write(key, sampleRecord(), undefined);
  expect(await store.write(a, sampleRecord({ version: 2 }), 1)).toBe(true); // a: rewritten, keeps its place
  await store.write(d, sampleRecord(), undefined); // full: a gets a second chance, b (untouched) goes
  expect(await store.get(b)).toBeUndefined();
  expect((await store.get(a))?.version).toBe(2);
  expect(await store.get(c)).toBeDefined();
  await store.write(e, sampleRecord(), undefined); // next is c, then d, then a (moved to the end)
  expect(await store.get(c)).toBeUndefined();
  for (const key of [a, d, e]) expect(await store.get(key)).toBeDefined();
});

it('memory: evicts oldest first across destroyed sessions and second chances', async () => {
  const store = memoryStore({ url: 'memory://?maxEntries=100' });
  const keys = Array.from({ length: 151 }, () => randomKey());
  const present = async () => {
    const found = [];
    for (const [index, key] of keys.entries()) if (await store.get(key)) found.push(index);
    return found;
  };
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);
  for (const key of keys.slice(0, 100)) await store.write(key, sampleRecord(), undefined);
  for (const key of keys.slice(50, 60)) await store.destroy(key);
  for (const key of keys.slice(100, 150)) await store.write(key, sampleRecord(), undefined);
  // 10 writes refill the destroyed places; the other 40 evict sessions 0 to 39.
  expect(await present()).toEqual([...range(40, 50), ...range(60, 150)]);
  expect(await store.write(keys[40]!, sampleRecord({ version: 2 }), 1)).toBe(true);
  await store.write(keys[150]!, sampleRecord(), undefined); // 40 gets its second chance; 41 goes
  expect(await present()).toEqual([40, ...range(42, 50), ...range(60, 151)]);
});

it('memory: rejects a bad maxEntries at start-up', () => {
  expect(() => memoryStore({ url: 'memory://?maxEntries=lots' })).toThrow(/\[session\] \[memory\] option "maxEntries"/);
});

it('memory: rejects an unknown URL parameter (a typo) at start-up, naming it', () => {
  expect(() => memoryStore({ url: 'memory://?maxEntrie=2' })).toThrow(
    '[session] [memory] option "maxEntrie" is not a parameter of the memory store URL (known: maxEntries)',
  );
});
