import type { SessionRecord } from './store.js';

/** Where a session's data lives now: usually under its own id's key, during a grace window under its successor's. */
export interface Located {
  key: string;
  record: SessionRecord;
}

/**
 * The last record this process wrote for each of the most recently written sessions. A request
 * that loaded its session before a parallel request's write (the usual case when a page fires
 * several requests at once) can build its write on this instead of on its stale copy, so its
 * conditional write succeeds at the first try instead of costing a refusal and a re-read.
 *
 * Only a hint: another process may have written since, which the conditional write detects,
 * and the manager then re-reads. Bounded, so a flood of sessions cannot grow it.
 */
export class RecentWrites {
  readonly #entries = new Map<string, Located>();

  constructor(private readonly limit = 1_000) {}

  get(key: string): Located | undefined {
    return this.#entries.get(key);
  }

  set(key: string, located: Located): void {
    this.#entries.delete(key);
    this.#entries.set(key, located);
    if (this.#entries.size > this.limit) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}
