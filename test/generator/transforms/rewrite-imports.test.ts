import { describe, expect, it } from 'vitest';
import { rewriteImports } from '../../../generators/transforms/rewrite-imports.js';
import { sourceFile } from './_index-source.js';

const SOURCE =
  "import { a } from './a.js';\nexport { b } from '../b.js';\nimport express from 'express';\nimport { c } from 'pkg/c.js';\n";

describe('rewriteImports', () => {
  it('drops .js from relative specifiers for extensionless resolution, leaving packages alone', () => {
    const file = sourceFile(SOURCE);
    rewriteImports(file, '');
    expect(file.getFullText()).toBe(
      "import { a } from './a';\nexport { b } from '../b';\nimport express from 'express';\nimport { c } from 'pkg/c.js';\n",
    );
  });

  it('keeps .js for Node16/NodeNext', () => {
    const file = sourceFile(SOURCE);
    rewriteImports(file, '.js');
    expect(file.getFullText()).toBe(SOURCE);
  });
});
