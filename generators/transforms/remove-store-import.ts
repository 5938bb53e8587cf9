import type { ImportDeclaration, SourceFile, VariableStatement } from 'ts-morph';
import { Node } from '../ts-morph.js';
import { importedName, requireStatements, usesRequire } from './_requires.js';
import { lineEnd, lineStart, onlyIndentBefore, onlyTriviaAfter } from './_text-lines.js';

export type ImportRemoval = 'removed' | 'still-used' | 'absent';

/**
 * Removes the import of a store factory from index.ts, the inverse of addStoreImport: the whole
 * line when the declaration imports nothing else, else just that name. Leaves it when the file
 * still uses the name somewhere (the user may call the factory in their own code), so the edit
 * never breaks the build. `modulePath` is the specifier without its suffix (`./stores/redis`).
 */
export function removeStoreImport(file: SourceFile, factory: string, modulePath: string): ImportRemoval {
  if (usesRequire(file)) return removeStoreRequire(file, factory, modulePath);
  const declaration = file
    .getImportDeclarations()
    .find(
      (candidate) =>
        candidate.getModuleSpecifierValue().replace(/\.(js|ts)$/, '') === modulePath &&
        candidate.getNamedImports().some((named) => named.getName() === factory),
    );
  if (declaration === undefined) return 'absent';
  const named = declaration.getNamedImports().find((candidate) => candidate.getName() === factory)!;
  const local = (named.getAliasNode() ?? named.getNameNode()).getText();
  const usedElsewhere = file
    .getDescendants()
    .some((node) => Node.isIdentifier(node) && node.getText() === local && !node.getAncestors().includes(declaration));
  if (usedElsewhere) return 'still-used';

  const onlyName =
    declaration.getNamedImports().length === 1 && !declaration.getDefaultImport() && !declaration.getNamespaceImport();
  if (!onlyName) {
    named.remove();
    return 'removed';
  }
  removeStatement(file, declaration);
  return 'removed';
}

/** The whole line when the statement has it to itself, else just the statement. */
function removeStatement(file: SourceFile, statement: ImportDeclaration | VariableStatement): void {
  const text = file.getFullText();
  const [start, end] = [statement.getStart(), statement.getEnd()];
  if (onlyIndentBefore(text, start) && onlyTriviaAfter(text, end)) {
    const breakEnd = text.indexOf('\n', lineEnd(text, end));
    file.removeText(lineStart(text, start), breakEnd === -1 ? text.length : breakEnd + 1);
  } else {
    statement.remove();
  }
}

/** The CommonJS form: `const { <factory> } = require('<modulePath>.js');`. */
function removeStoreRequire(file: SourceFile, factory: string, modulePath: string): ImportRemoval {
  const entry = requireStatements(file).find(
    (candidate) =>
      candidate.specifier.replace(/\.(js|cjs)$/, '') === modulePath &&
      candidate.names.some((name) => importedName(name) === factory),
  );
  if (entry === undefined) return 'absent';
  const element = entry.names.find((name) => importedName(name) === factory)!;
  const local = element.getNameNode().getText();
  const usedElsewhere = file
    .getDescendants()
    .some(
      (node) => Node.isIdentifier(node) && node.getText() === local && !node.getAncestors().includes(entry.statement),
    );
  if (usedElsewhere) return 'still-used';
  if (entry.names.length > 1) {
    const text = file.getFullText();
    const after = /^\s*,\s*/.exec(text.slice(element.getEnd()));
    const before = /,\s*$/.exec(text.slice(0, element.getStart()));
    if (after) file.removeText(element.getStart(), element.getEnd() + after[0].length);
    else file.removeText(before ? before.index : element.getStart(), element.getEnd());
    return 'removed';
  }
  removeStatement(file, entry.statement);
  return 'removed';
}
