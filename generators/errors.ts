/**
 * Every failure the generator reports carries a code, in its one-line message and in --json, so a
 * tool can tell "edited files in the way" from "a newer layer" without parsing prose.
 *
 * Exit code 2: nothing was written and the user can fix it (bad flags, not a Node project, edited
 * files in the way, a newer layer). Exit code 1: the run failed or left work to do (a write that
 * failed and was undone, an install that failed, conflicts to resolve).
 */
export type ErrorCode =
  /** An unknown or conflicting flag or value, or a request the layer cannot take. */
  | 'E_USAGE'
  /** The folder is not a Node project, or its package.json, tsconfig or layer manifest cannot be read. */
  | 'E_APP'
  /** Files the user edited would be overwritten: run `update` (merge) or add --force. */
  | 'E_EDITED'
  /** Conflicts from an earlier `update` are not resolved yet, or this `update` left some. */
  | 'E_CONFLICT'
  /** The layer was written by a newer generator than this one. */
  | 'E_DOWNGRADE'
  /** Writing the app failed; every change was undone. */
  | 'E_WRITE'
  /** The package manager's install failed after the layer was written. */
  | 'E_INSTALL'
  /** Anything else: a bug in the generator (please report it with the command that caused it). */
  | 'E_INTERNAL';

export class GeneratorError extends Error {
  override readonly name: string = 'GeneratorError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly exitCode: 1 | 2 = 2,
    /** Paths the error is about (the edited files, the files with conflicts), for --json. */
    readonly files: readonly string[] = [],
  ) {
    super(message);
  }
}

/** A failure the user can fix (a bad flag, not a Node project, ...): one line, exit code 2. */
export class UsageError extends GeneratorError {
  override readonly name: string = 'UsageError';

  constructor(message: string, code: ErrorCode = 'E_USAGE') {
    super(code, message, 2);
  }
}
