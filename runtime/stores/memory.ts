/**
 * In-memory store, for development, tests and single-process apps that accept losing sessions
 * on restart. Bounded: when full, the least recently written session is evicted, so a flood of
 * new visitors cannot exhaust the process's memory.
 *
 *   memory://                      default bound
 *   memory://?maxEntries=100000    a larger bound
 */
import { SessionConfigError } from '../core/errors.js';
import type { SessionRecord, SessionStore } from '../core/store.js';

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
  const maxEntries = options.maxEntries ?? Number(url.searchParams.get('maxEntries') ?? 50_000);
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new SessionConfigError('maxEntries', `must be a positive whole number; got ${String(maxEntries)}`, 'memory');
  }
  // Map iteration follows insertion order, so re-inserting on write keeps the oldest write first.
  const records = new Map<string, SessionRecord>();

  function live(key: string): SessionRecord | undefined {
    const record = records.get(key);
    if (record && record.expiresAt <= Date.now()) {
      records.delete(key);
      return undefined;
    }
    return record;
  }

  function put(key: string, record: SessionRecord): void {
    records.delete(key);
    records.set(key, record);
    while (records.size > maxEntries) {
      const oldest = records.keys().next().value;
      if (oldest === undefined) break;
      records.delete(oldest);
    }
  }

  return {
    name: 'memory',
    // Records are treated as immutable by the core, so sharing the object is safe and copy-free.
    get: async (key) => live(key),
    async write(key, record, expectedVersion) {
      const current = live(key);
      if (expectedVersion === undefined ? current !== undefined : current?.version !== expectedVersion) return false;
      put(key, { ...record });
      return true;
    },
    async touch(key, expiresAt) {
      const current = live(key);
      if (current) put(key, { ...current, expiresAt });
      return current !== undefined;
    },
    async destroy(key) {
      records.delete(key);
    },
    async deleteExpired() {
      const now = Date.now();
      let removed = 0;
      for (const [key, record] of records) {
        if (record.expiresAt <= now) {
          records.delete(key);
          removed++;
        }
      }
      return removed;
    },
    async close() {
      records.clear();
    },
  };
}
