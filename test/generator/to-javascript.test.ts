/** The two conversion steps on small sources: TypeScript to JSDoc-typed ES modules, ES modules to CommonJS. */
import { describe, expect, it } from 'vitest';
import { inMemoryFile } from '../../generators/transforms/_in-memory.js';
import { toCommonJs } from '../../generators/transforms/to-commonjs.js';
import { toJsDoc } from '../../generators/transforms/to-jsdoc.js';

const convert = (source: string) => toJsDoc(inMemoryFile('x.ts', source), 'x.types.d.ts');

describe('toJsDoc', () => {
  it('turns interfaces, type imports, generics, parameter types and casts into JSDoc, keeping doc comments', () => {
    const { text, declarations } = convert(
      [
        "import { a, type B } from './b.js';",
        '/** Options. */',
        'export interface Options {',
        '  /** The URL. @default "x://" */',
        '  url?: string;',
        '}',
        'export type Code = 1 | 2;',
        '/** Runs it. */',
        'export function run<T extends B>(key: string, options: Options = {}): T {',
        '  return a(key) as unknown as T;',
        '}',
        'export class E extends Error {',
        '  constructor(readonly code: Code) {',
        '    super();',
        '  }',
        '}',
      ].join('\n'),
    );
    expect(declarations).toBeUndefined();
    expect(text).toContain("/** @import { B } from './b.js' */\nimport { a } from './b.js';");
    expect(text).toContain(
      ' * Options.\n * @typedef {object} Options\n * @property {string} [url] The URL. Default: "x://"',
    );
    expect(text).toContain('/** @typedef {1 | 2} Code */');
    expect(text).toContain(
      ' * Runs it.\n * @template {B} T\n * @param {string} key\n * @param {Options} [options]\n * @returns {T}\n */\nexport function run(key, options = {}) {',
    );
    expect(text).toContain('return /** @type {T} */ (/** @type {unknown} */ (a(key)));');
    expect(text).toMatch(/@type \{Code\}\n \* @readonly\n \*\/\ncode;/);
    expect(text).toMatch(/super\(\);\nthis\.code = code;/);
    expect(text).not.toMatch(/: string|<T|readonly /);
  });

  it('moves module augmentations into a declaration file the JavaScript imports', () => {
    const { text, declarations } = convert(
      [
        "import type { DefaultContext } from 'koa';",
        "import type { Session } from './session.js';",
        "declare module 'koa' {",
        '  interface DefaultContext { session: Session }',
        '}',
        'declare global {',
        '  // eslint-disable-next-line @typescript-eslint/no-namespace -- a reason',
        '  namespace Express { interface Request { session: Session } }',
        '}',
        'export const x = 1;',
      ].join('\n'),
    );
    // A type-only import of nothing: the file joins the program, and no name is left unused.
    expect(text).toMatch(/^\/\*\* @import \{\} from '\.\/x\.types\.js' \*\/\n/);
    expect(text).not.toContain('declare module');
    expect(declarations).toContain("import type { Session } from './session.js';");
    // The interface it augments is only named there, not used: importing it would be unused.
    expect(declarations).not.toContain('DefaultContext }');
    expect(declarations).toContain("declare module 'koa' {");
    // Namespaces are allowed in declaration files: the source's lint directive would be unused.
    expect(declarations).not.toContain('eslint-disable');
    expect(declarations).toContain('namespace Express');
  });

  it('puts the type imports together before the first import, so none is left to lead the code after them', () => {
    const { text } = convert(
      [
        '/** The file. */',
        "import type { A } from './a.js';",
        "import { c, type C } from './c.js';",
        "import { d } from './d.js';",
        "import type { E } from './e.js';",
        '',
        'export const x: A | C | E = c ?? d;',
      ].join('\n'),
    );
    expect(text).toBe(
      [
        '/** The file. */',
        "/** @import { A } from './a.js' */",
        "/** @import { C } from './c.js' */",
        "/** @import { E } from './e.js' */",
        "import { c } from './c.js';",
        "import { d } from './d.js';",
        '',
        '/** @type {A | C | E} */',
        'export const x = c ?? d;',
      ].join('\n'),
    );
  });

  it('keeps a file of types alone a module', () => {
    expect(convert('export interface A { a: string }').text).toMatch(/export \{\};\n$/);
  });
});

describe('toCommonJs', () => {
  it('writes imports as requires and exports as one module.exports', () => {
    const js = toCommonJs(
      inMemoryFile(
        'x.js',
        [
          "import express from 'express';",
          "import { a, b as c } from './a.js';",
          '/** @typedef {string} T */',
          'export function f() { return c; }',
          'export const g = 1, h = 2;',
          "export { S } from './s.js';",
        ].join('\n'),
      ),
    );
    expect(js).toBe(
      [
        "const express = require('express');",
        "const { a, b: c } = require('./a.js');",
        '/** @typedef {string} T */',
        'function f() { return c; }',
        'const g = 1, h = 2;',
        "const { S } = require('./s.js');",
        '',
        'module.exports = { f, g, h, S };',
        '',
      ].join('\n'),
    );
  });

  it('refuses what CommonJS cannot say', () => {
    expect(() => toCommonJs(inMemoryFile('x.js', 'await 1;\nexport {};'))).toThrow(/top-level await/);
    expect(() => toCommonJs(inMemoryFile('x.js', 'export default 1;'))).toThrow(/export default/);
  });
});
