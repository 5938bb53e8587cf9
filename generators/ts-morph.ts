import { createRequire } from 'node:module';

/**
 * ts-morph's values, loaded with require() rather than `import`. ts-morph is CommonJS, and an ES
 * module importing CommonJS makes Node first scan its whole source (about a megabyte) for the names
 * it exports: a quarter of a second of every run that plans files, for nothing. Types still come
 * from `import type { ... } from 'ts-morph'`, which costs nothing at run time.
 *
 * Only the syntax transforms import this module, and they are imported when a file needs one
 * (generators/transforms/index.ts, the index.ts wiring); reading tsconfig takes the compiler
 * alone from generators/app/typescript.ts.
 */
const tsMorph = createRequire(import.meta.url)('ts-morph') as typeof import('ts-morph');

export const { NewLineKind, Node, Project, SyntaxKind } = tsMorph;
// The same names as types, so `Node` and `SyntaxKind` work in type positions as with a plain import.
export type Node = import('ts-morph').Node;
export type SyntaxKind = import('ts-morph').SyntaxKind;
