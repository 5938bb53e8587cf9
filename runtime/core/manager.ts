/**
 * The session manager: the one lifecycle every request goes through, read top to bottom.
 *
 *   load(request)    the cookie → its id (signature checked) → the store key (SHA-256 of the id)
 *                    → the record → a Session. Anything wrong is a new, empty session.
 *   ...              the handler reads and changes the Session (./session.ts).
 *   commit(session)  planCommit (./commit-plan.ts) picks the step from the session alone; the
 *                    step makes its store calls and returns the Set-Cookie to send, if any.
 *
 * Every write of an existing session is conditional on the version it read and goes through
 * writeOnFreshest (./writes.ts), the one loop that re-reads and merges when another request
 * wrote first, so concurrent requests never lose each other's changes and a destroyed session
 * stays destroyed.
 *
 * What makes this cheap or safe lives in files of its own and can be skipped on a first read:
 * the per-session queue that saves a burst of parallel commits with one write
 * (./commit-queue.ts), and the store guard that turns a hanging or failing store into one typed
 * error (./guarded-store.ts). The cache of checked cookie values below is tuning only.
 */

import { BoundedMap } from './bounded-map.js';
import { buildRecord, expiryFrom, isLive, planCommit, trimIp, trimUserAgent } from './commit-plan.js';
import { CommitQueue, type Queued } from './commit-queue.js';
import { clearCookie, inCookiePath, readCookie } from './cookie.js';
import { type Contribution, parseData, serialize, USER_KEY, withFlashes } from './data.js';
import { SessionStoreError } from './errors.js';
import { guardedStore } from './guarded-store.js';
import { type Identity, readIdentity } from './id.js';
import { type ResolvedOptions, resolveOptions, type SessionOptions } from './options.js';
import { type RequestInfo, Session, sessionState } from './session.js';
import { newState, type SessionState } from './session-state.js';
import { isSessionUser, newHandle, type SessionUser, type UserSession } from './users.js';
import { type Job, type Located, sessionWrites } from './writes.js';

export interface SessionManager {
  readonly options: ResolvedOptions;
  /** Reads the session for a request. A missing, forged or expired cookie gives a new, empty session. */
  load(request: RequestInfo): Promise<Session>;
  /**
   * Saves the session if needed and returns the `Set-Cookie` value to send, if any. Runs once per
   * session; later calls resolve `undefined`. Throws `SessionStoreError` when the store fails and
   * `SessionDataError` for data that cannot be stored.
   */
  commit(session: Session, options?: CommitOptions): Promise<string | undefined>;
  /**
   * The live sessions of a user (see Session.login), oldest first; `current` marks the one it
   * is. A session of the user that ended (logged out, expired) is dropped from the list as it is read.
   */
  list(userId: string, current?: Session): Promise<UserSession[]>;
  /** Ends one of a user's sessions by its handle (from list); resolves whether it was one of theirs. */
  revoke(userId: string, handle: string): Promise<boolean>;
  /**
   * Ends every session of a user ("log out everywhere"), or all but `except` ("log out other
   * devices"), and resolves how many. Once it resolves, none of them is served again, including
   * requests already in flight; a login racing it is revoked too unless it registered after it.
   */
  revokeAll(userId: string, options?: { except?: Session }): Promise<number>;
  /** Sweeps expired sessions (for stores without native expiry); schedule it yourself. */
  deleteExpired(): Promise<number | undefined>;
  /** Closes the store. */
  close(): Promise<void>;
}

export interface CommitOptions {
  /**
   * False when the response's headers are already out (a handler that wrote to the raw response),
   * so no cookie can be sent: changes are still saved under the current id, a periodic id
   * regeneration waits for the next request, and a commit that cannot work without its cookie (a
   * new session, a rotation at login) throws SessionUsageError instead of saving what the browser
   * could never find again.
   * @default true
   */
  cookie?: boolean;
}

/** How many cookies of our name are looked up in the store (browsers may send one per path). */
const MAX_COOKIE_CANDIDATES = 3;

export function createSessionManager(options: SessionOptions): SessionManager {
  const config = resolveOptions(options);
  const { logger } = config;
  const store = guardedStore(config.store, config.storeTimeout, logger);
  const { locate, rotateNow, rotateWithGrace, writeTogether, takeFlash, forget, issue, cookieFor, users } =
    sessionWrites(store, config);
  const queue = new CommitQueue<Job, string | undefined>(saveBatch);
  let warnedInsecure = false;
  // Cookie values that passed the signature check, with what they map to. A busy session sends
  // the same cookie on every request, and checking it costs an HMAC and a SHA-256. Only values
  // that passed are kept, so a forged one is checked afresh each time; bounded, so a flood of
  // distinct cookies cannot grow it. Tuning only: the store still decides whether it is live.
  const checkedCookies = new BoundedMap<string, Identity>(4_096);

  // ---- load -------------------------------------------------------------------------------

  function load(request: RequestInfo): Promise<Session> {
    // The browser sends the cookie only within its path, and a cookie set from elsewhere would
    // overwrite the real one; so outside it nothing is read, and changes throw (see Session).
    if (!inCookiePath(request.path, config.cookie.path))
      return Promise.resolve(new Session({}, { ...newState(request, false), sealed: 'outside-cookie-path' }));
    if (config.onStoreError === 'fail') return loadFromStore(request);
    // onStoreError "continue": an anonymous session that is never saved. The outage itself is
    // logged once by guardedStore, not here on every request.
    return loadFromStore(request).catch((error: unknown) => {
      if (!(error instanceof SessionStoreError)) throw error;
      return new Session({}, { ...newState(request, false), degraded: true });
    });
  }

  async function loadFromStore(request: RequestInfo): Promise<Session> {
    const values = readCookie(request.cookieHeader, config.cookie.name);
    let candidates = 0;
    for (const value of values) {
      let identity = checkedCookies.get(value);
      if (identity === undefined) {
        identity = readIdentity(value, config.secrets);
        if (identity === undefined) continue;
        checkedCookies.set(value, identity);
      }
      if (++candidates > MAX_COOKIE_CANDIDATES) break;
      const located = await locate(identity.key);
      const session = located && (await accept(identity, located, request));
      if (session) return session;
    }
    return new Session({}, newState(request, values.length > 0));
  }

  /** A record becomes a session only if it is live, bound to this client (if so configured) and parses. */
  async function accept(
    identity: Identity,
    { key, record }: Located,
    request: RequestInfo,
  ): Promise<Session | undefined> {
    if (!isLive(record, Date.now(), config)) return undefined;
    if (config.bindIp && record.ip !== trimIp(request.ip)) {
      logger.warn('[session] session presented from another IP address; treated as a new visitor');
      return undefined;
    }
    if (config.bindUserAgent && record.userAgent !== trimUserAgent(request.userAgent)) {
      logger.warn('[session] session presented with another User-Agent; treated as a new visitor');
      return undefined;
    }
    const values = parseData(record.data);
    if (!values) {
      logger.warn(`[session] [${store.name}] ignored a corrupt or foreign session record`);
      return undefined;
    }
    // A logged-in session is served only while its user's sessions hold it (see ./users.ts):
    // one more store read, for logged-in sessions only.
    const user = values[USER_KEY];
    if (isSessionUser(user) && !(await users.isCurrent(user))) return undefined;
    const state: SessionState = { ...newState(request, true), identity, key, record, loadedText: record.data };
    state.takeStoredFlash = (flashKey) => takeFlash({ key, record }, flashKey);
    return new Session(values, state);
  }

  // ---- commit -----------------------------------------------------------------------------

  async function commit(session: Session, options?: CommitOptions): Promise<string | undefined> {
    const state = session[sessionState];
    if (state.committed || state.degraded || state.sealed !== undefined) return undefined;
    state.committed = true;
    // From here on the response is on its way; a change now could not be saved, so it throws.
    state.sealed = 'already-saved';
    const canSetCookie = options?.cookie ?? true;
    try {
      // The data to save: the session's, with the flash messages this request added and the user
      // it logged in (under the epoch their sessions have now: see ./users.ts).
      const login = state.login && !state.invalidated ? await loggedIn(state.login) : undefined;
      const own = withFlashes(Session.values(session), state.flashes);
      const values = login ? { ...own, [USER_KEY]: login } : own;
      const text = state.invalidated ? '' : serialize(values);
      const { identity, key, record } = state;
      const forwarded = identity !== undefined && key !== identity.key;
      const step = planCommit({ state, text, forwarded, now: Date.now(), timing: config, canSetCookie });
      if (step === undefined) return undefined;
      const secure = isSecure(state.request);
      const { loadedText, updates, flashes } = state;
      const contribution: Contribution = { loadedText, values, text, updates, flashes, user: login };
      if (step === 'clear-cookie') return clearCookie(config.cookie, secure);
      if (step === 'create') return await createSession(state, text, secure, login);
      if (!identity || key === undefined || !record) return undefined; // only a new visitor lacks them
      const cookie = await queue.run(key, { step, state: { ...state, record }, identity, key, contribution, secure });
      return canSetCookie ? cookie : undefined;
    } catch (error) {
      if (!(error instanceof SessionStoreError) || config.onStoreError === 'fail') throw error;
      return undefined;
    }
  }

  /** A new visitor stored something: its data under a brand-new id, outside the queue (nobody else knows it). */
  async function createSession(
    state: SessionState,
    text: string,
    secure: boolean,
    login: SessionUser | undefined,
  ): Promise<string | undefined> {
    const now = Date.now();
    const maxAge = state.maxAge ?? config.maxAge;
    const fields = { data: text, version: 1, createdAt: now, issuedAt: now, maxAge, request: state.request };
    return issue(buildRecord(fields, now, config), now, secure, login);
  }

  async function loggedIn({ userId, at }: { userId: string; at: number }): Promise<SessionUser> {
    return { id: userId, handle: newHandle(), epoch: await users.epoch(userId), at };
  }

  /** The handle of a logged-in session, to tell it in its user's list. */
  function handleOf(session: Session | undefined): string | undefined {
    const user = session && Session.values(session)[USER_KEY];
    return isSessionUser(user) ? user.handle : undefined;
  }

  /**
   * One session's queued commits, in arrival order. Consecutive plain writes are saved together
   * with one store write; every other step (logout, rotation, renewal) on its own.
   */
  async function saveBatch(key: string, batch: readonly Queued<Job, string | undefined>[]): Promise<void> {
    for (let index = 0; index < batch.length;) {
      const first = batch.at(index);
      if (!first) break;
      let end = index + 1;
      if (first.job.step === 'write') while (batch[end]?.job.step === 'write') end++;
      const group = batch.slice(index, end);
      index = end;
      try {
        if (first.job.step === 'write') await writeTogether(key, group);
        else {
          // The memory of our last write serves plain writes only; the other steps change the
          // record in ways it does not follow, so it is forgotten.
          forget(key);
          first.resolve(await saveOne(first.job));
        }
      } catch (error) {
        for (const entry of group) entry.reject(error);
      }
    }
  }

  async function saveOne(job: Job): Promise<string | undefined> {
    const { key, identity, state, secure } = job;
    if (job.step === 'destroy') {
      // Logout: every path to the session dies at once, the forwarding record included.
      await store.destroy(key);
      if (key !== identity.key) await store.destroy(identity.key);
      return clearCookie(config.cookie, secure);
    }
    if (job.step === 'touch') {
      const now = Date.now();
      const expiresAt = expiryFrom(now, state.maxAge ?? state.record.maxAge, state.record.createdAt, config);
      // A record gone meanwhile (logged out, rotated by a parallel request) stays gone, and its
      // dead id is not sent again over the cookie that parallel request just set.
      const touched = await store.touch(key, expiresAt);
      return touched && key === identity.key ? cookieFor(identity.cookieValue, expiresAt, now, secure) : undefined;
    }
    if (job.step === 'rotate') return rotateNow(job);
    return rotateWithGrace(job);
  }

  /**
   * Secure cookies over plain HTTP are dropped by browsers without a word; the usual cause is a
   * proxy terminating TLS without the framework trusting its X-Forwarded-Proto. Say so, once.
   */
  function isSecure(request: RequestInfo): boolean {
    if (config.secure === 'auto') return request.https;
    if (config.secure && !request.https && !warnedInsecure) {
      warnedInsecure = true;
      logger.warn(
        '[session] cookie.secure is on but this request did not arrive over HTTPS, so browsers will drop the cookie. ' +
          "Behind a TLS proxy, make the framework trust it (Express: app.set('trust proxy', 1); Fastify: trustProxy; Koa: app.proxy = true).",
      );
    }
    return config.secure;
  }

  return {
    options: config,
    load,
    commit,
    list: (userId, current) => users.list(userId, handleOf(current)),
    revoke: (userId, handle) => users.revoke(userId, handle),
    revokeAll: (userId, options) => users.revokeAll(userId, handleOf(options?.except)),
    deleteExpired: () => store.deleteExpired(),
    close: () => store.close(),
  };
}
