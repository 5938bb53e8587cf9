import type { TargetApp } from './detect.js';
import { relative } from 'node:path';

export interface NextSteps {
  /** The install command, or undefined when --install already ran it. */
  install: string | undefined;
  /** Environment variables the layer reads, with what they mean (from the emitted README). */
  env: Array<{ name: string; meaning: string }>;
  /** A few lines of usage for the framework (from templates/usage/<framework>.md.hbs). */
  usage: string[];
  /** The wiring file to edit, `index.ts` or `index.js`. */
  index: string;
  /** How to start the example server, when there is one. */
  example: string | undefined;
  /** Where to read what changed, when the run moved the layer to a newer version (see changelog.ts). */
  changelog?: string | undefined;
}

/**
 * The closing "next steps". Nothing here is written twice: the environment variables come from
 * the settings table of the README we render, the usage lines from the framework's usage
 * template, the install command from the detected package manager.
 */
export function nextSteps(
  target: TargetApp,
  readme: string,
  usage: string,
  example: string | undefined,
  installed: boolean,
  language: 'ts' | 'js' = 'ts',
): NextSteps {
  const { name, installRoot } = target.packageManager;
  const where = relative(target.root, installRoot);
  return {
    install: installed ? undefined : `${where ? `cd ${where} && ` : ''}${name} install`,
    env: envFromReadme(readme),
    usage: firstCodeParagraphs(usage, 3),
    index: language === 'js' ? 'index.js' : 'index.ts',
    example: example === undefined ? undefined : language === 'js' ? `node ${example}` : `npx tsx ${example}`,
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
