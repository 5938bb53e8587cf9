import { SessionStoreError, storeCall } from './errors.js';
import type { SessionStore } from './store.js';

/**
 * The store as the manager uses it: every failure becomes one `SessionStoreError`, and no call
 * waits longer than `timeoutMs`. Client libraries often retry or queue while a server is away
 * (ioredis' defaults answer the first request after 10+ s); a session layer should fail fast and
 * let the framework answer 503 instead. A write that times out may still land later, which the
 * versioned, conditional writes make harmless.
 */
export function guardedStore(store: SessionStore, timeoutMs: number): SessionStore {
  const guard = <T>(operation: string, run: () => Promise<T>): Promise<T> =>
    storeCall(store.name, operation, () => withTimeout(store.name, operation, timeoutMs, run()));
  return {
    name: store.name,
    get: (key) => guard('get', () => store.get(key)),
    write: (key, record, expectedVersion) => guard('write', () => store.write(key, record, expectedVersion)),
    touch: (key, expiresAt) => guard('touch', () => store.touch(key, expiresAt)),
    destroy: (key) => guard('destroy', () => store.destroy(key)),
    deleteExpired: () => storeCall(store.name, 'deleteExpired', () => store.deleteExpired()),
    close: () => store.close(),
  };
}

function withTimeout<T>(name: string, operation: string, timeoutMs: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new SessionStoreError(name, 'timeout', `${operation} took longer than ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
