import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GeneratorError } from '../errors.js';
import type { Plan } from './plan.js';

/**
 * Writes the plan all or nothing. Every new text goes to a staging folder inside the app first
 * (same file system, so moves are atomic renames); then each file is moved into place, the one it
 * replaces or deletes parked in the staging folder. If any step fails (permissions, a file where a
 * folder should be, a full disk), every step done so far is undone in reverse order and the app is
 * as it was.
 */
export async function commitPlan(plan: Plan): Promise<void> {
  const { writes, deletes } = plan;
  if (writes.length === 0 && deletes.length === 0) return;
  const staging = join(plan.root, `.session-layer-staging-${randomBytes(4).toString('hex')}`);
  const undo: Array<() => Promise<unknown>> = [];
  try {
    await mkdir(staging);
    for (const [index, file] of writes.entries()) await writeFile(join(staging, `new-${index}`), file.content);
    for (const [index, file] of writes.entries()) {
      const target = join(plan.root, file.path);
      const createdFolder = await mkdir(dirname(target), { recursive: true });
      if (createdFolder !== undefined) undo.push(() => rm(createdFolder, { recursive: true, force: true }));
      if (existsSync(target)) {
        // Keep the file's mode (an executable example script stays executable).
        await chmod(join(staging, `new-${index}`), statSync(target).mode);
        await park(target, join(staging, `old-${index}`), undo);
      }
      await rename(join(staging, `new-${index}`), target);
      undo.push(() => rm(target, { force: true }));
    }
    for (const [index, path] of deletes.entries())
      await park(join(plan.root, path), join(staging, `deleted-${index}`), undo);
  } catch (error) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw new GeneratorError(
      'E_WRITE',
      `could not write the app (${(error as Error).message}); nothing was changed`,
      1,
    );
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function park(target: string, parked: string, undo: Array<() => Promise<unknown>>): Promise<void> {
  await rename(target, parked);
  undo.push(() => rename(parked, target));
}
