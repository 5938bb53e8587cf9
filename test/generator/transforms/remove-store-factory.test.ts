import { describe, expect, it } from 'vitest';
import { addStoreFactory } from '../../../generators/transforms/add-store-factory.js';
import { removeStoreFactories } from '../../../generators/transforms/remove-store-factory.js';
import { INDEX, sourceFile } from './_index-source.js';

describe('removeStoreFactories', () => {
  it('is the inverse of addStoreFactory, byte for byte', () => {
    const file = sourceFile(INDEX);
    addStoreFactory(file, 'memory:', 'memoryStore');
    addStoreFactory(file, 'memcached:', 'memcachedStore');
    expect(removeStoreFactories(file, ['memory:', 'memcached:'])).toBe(2);
    expect(file.getFullText()).toBe(INDEX);
  });

  it('removes an entry with its line and trailing comment, leaving the others', () => {
    const file = sourceFile(INDEX);
    expect(removeStoreFactories(file, ['dir:'])).toBe(1);
    expect(file.getFullText()).toContain('export const stores: StoreFactories = {\n};');
  });

  it('removes entries sharing a line with their comma', () => {
    const file = sourceFile("const stores = { 'a:': a, 'b:': b, 'c:': c };\n");
    removeStoreFactories(file, ['b:', 'c:']);
    expect(file.getFullText()).toBe("const stores = { 'a:': a };\n");
  });

  it('removes nothing when the scheme is not there', () => {
    const file = sourceFile(INDEX);
    expect(removeStoreFactories(file, ['redis:'])).toBe(0);
    expect(file.getFullText()).toBe(INDEX);
  });
});
