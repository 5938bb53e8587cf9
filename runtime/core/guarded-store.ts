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
  const inFlight = new InFlight(name, timeoutMs);
  const health = new Health(name, logger);
  function guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const call = new Call<T>(operation, performance.now() + timeoutMs);
    const answer = new Promise<T>((resolve, reject) => {
      call.resolve = resolve;
      call.reject = reject;
    });
    inFlight.add(call);
    let work: Promise<T>;
    try {
      work = run();
    } catch (error) {
      // A store that throws instead of rejecting (a bug in it, or a client's argument check).
      work = Promise.reject(asStoreError(name, operation, error));
    }
    // Settling an answer the deadline already rejected does nothing: the first settlement counts.
    work.then(
      (value) => {
        inFlight.remove(call);
        health.succeeded();
        call.resolve(value);
      },
      (error: unknown) => {
        inFlight.remove(call);
        call.reject(asStoreError(name, operation, error));
      },
    );
    // Timeouts reject `answer` from the InFlight timer, so failures are counted here, once each.
    answer.catch((error: unknown) => {
      health.failed(error);
    });
    return answer;
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

/** One store call in flight: a link of the InFlight list, holding how to settle its answer. */
class Call<T> {
  resolve: (value: T) => void = ignore;
  reject: (error: Error) => void = ignore;
  previous: Call<unknown> | undefined = undefined;
  next: Call<unknown> | undefined = undefined;

  constructor(
    readonly operation: string,
    readonly deadline: number,
  ) {}
}

function ignore(): void {
  // a Call's settle functions until its promise sets them
}

/**
 * The calls in flight, oldest first, checked by one timer every quarter of the timeout rather
 * than by a timer per call (which costs more than a memory store's whole read). A call therefore
 * expires between `timeoutMs` and 1.25 × `timeoutMs` after it started. Every call gets the same
 * timeout on a monotonic clock (a wall-clock jump cannot reorder them), so the list is also in
 * deadline order and a check stops at the first live call. A linked list, not a Set: adding and
 * removing a call is a few pointer moves, with no hashing, on every store call. The timer stops
 * when a check finds nothing in flight, and never keeps the process alive.
 */
class InFlight {
  #oldest: Call<unknown> | undefined;
  #newest: Call<unknown> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: string,
    private readonly timeoutMs: number,
  ) {}

  add<T>(call: Call<T>): void {
    const link = call as Call<unknown>;
    link.previous = this.#newest;
    if (this.#newest) this.#newest.next = link;
    else this.#oldest = link;
    this.#newest = link;
    if (this.#timer === undefined) {
      this.#timer = setInterval(
        () => {
          this.#check();
        },
        Math.max(1, Math.ceil(this.timeoutMs / 4)),
      );
      this.#timer.unref();
    }
  }

  /** Unlinks a call; a call already removed (expired) is left alone. */
  remove<T>(call: Call<T>): void {
    const link = call as Call<unknown>;
    if (link.previous) link.previous.next = link.next;
    else if (this.#oldest === link) this.#oldest = link.next;
    else return; // not in the list
    if (link.next) link.next.previous = link.previous;
    else this.#newest = link.previous;
    link.previous = undefined;
    link.next = undefined;
  }

  #check(): void {
    let call = this.#oldest;
    if (call === undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    const now = performance.now();
    while (call !== undefined && call.deadline <= now) {
      this.remove(call);
      call.reject(
        new SessionStoreError(this.store, 'timeout', `${call.operation} took longer than ${String(this.timeoutMs)} ms`),
      );
      call = this.#oldest;
    }
  }
}
