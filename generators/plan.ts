import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** What happens to one file. `kept-yours`: the app edited a vendored file, so it is left alone. */
export type Change = 'create' | 'update' | 'unchanged' | 'kept-yours';

export interface PlannedFile {
  /** Relative to the app root, with forward slashes. */
  path: string;
  content: string;
  change: Change;
}

export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Every write is planned in memory first and only then committed, so a failure while planning
 * leaves the app untouched. Vendored files the app has edited since we wrote them (their hash no
 * longer matches the one recorded in the previous manifest) are never overwritten.
 */
export class Plan {
  readonly files: PlannedFile[] = [];

  constructor(
    readonly root: string,
    /** Hashes recorded by the previous run, by path relative to the root. */
    private readonly recorded: Readonly<Record<string, string>>,
  ) {}

  /** Plans a file the generator owns (vendored code, wiring, manifest). */
  addGenerated(path: string, content: string): PlannedFile {
    const existing = this.read(path);
    let change: Change;
    if (existing === undefined) change = 'create';
    else if (existing === content) change = 'unchanged';
    else if (this.recorded[path] === hashText(existing)) change = 'update';
    else change = 'kept-yours';
    return this.push({ path, content, change });
  }

  /** Plans an edit of a file the app owns (package.json): always applied, by a careful editor. */
  addEdit(path: string, content: string): PlannedFile {
    const existing = this.read(path);
    return this.push({ path, content, change: existing === undefined ? 'create' : existing === content ? 'unchanged' : 'update' });
  }

  get writes(): PlannedFile[] {
    return this.files.filter((file) => file.change === 'create' || file.change === 'update');
  }

  private read(path: string): string | undefined {
    const absolute = join(this.root, path);
    return existsSync(absolute) ? readFileSync(absolute, 'utf8') : undefined;
  }

  private push(file: PlannedFile): PlannedFile {
    const index = this.files.findIndex((planned) => planned.path === file.path);
    if (index === -1) this.files.push(file);
    else this.files[index] = file;
    return file;
  }
}

/**
 * Writes the plan: every file goes to a staging folder inside the app first, then each is
 * renamed into place. A failure while staging (disk full, permissions) removes the staging
 * folder and leaves the app as it was.
 */
export async function commitPlan(plan: Plan): Promise<void> {
  const writes = plan.writes;
  if (writes.length === 0) return;
  const staging = join(plan.root, `.session-layer-staging-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(staging);
    for (const [index, file] of writes.entries()) await writeFile(join(staging, String(index)), file.content);
    for (const [index, file] of writes.entries()) {
      const target = join(plan.root, file.path);
      await mkdir(dirname(target), { recursive: true });
      await rename(join(staging, String(index)), target);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
