/**
 * Shared pieces of the core tests: request builders, a tiny cookie jar, and store doubles.
 * The doubles exist only to force error paths and interleavings; behaviour is always checked
 * against the real memory store underneath. (No .test suffix: the runner does not collect it.)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { vi } from 'vitest';
import type { SessionManager } from '../../runtime/core/manager.js';
import type { RequestInfo } from '../../runtime/core/session.js';
import type { Session, SessionData } from '../../runtime/core/session.js';
import type { SessionRecord, SessionStore } from '../../runtime/core/store.js';
import { memoryStore } from '../../runtime/stores/memory.js';

/**
 * Arbitrary text for fuzzing parsers: any code point, weighted towards the separators cookies
 * and signatures care about. (fast-check's own 'binary' unit costs seconds to set up per file.)
 */
export function junkText(maxLength: number, minLength = 0): fc.Arbitrary<string> {
  const codePoint = fc
    .integer({ min: 0, max: 0x10ffff })
    .filter((cp) => cp < 0xd800 || cp > 0xdfff)
    .map((cp) => String.fromCodePoint(cp));
  const ascii = fc.integer({ min: 0, max: 127 }).map((code) => String.fromCharCode(code));
  const separators = fc.constantFrom(';', '=', '"', ' ', '.', ',', '\t', '\0', '%', 'é', '😀');
  return fc.string({ unit: fc.oneof(separators, ascii, codePoint), minLength, maxLength });
}

export const SECRET = 'k'.repeat(16) + 'test-secret-0123';
export const OLD_SECRET = 'o'.repeat(16) + 'old-secret-012345';

export function request(overrides: Partial<RequestInfo> = {}): RequestInfo {
  return { cookieHeader: undefined, ip: '203.0.113.7', userAgent: 'core-test/1.0', https: false, ...overrides };
}

/** The `name=value` pair of a Set-Cookie value, as a browser would send it back. */
export function cookiePair(setCookie: string): string {
  return setCookie.split(';')[0]!;
}

/** The value of a Set-Cookie (the session id, or `id.signature` in signed mode). */
export function cookieValue(setCookie: string): string {
  const pair = cookiePair(setCookie);
  return pair.slice(pair.indexOf('=') + 1);
}

/** Attributes of a Set-Cookie value, keyed in lower case; flags map to `true`. */
export function cookieAttributes(setCookie: string): Record<string, string | true> {
  const attributes: Record<string, string | true> = {};
  for (const part of setCookie.split(';').slice(1)) {
    const eq = part.indexOf('=');
    if (eq === -1) attributes[part.trim().toLowerCase()] = true;
    else attributes[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
  }
  return attributes;
}

export function maxAgeOf(setCookie: string): number {
  return Number(cookieAttributes(setCookie)['max-age']);
}

/**
 * One browser with one cookie, so multi-request flows read like what a client does: it sends
 * the cookie it holds and applies every Set-Cookie it gets back (Max-Age=0 drops it).
 */
export class Browser {
  cookie: string | undefined;
  constructor(
    readonly manager: SessionManager,
    readonly base: Partial<RequestInfo> = {},
  ) {}

  async visit(
    handler: (session: Session<SessionData>) => void = () => {},
    overrides: Partial<RequestInfo> = {},
  ): Promise<{ session: Session<SessionData>; setCookie: string | undefined }> {
    const session = await this.manager.load(this.request(overrides));
    handler(session);
    const setCookie = await this.manager.commit(session);
    this.receive(setCookie);
    return { session, setCookie };
  }

  request(overrides: Partial<RequestInfo> = {}): RequestInfo {
    return request({ ...this.base, cookieHeader: this.cookie, ...overrides });
  }

  receive(setCookie: string | undefined): void {
    if (setCookie === undefined) return;
    this.cookie = maxAgeOf(setCookie) === 0 ? undefined : cookiePair(setCookie);
  }

  get id(): string | undefined {
    return this.cookie === undefined ? undefined : this.cookie.slice(this.cookie.indexOf('=') + 1);
  }
}

export type StoreOperation = 'get' | 'write' | 'touch' | 'destroy' | 'deleteExpired' | 'close';

/** Delegates to a real store (memory by default) and records every call it forwards. */
export function spyStore(inner: SessionStore = memoryStore()) {
  const calls: Array<{ operation: StoreOperation; key?: string }> = [];
  const store: SessionStore = {
    name: inner.name,
    get: (key) => (calls.push({ operation: 'get', key }), inner.get(key)),
    write: (key, record, expectedVersion) => (
      calls.push({ operation: 'write', key }),
      inner.write(key, record, expectedVersion)
    ),
    touch: (key, expiresAt) => (calls.push({ operation: 'touch', key }), inner.touch(key, expiresAt)),
    destroy: (key) => (calls.push({ operation: 'destroy', key }), inner.destroy(key)),
    deleteExpired: () => (calls.push({ operation: 'deleteExpired' }), inner.deleteExpired()),
    close: () => (calls.push({ operation: 'close' }), inner.close()),
  };
  return {
    store,
    inner,
    calls,
    count: (operation: StoreOperation) => calls.filter((call) => call.operation === operation).length,
    reset: () => void calls.splice(0),
  };
}

/** A store whose every operation fails, asynchronously or (with `sync`) by throwing outright. */
export function failingStore(error: unknown = new Error('connection refused'), sync = false): SessionStore {
  const fail = sync
    ? () => {
        throw error;
      }
    : async () => {
        throw error;
      };
  return {
    name: 'broken',
    get: fail,
    write: fail,
    touch: fail,
    destroy: fail,
    deleteExpired: fail,
    close: async () => {},
  } as SessionStore;
}

/**
 * A real memory store whose operations fail while they are in `failing`; the set can change
 * between requests, so a session can be stored first and its store break afterwards.
 */
export function partlyFailingStore(error: unknown = new Error('disk full')) {
  const inner = memoryStore();
  const failing = new Set<StoreOperation>();
  const wrap =
    <A extends unknown[], R>(operation: StoreOperation, run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (failing.has(operation)) throw error;
      return run(...args);
    };
  const store: SessionStore = {
    name: 'flaky',
    get: wrap('get', inner.get),
    write: wrap('write', inner.write),
    touch: wrap('touch', inner.touch),
    destroy: wrap('destroy', inner.destroy),
    deleteExpired: wrap('deleteExpired', inner.deleteExpired),
    close: inner.close,
  };
  return { store, inner, failing };
}

/** A memory store whose operations each take a random 0..maxDelayMs, so parallel requests interleave unevenly. */
export function slowStore(maxDelayMs = 5): SessionStore {
  const inner = memoryStore();
  const slow =
    <A extends unknown[], R>(run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await sleep(Math.floor(Math.random() * (maxDelayMs + 1)));
      return run(...args);
    };
  return {
    name: 'slow',
    get: slow(inner.get),
    write: slow(inner.write),
    touch: slow(inner.touch),
    destroy: slow(inner.destroy),
    deleteExpired: slow(inner.deleteExpired),
    close: inner.close,
  };
}

export function quietLogger() {
  return { warn: vi.fn<(message: string) => void>(), error: vi.fn<(message: string, cause?: unknown) => void>() };
}

/** A record as the core would write it, for planting data straight into a store. */
export function plantedRecord(data: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  const now = Date.now();
  return {
    data,
    version: 1,
    createdAt: now,
    issuedAt: now,
    expiresAt: now + 900_000,
    maxAge: 900_000,
    ip: '203.0.113.7',
    userAgent: 'core-test/1.0',
    ...overrides,
  };
}

/**
 * Number of records a memory store holds, found by sweeping as if far in the future and counting
 * what goes. Destructive: the store is empty afterwards, so call it last.
 */
export async function countRecords(store: SessionStore): Promise<number> {
  const now = Date.now();
  const spy = vi.spyOn(Date, 'now').mockReturnValue(now + 20 * 365 * 86_400_000);
  try {
    return (await store.deleteExpired()) ?? 0;
  } finally {
    spy.mockRestore();
  }
}
