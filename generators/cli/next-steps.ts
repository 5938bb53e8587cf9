import { relative, resolve } from 'node:path';
import type { TargetApp } from '../app/detect.js';

export interface NextSteps {
  /** The install command, run from where the command ran; undefined when nothing was added or --install ran it. */
  install: string | undefined;
  /** Environment variables the layer reads, with what they mean (from the emitted README). */
  env: Array<{ name: string; meaning: string }>;
  /** The wiring file to edit, relative to where the command ran. */
  index: string;
  /** The file the usage lines are written for (the app's entry, relative to where the command ran), if one was found. */
  usageFile: string | undefined;
  /** A few lines of usage for the framework (from templates/usage/<framework>.md.hbs). */
  usage: string[];
  /** Stores that keep expired sessions until swept, and the line that sweeps them (from the emitted README). */
  sweep: { stores: string[]; code: string } | undefined;
  /** How to start the example server from where the command ran, when there is one. */
  example: string | undefined;
  /** What to read before committing an update: the CHANGELOG.md entries since the layer's version. */
  changelog?: string | undefined;
}

export interface NextStepsInput {
  target: TargetApp;
  /** Where the command ran: every path and `cd` in the steps is relative to it. */
  shellCwd: string;
  /** The layer's README as generated: the environment table and the sweep line come from it. */
  readme: string;
  /** The framework's usage snippet, rendered for `usageFile`. */
  usage: string;
  /** Relative to the app root. */
  usageFile: string | undefined;
  index: string;
  /** The command that starts the example from the app root (`npx tsx session-example.ts`). */
  example: string | undefined;
  /** Whether this run added packages that are not installed yet. */
  needsInstall: boolean;
  sweptStores: string[];
}

/**
 * The closing "next steps". Nothing here is written twice: the environment variables and the
 * sweep line come from the README we render, the usage lines from the framework's usage template,
 * the install command from the detected package manager. Paths and `cd`s are relative to the
 * shell the command ran in, which in a monorepo is often not the app's folder.
 */
export function nextSteps(input: NextStepsInput): NextSteps {
  const { target, shellCwd } = input;
  const fromShell = (path: string) => relative(shellCwd, resolve(target.root, path)) || '.';
  const inFolder = (folder: string, command: string) => {
    const where = relative(shellCwd, folder);
    return where === '' ? command : `cd ${where} && ${command}`;
  };
  const code = /`(setInterval\(\(\) => sessions\.deleteExpired\(\)[^`]*)`/.exec(input.readme)?.[1];
  return {
    install: input.needsInstall
      ? inFolder(target.packageManager.installRoot, `${target.packageManager.name} install`)
      : undefined,
    env: envFromReadme(input.readme),
    index: fromShell(input.index),
    usageFile: input.usageFile === undefined ? undefined : fromShell(input.usageFile),
    usage: firstCodeParagraphs(input.usage, 3),
    sweep: input.sweptStores.length > 0 && code !== undefined ? { stores: input.sweptStores, code } : undefined,
    example: input.example === undefined ? undefined : inFolder(target.root, input.example),
  };
}

/** Rows of the README settings table that name an environment variable: | `SESSION_X` | `option` | default | meaning |. */
function envFromReadme(readme: string): Array<{ name: string; meaning: string }> {
  const rows = readme.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|[^|\n]*\|[^|\n]*\| ([^|\n]+?) \|$/gm);
  return [...rows].map((row) => ({ name: row[1] ?? '', meaning: row[2] ?? '' }));
}

/** The first paragraphs (blank-line separated) of the first fenced code block. */
function firstCodeParagraphs(markdown: string, count: number): string[] {
  const block = /```[a-z]*\n([\s\S]*?)```/.exec(markdown)?.[1] ?? '';
  return block
    .split(/\n\s*\n/)
    .slice(0, count)
    .join('\n\n')
    .split('\n');
}
