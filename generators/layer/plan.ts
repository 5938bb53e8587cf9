import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What happens to one file:
 * - created, updated, unchanged, deleted: as they say (updated: the user had not edited it);
 * - kept-yours: the user edited it and the generator has nothing new for it, so it stays as it is;
 * - merged: the user's edits and the generator's changes combined cleanly (update);
 * - conflict: both changed the same lines: marked inline, or the generator's version left beside
 *   it as `<file>.new` (update); in a plain run it stops everything (see `blocked`);
 * - overwritten: --force replaced the user's version, which was saved first as `<file>.orig`.
 */
export type Change =
  'created' | 'updated' | 'unchanged' | 'kept-yours' | 'merged' | 'conflict' | 'overwritten' | 'deleted';

/** A file written beside a planned one: a backup of the user's version or the generator's version. */
export interface Companion {
  path: string;
  content: string;
}

export interface PlannedFile {
  /** Relative to the app root, with forward slashes. */
  path: string;
  change: Change;
  /** The text on disk now, undefined when there is no such file. */
  before: string | undefined;
  /** The text after the run, undefined when the file goes. */
  after: string | undefined;
  /** What the change alone does not say: where a backup went, why a file stayed. */
  note?: string | undefined;
  companions: Companion[];
  /**
   * For files of the layer: the text the generator produced for it, the base future merges start
   * from. Its hash goes into the manifest, so a later run can tell the user's edits from ours.
   */
  base?: string | undefined;
  /** The recorded blob id to carry over when the base text cannot be found (see bases.ts). */
  baseHash?: string | undefined;
  /** In a plain run: the user edited this file and the generator has another version of it. Stops the run. */
  blocked?: boolean | undefined;
}

/**
 * The git blob id of a text, as `git hash-object` prints it: what session-layer.json records for
 * each file the generator wrote. It tells the user's edits from ours, and git can give the text
 * back (see bases.ts), so the app's repository holds no copy of it.
 */
export function blobId(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** Whether `text` is the one recorded: a git blob id, or the SHA-256 that development layers recorded before. */
export function matchesRecorded(text: string, recorded: string): boolean {
  return recorded.length === 64
    ? createHash('sha256').update(text).digest('hex') === recorded
    : blobId(text) === recorded;
}

/**
 * Every write is planned in memory first, validated, and only then committed together (see
 * commit.ts), so a failure while planning leaves the app untouched.
 */
export class Plan {
  readonly files: PlannedFile[] = [];
  /** Lines for the output that belong to no single file (a helper kept for another store, a package left in package.json). */
  readonly notes: string[] = [];
  /** Packages this run adds to package.json, as `name@range`. */
  readonly packagesAdded: string[] = [];
  /** index.ts's defaultStoreUrl after this run, when it is a plain string: the store the report names as the default. */
  defaultStoreUrl: string | undefined;
  private readonly disk = new Map<string, string | undefined>();

  /** `blank`: plan as if the app had none of the layer's files, to learn what the generator writes. */
  constructor(
    readonly root: string,
    private readonly options: { blank?: boolean } = {},
  ) {}

  /** The file's text on disk (read once per run), undefined when it does not exist. */
  read(path: string): string | undefined {
    if (this.options.blank === true) return undefined;
    if (!this.disk.has(path)) {
      const absolute = join(this.root, path);
      this.disk.set(path, existsSync(absolute) ? readFileSync(absolute, 'utf8') : undefined);
    }
    return this.disk.get(path);
  }

  exists(path: string): boolean {
    return (
      this.read(path) !== undefined ||
      this.files.some((file) => file.companions.some((companion) => companion.path === path))
    );
  }

  add(file: PlannedFile): PlannedFile {
    const index = this.files.findIndex((planned) => planned.path === file.path);
    if (index === -1) this.files.push(file);
    else this.files[index] = file;
    return file;
  }

  /** Plans an edit of a file the app owns (package.json) or of our own bookkeeping: applied as given. */
  addEdit(path: string, content: string): PlannedFile {
    const before = this.read(path);
    const change = before === undefined ? 'created' : before === content ? 'unchanged' : 'updated';
    return this.add({ path, change, before, after: content, companions: [] });
  }

  get blocked(): PlannedFile[] {
    return this.files.filter((file) => file.blocked);
  }

  /** Every text to write: changed files and their companions. */
  get writes(): Companion[] {
    const writes: Companion[] = [];
    for (const file of this.files) {
      if (file.after !== undefined && file.after !== file.before) writes.push({ path: file.path, content: file.after });
      writes.push(...file.companions);
    }
    return writes;
  }

  get deletes(): string[] {
    return this.files.filter((file) => file.after === undefined && file.before !== undefined).map((file) => file.path);
  }

  get isNoOp(): boolean {
    return this.writes.length === 0 && this.deletes.length === 0;
  }
}
