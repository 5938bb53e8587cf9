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
  /** Settles with the call's answer or, after `timeoutMs`, a timeout: whichever comes first. */
  function guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const fail = (error: SessionStoreError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        health.failed(error);
        reject(error);
      };
      const timer = setTimeout(() => {
        fail(new SessionStoreError(name, 'timeout', `${operation} took longer than ${String(timeoutMs)} ms`));
      }, timeoutMs);
      timer.unref();
      let work: Promise<T>;
      try {
        work = run();
      } catch (error) {
        // A store that throws instead of rejecting (a bug in it, or a client's argument check).
        work = Promise.reject(asStoreError(name, operation, error));
      }
      // An answer after the deadline changes nothing but the health: the store is alive.
      work.then(
        (value) => {
          settled = true;
          clearTimeout(timer);
          health.succeeded();
          resolve(value);
        },
        (error: unknown) => {
          fail(asStoreError(name, operation, error));
        },
      );
    });
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
