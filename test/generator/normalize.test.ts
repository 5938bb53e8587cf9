import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { sameCode } from '../../generators/layer/normalize.js';

const CODE = `export const options = { name: 'sid', secure: true };\n\nexport function f(a: number, b: number): number {\n  return a + b;\n}\n`;

describe('sameCode', () => {
  it('is true for the same code printed with another prettier config', async () => {
    const other = await prettier.format(CODE, {
      parser: 'typescript',
      semi: false,
      useTabs: true,
      singleQuote: false,
      printWidth: 30,
      trailingComma: 'none',
      bracketSpacing: false,
    });
    expect(other).not.toBe(CODE);
    expect(await sameCode('x.ts', CODE, other)).toBe(true);
    expect(await sameCode('x.ts', CODE, CODE.replace(/\n/g, '\r\n'))).toBe(true);
  });

  it('is false for a real edit, and for text that does not parse', async () => {
    expect(await sameCode('x.ts', CODE, CODE.replace('a + b', 'a - b'))).toBe(false);
    expect(await sameCode('x.ts', CODE, `${CODE}<<<<<<< yours\n`)).toBe(false);
    expect(await sameCode('README.md', '# A\n\ntext\n', '# A\ntext\n')).toBe(true);
  });
});
