import { HELP, parseFlags, type CliFlags } from './cli/args.js';
import { processIo, type CliIo } from './cli/io.js';
import { GeneratorError } from './errors.js';
import { generatorVersion } from './paths.js';

/*
 * The CLI entry: flags, help and error reporting. The generator itself (ts-morph, prettier,
 * node-plop: most of the start-up time) is loaded only once the flags are known to be good, so
 * --help, --version and usage errors answer at once.
 */

/**
 * Runs the CLI and resolves the exit code: 0 done or up to date; 1 failed, or `update` left
 * conflicts to resolve (files were written, with the conflicts marked); 2 bad usage or edited files
 * in the way (nothing was written).
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let flags: CliFlags | undefined;
  try {
    flags = parseFlags(argv);
    if (flags.help) {
      io.stdout.write(HELP);
      return 0;
    }
    if (flags.version) {
      io.stdout.write(`${generatorVersion}\n`);
      return 0;
    }
    // An identical re-run answers from hashes alone; anything else is the full run.
    const { reportIfUpToDate } = await import('./cli/up-to-date.js');
    if (await reportIfUpToDate(flags, io)) return 0;
    const { run } = await import('./run.js');
    return await run(flags, io);
  } catch (error) {
    const coded =
      error instanceof GeneratorError
        ? error
        : new GeneratorError('E_INTERNAL', error instanceof Error ? error.message : String(error), 1);
    const message = coded.message.replace(/\s*\n\s*/g, ' ');
    io.stderr.write(`create-session-layer: ${coded.code}: ${message}\n`);
    // Tools asked for JSON even when the flags themselves were the problem.
    if (flags?.json ?? argv.includes('--json')) {
      const files = coded.files.length > 0 ? { files: coded.files } : {};
      io.stdout.write(
        `${JSON.stringify({ ok: false, exitCode: coded.exitCode, code: coded.code, error: message, ...files })}\n`,
      );
    }
    return coded.exitCode;
  }
}
