import { describe, expect, it } from 'vitest';
import { addStoreImport } from '../../../generators/transforms/add-store-import.js';
import { INDEX, sourceFile } from './_index-source.js';

describe('addStoreImport', () => {
  it('adds a line after the last store import', () => {
    const file = sourceFile(INDEX);
    expect(addStoreImport(file, 'memoryStore', './stores/memory.js')).toBe(true);
    expect(file.getFullText()).toBe(
      INDEX.replace(
        "from './stores/dir.js';\n",
        "from './stores/dir.js';\nimport { memoryStore } from './stores/memory.js';\n",
      ),
    );
  });

  it('is a no-op when the name is already imported', () => {
    const file = sourceFile(INDEX);
    expect(addStoreImport(file, 'dirStore', './stores/dir.js')).toBe(false);
    expect(file.getFullText()).toBe(INDEX);
  });

  it('writes in the style of the other imports: double quotes, no semicolons', () => {
    const file = sourceFile('import { a } from "./core/a"\n\nexport const x = a\n');
    addStoreImport(file, 'memoryStore', './stores/memory');
    expect(file.getFullText()).toBe(
      'import { a } from "./core/a"\nimport { memoryStore } from "./stores/memory"\n\nexport const x = a\n',
    );
  });
});
