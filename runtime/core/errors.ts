/**
 * The two errors the session layer throws. Everything else a client can send (a malformed,
 * forged, unknown or expired cookie) is not an error: it is a new, empty session.
 */

/** Bad configuration, thrown at start-up so a typo never reaches production traffic. */
export class SessionConfigError extends Error {
  override readonly name = 'SessionConfigError';
  constructor(option: string, problem: string, scope = 'session') {
    super(`[session]${scope === 'session' ? '' : ` [${scope}]`} option "${option}" ${problem}`);
  }
}

/** Why a store operation failed, machine-readable for logs and metrics. */
export type StoreErrorCode = 'unavailable' | 'timeout' | 'conflict' | 'too-large' | 'misconfigured' | 'failed';

/**
 * A store failed (server down, timeout, disk full, ...). Framework glue answers 503 with it;
 * the underlying error is kept as `cause` for the logs and never shown to the client.
 */
export class SessionStoreError extends Error {
  override readonly name = 'SessionStoreError';
  /** HTTP status for frameworks that read it from errors (Express, Koa, Fastify, Hono). */
  readonly status = 503;
  readonly statusCode = 503;
  readonly expose = false;

  constructor(
    readonly store: string,
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`[session] [${store}] ${message}`, options);
  }
}

/** Whatever a store operation threw, as a `SessionStoreError`, so the glue has one kind of failure to handle. */
export function asStoreError(store: string, operation: string, error: unknown): SessionStoreError {
  if (error instanceof SessionStoreError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new SessionStoreError(store, 'failed', `${operation} failed: ${detail}`, { cause: error });
}

/** Runs a store operation, turning whatever it throws into a `SessionStoreError`. */
export async function storeCall<T>(store: string, operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw asStoreError(store, operation, error);
  }
}
