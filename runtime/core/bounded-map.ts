/**
 * A Map that keeps at most `limit` entries, dropping the one added longest ago. Used for the
 * caches that must not grow with the number of visitors (checked cookies, latest writes,
 * memcached CAS tokens), where losing an entry only costs the work the entry saved.
 *
 * Setting a key that is present replaces its value in place and keeps its place in line.
 * Moving it to the newest end (delete, then set) would make this an LRU, but V8 leaves each
 * deleted entry in its hash bucket until the table is rebuilt, so deleting and re-adding one busy
 * key piles up a chain every lookup walks: about 1 µs per set at 1,000 entries on Node 20.
 *
 * The oldest entry is found with one keys() iterator kept for the map's life, not a fresh one per
 * drop. Deleted entries also stay in V8's table as holes until it is rebuilt, and a fresh
 * iterator steps over every hole at the front: 11 µs per drop at 10,000 entries, 30 µs at 50,000
 * (Node 20). A kept iterator resumes where it stopped, and Map iteration skips deleted entries and
 * reaches entries added later, so it always yields the oldest entry still present.
 */
export class BoundedMap<Key, Value> {
  readonly #entries = new Map<Key, Value>();
  readonly #limit: number;
  #oldestFirst: Iterator<Key> = this.#entries.keys();

  constructor(limit: number) {
    this.#limit = limit;
  }

  get(key: Key): Value | undefined {
    return this.#entries.get(key);
  }

  set(key: Key, value: Value): void {
    const added = !this.#entries.has(key);
    this.#entries.set(key, value);
    if (added && this.#entries.size > this.#limit) this.#dropOldest();
  }

  delete(key: Key): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Never finds the iterator finished: the entry just added is always still ahead of it. */
  #dropOldest(): void {
    const oldest = this.#oldestFirst.next();
    if (oldest.done !== true) this.#entries.delete(oldest.value);
  }
}
