/**
 * A Map that keeps at most `limit` entries, dropping the one added longest ago. Used for the
 * caches that must not grow with the number of visitors (checked cookies, the latest writes,
 * memcached's CAS tokens), where losing an entry only costs the work the entry saved.
 *
 * Setting a key that is present replaces its value in place and keeps its place in line.
 * Moving it to the newest end (delete, then set) would make this an LRU, but a JavaScript Map
 * keeps each deleted entry in its table until the table is rebuilt, so deleting and re-adding
 * one busy key piles up a chain that every lookup walks.
 *
 * The oldest entry is found with one keys() iterator kept for the map's life, not a fresh one per
 * drop: a fresh iterator steps over every deleted entry still at the front of the table, a walk
 * that grows with the map. A kept iterator resumes where it stopped, and Map iteration skips
 * deleted entries and reaches entries added later, so it always yields the oldest entry present.
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
