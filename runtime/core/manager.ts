import { clearCookie, readCookie, serializeCookie } from './cookie.js';
import {
  applyChanges,
  diffData,
  forwardingData,
  forwardingTarget,
  isLoadable,
  parseData,
  type DataChanges,
  type SessionValues,
} from './data.js';
import { SessionDataError, SessionStoreError, SessionUsageError } from './errors.js';
import { BoundedMap } from './bounded-map.js';
import { KnownIds, type Identity } from './known-ids.js';
import { resolveOptions, type ResolvedOptions, type SessionOptions } from './options.js';
import { Session, sessionState, type SessionData, type SessionState } from './session.js';
import { guardedStore } from './guarded-store.js';
import { CommitQueue, type Queued } from './commit-queue.js';
import type { SessionRecord } from './store.js';

/** What the glue tells the core about a request. */
export interface RequestInfo {
  /** The raw `Cookie` header. */
  cookieHeader: string | undefined;
  /**
   * The request's URL path as the client sent it (a query string is ignored). A request outside
   * `cookie.path` gets a session that is never loaded or saved (see load).
   */
  path?: string | undefined;
  /** Client address as the framework reports it (after its trust-proxy handling). */
  ip: string | undefined;
  userAgent: string | undefined;
  /** Whether the request arrived over HTTPS, as the framework reports it (after its trust-proxy handling). */
  https: boolean;
}

export interface SessionManager {
  readonly options: ResolvedOptions;
  /** Reads the session for a request. A missing, forged or expired cookie gives a new, empty session. */
  load(request: RequestInfo): Promise<Session<SessionData>>;
  /**
   * Saves the session if needed and returns the `Set-Cookie` value to send, if any. Runs once per
   * session; later calls resolve `undefined`. Throws `SessionStoreError` when the store fails and
   * `SessionDataError` for data that cannot be stored.
   */
  commit(session: Session<SessionData>, options?: CommitOptions): Promise<string | undefined>;
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

/** An unmodified session is renewed (store touch + fresh cookie) once this fraction of maxAge has passed. */
const RENEW_FRACTION = 0.1;
/**
 * How many times a write is retried on top of a concurrent request's write before giving up.
 * A conditional write only fails because another request's write succeeded, so N requests racing
 * on one session all land within N attempts; the limit only stops a store that refuses every write.
 */
const MAX_MERGE_ATTEMPTS = 32;
/** How many cookies of our name we look up in the store (browsers may send one per path). */
const MAX_COOKIE_CANDIDATES = 3;
/** Sessions whose last write is remembered (see `latestWrites`). */
const RECENT_WRITES = 1_000;

/** Where a session's data lives now: usually under its own id's key, during a grace window under its successor's. */
interface Located {
  key: string;
  record: SessionRecord;
}

export function createSessionManager(options: SessionOptions): SessionManager {
  const config = resolveOptions(options);
  const { logger } = config;
  const store = guardedStore(config.store, config.storeTimeout, logger);
  const knownIds = new KnownIds(config.secrets);
  // Commits of one session from this process are queued and saved in batches (see saveQueued);
  // only other processes can still race a commit, and that costs one re-read and merge.
  // The last record this process wrote for each recent session: a request that loaded before a
  // parallel request's write builds on it instead of its stale copy, so its conditional write
  // succeeds at once. Only a hint; another process may have written since, which the
  // conditional write detects.
  const latestWrites = new BoundedMap<string, Located>(RECENT_WRITES);
  const commits = new CommitQueue(saveQueued);
  let warnedInsecure = false;

  function load(request: RequestInfo): Promise<Session<SessionData>> {
    // The browser sends the cookie only within its path, and a cookie set from elsewhere would
    // overwrite the real one; so outside it nothing is read, and changes throw (see Session).
    if (!inCookiePath(request.path, config.cookie.path))
      return Promise.resolve(new Session({}, { ...newState(request), sealed: 'outside-cookie-path' }));
    // With "fail" (the default) the store's error reaches the caller as is: no wrapper to pay for.
    if (config.onStoreError === 'fail') return loadFromStore(request);
    // The store's outage is logged once by guardedStore, not here on every request.
    return loadFromStore(request).catch((error: unknown) => {
      if (!(error instanceof SessionStoreError)) throw error;
      return new Session({}, { ...newState(request), degraded: true });
    });
  }

  async function loadFromStore(request: RequestInfo): Promise<Session<SessionData>> {
    let candidates = 0;
    for (const value of readCookie(request.cookieHeader, config.cookie.name)) {
      const identity = knownIds.read(value);
      if (identity === undefined) continue;
      if (++candidates > MAX_COOKIE_CANDIDATES) break;
      const located = await locate(identity.key);
      const session = located && accept(identity, located, request);
      if (session) return session;
    }
    return new Session({}, newState(request));
  }

  /**
   * Reads the record behind a key, following a timer rotation's forwarding record once: for a
   * grace window the old id still reaches the session, under its new key.
   */
  async function locate(key: string): Promise<Located | undefined> {
    const record = await store.get(key);
    if (!record || record.expiresAt <= Date.now()) return undefined;
    const target = forwardingTarget(record.data);
    if (target === undefined) return { key, record };
    const moved = await store.get(target);
    return moved && moved.expiresAt > Date.now() ? { key: target, record: moved } : undefined;
  }

  /** A loaded record becomes a session only if it is live, bound correctly and parses. */
  function accept(
    identity: Identity,
    { key, record }: Located,
    request: RequestInfo,
  ): Session<SessionData> | undefined {
    if (config.absoluteTimeout !== undefined && record.createdAt + config.absoluteTimeout <= Date.now())
      return undefined;
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
    return new Session(values, newState(request, identity, record, key));
  }

  async function commit(session: Session<SessionData>, options?: CommitOptions): Promise<string | undefined> {
    const state = session[sessionState];
    if (state.committed || state.degraded || state.sealed !== undefined) return undefined;
    state.committed = true;
    // From here on the response is on its way; a change now could not be saved, so it throws.
    state.sealed = 'already-saved';
    try {
      const { record, identity, key } = state;
      const canSetCookie = options?.cookie ?? true;
      if (!record || !identity || key === undefined) {
        if (!canSetCookie && !state.invalidated && serialize(Session.values(session)) !== '{}')
          throw new SessionUsageError(
            'already-saved',
            'a new session was started after its response began, so its cookie could not be sent',
          );
        return await commitNew(session, state);
      }
      const draft = draftOf(session, state, record, identity, key);
      if (!draft) return undefined;
      if (canSetCookie) return await commits.run(key, draft);
      if (state.rotate && draft.action === 'rotate')
        throw new SessionUsageError(
          'already-saved',
          'the session id was rotated after its response began, so the new id could not be sent',
        );
      // A periodic regeneration (not asked for by the app) simply waits for the next request.
      if (draft.action === 'rotate' || draft.action === 'rotate-with-grace')
        draft.action = draft.text !== state.loadedText || state.refreshed ? 'write' : 'touch';
      await commits.run(key, draft);
      return undefined;
    } catch (error) {
      if (!(error instanceof SessionStoreError) || config.onStoreError === 'fail') throw error;
      return undefined;
    }
  }

  /**
   * A new visitor's commit: nothing at all when nothing was stored (no store write, no cookie),
   * else a brand-new id, outside the queue (nobody else can know it yet).
   */
  async function commitNew(session: Session<SessionData>, state: SessionState): Promise<string | undefined> {
    const secure = isSecure(state.request);
    if (state.invalidated)
      return readCookie(state.request.cookieHeader, config.cookie.name).length > 0
        ? clearCookie(config.cookie, secure)
        : undefined;
    const text = serialize(Session.values(session));
    if (text === '{}') return undefined;
    const now = Date.now();
    const record = newRecord(text, 1, now, now, state.maxAge ?? config.maxAge, state.request, now);
    return issue(record, now, secure);
  }

  /**
   * Decides, from a loaded session alone and without touching the store, what its commit has to
   * do. Undefined when nothing: an unchanged session between renewals costs no store call at all.
   */
  function draftOf(
    session: Session<SessionData>,
    state: SessionState,
    loaded: SessionRecord,
    identity: Identity,
    key: string,
  ): Draft | undefined {
    const values = Session.values(session);
    const text = state.invalidated ? '' : serialize(values);
    const action = actionOf(state, loaded, identity, key, text);
    return action && { action, state, loaded, identity, values, text, secure: isSecure(state.request), key };
  }

  function actionOf(
    state: SessionState,
    loaded: SessionRecord,
    identity: Identity,
    key: string,
    text: string,
  ): DraftAction | undefined {
    if (state.invalidated) return 'destroy';
    const now = Date.now();
    const forwarded = key !== identity.key;
    if (state.rotate || (config.rotateGrace === undefined && !forwarded && dueForRegeneration(loaded, now)))
      return 'rotate';
    if (!forwarded && dueForRegeneration(loaded, now)) return 'rotate-with-grace';
    if (text !== state.loadedText || state.refreshed) return 'write';
    // Unchanged: renew the expiry now and then, not on every request, so a busy user costs one
    // cheap touch per tenth of maxAge instead of a store write per request.
    const maxAge = state.maxAge ?? loaded.maxAge;
    if (expiryFrom(now, maxAge, loaded.createdAt) - loaded.expiresAt >= maxAge * RENEW_FRACTION) return 'touch';
    return undefined;
  }

  /**
   * Works through one session's queued commits in arrival order. Consecutive plain writes are
   * saved together with one store write; everything else (logout, rotation, renewal) on its own.
   */
  async function saveQueued(key: string, batch: ReadonlyArray<QueuedCommit>): Promise<void> {
    for (let index = 0; index < batch.length;) {
      let end = index;
      while (batch[end]?.job.action === 'write') end++;
      const writes = end > index;
      const group = batch.slice(index, writes ? end : index + 1);
      index += group.length;
      try {
        if (writes) await writeTogether(key, group);
        else {
          // Our memory of the last write serves plain writes only; the other steps re-read
          // and change the record, so it is forgotten.
          latestWrites.delete(key);
          for (const entry of group) entry.resolve(await saveOne(entry.job));
        }
      } catch (error) {
        for (const entry of group) entry.reject(error);
      }
    }
  }

  async function saveOne(draft: Draft): Promise<string | undefined> {
    const { state, loaded, key, secure } = draft;
    const ownKey = draft.identity.key;
    if (draft.action === 'destroy') {
      // Logout: every path to the session dies at once, the forwarding record included.
      await store.destroy(key);
      if (key !== ownKey) await store.destroy(ownKey);
      return clearCookie(config.cookie, secure);
    }
    const now = Date.now();
    const maxAge = state.maxAge ?? loaded.maxAge;
    const expiresAt = expiryFrom(now, maxAge, loaded.createdAt);
    if (draft.action === 'touch') {
      const renewed = await store.touch(key, expiresAt);
      return renewed && key === ownKey ? cookieFor(draft.identity.cookieValue, expiresAt, now, secure) : undefined;
    }
    const merge: MergeInput = { state, values: draft.values, text: draft.text, maxAge, expiresAt };
    if (draft.action === 'rotate') return rotateNow(state, ownKey, merge, secure);
    return rotateWithGrace(ownKey, loaded, merge, secure);
  }

  /**
   * Saves the changes of several requests on one session with one conditional write, on top of
   * the freshest record we know: our own last write while the session is busy (so the requests
   * queued behind it do not each lose a round trip to a conflict), else the newest one loaded.
   * If another process wrote meanwhile, the write fails, and all the changes are replayed on a
   * fresh read. Each request's changes are applied in arrival order, key by key, exactly as if
   * they had been saved one after another.
   */
  async function writeTogether(key: string, group: ReadonlyArray<QueuedCommit>): Promise<void> {
    // A request whose own data could never be stored fails alone, before it joins the others.
    const writers = group.filter((entry) => {
      try {
        checkData(entry.job.text);
        return true;
      } catch (error) {
        entry.reject(error);
        return false;
      }
    });
    const [first] = writers;
    if (!first) return;
    let at = freshest(key, first.job, writers);
    for (let attempt = 0; attempt < MAX_MERGE_ATTEMPTS; attempt++) {
      const base = at.record;
      let data: string;
      try {
        data = combinedData(base.data, writers);
        checkData(data);
      } catch (error) {
        if (writers.length === 1) return writers[0]?.reject(error);
        // Together they pass a limit none passes alone: save them one by one instead, so only
        // the request that crosses it fails, as it would have without batching.
        for (const writer of writers) await writeTogether(key, [writer]);
        return;
      }
      const latest = latestSettings(first.job, writers);
      const maxAge = latest.maxAge ?? base.maxAge;
      const now = Date.now();
      const record = newRecord(data, base.version + 1, base.createdAt, base.issuedAt, maxAge, latest.request, now);
      if (await store.write(at.key, record, base.version)) {
        latestWrites.set(key, { key: at.key, record });
        for (const writer of writers) {
          const { job } = writer;
          // A request that came with a retired id never gets a cookie: it must not learn the new
          // id, and re-sending the old one could overwrite the new cookie the browser just got.
          writer.resolve(
            at.key === job.identity.key
              ? cookieFor(job.identity.cookieValue, record.expiresAt, now, job.secure)
              : undefined,
          );
        }
        return;
      }
      latestWrites.delete(key);
      await backoff(attempt);
      const current = await locate(at.key);
      // Destroyed meanwhile: destroy wins, a write never brings the session back.
      if (!current) return writers.forEach((writer) => writer.resolve(undefined));
      at = current;
    }
    throw new SessionStoreError(store.name, 'conflict', `session still contended after ${MAX_MERGE_ATTEMPTS} attempts`);
  }

  /** Where to write on top of: our last write to this key while it stayed busy, or the newest record loaded. */
  function freshest(key: string, first: Draft, writers: ReadonlyArray<QueuedCommit>): Located {
    let newest = first.loaded;
    for (const { job } of writers) if (job.loaded.version > newest.version) newest = job.loaded;
    const ours = latestWrites.get(key);
    return ours && (ours.key !== key || ours.record.version >= newest.version) ? ours : { key, record: newest };
  }

  function dueForRegeneration(record: SessionRecord, now: number): boolean {
    return config.regenerateEvery !== undefined && now - record.issuedAt >= config.regenerateEvery;
  }

  /**
   * Rotation for security (login, refresh({ rotate: true })): a new id from the freshest data,
   * and the old id dies at once, so a fixated or stolen id is worthless from this response on.
   */
  async function rotateNow(
    state: SessionState,
    ownKey: string,
    merge: MergeInput,
    secure: boolean,
  ): Promise<string | undefined> {
    const current = await locate(state.key ?? ownKey);
    if (!current) return undefined; // logged out meanwhile: stays dead
    const data = dataFor(current.record, merge);
    const now = Date.now();
    const cookie = await issue(
      newRecord(data, 1, current.record.createdAt, now, merge.maxAge, merge.state.request, now),
      now,
      secure,
    );
    await store.destroy(current.key);
    if (current.key !== ownKey) await store.destroy(ownKey);
    return cookie;
  }

  /**
   * Periodic regeneration without breaking requests already in flight with the old id (other
   * tabs, parallel fetches): the data moves to a new id, and the old id's record becomes a
   * forwarding record for `rotateGrace`, through which those requests read and write the session
   * without ever being handed the new id. Turning the old record into the forwarding record is a
   * conditional write, so exactly one request rotates, and a write that lands on the old id in the
   * meantime is carried over instead of lost.
   */
  async function rotateWithGrace(
    ownKey: string,
    loaded: SessionRecord,
    merge: MergeInput,
    secure: boolean,
  ): Promise<string | undefined> {
    let current = await locate(ownKey);
    if (!current) return undefined; // logged out meanwhile: stays dead
    if (current.key !== ownKey) return joinWinner(current, merge); // a parallel request rotated first
    const now = Date.now();
    const fresh = knownIds.issue();
    const newKey = fresh.key;
    let record = newRecord(
      dataFor(current.record, merge),
      1,
      loaded.createdAt,
      now,
      merge.maxAge,
      merge.state.request,
      now,
    );
    await create(newKey, record);
    for (let attempt = 0; attempt < MAX_MERGE_ATTEMPTS; attempt++) {
      const base = current.record;
      const forwarding = {
        ...base,
        data: forwardingData(newKey),
        version: base.version + 1,
        expiresAt: now + (config.rotateGrace ?? 0),
      };
      if (await store.write(ownKey, forwarding, base.version))
        return cookieFor(fresh.cookieValue, record.expiresAt, now, secure);
      await backoff(attempt);
      const latest = await locate(ownKey);
      if (!latest || latest.key !== ownKey) {
        await store.destroy(newKey);
        return latest ? joinWinner(latest, merge) : undefined;
      }
      // A parallel write landed on the old id after we copied it: carry it over. Nobody else
      // knows the new key yet, so this write cannot conflict.
      current = latest;
      const next = { ...record, data: dataFor(latest.record, merge), version: record.version + 1 };
      if (!(await store.write(newKey, next, record.version)))
        throw new SessionStoreError(store.name, 'conflict', 'a fresh session was changed by someone else');
      record = next;
    }
    throw new SessionStoreError(store.name, 'conflict', `session still contended after ${MAX_MERGE_ATTEMPTS} attempts`);
  }

  /** Another request rotated the session first: our changes join its new record; its cookie is the one to keep. */
  async function joinWinner(winner: Located, merge: MergeInput): Promise<undefined> {
    if (merge.text !== merge.state.loadedText || merge.state.refreshed)
      await writeMerged(winner.key, winner.record, merge);
    return undefined;
  }

  /** Our data on top of `current`: as is when nobody wrote since we loaded, else merged key by key. */
  function dataFor(current: SessionRecord, merge: MergeInput): string {
    return current.data === merge.state.loadedText
      ? merge.text
      : mergedText(current.data, merge.state.loadedText, merge.values);
  }

  /** Stores a record under a brand-new id and returns its cookie. */
  async function issue(record: SessionRecord, now: number, secure: boolean): Promise<string> {
    const fresh = knownIds.issue();
    await create(fresh.key, record);
    return cookieFor(fresh.cookieValue, record.expiresAt, now, secure);
  }

  async function create(key: string, record: SessionRecord): Promise<void> {
    checkData(record.data);
    // 256 random bits do not collide; a false here means the store is broken.
    if (!(await store.write(key, record, undefined)))
      throw new SessionStoreError(store.name, 'conflict', 'refused to create a session under a fresh id');
  }

  /**
   * Conditional write with merge: if another request saved the session since we loaded it,
   * re-read it and apply our changed keys on top, so both requests' changes survive. Follows a
   * rotation's forwarding record. Resolves the key written, or undefined when the session was
   * destroyed meanwhile (destroy wins: a write never brings it back).
   */
  async function writeMerged(key: string, base: SessionRecord, merge: MergeInput): Promise<string | undefined> {
    let at: Located = { key, record: base };
    let data = dataFor(base, merge);
    for (let attempt = 0; attempt < MAX_MERGE_ATTEMPTS; attempt++) {
      checkData(data);
      const base = at.record;
      const record: SessionRecord = {
        ...newRecord(
          data,
          base.version + 1,
          base.createdAt,
          base.issuedAt,
          merge.maxAge,
          merge.state.request,
          Date.now(),
        ),
        expiresAt: merge.expiresAt,
      };
      if (await store.write(at.key, record, base.version)) return at.key;
      await backoff(attempt);
      const current = await locate(at.key);
      if (!current) return undefined;
      at = current;
      data = mergedText(current.record.data, merge.state.loadedText, merge.values);
    }
    throw new SessionStoreError(store.name, 'conflict', `session still contended after ${MAX_MERGE_ATTEMPTS} attempts`);
  }

  function newRecord(
    data: string,
    version: number,
    createdAt: number,
    issuedAt: number,
    maxAge: number,
    request: RequestInfo,
    now: number,
  ): SessionRecord {
    return {
      data,
      version,
      createdAt,
      issuedAt,
      expiresAt: expiryFrom(now, maxAge, createdAt),
      maxAge,
      ip: trimIp(request.ip),
      userAgent: trimUserAgent(request.userAgent),
    };
  }

  function expiryFrom(now: number, maxAge: number, createdAt: number): number {
    const idle = now + maxAge;
    return config.absoluteTimeout === undefined ? idle : Math.min(idle, createdAt + config.absoluteTimeout);
  }

  function cookieFor(cookieValue: string, expiresAt: number, now: number, secure: boolean): string {
    return serializeCookie(config.cookie, cookieValue, expiresAt, now, secure);
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

  function checkData(text: string): void {
    const bytes = Buffer.byteLength(text);
    if (bytes > config.maxSize) {
      throw new SessionDataError(
        'too-large',
        `session data is ${bytes} bytes, over the "maxSize" limit of ${config.maxSize} bytes`,
      );
    }
    // Fail this request rather than store data the next load refuses as corrupt (which would
    // silently end the session): the nested-key twin of Session.set()'s check.
    if (!isLoadable(text)) {
      throw new SessionDataError(
        'invalid-key',
        'session data cannot hold the key "__proto__", "constructor" or "prototype" at any depth',
      );
    }
  }

  return {
    options: config,
    load,
    commit,
    deleteExpired: () => store.deleteExpired(),
    close: () => store.close(),
  };
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

type DraftAction = 'destroy' | 'rotate' | 'rotate-with-grace' | 'write' | 'touch';

type QueuedCommit = Queued<Draft, string | undefined>;

/** What one request's commit has to do, decided once from its session (see draftOf). */
interface Draft {
  action: DraftAction;
  state: SessionState;
  /** The record as the request loaded it. */
  loaded: SessionRecord;
  /** The id the request presented; its key differs from `key` while it forwards to a successor. */
  identity: Identity;
  values: SessionValues;
  /** The data as JSON ('' when it is not needed: logout). */
  text: string;
  secure: boolean;
  /** The store key holding the session. */
  key: string;
}

/**
 * The data after a batch of requests, applied in arrival order on top of `baseText`: a request
 * that loaded exactly the current data contributes its data as is, any other its changes only.
 * The intermediate results stay objects; only the final one is serialized.
 */
function combinedData(baseText: string, writers: ReadonlyArray<QueuedCommit>): string {
  let text: string | undefined = baseText;
  let values: SessionValues | undefined;
  for (const { job } of writers) {
    if (text !== undefined && job.state.loadedText === text) {
      text = job.text;
      values = undefined;
    } else {
      values = applyChanges(values ?? parseData(text ?? '{}') ?? {}, changesOf(job.state.loadedText, job.values));
      text = undefined;
    }
  }
  return text ?? JSON.stringify(values);
}

/**
 * What the batch's record takes from its requests beyond data: the latest request's address and
 * User-Agent, and the idle lifetime the latest refresh({ maxAge }) asked for, if any did.
 */
function latestSettings(
  first: Draft,
  writers: ReadonlyArray<QueuedCommit>,
): { request: RequestInfo; maxAge: number | undefined } {
  let request = first.state.request;
  let maxAge: number | undefined;
  for (const { job } of writers) {
    request = job.state.request;
    maxAge = job.state.maxAge ?? maxAge;
  }
  return { request, maxAge };
}

/** What a write needs to replay this request's changes on top of someone else's. */
interface MergeInput {
  state: SessionState;
  values: SessionValues;
  text: string;
  maxAge: number;
  expiresAt: number;
}

/** The state of a session as loaded: a new visitor's when no record was found. */
function newState(request: RequestInfo, identity?: Identity, record?: SessionRecord, key?: string): SessionState {
  return {
    identity,
    key,
    record,
    loadedText: record ? record.data : '{}',
    request,
    invalidated: false,
    rotate: false,
    refreshed: false,
    maxAge: undefined,
    committed: false,
    sealed: undefined,
    degraded: false,
  };
}

/** Our changes (loaded → now) replayed on top of the freshest stored data. */
function mergedText(currentText: string, loadedText: string, values: SessionValues): string {
  return JSON.stringify(applyChanges(parseData(currentText) ?? {}, changesOf(loadedText, values)));
}

/** What a request changed: its data now against the data it loaded. */
function changesOf(loadedText: string, values: SessionValues): DataChanges {
  return diffData(parseData(loadedText) ?? {}, values);
}

/**
 * The data as JSON. A value JSON cannot carry (a BigInt or a cycle, nested where set() does not
 * look) fails the request as bad data instead of as a server error.
 */
function serialize(values: SessionValues): string {
  try {
    return JSON.stringify(values);
  } catch (error) {
    throw new SessionDataError('invalid-value', `session data cannot be stored as JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * RFC 6265's path-match: the cookie path is the request path, or a prefix of it that ends at a
 * "/" (so "/app" covers "/app" and "/app/x" but not "/application"). No path (a glue that cannot
 * tell) counts as inside.
 */
export function inCookiePath(url: string | undefined, cookiePath: string): boolean {
  if (cookiePath === '/' || url === undefined) return true;
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  if (!path.startsWith(cookiePath)) return false;
  return path.length === cookiePath.length || cookiePath.endsWith('/') || path[cookiePath.length] === '/';
}

/** The original module trimmed the User-Agent to fit its column; 255 characters is plenty. */
function trimUserAgent(userAgent: string | undefined): string {
  return (userAgent ?? '').slice(0, 255);
}

function trimIp(ip: string | undefined): string {
  return (ip ?? '').slice(0, 64);
}
