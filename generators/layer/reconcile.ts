import { mergeThreeWay } from './merge.js';
import { normalize, sameCode } from './normalize.js';
import { matchesRecorded, type PlannedFile } from './plan.js';

/**
 * What to do with a file the user edited when the generator has another version of it:
 * - stop (a plain run): plan nothing for it and stop the whole run, listing it;
 * - merge (`update`): three-way merge against the base it was generated from;
 * - force (--force): overwrite it, keeping the user's version as `<file>.orig`.
 */
export type EditPolicy = 'stop' | 'merge' | 'force';

/** A file of the layer as the generator sees it on this run. */
export interface LayerFile {
  path: string;
  /** What this generator produces for it now. */
  generated: string;
  /** The text on disk, undefined when there is none. */
  disk: string | undefined;
  /** The blob id the manifest recorded: of the text the generator produced last time. */
  recordedHash: string | undefined;
  /** That text itself, looked up only when needed (see bases.ts): undefined when it cannot be found. */
  base: () => Promise<string | undefined>;
}

export interface ReconcileContext {
  policy: EditPolicy;
  /** Whether a path is taken (on disk or planned), to pick a free backup name. */
  exists(path: string): boolean;
  /** Formats code in the app's own style (its prettier config). */
  formatLikeApp(path: string, text: string): Promise<string>;
}

/**
 * Decides one generated file. The order keeps the common case cheap: raw text and hash
 * comparisons settle unchanged and unedited files; prettier only runs on a mismatch, to tell a
 * reformat from an edit, and the base of the last run is only looked up for a file the user
 * edited when the generator has something new for it.
 */
export async function reconcile(file: LayerFile, context: ReconcileContext): Promise<PlannedFile> {
  const { path, generated, disk, recordedHash } = file;
  const planned = (
    change: PlannedFile['change'],
    after: string | undefined,
    extra: Partial<PlannedFile> = {},
  ): PlannedFile => ({
    path,
    change,
    before: disk,
    after,
    companions: [],
    base: generated,
    ...extra,
  });
  if (disk === undefined) return planned('created', generated);
  if (disk === generated) return planned('unchanged', disk);
  // Not edited since we wrote it: safe to replace.
  if (recordedHash !== undefined && matchesRecorded(disk, recordedHash)) return planned('updated', generated);
  // Only reformatted (the user's prettier): the same code as ours now.
  if (await sameCode(path, disk, generated))
    return planned('unchanged', disk, { note: 'formatting differs; the code is the same' });
  // Edited by the user, but the generator has nothing new for it: it stays theirs.
  if (recordedHash !== undefined && matchesRecorded(generated, recordedHash)) return planned('kept-yours', disk);
  const base = recordedHash === undefined ? undefined : await file.base();
  if (base !== undefined) {
    // The same code as ours then (only reformatted): replace it like an unedited file.
    if (await sameCode(path, disk, base)) return planned('updated', generated);
    // Ours only changed layout since then: the user's version stays.
    if (await sameCode(path, generated, base)) return planned('kept-yours', disk);
  }

  // Edited by the user and changed by the generator (or a file we never wrote is in the way).
  if (context.policy === 'stop') {
    const why =
      recordedHash === undefined
        ? 'exists and was not written by create-session-layer'
        : 'was edited and the generator has a new version';
    return planned('conflict', disk, { blocked: true, note: why, base: undefined });
  }
  if (context.policy === 'force') {
    const backup = freeName(`${path}.orig`, context);
    return planned('overwritten', generated, {
      companions: [{ path: backup, content: disk }],
      note: `your version saved as ${backup}`,
    });
  }
  if (base === undefined) {
    // No common ancestor to merge against: keep theirs, put ours beside it.
    const beside = `${path}.new`;
    return planned('conflict', disk, {
      companions: [{ path: beside, content: generated }],
      note: `the version it was generated from is neither in git nor reproducible; the generator's version is in ${beside}`,
    });
  }
  const merged = await mergeKeepingEdits(path, disk, base, generated, context);
  if (merged.conflicts === 0) return planned('merged', merged.text, merged.note ? { note: merged.note } : {});
  return planned('conflict', merged.text, {
    note: `${merged.conflicts} conflict(s) marked inline (<<<<<<< yours / >>>>>>> generator)`,
  });
}

/**
 * Line merge first. When it conflicts, the user may have reformatted the whole file; merging the
 * canonical forms of the three versions, then printing the result in the app's style, separates
 * real overlaps from layout noise.
 */
async function mergeKeepingEdits(
  path: string,
  yours: string,
  base: string,
  generator: string,
  context: ReconcileContext,
): Promise<{ text: string; conflicts: number; note?: string }> {
  const raw = mergeThreeWay(yours, base, generator);
  if (raw.conflicts === 0) return raw;
  const [y, b, g] = await Promise.all([normalize(path, yours), normalize(path, base), normalize(path, generator)]);
  if (y === undefined || b === undefined || g === undefined) return raw;
  const canonical = mergeThreeWay(y, b, g);
  if (canonical.conflicts > 0) return raw;
  return {
    text: await context.formatLikeApp(path, canonical.text),
    conflicts: 0,
    note: 'merged after normalising formatting',
  };
}

function freeName(wanted: string, context: ReconcileContext): string {
  let name = wanted;
  for (let n = 1; context.exists(name); n++) name = `${wanted}.${n}`;
  return name;
}
