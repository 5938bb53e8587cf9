import { DEFAULT_EXAMPLE_FILE, type CliFlags } from './args.js';

/** What a first run settled (flags and prompts), so a suggested command needs no prompt. */
export interface SettledAnswers {
  framework: string;
  stores: readonly string[];
  dir: string;
  example: string | undefined;
  language: 'ts' | 'js';
}

/**
 * The command line that repeats the user's request with another command or `--force`: every
 * hint the generator prints is a command that works when pasted into the same shell. A re-run's
 * request is its flags (the layer supplies the rest); a first run's is every answer it settled,
 * prompted ones included.
 */
export function requestCommand(
  flags: CliFlags,
  change: { command?: 'generate' | 'update'; force?: boolean; version?: string; answers?: SettledAnswers } = {},
): string {
  const { answers } = change;
  const args = [change.version === undefined ? 'create-session-layer' : `create-session-layer@${change.version}`];
  if ((change.command ?? flags.command) === 'update') args.push('update');
  const framework = answers?.framework ?? flags.framework;
  if (framework !== undefined) args.push('--framework', framework);
  const stores = answers?.stores ?? flags.stores;
  if (stores.length > 0) args.push('--store', stores.join(','));
  if (flags.removeStores.length > 0) args.push('--remove-store', flags.removeStores.join(','));
  const dir = answers?.dir ?? flags.dir;
  if (dir !== undefined) args.push('--dir', dir);
  if (flags.lang !== undefined) args.push('--lang', flags.lang);
  const example = answers?.example ?? flags.example;
  const defaultExample =
    answers?.language === 'js' ? DEFAULT_EXAMPLE_FILE.replace(/\.ts$/, '.js') : DEFAULT_EXAMPLE_FILE;
  if (example !== undefined)
    args.push(
      ...(example === defaultExample || example === DEFAULT_EXAMPLE_FILE ? ['--example'] : ['--example', example]),
    );
  if (flags.cwd !== '.') args.push('--cwd', flags.cwd);
  if (change.force === true) args.push('--force');
  return `npx ${args.map(shellWord).join(' ')}`;
}

/** A word as a POSIX shell reads it back: quoted only when it needs to be. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
