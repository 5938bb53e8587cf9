import { asStoreError, SessionStoreError, storeCall } from './errors.js';
import type { SessionStore } from './store.js';

/**
 * The store as the manager uses it: every failure becomes one `SessionStoreError`, and no call
 * waits longer than `timeoutMs`. Client libraries often retry or queue while a server is away
 * (ioredis' defaults answer the first request after 10+ s); a session layer should fail fast and
 * let the framework answer 503 instead. A write that times out may still land later, which the
 * versioned, conditional writes make harmless.
 */
export function guardedStore(store: SessionStore, timeoutMs: number): SessionStore {
  const { name } = store;
  // One promise and one timer per call: this sits on every request's path.
  function guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new SessionStoreError(name, 'timeout', `${operation} took longer than ${timeoutMs} ms`)),
        timeoutMs,
      );
      const fail = (error: unknown) => {
        clearTimeout(timer);
        reject(asStoreError(name, operation, error));
      };
      try {
        run().then((value) => {
          clearTimeout(timer);
          resolve(value);
        }, fail);
      } catch (error) {
        // A store that throws instead of rejecting (a bug in it, or a client's argument check).
        fail(error);
      }
    });
  }
  return {
    name,
    get: (key) => guard('get', () => store.get(key)),
    write: (key, record, expectedVersion) => guard('write', () => store.write(key, record, expectedVersion)),
    touch: (key, expiresAt) => guard('touch', () => store.touch(key, expiresAt)),
    destroy: (key) => guard('destroy', () => store.destroy(key)),
    deleteExpired: () => storeCall(name, 'deleteExpired', () => store.deleteExpired()),
    close: () => store.close(),
  };
}
