import { parseArgs } from 'node:util';
import { frameworks, stores } from '../../runtime/manifest.js';
import { defaultsByPath, defaultText } from '../defaults.js';
import { UsageError } from '../errors.js';

export interface CliFlags {
  /** `generate` (no positional): create or extend the layer; `update`: also merge the user's edits with a newer generator. */
  command: 'generate' | 'update';
  framework: string | undefined;
  stores: string[];
  removeStores: string[];
  dir: string | undefined;
  /** The language to write: undefined to follow the app (a tsconfig.json means TypeScript). */
  lang: 'ts' | 'js' | undefined;
  /** Example server file name, or undefined for none. */
  example: string | undefined;
  install: boolean;
  yes: boolean;
  dryRun: boolean;
  diff: boolean;
  force: boolean;
  json: boolean;
  /** List every file, unchanged ones too. */
  verbose: boolean;
  cwd: string;
  help: boolean;
  version: boolean;
}

export const DEFAULT_EXAMPLE_FILE = 'session-example.ts';

/** The defaults --help shows (durations in seconds): the ones most apps change. */
const SHOWN_DEFAULTS = ['maxAge', 'regenerateEvery', 'rotateGrace', 'absoluteTimeout', 'cookie.name', 'maxSize'];

/** Items on indented lines of at most 100 characters. */
function wrap(items: readonly string[]): string {
  const lines: string[] = [];
  for (const item of items) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 2 + item.length <= 100) lines[lines.length - 1] = `${last}  ${item}`;
    else lines.push(`  ${item}`);
  }
  return lines.join('\n');
}

export const HELP = `Usage: create-session-layer [update] [options]

Writes a server-side session module into your app as source code you own.
Run it again to add or remove a store; \`update\` brings the vendored files to this version,
merging your edits three-way.

Options:
  --framework <name>     ${frameworks.map((f) => f.name).join(' | ')}
  --store <name>         ${stores.map((s) => s.name).join(' | ')}
                         (repeat or comma-separate; on a re-run, added to the layer's stores)
  --remove-store <name>  take a store out of an existing layer
  --dir <path>           folder for the module (default: src/session, or session/ without src/)
  --lang <ts|js>         TypeScript, or JavaScript with JSDoc types (default: ts when the app
                         has a tsconfig.json, else js, as ESM or CommonJS per package.json)
  --example [file]       also write an example server (default: ${DEFAULT_EXAMPLE_FILE})
  --install              run the package manager's install afterwards
  --yes, -y              never prompt: take flags and defaults
  --dry-run              write nothing; list what would change
  --diff                 also print the unified diff of every change
  --force                overwrite vendored files you edited (each kept as <file>.orig)
  --json                 print one JSON object on stdout, for tools
  --verbose              list every file, unchanged ones too
  --cwd <path>           the app to generate into (default: the current folder)
  --help, -h             show this help
  --version, -v          show the generator version

Store URLs (SESSION_STORE; the first store chosen is the default):
${stores.map((store) => `  ${store.name.padEnd(11)}${store.urlForms.join('\n             ')}`).join('\n')}

Session defaults (durations in seconds; change them in the layer's index.ts; every option: its README.md):
${wrap(
  [...defaultsByPath()]
    .filter(([path]) => SHOWN_DEFAULTS.includes(path))
    .map(([path, value]) => `${path}=${defaultText(value)}`),
)}

Exit codes: 0 done (or up to date); 1 failed, or \`update\` left conflicts to resolve;
2 bad usage, or edited files in the way (nothing written).
`;

const OPTIONS = {
  framework: { type: 'string' },
  store: { type: 'string', multiple: true },
  'remove-store': { type: 'string', multiple: true },
  dir: { type: 'string' },
  lang: { type: 'string' },
  example: { type: 'string' },
  install: { type: 'boolean', default: false },
  yes: { type: 'boolean', short: 'y', default: false },
  'dry-run': { type: 'boolean', default: false },
  diff: { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
  cwd: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
} as const;

/** Parses argv strictly: an unknown option, a bad or empty value or conflicting flags are a UsageError (exit code 2). */
export function parseFlags(argv: readonly string[]): CliFlags {
  let parsed;
  try {
    parsed = parseArgs({ args: withExampleDefault(argv), strict: true, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError(`${parseArgsMessage(error as Error & { code?: string })} (see --help)`);
  }
  const { values, positionals } = parsed;
  const [command, ...extra] = positionals;
  if ((command !== undefined && command !== 'update') || extra.length > 0) {
    throw new UsageError(
      `unknown command "${command === 'update' ? extra[0] : command}"; the only command is "update" (see --help)`,
    );
  }
  const framework = values.framework;
  if (framework !== undefined && !frameworks.some((f) => f.name === framework)) {
    throw new UsageError(
      `unknown framework "${framework}"; choose one of: ${frameworks.map((f) => f.name).join(', ')}`,
    );
  }
  const lang = values.lang;
  if (lang !== undefined && lang !== 'ts' && lang !== 'js')
    throw new UsageError(`unknown language "${lang}"; choose ts or js`);
  const chosenStores = storeNames(values.store, '--store');
  const removeStores = storeNames(values['remove-store'], '--remove-store');
  const both = chosenStores.find((name) => removeStores.includes(name));
  if (both !== undefined) throw new UsageError(`--store ${both} and --remove-store ${both} conflict: choose one`);
  for (const [flag, value] of [
    ['--dir', values.dir],
    ['--example', values.example],
    ['--cwd', values.cwd],
  ] as const) {
    if (value !== undefined && value.trim() === '') throw new UsageError(`${flag} needs a value; got an empty one`);
  }
  if (values['dry-run'] && values.install)
    throw new UsageError('--dry-run and --install conflict: a dry run installs nothing');
  if (command === 'update' && values.force)
    throw new UsageError('update merges your edits and --force overwrites them: choose one');
  return {
    command: command === 'update' ? 'update' : 'generate',
    framework,
    stores: chosenStores,
    removeStores,
    dir: values.dir,
    lang,
    example: values.example,
    install: values.install,
    yes: values.yes,
    dryRun: values['dry-run'],
    diff: values.diff,
    force: values.force,
    json: values.json,
    verbose: values.verbose,
    cwd: values.cwd ?? '.',
    help: values.help,
    version: values.version,
  };
}

/** Store names from repeated or comma-separated values; an empty or unknown one is refused, never dropped. */
function storeNames(values: readonly string[] | undefined, flag: string): string[] {
  const names = (values ?? []).flatMap((value) => value.split(',')).map((value) => value.trim());
  for (const name of names) {
    if (name === '') throw new UsageError(`${flag} needs a store name; got an empty one`);
    if (!stores.some((s) => s.name === name))
      throw new UsageError(`unknown store "${name}"; choose from: ${stores.map((s) => s.name).join(', ')}`);
  }
  return [...new Set(names)];
}

/**
 * parseArgs' own messages speak of positional arguments and `--` (which this CLI has no use for);
 * an unknown option gets a plain message instead, with the closest known option when one is close.
 */
function parseArgsMessage(error: Error & { code?: string }): string {
  const unknown = /^Unknown option '(-{1,2}[^']*)'/.exec(error.message)?.[1];
  if (error.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || unknown === undefined) return error.message.split('\n')[0]!;
  const name = unknown.replace(/^-+/, '').split('=')[0]!;
  const closest = Object.keys(OPTIONS)
    .map((option) => ({ option, distance: editDistance(name, option) }))
    .sort((a, b) => a.distance - b.distance)[0];
  const hint = closest !== undefined && closest.distance <= 2 ? `; did you mean --${closest.option}?` : '';
  return `unknown option ${unknown}${hint}`;
}

/** Levenshtein distance: how many single-letter edits turn one word into the other. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** `--example` takes an optional file name; parseArgs wants a value, so supply the default. */
function withExampleDefault(argv: readonly string[]): string[] {
  return argv.map((arg, i) => {
    const next = argv[i + 1];
    const valueless = next === undefined || next.startsWith('-') || next === 'update';
    return arg === '--example' && valueless ? `--example=${DEFAULT_EXAMPLE_FILE}` : arg;
  });
}
