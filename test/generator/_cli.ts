/**
 * Runs the generator in-process (the TypeScript sources, no build needed), as a non-interactive
 * run with a captured stdout and stderr. Most generator tests use this: it is several times faster
 * than spawning bin/, which the CLI tests still do to cover the real entry point.
 */
import { relative } from 'node:path';
import { main } from '../../generators/cli.js';
import type { CliResult } from '../helpers/apps.js';

export interface RunOptions {
  /** Pretend stdout is a terminal. */
  tty?: boolean;
  env?: Record<string, string>;
  /** Where the command runs (the shell's folder): the app is then passed as --cwd relative to it. Default: the app root. */
  cwd?: string;
}

export async function generate(root: string, args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const shell = options.cwd ?? root;
  const code = await main([...args, '--cwd', relative(shell, root) || '.'], {
    stdout: { write: (text: string) => (stdout += text), isTTY: options.tty ?? false },
    stderr: { write: (text: string) => (stderr += text) },
    env: options.env ?? {},
    interactive: false,
    cwd: shell,
  });
  return { code, stdout, stderr };
}

/** Fails the test with the run's stderr when it did not exit 0. */
export async function generateOk(root: string, args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const result = await generate(root, args, options);
  if (result.code !== 0) throw new Error(`generator exited ${result.code}: ${result.stderr}${result.stdout}`);
  return result;
}
