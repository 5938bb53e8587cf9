import { asStoreError, SessionStoreError, type StoreErrorCode } from './errors.js';
import type { SessionLogger } from './options.js';
import type { SessionStore } from './store.js';

/**
 * The store as the manager uses it: every failure becomes one `SessionStoreError`, and no call
 * waits much longer than `timeoutMs`. Client libraries often retry or queue while a server is
 * away (ioredis' defaults answer the first request after 10+ s); a session layer should fail
 * fast and let the framework answer 503 instead. A write that times out may still land later,
 * which the versioned, conditional writes make harmless.
 */
export function guardedStore(store: SessionStore, timeoutMs: number, logger: SessionLogger): SessionStore {
  const { name } = store;
  const health = new Health(name, logger);
  function guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
    let work: Promise<T>;
    try {
      work = run();
    } catch (error) {
      // A store that throws instead of rejecting (a bug in it, or a client's argument check).
      work = Promise.reject(asStoreError(name, operation, error));
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new SessionStoreError(name, 'timeout', `${operation} took longer than ${String(timeoutMs)} ms`));
      }, timeoutMs);
      timer.unref();
    });
    const answer = work.then(
      (value) => {
        health.succeeded();
        return value;
      },
      (error: unknown) => {
        throw asStoreError(name, operation, error);
      },
    );
    // Whichever settles first counts; a call that answers after its deadline changes nothing.
    return Promise.race([answer, deadline]).then(
      (value) => {
        clearTimeout(timer);
        return value;
      },
      (error: unknown) => {
        clearTimeout(timer);
        health.failed(error);
        throw error;
      },
    );
  }
  return {
    name,
    get: (key) => guard('get', () => store.get(key)),
    write: (key, record, expectedVersion) => guard('write', () => store.write(key, record, expectedVersion)),
    touch: (key, expiresAt) => guard('touch', () => store.touch(key, expiresAt)),
    destroy: (key) => guard('destroy', () => store.destroy(key)),
    deleteExpired: () =>
      store.deleteExpired().then(
        (count) => {
          health.succeeded();
          return count;
        },
        (error: unknown) => {
          const failure = asStoreError(name, 'deleteExpired', error);
          health.failed(failure);
          throw failure;
        },
      ),
    close: () => store.close(),
  };
}

/** Failures that say the store as a whole is in trouble, as opposed to one request's bad luck. */
const OUTAGE: ReadonlySet<StoreErrorCode> = new Set(['unavailable', 'timeout', 'misconfigured', 'failed']);

/**
 * Tells the operator when the store stops answering and when it is back, once each: an outage
 * fails every request, and one log line per request would bury the cause.
 */
class Health {
  #failures = 0;

  constructor(
    private readonly store: string,
    private readonly logger: SessionLogger,
  ) {}

  failed(error: unknown): void {
    if (!(error instanceof SessionStoreError) || !OUTAGE.has(error.code)) return;
    if (this.#failures++ > 0) return;
    const kind = error.code === 'misconfigured' ? 'refuses the session layer' : 'is failing';
    this.logger.error(`[session] [${this.store}] store ${kind} (${error.code}): ${error.message}`, error.cause);
  }

  succeeded(): void {
    if (this.#failures === 0) return;
    this.logger.warn(`[session] [${this.store}] store answering again after ${String(this.#failures)} failed calls`);
    this.#failures = 0;
  }
}
