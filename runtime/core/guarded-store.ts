import { asStoreError, SessionStoreError, storeCall } from './errors.js';
import type { SessionStore } from './store.js';

/**
 * The store as the manager uses it: every failure becomes one `SessionStoreError`, and no call
 * waits much longer than `timeoutMs`. Client libraries often retry or queue while a server is
 * away (ioredis' defaults answer the first request after 10+ s); a session layer should fail
 * fast and let the framework answer 503 instead. A write that times out may still land later,
 * which the versioned, conditional writes make harmless.
 */
export function guardedStore(store: SessionStore, timeoutMs: number): SessionStore {
  const { name } = store;
  const deadlines = new Deadlines(name, timeoutMs);
  function guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const call = deadlines.watch(operation, reject);
      let work: Promise<T>;
      try {
        work = run();
      } catch (error) {
        // A store that throws instead of rejecting (a bug in it, or a client's argument check).
        work = Promise.reject(error);
      }
      work.then(
        (value) => {
          deadlines.forget(call);
          resolve(value);
        },
        (error: unknown) => {
          deadlines.forget(call);
          reject(asStoreError(name, operation, error));
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
    deleteExpired: () => storeCall(name, 'deleteExpired', () => store.deleteExpired()),
    close: () => store.close(),
  };
}

interface Watched {
  deadline: number;
  operation: string;
  reject: (error: Error) => void;
}

/**
 * The deadlines of the calls in flight, checked by one timer every quarter of the timeout rather
 * than by a timer per call (which costs more than a memory store's whole read). A call therefore
 * expires between `timeoutMs` and 1.25 × `timeoutMs` after it started. The timer stops when a
 * check finds nothing in flight, and never keeps the process alive.
 */
class Deadlines {
  readonly #calls = new Set<Watched>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: string,
    private readonly timeoutMs: number,
  ) {}

  watch(operation: string, reject: (error: Error) => void): Watched {
    const call = { deadline: Date.now() + this.timeoutMs, operation, reject };
    this.#calls.add(call);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#check(), Math.max(1, Math.ceil(this.timeoutMs / 4)));
      this.#timer.unref();
    }
    return call;
  }

  forget(call: Watched): void {
    this.#calls.delete(call);
  }

  #check(): void {
    if (this.#calls.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    const now = Date.now();
    for (const call of this.#calls) {
      if (call.deadline > now) continue;
      this.#calls.delete(call);
      call.reject(
        new SessionStoreError(this.store, 'timeout', `${call.operation} took longer than ${this.timeoutMs} ms`),
      );
    }
  }
}
