import { describe, expect, it } from 'vitest';
import { rewriteImports } from '../../../generators/transforms/rewrite-imports.js';

const SOURCE =
  "import { a } from './a.js';\nexport { b } from '../b.js';\nimport express from 'express';\nimport { c } from 'pkg/c.js';\n";

describe('rewriteImports', () => {
  it('drops .js from relative specifiers for extensionless resolution, leaving packages alone', async () => {
    expect(await rewriteImports('index.ts', SOURCE, '')).toBe(
      "import { a } from './a';\nexport { b } from '../b';\nimport express from 'express';\nimport { c } from 'pkg/c.js';\n",
    );
  });

  it('keeps .js for Node16/NodeNext', async () => {
    expect(await rewriteImports('index.ts', SOURCE, '.js')).toBe(SOURCE);
  });
});
