/**
 * A Map that keeps only its `limit` most recently set entries: setting a key moves it to the
 * newest end and, past the limit, drops the oldest. Used for the caches that must not grow with
 * the number of visitors (checked cookies, latest writes, memcached CAS tokens), where losing an
 * entry only costs the work the entry saved.
 */
export class BoundedMap<Key, Value> {
  readonly #entries = new Map<Key, Value>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get(key: Key): Value | undefined {
    return this.#entries.get(key);
  }

  set(key: Key, value: Value): void {
    // Delete first: a Map keeps insertion order, and re-setting an existing key would not move it.
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#limit) {
      for (const oldest of this.#entries.keys()) {
        this.#entries.delete(oldest);
        break;
      }
    }
  }

  delete(key: Key): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
