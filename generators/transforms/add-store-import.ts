import type { ImportDeclaration, SourceFile } from 'ts-morph';
import { requireStatements, usesRequire } from './_requires.js';
import { lineBreak, lineEnd, onlyTriviaAfter } from './_text-lines.js';

/**
 * Imports a store factory into index.ts: `import { <factory> } from '<specifier>';` on a line of
 * its own among the other store imports, in the order of their paths as import sorters want it
 * (after the last import when there are none), written in the quotes and semicolon style of its
 * neighbour. Returns false when the file already imports the name. A CommonJS index.js gets
 * `const { <factory> } = require('<specifier>');` among its requires instead.
 */
export function addStoreImport(file: SourceFile, factory: string, specifier: string): boolean {
  if (usesRequire(file)) return addStoreRequire(file, factory, specifier);
  const imports = file.getImportDeclarations();
  if (
    imports.some((declaration) =>
      declaration
        .getNamedImports()
        .some((named) => (named.getAliasNode() ?? named.getNameNode()).getText() === factory),
    )
  ) {
    return false;
  }
  const text = file.getFullText();
  const eol = lineBreak(text);
  const storeImports = imports.filter((declaration) => /\/stores\//.test(declaration.getModuleSpecifierValue()));
  const next = storeImports.find((declaration) => declaration.getModuleSpecifierValue() > specifier);
  const anchor: ImportDeclaration | undefined = next ?? storeImports.at(-1) ?? imports.at(-1);
  const quote = anchor?.getModuleSpecifier().getText().startsWith('"') ? '"' : "'";
  const semicolon = anchor === undefined || anchor.getText().endsWith(';') ? ';' : '';
  const line = `import { ${factory} } from ${quote}${specifier}${quote}${semicolon}`;
  if (next !== undefined) {
    file.insertText(next.getStart(), `${line}${eol}`);
    return true;
  }
  if (anchor === undefined) {
    const first = file.getStatements()[0];
    file.insertText(first?.getStart() ?? text.length, `${line}${eol}`);
    return true;
  }
  const end = anchor.getEnd();
  file.insertText(onlyTriviaAfter(text, end) ? lineEnd(text, end) : end, `${eol}${line}`);
  return true;
}

function addStoreRequire(file: SourceFile, factory: string, specifier: string): boolean {
  const requires = requireStatements(file);
  if (requires.some((entry) => entry.names.some((name) => name.getNameNode().getText() === factory))) return false;
  const text = file.getFullText();
  const storeRequires = requires.filter((entry) => /\/stores\//.test(entry.specifier));
  const next = storeRequires.find((entry) => entry.specifier > specifier);
  const anchor = next ?? storeRequires.at(-1) ?? requires.at(-1)!;
  const quote = /require\(\s*"/.test(anchor.statement.getText()) ? '"' : "'";
  const semicolon = anchor.statement.getText().endsWith(';') ? ';' : '';
  const line = `const { ${factory} } = require(${quote}${specifier}${quote})${semicolon}`;
  if (next !== undefined) {
    file.insertText(next.statement.getStart(), `${line}${lineBreak(text)}`);
    return true;
  }
  const end = anchor.statement.getEnd();
  file.insertText(onlyTriviaAfter(text, end) ? lineEnd(text, end) : end, `${lineBreak(text)}${line}`);
  return true;
}
