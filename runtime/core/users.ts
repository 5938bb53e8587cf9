/**
 * A user's sessions: which ones are logged in as the user, listed and revoked on every store.
 *
 * Each user has an index record in the session store itself, under its own key (the SHA-256 of
 * "user" and the user id, which no session id can hash to), written through the same
 * conditional writes as sessions. It holds the user's live sessions by handle (a random name
 * that is no credential) and an epoch that every revokeAll() moves on. A logged-in session
 * carries its user, handle and the epoch it registered under (USER_KEY in its data).
 *
 * The rules, and why they hold against races:
 * - A logged-in session is served only while its handle is in the index. Loading one costs one
 *   extra store read (the index); an anonymous session costs none.
 * - revoke() and revokeAll() first take the handles out of the index (a conditional write), then
 *   delete the sessions. From the index write on, no load accepts them; a request that loaded one
 *   before and commits afterwards finds it deleted, and a write never brings a session back.
 * - A login reads the epoch, stores the new session, then registers it only if the epoch has not
 *   moved. A login that races a revokeAll() is therefore revoked if the revocation's index write
 *   lands between the login's read and its registration, and kept (and listed) otherwise.
 * - The index lives as long as its user keeps logging in or rotating ids; an index the store has
 *   dropped (Memcached may evict it) logs the user's sessions out, never in.
 */
import { createHash, randomBytes } from 'node:crypto';
import { parseData, USER_KEY } from './data.js';
import type { SessionRecord, SessionStore } from './store.js';

/** What the user index needs of the session writes (see ./writes.ts). */
interface Writes {
  store: SessionStore;
  locate(key: string): Promise<{ key: string; record: SessionRecord } | undefined>;
  writeOnFreshest(
    start: { key: string; record: SessionRecord },
    build: (base: SessionRecord) => SessionRecord | undefined,
  ): Promise<unknown>;
}

/** What a logged-in session keeps about its user, in its data under USER_KEY. */
export interface SessionUser {
  id: string;
  /** The name the session goes by in its user's list: random, and no credential. */
  handle: string;
  /** The index epoch it registered under. */
  epoch: number;
  /** Epoch ms of the login. */
  at: number;
}

/** One live session of a user, as sessions.list() returns it. */
export interface UserSession {
  handle: string;
  createdAt: number;
  /** When the session was last renewed: its expiry minus its lifetime (within a tenth of maxAge of the last request). */
  lastSeenAt: number;
  ip: string;
  userAgent: string;
  /** Whether it is the session passed as `current`. */
  current: boolean;
}

interface UserIndex {
  epoch: number;
  /** handle → store key of the session. */
  sessions: Record<string, string>;
}

/** How long an index outlives the last login or id rotation of its user: far beyond any session. */
const INDEX_LIFETIME_MS = 400 * 86_400_000;

export function isSessionUser(value: unknown): value is SessionUser {
  if (typeof value !== 'object' || value === null) return false;
  const user = value as Partial<SessionUser>;
  return (
    typeof user.id === 'string' &&
    typeof user.handle === 'string' &&
    typeof user.epoch === 'number' &&
    typeof user.at === 'number'
  );
}

export function newHandle(): string {
  return randomBytes(12).toString('base64url');
}

/** The user-index operations of one manager, over its store writes. */
export function userSessions(writes: Writes, maxAge: number) {
  const { store } = writes;
  const lifetime = Math.max(INDEX_LIFETIME_MS, 2 * maxAge);

  function indexKey(userId: string): string {
    return createHash('sha256').update(`user\0${userId}`).digest('hex');
  }

  async function read(
    userId: string,
  ): Promise<{ at: { key: string; record: SessionRecord }; index: UserIndex } | undefined> {
    const key = indexKey(userId);
    const record = await store.get(key);
    if (!record || record.expiresAt <= Date.now()) return undefined;
    const index = indexOf(record);
    return index && { at: { key, record }, index };
  }

  /**
   * Rewrites the index with `change` on the freshest copy (creating it when missing); `change`
   * returns undefined to leave it as it is. Resolves the index written, if any.
   */
  async function change(
    userId: string,
    edit: (index: UserIndex) => UserIndex | undefined,
  ): Promise<UserIndex | undefined> {
    const key = indexKey(userId);
    let written: UserIndex | undefined;
    const now = Date.now();
    const recordOf = (index: UserIndex, version: number, createdAt: number): SessionRecord => ({
      data: JSON.stringify(index),
      version,
      createdAt,
      issuedAt: now,
      expiresAt: now + lifetime,
      maxAge: lifetime,
      ip: '',
      userAgent: '',
    });
    const current = await read(userId);
    if (!current) {
      const next = edit({ epoch: 0, sessions: {} });
      if (!next) return undefined;
      // Created by this call, unless another request created it first: then edit that one.
      if (await store.write(key, recordOf(next, 1, now), undefined)) return next;
      return change(userId, edit);
    }
    const result = await writes.writeOnFreshest(current.at, (base) => {
      const index = indexOf(base) ?? { epoch: 0, sessions: {} };
      written = edit(index);
      return written && recordOf(written, base.version + 1, base.createdAt);
    });
    return result ? written : undefined;
  }

  return {
    /** Whether a loaded session's user still holds it (see the first rule above). */
    async isCurrent(user: SessionUser): Promise<boolean> {
      const found = await read(user.id);
      return found !== undefined && Object.hasOwn(found.index.sessions, user.handle);
    },

    /** The epoch a login registers under; read before its session is stored. */
    async epoch(userId: string): Promise<number> {
      return (await read(userId))?.index.epoch ?? 0;
    },

    /** Registers a freshly stored session; false when a revokeAll() moved the epoch meanwhile. */
    async register(user: SessionUser, key: string): Promise<boolean> {
      let registered = false;
      await change(user.id, (index) => {
        if (index.epoch !== user.epoch) return undefined;
        registered = true;
        return { ...index, sessions: { ...index.sessions, [user.handle]: key } };
      });
      return registered;
    },

    /** After an id rotation, a logged-in session's entry in its user's list points at the new key. */
    async follow(data: string, key: string): Promise<void> {
      const user = parseData(data)?.[USER_KEY];
      if (isSessionUser(user)) await this.move(user, key);
    },

    /** Points a session's handle at its new key after an id rotation. */
    async move(user: SessionUser, key: string): Promise<void> {
      await change(user.id, (index) =>
        Object.hasOwn(index.sessions, user.handle)
          ? { ...index, sessions: { ...index.sessions, [user.handle]: key } }
          : undefined,
      );
    },

    async list(userId: string, currentHandle: string | undefined): Promise<UserSession[]> {
      const found = await read(userId);
      if (!found) return [];
      const listed: UserSession[] = [];
      const gone: string[] = [];
      for (const [handle, key] of Object.entries(found.index.sessions)) {
        const located = await writes.locate(key);
        if (!located) {
          gone.push(handle);
          continue;
        }
        const { record } = located;
        listed.push({
          handle,
          createdAt: record.createdAt,
          lastSeenAt: record.expiresAt - record.maxAge,
          ip: record.ip,
          userAgent: record.userAgent,
          current: handle === currentHandle,
        });
      }
      // Sessions that ended (logged out, expired) leave the index as it is read.
      if (gone.length > 0) await forget(userId, gone);
      return listed.sort((a, b) => a.createdAt - b.createdAt);
    },

    /** Revokes one session by handle; resolves whether it was the user's. */
    async revoke(userId: string, handle: string): Promise<boolean> {
      let key: string | undefined;
      await change(userId, (index) => {
        key = Object.hasOwn(index.sessions, handle) ? index.sessions[handle] : undefined;
        if (key === undefined) return undefined;
        const sessions = { ...index.sessions };
        Reflect.deleteProperty(sessions, handle);
        return { ...index, sessions };
      });
      if (key === undefined) return false;
      await destroy(key);
      return true;
    },

    /** Revokes every session of the user but `exceptHandle`'s; resolves how many. */
    async revokeAll(userId: string, exceptHandle: string | undefined): Promise<number> {
      let revoked: string[] = [];
      await change(userId, (index) => {
        const sessions: Record<string, string> = {};
        revoked = [];
        for (const [handle, key] of Object.entries(index.sessions)) {
          if (handle === exceptHandle) sessions[handle] = key;
          else revoked.push(key);
        }
        // The epoch moves even with nothing to revoke: a login in progress must not register.
        return { epoch: index.epoch + 1, sessions };
      });
      for (const key of revoked) await destroy(key);
      return revoked.length;
    },
  };

  async function forget(userId: string, handles: readonly string[]): Promise<void> {
    await change(userId, (index) => {
      const sessions = { ...index.sessions };
      for (const handle of handles) Reflect.deleteProperty(sessions, handle);
      return { ...index, sessions };
    });
  }

  /** Deletes a session's record and, during a rotation's grace window, the record it forwards to. */
  async function destroy(key: string): Promise<void> {
    const located = await writes.locate(key);
    await store.destroy(key);
    if (located && located.key !== key) await store.destroy(located.key);
  }
}

function indexOf(record: SessionRecord): UserIndex | undefined {
  const value = parseData(record.data);
  if (!value || typeof value.epoch !== 'number' || typeof value.sessions !== 'object' || value.sessions === null)
    return undefined;
  return value as unknown as UserIndex;
}

export type UserSessions = ReturnType<typeof userSessions>;
