import type { SourceFile } from 'ts-morph';
import { Node } from '../ts-morph.js';
import { lineEnd, lineStart, onlyIndentBefore, onlyTriviaAfter } from './_text-lines.js';

export type ImportRemoval = 'removed' | 'still-used' | 'absent';

/**
 * Removes the import of a store factory from index.ts, the inverse of addStoreImport: the whole
 * line when the declaration imports nothing else, else just that name. Leaves it when the file
 * still uses the name somewhere (the user may call the factory in their own code), so the edit
 * never breaks the build. `modulePath` is the specifier without its suffix (`./stores/redis`).
 */
export function removeStoreImport(file: SourceFile, factory: string, modulePath: string): ImportRemoval {
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
  const text = file.getFullText();
  const [start, end] = [declaration.getStart(), declaration.getEnd()];
  if (onlyIndentBefore(text, start) && onlyTriviaAfter(text, end)) {
    const breakEnd = text.indexOf('\n', lineEnd(text, end));
    file.removeText(lineStart(text, start), breakEnd === -1 ? text.length : breakEnd + 1);
  } else {
    declaration.remove();
  }
  return 'removed';
}
