/**
 * How a loaded session is written back: the conditional-write-and-merge loop every write goes
 * through, and the id rotations built on it. Used by ./manager.ts, which decides what to write.
 */

import { BoundedMap } from './bounded-map.js';
import { buildRecord, type CommitStep, fieldsOnTop } from './commit-plan.js';
import type { Queued } from './commit-queue.js';
import { clearCookie, serializeCookie } from './cookie.js';
import { type Contribution, checkStorable, forwardingData, forwardingTarget, mergeOnto } from './data.js';
import { SessionDataError, SessionStoreError } from './errors.js';
import { flashTaker } from './flash.js';
import { type Identity, newIdentity } from './id.js';
import type { ResolvedOptions } from './options.js';
import type { SessionState } from './session-state.js';
import type { SessionRecord, SessionStore } from './store.js';
import { isSessionUser, type SessionUser, userSessions } from './users.js';

/**
 * How often a write is retried on top of a concurrent request's write before giving up. A
 * conditional write only fails because another write succeeded, so N requests racing on one
 * session all land within N attempts; the limit only stops a store that refuses every write.
 */
const MAX_MERGE_ATTEMPTS = 32;
/** Sessions whose last write is remembered (see `latestWrites`). */
const RECENT_WRITES = 1_000;

/** Where a session's data lives now: under its own id's key, or during a grace window its successor's. */
export interface Located {
  key: string;
  record: SessionRecord;
}

/** One request's commit of a loaded session, as it waits in the queue. */
export interface Job {
  step: Exclude<CommitStep, 'create' | 'clear-cookie'>;
  state: SessionState & { record: SessionRecord };
  /** The id the request presented; its key differs from `key` while it forwards to a successor. */
  identity: Identity;
  /** The store key holding the session. */
  key: string;
  contribution: Contribution;
  secure: boolean;
}

/** The store operations of one manager, over its (guarded) store and settings. */
export function sessionWrites(store: SessionStore, config: ResolvedOptions) {
  // The last record this process wrote for each recent session: a request that loaded before a
  // parallel request's write builds on it instead of its stale copy, so its conditional write
  // succeeds at once. Only a hint; another process may have written since, which the write detects.
  const latestWrites = new BoundedMap<string, Located>(RECENT_WRITES);

  /**
   * Saves the changes of several requests on one session with one conditional write, on top of
   * the freshest record known: our own last write while the session is busy (so requests queued
   * behind it do not each lose a round trip to a conflict), else the newest one loaded. Each
   * request's changes apply in arrival order, key by key, as if saved one after another.
   */
  async function writeTogether(key: string, group: readonly Queued<Job, string | undefined>[]): Promise<void> {
    // A request whose own data could never be stored fails alone, before it joins the others.
    const writers = group.filter((entry) => {
      try {
        checkStorable(entry.job.contribution.text, config.maxSize);
        return true;
      } catch (error) {
        entry.reject(error);
        return false;
      }
    });
    const last = writers.at(-1)?.job;
    if (!last) return;
    // The lifetime the latest refresh({ maxAge }) among them asked for, if any did.
    let maxAge: number | undefined;
    for (const { job } of writers) maxAge = job.state.maxAge ?? maxAge;
    // One clock reading for the records' expiry and the cookies' Max-Age, so neither outlives the other.
    const now = Date.now();
    let written: Located | undefined;
    try {
      written = await writeOnFreshest(freshest(key, writers), (base) => {
        const data = mergeOnto(
          base.data,
          writers.map(({ job }) => job.contribution),
        );
        checkStorable(data, config.maxSize);
        return buildRecord({ ...fieldsOnTop(last.state, base, data), maxAge: maxAge ?? base.maxAge }, now, config);
      });
    } catch (error) {
      if (!(error instanceof SessionDataError) || writers.length === 1) throw error;
      // Together they pass a limit none passes alone: save them one by one instead, so only the
      // request that crosses it fails, as it would have without batching.
      for (const writer of writers) await writeTogether(key, [writer]);
      return;
    }
    if (written) latestWrites.set(key, written);
    else latestWrites.delete(key);
    for (const writer of writers) {
      const { job } = writer;
      // A request that came with a retired id never gets a cookie: it must not learn the new id,
      // and re-sending the old one could overwrite the new cookie the browser just got.
      writer.resolve(
        written?.key === job.identity.key
          ? cookieFor(job.identity.cookieValue, written.record.expiresAt, now, job.secure)
          : undefined,
      );
    }
  }

  /** Where to write on top of: our last write to this key while it stayed busy, or the newest record loaded. */
  function freshest(key: string, writers: readonly Queued<Job, string | undefined>[]): Located {
    let newest: SessionRecord | undefined;
    for (const { job } of writers) if (!newest || job.state.record.version > newest.version) newest = job.state.record;
    const ours = latestWrites.get(key);
    if (!newest) throw new Error('[session] internal error: an empty batch');
    return ours && (ours.key !== key || ours.record.version >= newest.version) ? ours : { key, record: newest };
  }
  /**
   * The record behind a key, following a regeneration's forwarding record once: for the grace
   * window the old id still reaches the session, under its new key.
   */
  async function locate(key: string): Promise<Located | undefined> {
    const record = await store.get(key);
    if (!record || record.expiresAt <= Date.now()) return undefined;
    const target = forwardingTarget(record.data);
    if (target === undefined) return { key, record };
    const moved = await store.get(target);
    return moved && moved.expiresAt > Date.now() ? { key: target, record: moved } : undefined;
  }

  /**
   * The conditional-write-and-merge loop, used by every write of an existing session: `build`
   * makes the record to store from the stored one; if another request wrote first, the write is
   * refused, the record re-read (following a forwarding record) and built again. `build` may
   * decline (undefined) to stop. Resolves where it wrote, or undefined when the session was
   * destroyed meanwhile: destroy wins, and a write never brings a session back.
   */
  async function writeOnFreshest(
    start: Located,
    build: (base: SessionRecord, at: Located) => SessionRecord | undefined | Promise<SessionRecord | undefined>,
  ): Promise<Located | undefined> {
    let at = start;
    for (let attempt = 0; attempt < MAX_MERGE_ATTEMPTS; attempt++) {
      const record = await build(at.record, at);
      if (record === undefined) return undefined;
      if (await store.write(at.key, record, at.record.version)) return { key: at.key, record };
      await backoff(attempt);
      const current = await locate(at.key);
      if (!current) return undefined;
      at = current;
    }
    throw new SessionStoreError(
      store.name,
      'conflict',
      `session still contended after ${String(MAX_MERGE_ATTEMPTS)} attempts`,
    );
  }

  /**
   * Rotation for security (login, refresh({ rotate: true })): a new id from the freshest data,
   * and the old id dies at once, so a fixated or stolen id is worthless from this response on.
   */
  async function rotateNow(job: Job): Promise<string | undefined> {
    const current = await locate(job.key);
    if (!current) return undefined; // logged out meanwhile: stays dead
    const now = Date.now();
    const data = mergeOnto(current.record.data, [job.contribution]);
    const record = buildRecord(
      { ...fieldsOnTop(job.state, current.record, data), version: 1, issuedAt: now },
      now,
      config,
    );
    const login = job.contribution.user;
    const cookie = await issue(record, now, job.secure, isSessionUser(login) ? login : undefined);
    await store.destroy(current.key);
    if (current.key !== job.identity.key) await store.destroy(job.identity.key);
    // A login that lost the race with a revokeAll(): the old id is gone too, so the browser's cookie goes.
    return cookie ?? clearCookie(config.cookie, job.secure);
  }

  /**
   * Periodic regeneration without breaking requests already in flight with the old id (other
   * tabs, parallel fetches): the data moves to a new id, and the old id's record becomes a
   * forwarding record for `rotateGrace`, through which those requests read and write the session
   * without ever being handed the new id. Turning the old record into the forwarding record is a
   * conditional write, so exactly one request rotates; a write that lands on the old id in the
   * meantime is carried over to the new one instead of lost.
   */
  async function rotateWithGrace(job: Job): Promise<string | undefined> {
    const ownKey = job.identity.key;
    const current = await locate(ownKey);
    if (!current) return undefined; // logged out meanwhile: stays dead
    if (current.key !== ownKey) return joinWinner(current, job); // a parallel request rotated first
    const now = Date.now();
    const fresh = newIdentity(config.secrets);
    const data = mergeOnto(current.record.data, [job.contribution]);
    let moved = buildRecord(
      { ...fieldsOnTop(job.state, current.record, data), version: 1, issuedAt: now },
      now,
      config,
    );
    await createRecord(fresh.key, moved);
    let copied = current.record;
    let declinedAt: Located | undefined;
    const written = await writeOnFreshest(current, async (base, at) => {
      if (at.key !== ownKey) {
        declinedAt = at;
        return undefined;
      }
      if (base !== copied) {
        // Nobody else knows the new key yet, so this write cannot conflict.
        const next = { ...moved, data: mergeOnto(base.data, [job.contribution]), version: moved.version + 1 };
        if (!(await store.write(fresh.key, next, moved.version)))
          throw new SessionStoreError(store.name, 'conflict', 'a fresh session was changed by someone else');
        moved = next;
        copied = base;
      }
      return {
        ...base,
        data: forwardingData(fresh.key),
        version: base.version + 1,
        expiresAt: now + (config.rotateGrace ?? 0),
      };
    });
    if (written) {
      await users.follow(moved.data, fresh.key);
      return cookieFor(fresh.cookieValue, moved.expiresAt, now, job.secure);
    }
    await store.destroy(fresh.key);
    return declinedAt ? joinWinner(declinedAt, job) : undefined;
  }

  /** Another request rotated the session first: our changes join its new record; its cookie is the one to keep. */
  async function joinWinner(winner: Located, job: Job): Promise<undefined> {
    const { contribution, state } = job;
    if (contribution.text === contribution.loadedText && !state.refreshed) return undefined;
    await writeOnFreshest(winner, (base) => {
      const data = mergeOnto(base.data, [contribution]);
      checkStorable(data, config.maxSize);
      return buildRecord(fieldsOnTop(job.state, base, data), Date.now(), config);
    });
    return undefined;
  }

  /**
   * Stores a record under a brand-new id and returns its cookie. With `login`, the new session
   * joins its user's sessions; if a revokeAll() got there first, it is deleted again and no cookie
   * is returned. A logged-in session that only changes id takes its place in the user's list along.
   */
  async function issue(
    record: SessionRecord,
    now: number,
    secure: boolean,
    login?: SessionUser,
  ): Promise<string | undefined> {
    const fresh = newIdentity(config.secrets);
    await createRecord(fresh.key, record);
    if (login) {
      if (!(await users.register(login, fresh.key))) {
        await store.destroy(fresh.key);
        return undefined;
      }
    } else await users.follow(record.data, fresh.key);
    return cookieFor(fresh.cookieValue, record.expiresAt, now, secure);
  }

  async function createRecord(key: string, record: SessionRecord): Promise<void> {
    checkStorable(record.data, config.maxSize);
    // 256 random bits do not collide; a refusal here means the store is broken.
    if (!(await store.write(key, record, undefined)))
      throw new SessionStoreError(store.name, 'conflict', 'refused to create a session under a fresh id');
  }

  function cookieFor(cookieValue: string, expiresAt: number, now: number, secure: boolean): string {
    return serializeCookie(config.cookie, cookieValue, expiresAt, now, secure);
  }

  const takeFlash = flashTaker(writeOnFreshest);

  /** Forgets our last write to a key, before a step that changes the record in ways it does not follow. */
  function forget(key: string): void {
    latestWrites.delete(key);
  }

  const users = userSessions({ store, locate, writeOnFreshest }, config.maxAge);

  return { locate, writeTogether, rotateNow, rotateWithGrace, takeFlash, forget, issue, cookieFor, users };
}

/**
 * A short random pause before retrying a write another request won, so processes that keep
 * colliding on one session spread out instead of retrying in lockstep. The first retry goes at
 * once: the write that beat ours has landed, and a re-read and merge is all it takes.
 */
async function backoff(attempt: number): Promise<void> {
  if (attempt === 0) return;
  await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));
}
