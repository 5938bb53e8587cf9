/**
 * A Map that keeps at most `limit` entries, dropping the one added longest ago. Used for the
 * caches that must not grow with the number of visitors (checked cookies, latest writes,
 * memcached CAS tokens), where losing an entry only costs the work the entry saved.
 *
 * Setting a key that is present replaces its value in place and keeps its place in line.
 * Moving it to the newest end (delete, then set) would make this an LRU, but V8 leaves each
 * deleted entry in its hash bucket until the table is rebuilt, so deleting and re-adding one busy
 * key piles up a chain every lookup walks: about 1 µs per set at 1,000 entries on Node 20.
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
    const added = !this.#entries.has(key);
    this.#entries.set(key, value);
    if (added && this.#entries.size > this.#limit) {
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
