import type { SourceFile } from 'ts-morph';
import { entryKey, findStoresObject } from './_stores-object.js';
import { commaAfter, lineEnd, lineStart, onlyIndentBefore, onlyTriviaAfter } from './_text-lines.js';

/**
 * Unregisters a store from index.ts: removes the `stores` entries for `schemes`, the inverse of
 * addStoreFactory. An entry on lines of its own goes with those lines (and a comment trailing
 * it); an entry sharing its line goes with its comma. Nothing else in the file changes.
 * Returns how many entries were removed; a file without a `stores` object has none to remove.
 */
export function removeStoreFactories(file: SourceFile, schemes: readonly string[]): number {
  let removed = 0;
  // One entry per pass: an edit invalidates the nodes found before it.
  for (;;) {
    const entry = findStoresObject(file)
      ?.getProperties()
      .find((candidate) => schemes.includes(entryKey(candidate) ?? ''));
    if (entry === undefined) return removed;
    const text = file.getFullText();
    const [start, end] = [entry.getStart(), entry.getEnd()];
    const comma = commaAfter(text, end);
    const through = comma ?? end;
    if (onlyIndentBefore(text, start) && onlyTriviaAfter(text, through)) {
      const breakEnd = text.indexOf('\n', lineEnd(text, through));
      file.removeText(lineStart(text, start), breakEnd === -1 ? text.length : breakEnd + 1);
    } else if (comma !== undefined) {
      file.removeText(start, comma + (/^[ \t]*/.exec(text.slice(comma))?.[0].length ?? 0));
    } else {
      // The last entry on a shared line: take the comma before it instead (`{ a, b }` → `{ a }`).
      const before = /,\s*$/.exec(text.slice(0, start));
      file.removeText(before ? before.index : start, end);
    }
    removed++;
  }
}
