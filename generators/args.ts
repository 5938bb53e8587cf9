import { parseArgs } from 'node:util';
import { frameworks, stores } from '../runtime/manifest.js';
import { UsageError } from './errors.js';

export interface CliFlags {
  framework: string | undefined;
  stores: string[];
  dir: string | undefined;
  /** Example server file name, or undefined for none. */
  example: string | undefined;
  install: boolean;
  yes: boolean;
  dryRun: boolean;
  cwd: string;
  help: boolean;
}

export const DEFAULT_EXAMPLE_FILE = 'session-example.ts';

export const HELP = `Usage: create-session-layer [options]

Writes a server-side session module into your app as source code you own.

Options:
  --framework <name>   ${frameworks.map((f) => f.name).join(' | ')}
  --store <name>       ${stores.map((s) => s.name).join(' | ')}
                       (repeat or comma-separate for several; the first is the default)
  --dir <path>         folder for the module (default: src/session, or session/ without src/)
  --example [file]     also write an example server (default: ${DEFAULT_EXAMPLE_FILE})
  --install            run the package manager's install afterwards
  --yes, -y            never prompt: take flags and defaults
  --dry-run            write nothing; list what would change
  --cwd <path>         the app to generate into (default: the current folder)
  --help, -h           show this help
`;

/** Parses argv strictly: an unknown option or a bad value is a UsageError (exit code 2). */
export function parseFlags(argv: readonly string[]): CliFlags {
  let parsed;
  try {
    parsed = parseArgs({
      args: withExampleDefault(argv),
      strict: true,
      allowPositionals: false,
      options: {
        framework: { type: 'string' },
        store: { type: 'string', multiple: true },
        dir: { type: 'string' },
        example: { type: 'string' },
        install: { type: 'boolean', default: false },
        yes: { type: 'boolean', short: 'y', default: false },
        'dry-run': { type: 'boolean', default: false },
        cwd: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see --help)`);
  }
  const { values } = parsed;
  const framework = values.framework;
  if (framework !== undefined && !frameworks.some((f) => f.name === framework)) {
    throw new UsageError(`unknown framework "${framework}"; choose one of: ${frameworks.map((f) => f.name).join(', ')}`);
  }
  const chosenStores = (values.store ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
  for (const name of chosenStores) {
    if (!stores.some((s) => s.name === name)) {
      throw new UsageError(`unknown store "${name}"; choose from: ${stores.map((s) => s.name).join(', ')}`);
    }
  }
  return {
    framework,
    stores: [...new Set(chosenStores)],
    dir: values.dir,
    example: values.example,
    install: values.install,
    yes: values.yes,
    dryRun: values['dry-run'],
    cwd: values.cwd ?? '.',
    help: values.help,
  };
}

/** `--example` takes an optional file name; parseArgs wants a value, so supply the default. */
function withExampleDefault(argv: readonly string[]): string[] {
  return argv.map((arg, i) => {
    const next = argv[i + 1];
    return arg === '--example' && (next === undefined || next.startsWith('-')) ? `--example=${DEFAULT_EXAMPLE_FILE}` : arg;
  });
}
