import { describe, expect, it } from 'vitest';
import { addStoreImport } from '../../../generators/transforms/add-store-import.js';
import { removeStoreImport } from '../../../generators/transforms/remove-store-import.js';
import { INDEX, sourceFile } from './_index-source.js';

describe('removeStoreImport', () => {
  it('is the inverse of addStoreImport, byte for byte', () => {
    const file = sourceFile(INDEX);
    addStoreImport(file, 'memoryStore', './stores/memory.js');
    expect(removeStoreImport(file, 'memoryStore', './stores/memory')).toBe('removed');
    expect(file.getFullText()).toBe(INDEX);
  });

  it('keeps an import the file still uses elsewhere', () => {
    const file = sourceFile(INDEX);
    expect(removeStoreImport(file, 'dirStore', './stores/dir')).toBe('still-used');
    expect(file.getFullText()).toBe(INDEX);
  });

  it('removes only the name from a declaration importing more', () => {
    const file = sourceFile("import { dirStore, type DirOptions } from './stores/dir';\nexport type O = DirOptions;\n");
    expect(removeStoreImport(file, 'dirStore', './stores/dir')).toBe('removed');
    expect(file.getFullText()).toBe("import { type DirOptions } from './stores/dir';\nexport type O = DirOptions;\n");
  });

  it('reports an import that is not there', () => {
    expect(removeStoreImport(sourceFile(INDEX), 'redisStore', './stores/redis')).toBe('absent');
  });
});
