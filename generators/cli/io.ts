import type { OutputStream } from './colors.js';

/** The process around the CLI, so tests can run it in-process. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether a person can answer prompts. */
  interactive: boolean;
  /** Where the command runs: --cwd and every path the output shows are relative to it. */
  cwd: string;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    interactive: !process.env['CI'] && process.stdin.isTTY === true && process.stdout.isTTY === true,
    cwd: process.cwd(),
  };
}
