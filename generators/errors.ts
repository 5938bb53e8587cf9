/** A failure the user can fix (bad flag, not a Node project, edited files in the way, ...): one line, exit code 2. */
export class UsageError extends Error {
  override readonly name: string = 'UsageError';
  readonly exitCode = 2;
}

/** Files the user edited stand in the way of a plain run: nothing was written. Exit code 2. */
export class EditedFilesError extends UsageError {
  override readonly name: string = 'EditedFilesError';

  constructor(
    message: string,
    readonly files: readonly string[],
  ) {
    super(message);
  }
}
