/**
 * The contract every session store implements: a small, Promise-only interface.
 *
 * Stores never see session ids. The core hands them a `key` derived from the id by
 * SHA-256 (64 hex characters), so a dump of any store yields no usable session.
 *
 * Writes are conditional on a per-record `version`, which is what lets the core detect
 * concurrent requests on the same session and merge their changes instead of losing one
 * (the classic "lost update" of cookie-session libraries), and lets a destroyed session
 * stay destroyed while a slow request still holds it.
 */

/** One stored session. Every field is plain data; `data` is JSON text owned by the core. */
export interface SessionRecord {
  /** The session data as JSON text. Stores keep it verbatim and never parse it. */
  data: string;
  /** Incremented by every successful write; the basis of conditional writes. */
  version: number;
  /** Epoch ms when the session was first created (the absolute lifetime cap counts from here). */
  createdAt: number;
  /** Epoch ms when the current id was issued (periodic id regeneration counts from here). */
  issuedAt: number;
  /** Epoch ms after which the record is dead. Renewed by writes and by `touch`. */
  expiresAt: number;
  /** The idle lifetime of this session in ms; `refresh({ maxAge })` can change it per session. */
  maxAge: number;
  /** The client's IP address when the record was last written. */
  ip: string;
  /** The client's User-Agent (trimmed to 255 characters) when the record was last written. */
  userAgent: string;
}

export interface SessionStore {
  /** A short name used in error messages and logs, e.g. `"redis"`. */
  readonly name: string;

  /** The live record for `key`, or `undefined` when it is missing or expired. */
  get(key: string): Promise<SessionRecord | undefined>;

  /**
   * Writes `record` under `key`, conditionally:
   * - `expectedVersion === undefined`: insert only if no live record exists (a new session);
   * - otherwise: replace only if the stored record's version equals `expectedVersion`.
   *
   * Resolves `false` when the condition does not hold (another request wrote first, or the
   * session was destroyed); the core then re-reads and merges. It never upserts blindly.
   * The record must expire at `record.expiresAt`.
   */
  write(key: string, record: SessionRecord, expectedVersion: number | undefined): Promise<boolean>;

  /**
   * Moves the expiry of a live record to `expiresAt` without changing its data or version, as
   * cheaply as the backend allows (Redis PEXPIREAT, an UPDATE of one column, ...). Resolves
   * whether a live record was there to renew: a missing or expired one stays missing, and the
   * core then sends no cookie (the id may have just been rotated or logged out by a parallel
   * request, whose fresh cookie must not be overwritten with the dead one).
   */
  touch(key: string, expiresAt: number): Promise<boolean>;

  /** Removes the record. Removing a missing record is not an error. */
  destroy(key: string): Promise<void>;

  /**
   * Removes expired records and resolves how many went, or `undefined` when the backend
   * expires records by itself (Redis, memcached) so there is nothing to sweep.
   */
  deleteExpired(): Promise<number | undefined>;

  /** Releases every connection, handle and timer. The store is unusable afterwards. */
  close(): Promise<void>;
}

/** Builds a store from its URL, e.g. `(url) => redisStore({ url })`. */
export type StoreFactory = (url: string) => SessionStore;

/** URL scheme (with the colon, as `URL#protocol` gives it: `"redis:"`) to store factory. */
export type StoreFactories = Readonly<Record<string, StoreFactory>>;
