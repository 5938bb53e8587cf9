/**
 * In-memory store, for development, tests and single-process apps that accept losing sessions
 * on restart. Bounded: when full, it evicts the session written least recently (nearly: see put),
 * so a flood of new visitors cannot exhaust the process's memory.
 *
 *   memory://                      default bound
 *   memory://?maxEntries=100000    a larger bound
 */
import { SessionConfigError } from '../core/errors.js';
import type { SessionRecord, SessionStore } from '../core/store.js';
import { checkUrlParams } from '../core/url-params.js';

export interface MemoryOptions {
  /** `memory:` URL; may carry `?maxEntries=`. */
  url?: string;
  /**
   * Most sessions kept at once; the least recently written is evicted beyond it.
   * @default 50000
   */
  maxEntries?: number;
}

export function memoryStore(options: MemoryOptions = {}): SessionStore {
  const url = new URL(options.url ?? 'memory://');
  if (url.protocol !== 'memory:')
    throw new SessionConfigError('url', `must start with memory:; got ${JSON.stringify(options.url)}`, 'memory');
  checkUrlParams('memory', url.searchParams, ['maxEntries']);
  const maxEntries = options.maxEntries ?? Number(url.searchParams.get('maxEntries') ?? 50_000);
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new SessionConfigError('maxEntries', `must be a positive whole number; got ${String(maxEntries)}`, 'memory');
  }
  // Map iteration follows insertion order, so the first key is the session written longest ago,
  // except for sessions written again since, which are in `rewritten` (see put).
  const records = new Map<string, SessionRecord>();
  const rewritten = new Set<string>();
  // One iterator for the store's life finds the oldest key in constant time; a fresh keys() per
  // eviction walks every deleted entry at the front of the table first (../core/bounded-map.ts).
  // Everything it has passed was evicted or moved to the end, so its next key is the oldest.
  const oldestFirst = records.keys();

  function live(key: string): SessionRecord | undefined {
    const record = records.get(key);
    if (record && record.expiresAt <= Date.now()) {
      forget(key);
      return undefined;
    }
    return record;
  }

  /**
   * A rewrite replaces the value in place and only marks the key. Moving it to the end at once
   * (delete, then set) would be simpler, but a JavaScript Map keeps each deleted entry in its
   * table until the table is rebuilt, so a busy session deleted and re-added on every write
   * leaves a growing chain that every lookup walks.
   */
  function put(key: string, record: SessionRecord): void {
    if (records.has(key)) {
      records.set(key, record);
      rewritten.add(key);
      return;
    }
    records.set(key, record);
    // Past the bound, the oldest key goes, unless it was written again since it was added: then
    // it moves to the end instead, once per rewrite (a second chance). A session written again
    // thus outlives every session not written since; among the rewritten ones, the first added
    // goes first, which is close to, not exactly, least recently written.
    while (records.size > maxEntries) {
      const oldest = oldestFirst.next().value;
      if (oldest === undefined) break;
      const kept = rewritten.delete(oldest) ? records.get(oldest) : undefined;
      records.delete(oldest);
      if (kept) records.set(oldest, kept);
    }
  }

  function forget(key: string): void {
    records.delete(key);
    rewritten.delete(key);
  }

  return {
    name: 'memory',
    // Records are treated as immutable by the core, so sharing the object is safe and copy-free.
    get: (key) => Promise.resolve(live(key)),
    write(key, record, expectedVersion) {
      const current = live(key);
      if (expectedVersion === undefined ? current !== undefined : current?.version !== expectedVersion)
        return Promise.resolve(false);
      put(key, { ...record });
      return Promise.resolve(true);
    },
    touch(key, expiresAt) {
      const current = live(key);
      if (current) put(key, { ...current, expiresAt });
      return Promise.resolve(current !== undefined);
    },
    destroy(key) {
      forget(key);
      return Promise.resolve();
    },
    deleteExpired() {
      const now = Date.now();
      let removed = 0;
      for (const [key, record] of records) {
        if (record.expiresAt <= now) {
          forget(key);
          removed++;
        }
      }
      return Promise.resolve(removed);
    },
    close() {
      records.clear();
      rewritten.clear();
      return Promise.resolve();
    },
  };
}
