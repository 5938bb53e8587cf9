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

  it('adds a line among the store imports in the order of their paths, as import sorters want', () => {
    const file = sourceFile(INDEX);
    expect(addStoreImport(file, 'fileStore', './stores/file.js')).toBe(true);
    expect(addStoreImport(file, 'anyStore', './stores/any.js')).toBe(true);
    expect(file.getFullText()).toBe(
      INDEX.replace(
        "import { dirStore } from './stores/dir.js';\n",
        "import { anyStore } from './stores/any.js';\nimport { dirStore } from './stores/dir.js';\nimport { fileStore } from './stores/file.js';\n",
      ),
    );
  });

  it('adds a require among the store requires in the order of their paths', () => {
    const file = sourceFile(
      "const { a } = require('./core/a.js');\nconst { dirStore } = require('./stores/dir.js');\nconst { redisStore } = require('./stores/redis.js');\n",
    );
    addStoreImport(file, 'memoryStore', './stores/memory.js');
    expect(file.getFullText()).toBe(
      "const { a } = require('./core/a.js');\nconst { dirStore } = require('./stores/dir.js');\nconst { memoryStore } = require('./stores/memory.js');\nconst { redisStore } = require('./stores/redis.js');\n",
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
