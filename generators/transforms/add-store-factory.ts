import type { SourceFile } from 'ts-morph';
import { entryKey, findStoresObject } from './_stores-object.js';
import { commaAfter, indentOf, indentUnit, lineBreak, lineEnd, onlyTriviaAfter } from './_text-lines.js';

/**
 * Registers a store in index.ts: adds `'<scheme>': (url) => <factory>({ url })` to the `stores`
 * object, after its last entry and in that entry's style (quotes, indentation, trailing comma).
 * Only inserted text changes (plus the comma a last entry without one needs): the user's own
 * entries, comments and options stay byte for byte. Returns false when the scheme is already
 * there, so re-runs are no-ops. Throws when the file has no `stores` object to edit.
 */
export function addStoreFactory(file: SourceFile, scheme: string, factory: string): boolean {
  const stores = findStoresObject(file);
  if (stores === undefined) throw new Error('it has no `stores` object');
  const entries = stores.getProperties();
  if (entries.some((entry) => entryKey(entry) === scheme)) return false;

  const text = file.getFullText();
  const eol = lineBreak(text);
  const last = entries.at(-1);
  const styleSource =
    last?.getFirstChild()?.getText() ?? file.getImportDeclarations()[0]?.getModuleSpecifier().getText() ?? "'";
  const quote = styleSource.startsWith('"') ? '"' : "'";
  const entry = `${quote}${scheme}${quote}: (url) => ${factory}({ url })`;
  const [start, end] = [stores.getStart(), stores.getEnd()];

  if (last === undefined) {
    // An empty object: open it up over lines, one level deeper than the declaration.
    const outer = indentOf(text, start);
    file.replaceText([start + 1, end - 1], `${eol}${outer}${indentUnit(text)}${entry},${eol}${outer}`);
    return true;
  }
  const lastEnd = last.getEnd();
  const comma = commaAfter(text, lastEnd);
  if (!text.slice(start, end).includes('\n')) {
    file.insertText(comma ?? lastEnd, comma === undefined ? `, ${entry}` : ` ${entry},`);
    return true;
  }
  // A line of its own after the last entry's line, so a comment trailing that entry stays with it.
  const after = comma ?? lastEnd;
  const at = onlyTriviaAfter(text, after) ? lineEnd(text, after) : after;
  file.insertText(at, `${eol}${indentOf(text, last.getStart())}${entry}${comma === undefined ? '' : ','}`);
  if (comma === undefined) file.insertText(lastEnd, ',');
  return true;
}
