import { createTwoFilesPatch } from 'diff';
import { changelogText } from './changelog.js';
import type { StoreEntry } from '../../runtime/manifest.js';
import { defaultUrlNote } from '../layer/default-store.js';
import type { Change, Plan, PlannedFile } from '../layer/plan.js';
import type { CliFlags } from './args.js';
import type { Paint } from './colors.js';
import type { CliIo } from './io.js';
import type { NextSteps } from './next-steps.js';
import type { RunSummary, StepName } from './summary.js';

const VERBS: Record<Change, { done: string; planned: string; color: Parameters<Paint>[0] }> = {
  created: { done: 'created', planned: 'would create', color: 'green' },
  updated: { done: 'updated', planned: 'would update', color: 'cyan' },
  unchanged: { done: 'unchanged', planned: 'unchanged', color: 'dim' },
  'kept-yours': { done: 'kept-yours', planned: 'kept-yours', color: 'yellow' },
  merged: { done: 'merged', planned: 'would merge', color: 'cyan' },
  conflict: { done: 'conflict', planned: 'would conflict', color: 'red' },
  overwritten: { done: 'overwritten', planned: 'would overwrite', color: 'yellow' },
  deleted: { done: 'deleted', planned: 'would delete', color: 'red' },
};

/** The text report of a run: a line per file that moved, notes, packages, the default store, next steps. */
export function printRun(io: CliIo, flags: CliFlags, plan: Plan, summary: RunSummary, paint: Paint): void {
  const lines: string[] = [];
  if (flags.dryRun) lines.push(paint('bold', 'Dry run: nothing was written.'));
  // What changed since the layer's version, before the files it explains.
  if (summary.changelog) lines.push(changelogText(summary.changelog, paint));
  lines.push(...fileLines(plan.files, flags, paint));
  for (const note of plan.notes) lines.push(`${paint('yellow', 'note')}: ${note}`);
  if (plan.packagesAdded.length > 0)
    lines.push(`package.json: ${flags.dryRun ? 'would add' : 'added'} ${plan.packagesAdded.join(', ')}`);
  lines.push(...defaultStoreLines(summary.defaultStore.store, summary.defaultStore.url, summary.index, paint));
  if (plan.isNoOp) lines.push('The session layer is up to date.');
  io.stdout.write(`${lines.join('\n')}\n`);
  if (!plan.isNoOp && !flags.dryRun) io.stdout.write(nextStepsText(summary.steps, summary.show, paint));
}

/** One line per file: what happened to it (or would, in a dry run), and why when that is not obvious. */
export function fileLine(file: PlannedFile, dryRun: boolean, paint: Paint): string {
  const verbs = VERBS[file.change];
  const verb = file.blocked ? 'edited' : dryRun ? verbs.planned : verbs.done;
  const note = file.note ? paint('dim', `  (${file.note})`) : '';
  return `${paint(file.blocked ? 'red' : verbs.color, verb.padEnd(15))} ${file.path}${note}`;
}

/**
 * The per-file lines of a run. Unchanged files are one summary line unless --verbose asks for
 * them: a re-run then shows only what moved.
 */
export function fileLines(
  files: readonly PlannedFile[],
  options: { dryRun: boolean; verbose: boolean; diff: boolean },
  paint: Paint,
): string[] {
  const lines: string[] = [];
  let unchanged = 0;
  for (const file of files) {
    if (file.change === 'unchanged' && !file.blocked && !options.verbose) {
      unchanged++;
      continue;
    }
    lines.push(fileLine(file, options.dryRun, paint));
    if (options.diff) {
      const diff = fileDiff(file, paint);
      if (diff !== '') lines.push(diff);
    }
  }
  if (unchanged > 0)
    lines.push(paint('dim', `${unchanged} file${unchanged === 1 ? '' : 's'} unchanged (--verbose lists them)`));
  return lines;
}

/**
 * Which store index.ts falls back to when SESSION_STORE is unset, said on every run. `store` is
 * undefined when defaultStoreUrl is not a plain URL of one of the layer's stores (the user's own
 * code decides). A memory default gets a warning: it keeps nothing across restarts.
 */
export function defaultStoreLines(
  store: StoreEntry | undefined,
  url: string | undefined,
  index: string,
  paint: Paint,
): string[] {
  if (store === undefined) return [`Default store: set by defaultStoreUrl in ${index}`];
  const note = defaultUrlNote(store);
  const lines = [
    `Default store: ${url ?? store.defaultUrl}${note && store.name !== 'memory' ? ` (${note})` : ''}, used when SESSION_STORE is not set (defaultStoreUrl in ${index})`,
  ];
  if (store.name === 'memory')
    lines.push(
      `${paint('yellow', 'warning')}: memory:// as the default store: ${note}; set SESSION_STORE (or defaultStoreUrl) for production`,
    );
  return lines;
}

/** The unified diff of a planned change (and of any file written beside it), empty when nothing changes. */
export function fileDiff(file: PlannedFile, paint: Paint): string {
  const patches: string[] = [];
  if (file.before !== file.after && !file.blocked) patches.push(unified(file.path, file.before, file.after));
  for (const companion of file.companions) patches.push(unified(companion.path, undefined, companion.content));
  return patches
    .join('')
    .split('\n')
    .map((line) =>
      line.startsWith('+') && !line.startsWith('+++')
        ? paint('green', line)
        : line.startsWith('-') && !line.startsWith('---')
          ? paint('red', line)
          : line.startsWith('@@')
            ? paint('cyan', line)
            : line,
    )
    .join('\n');
}

function unified(path: string, before: string | undefined, after: string | undefined): string {
  const patch = createTwoFilesPatch(
    before === undefined ? '/dev/null' : `a/${path}`,
    after === undefined ? '/dev/null' : `b/${path}`,
    before ?? '',
    after ?? '',
    undefined,
    undefined,
    { context: 3 },
  );
  // Drop the "Index:"/"====" preamble: the ---/+++ header is what tools and people read.
  return patch.replace(/^=+\n/m, '').replace(/^Index: .*\n/m, '');
}

/** The next steps as text, those `show` names (see RunSummary). */
export function nextStepsText(steps: NextSteps, show: ReadonlySet<StepName>, paint: Paint): string {
  const lines = [paint('bold', 'Next steps:')];
  let step = 0;
  if (steps.changelog && show.has('changelog')) lines.push(`  ${++step}. ${steps.changelog}`);
  if (steps.install && show.has('install')) lines.push(`  ${++step}. install:  ${steps.install}`);
  if (show.has('env')) {
    lines.push(`  ${++step}. set in your environment (or change ${steps.index}):`);
    const width = Math.max(0, ...steps.env.map((entry) => entry.name.length));
    for (const entry of steps.env) lines.push(`       ${entry.name.padEnd(width)}  ${entry.meaning}`);
  }
  if (show.has('usage')) {
    lines.push(`  ${++step}. use it${steps.usageFile ? ` in ${steps.usageFile}` : ''}:`);
    for (const line of steps.usage) lines.push(line === '' ? '' : `       ${line}`);
  }
  if (steps.sweep && show.has('sweep')) {
    const { stores, code } = steps.sweep;
    lines.push(
      `  ${++step}. sweep expired sessions (the ${stores.join(', ')} store${stores.length > 1 ? 's keep' : ' keeps'} them until deleteExpired runs; a no-op on stores that expire by themselves):`,
      `       ${code};`,
    );
  }
  if (steps.example && show.has('example')) lines.push(`  ${++step}. try the example server:  ${steps.example}`);
  return step === 0 ? '' : `${lines.join('\n')}\n`;
}
