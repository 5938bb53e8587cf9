/**
 * The errors the session layer throws, each with the HTTP status a framework should answer with
 * (`status`/`statusCode`, read by Express, Koa, Fastify and Hono alike) and `expose`, which
 * tells those frameworks whether the message may reach the client.
 *
 * Everything a client can send (a malformed, forged, unknown or expired cookie) is not an error:
 * it is a new, empty session.
 */

/** Bad configuration, thrown at start-up so a typo never reaches production traffic. */
export class SessionConfigError extends Error {
  override readonly name = 'SessionConfigError';
  /**
   * @param option The option as the user spelled it: `maxAge`, or `SESSION_MAX_AGE` when it came
   *   from the environment.
   */
  constructor(option: string, problem: string, scope = 'session') {
    const what = /^[A-Z][A-Z0-9_]*$/.test(option) ? `environment variable ${option}` : `option "${option}"`;
    super(`[session]${scope === 'session' ? '' : ` [${scope}]`} ${what} ${problem}`);
  }
}

/** Why session data was refused; the status follows from it. */
export type SessionDataErrorCode = 'invalid-key' | 'invalid-value' | 'too-large';

/**
 * The app asked the session to hold something it cannot store: a reserved key, a value JSON
 * cannot carry, or more than `maxSize` bytes. This is the request's fault, not the server's, so
 * it answers 400 (413 for the size), and the message, which names the limit, may be shown.
 */
export class SessionDataError extends Error {
  override readonly name = 'SessionDataError';
  readonly status: 400 | 413;
  readonly statusCode: 400 | 413;
  readonly expose = true;

  constructor(
    readonly code: SessionDataErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`[session] ${message}`, options);
    this.status = this.statusCode = code === 'too-large' ? 413 : 400;
  }
}

/** Which rule the app broke; see SessionUsageError. */
export type SessionUsageErrorCode = 'already-saved' | 'outside-cookie-path';

/**
 * The app changed a session that can no longer be saved: after its response started (the save
 * happens before the first byte goes out, so a later change would be lost without a word), or on
 * a request outside `cookie.path` (the browser would not send the cookie there, and setting one
 * there would overwrite the real one). A bug in the app, so 500, and the message stays in the log.
 */
export class SessionUsageError extends Error {
  override readonly name = 'SessionUsageError';
  readonly status = 500;
  readonly statusCode = 500;
  readonly expose = false;

  constructor(
    readonly code: SessionUsageErrorCode,
    message: string,
  ) {
    super(`[session] ${message}`);
  }
}

/**
 * Why a store operation failed, machine-readable for logs and metrics:
 * - `unavailable`, `timeout`: the server is away or slow (an outage; answered 503);
 * - `misconfigured`: it answered, but refuses us (wrong password, unknown database, a folder that
 *   cannot be created): no retry will help, so 500 and a log line naming the cause;
 * - `conflict`: too many concurrent writes on one session (503);
 * - `too-large`: the store refuses the session's size (413);
 * - `failed`: anything else (503).
 */
export type StoreErrorCode = 'unavailable' | 'timeout' | 'misconfigured' | 'conflict' | 'too-large' | 'failed';

/**
 * A store failed. Framework glue passes it to the framework's error path with its status; the
 * underlying error is kept as `cause` for the logs and never shown to the client.
 */
export class SessionStoreError extends Error {
  override readonly name = 'SessionStoreError';
  readonly status: number;
  readonly statusCode: number;
  readonly expose = false;

  constructor(
    readonly store: string,
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`[session] [${store}] ${message}`, options);
    this.status = this.statusCode = STORE_STATUS[code];
  }
}

const STORE_STATUS: Readonly<Record<StoreErrorCode, number>> = {
  unavailable: 503,
  timeout: 503,
  misconfigured: 500,
  conflict: 503,
  'too-large': 413,
  failed: 503,
};

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
