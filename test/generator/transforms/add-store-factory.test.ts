import { describe, expect, it } from 'vitest';
import { addStoreFactory } from '../../../generators/transforms/add-store-factory.js';
import { INDEX, sourceFile } from './_index-source.js';

describe('addStoreFactory', () => {
  it('adds one line after the last entry, keeping its trailing comment where it was', () => {
    const file = sourceFile(INDEX);
    expect(addStoreFactory(file, 'memory:', 'memoryStore')).toBe(true);
    expect(file.getFullText()).toBe(
      INDEX.replace('// my comment\n', "// my comment\n  'memory:': (url) => memoryStore({ url }),\n"),
    );
  });

  it('is a no-op when the scheme is already registered', () => {
    const file = sourceFile(INDEX);
    expect(addStoreFactory(file, 'dir:', 'dirStore')).toBe(false);
    expect(file.getFullText()).toBe(INDEX);
  });

  it('follows the double quotes and the missing trailing comma of the last entry', () => {
    const text = 'export const stores = {\n    "dir:": (url) => dirStore({ url })\n} satisfies Factories\n';
    const file = sourceFile(text);
    addStoreFactory(file, 'memory:', 'memoryStore');
    expect(file.getFullText()).toBe(
      'export const stores = {\n    "dir:": (url) => dirStore({ url }),\n    "memory:": (url) => memoryStore({ url })\n} satisfies Factories\n',
    );
  });

  it('fills an empty object and a single-line one', () => {
    const empty = sourceFile('export const stores = {};\n');
    addStoreFactory(empty, 'memory:', 'memoryStore');
    expect(empty.getFullText()).toBe("export const stores = {\n  'memory:': (url) => memoryStore({ url }),\n};\n");
    const inline = sourceFile("const stores = { 'dir:': (url) => dirStore({ url }) };\n");
    addStoreFactory(inline, 'memory:', 'memoryStore');
    expect(inline.getFullText()).toBe(
      "const stores = { 'dir:': (url) => dirStore({ url }), 'memory:': (url) => memoryStore({ url }) };\n",
    );
  });

  it('keeps CRLF line breaks', () => {
    const file = sourceFile(INDEX.replace(/\n/g, '\r\n'));
    addStoreFactory(file, 'memory:', 'memoryStore');
    expect(file.getFullText()).not.toMatch(/[^\r]\n/);
    expect(file.getFullText()).toContain("// my comment\r\n  'memory:': (url) => memoryStore({ url }),\r\n");
  });

  it('throws when the file has no stores object to edit', () => {
    expect(() => addStoreFactory(sourceFile('export const other = {};\n'), 'memory:', 'memoryStore')).toThrow(
      /no `stores` object/,
    );
  });
});
