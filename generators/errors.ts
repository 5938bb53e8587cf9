/** A failure the user can fix (bad flag, not a Node project, ...): one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}
