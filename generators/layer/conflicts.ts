import { MARKERS } from './merge.js';

/**
 * Conflicts are state, not a message: an `update` that leaves conflicts records them in the
 * layer manifest, and every later run checks the files again before doing anything else. A file
 * still holding a marker line, or with the generator's version still beside it as `<file>.new`,
 * is unresolved; until none is, no run calls the layer up to date or writes anything.
 *
 * Marker lines are looked for in every file of the layer, recorded or not, so a conflict from a
 * layer written before conflicts were recorded is caught too.
 */
export interface UnresolvedConflict {
  path: string;
  /** `<path>.new` when the generator's version was left beside the file rather than merged into it. */
  beside: string | undefined;
}

export function unresolvedConflicts(
  layerFiles: readonly string[],
  recorded: readonly string[],
  read: (path: string) => string | undefined,
): UnresolvedConflict[] {
  const open: UnresolvedConflict[] = [];
  for (const path of new Set([...recorded, ...layerFiles])) {
    const text = read(path);
    const beside = recorded.includes(path) && read(`${path}.new`) !== undefined ? `${path}.new` : undefined;
    if (beside !== undefined || (text !== undefined && hasConflictMarkers(text))) open.push({ path, beside });
  }
  return open;
}

/** Whether the text holds a conflict region as the merge writes it: a whole line `<<<<<<< yours` or `>>>>>>> generator`. */
export function hasConflictMarkers(text: string): boolean {
  return text.split(/\r?\n/).some((line) => line === MARKERS.yours || line === MARKERS.generator);
}

/** One line naming what the user must do, for the error message. */
export function describeConflicts(open: readonly UnresolvedConflict[]): string {
  return open
    .map((conflict) => (conflict.beside ? `${conflict.path} (with ${conflict.beside})` : conflict.path))
    .join(', ');
}
