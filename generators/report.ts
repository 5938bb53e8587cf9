import { createTwoFilesPatch } from 'diff';
import type { Paint } from './colors.js';
import type { NextSteps } from './next-steps.js';
import type { Change, PlannedFile } from './plan.js';

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

/** One line per file: what happened to it (or would, in a dry run), and why when that is not obvious. */
export function fileLine(file: PlannedFile, dryRun: boolean, paint: Paint): string {
  const verbs = VERBS[file.change];
  const verb = file.blocked ? 'edited' : dryRun ? verbs.planned : verbs.done;
  const note = file.note ? paint('dim', `  (${file.note})`) : '';
  return `${paint(file.blocked ? 'red' : verbs.color, verb.padEnd(15))} ${file.path}${note}`;
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

export function nextStepsText(steps: NextSteps, paint: Paint): string {
  const lines = [paint('bold', 'Next steps:')];
  let step = 0;
  if (steps.changelog) lines.push(`  ${++step}. ${steps.changelog}`);
  if (steps.install) lines.push(`  ${++step}. install:  ${steps.install}`);
  lines.push(`  ${++step}. set in your environment (or change ${steps.index}):`);
  const width = Math.max(0, ...steps.env.map((entry) => entry.name.length));
  for (const entry of steps.env) lines.push(`       ${entry.name.padEnd(width)}  ${entry.meaning}`);
  lines.push(`  ${++step}. use it:`);
  for (const line of steps.usage) lines.push(line === '' ? '' : `       ${line}`);
  if (steps.example) lines.push(`  ${++step}. try the example server:  ${steps.example}`);
  return `${lines.join('\n')}\n`;
}
