import { clearCookie, readCookie, serializeCookie } from './cookie.js';
import { applyChanges, diffData, isLoadable, parseData, type SessionValues } from './data.js';
import { SessionStoreError, storeCall } from './errors.js';
import { isSessionId, newSessionId, signSessionId, storeKey, unsignSessionId } from './id.js';
import { resolveOptions, type ResolvedOptions, type SessionOptions } from './options.js';
import { Session, sessionState, type SessionData, type SessionState } from './session.js';
import type { SessionRecord } from './store.js';

/** What the glue tells the core about a request. */
export interface RequestInfo {
  /** The raw `Cookie` header. */
  cookieHeader: string | undefined;
  /** Client address as the framework reports it (after its trust-proxy handling). */
  ip: string | undefined;
  userAgent: string | undefined;
  /** Whether the request arrived over HTTPS, as the framework reports it. */
  https: boolean;
}

export interface SessionManager {
  readonly options: ResolvedOptions;
  /** Reads the session for a request. A missing, forged or expired cookie gives a new, empty session. */
  load(request: RequestInfo): Promise<Session<SessionData>>;
  /**
   * Saves the session if needed and returns the `Set-Cookie` value to send, if any. Runs once per
   * session; later calls resolve `undefined`. Throws `SessionStoreError` when the store fails.
   */
  commit(session: Session<SessionData>): Promise<string | undefined>;
  /** Sweeps expired sessions (for stores without native expiry); schedule it yourself. */
  deleteExpired(): Promise<number | undefined>;
  /** Closes the store. */
  close(): Promise<void>;
}

/** An unmodified session is renewed (store touch + fresh cookie) once this fraction of maxAge has passed. */
const RENEW_FRACTION = 0.1;
/**
 * How many times a write is retried on top of a concurrent request's write before giving up.
 * A conditional write only fails because another request's write succeeded, so N requests racing
 * on one session all land within N attempts; a low limit (it was 5) failed the rest with
 * "conflict" although nothing was wrong. The limit only stops a store that refuses every write.
 */
const MAX_MERGE_ATTEMPTS = 32;
/** How many cookies of our name we look up in the store (browsers may send one per path). */
const MAX_COOKIE_CANDIDATES = 3;

export function createSessionManager(options: SessionOptions): SessionManager {
  const config = resolveOptions(options);
  const { store, logger } = config;
  const storeName = store.name;

  async function load(request: RequestInfo): Promise<Session<SessionData>> {
    let candidates = 0;
    for (const value of readCookie(request.cookieHeader, config.cookie.name)) {
      const id =
        config.secrets.length > 0 ? unsignSessionId(value, config.secrets) : isSessionId(value) ? value : undefined;
      if (id === undefined) continue;
      if (++candidates > MAX_COOKIE_CANDIDATES) break;
      const record = await storeCall(storeName, 'get', () => store.get(storeKey(id)));
      const session = record && accept(id, record, request);
      if (session) return session;
    }
    return new Session({}, newState(undefined, undefined, '{}', request));
  }

  /** A loaded record becomes a session only if it is live, bound correctly and parses. */
  function accept(id: string, record: SessionRecord, request: RequestInfo): Session<SessionData> | undefined {
    const now = Date.now();
    if (record.expiresAt <= now) return undefined;
    if (config.absoluteTimeout !== undefined && record.createdAt + config.absoluteTimeout <= now) return undefined;
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
      logger.warn(`[session] [${storeName}] ignored a corrupt or foreign session record`);
      return undefined;
    }
    return new Session(values, newState(id, record, record.data, request));
  }

  async function commit(session: Session<SessionData>): Promise<string | undefined> {
    const state = session[sessionState];
    if (state.committed) return undefined;
    state.committed = true;
    const { request } = state;
    const secure = config.secure === 'auto' ? request.https : config.secure;

    if (state.invalidated) {
      if (state.id === undefined)
        return readCookie(request.cookieHeader, config.cookie.name).length > 0
          ? clearCookie(config.cookie, secure)
          : undefined;
      const key = storeKey(state.id);
      await storeCall(storeName, 'destroy', () => store.destroy(key));
      return clearCookie(config.cookie, secure);
    }

    const values = Session.values(session);
    const text = JSON.stringify(values);
    const now = Date.now();
    const loaded = state.record;

    if (!loaded || state.id === undefined) {
      // A new visitor who stored nothing costs nothing: no store write and no cookie.
      if (text === '{}') return undefined;
      const maxAge = state.maxAge ?? config.maxAge;
      const record = newRecord(text, 1, now, now, maxAge, request);
      return issue(record, secure);
    }

    const maxAge = state.maxAge ?? loaded.maxAge;
    const expiresAt = expiryFrom(now, maxAge, loaded.createdAt);
    const dueForRegeneration = config.regenerateEvery !== undefined && now - loaded.issuedAt >= config.regenerateEvery;
    const key = storeKey(state.id);

    if (state.rotate || dueForRegeneration) {
      // Copy onto a new id from the freshest stored data (so a parallel request's write is not
      // dropped), then delete the old id so it cannot be replayed.
      const current = await storeCall(storeName, 'get', () => store.get(key));
      // Gone meanwhile: ended by a logout, or already moved to a new id by a parallel request
      // that regenerated it first (every request in flight is due at the same moment). It stays
      // dead either way; send no cookie, because clearing ours would also wipe the new id's
      // cookie that parallel request just set, and log the user out.
      if (!current) return undefined;
      const data = current.version === loaded.version ? text : mergedText(current, state.loadedText, values);
      const record = newRecord(data, current.version + 1, loaded.createdAt, now, maxAge, request);
      const cookie = await issue(record, secure);
      await storeCall(storeName, 'destroy', () => store.destroy(key));
      return cookie;
    }

    if (text !== state.loadedText || state.refreshed) {
      const written = await writeMerged(key, state, loaded, text, values, expiresAt, maxAge);
      if (!written) return clearCookie(config.cookie, secure); // destroyed meanwhile: stays dead
      return cookieFor(state.id, expiresAt - now, secure);
    }

    // Unchanged: renew the expiry now and then, not on every request, so a busy user costs one
    // cheap touch per tenth of maxAge instead of a store write per request.
    if (expiresAt - loaded.expiresAt >= maxAge * RENEW_FRACTION) {
      const renewed = await storeCall(storeName, 'touch', () => store.touch(key, expiresAt));
      return renewed ? cookieFor(state.id, expiresAt - now, secure) : undefined;
    }
    return undefined;
  }

  /** Stores a record under a brand-new id and returns its cookie. */
  async function issue(record: SessionRecord, secure: boolean): Promise<string> {
    checkData(record.data);
    const id = newSessionId();
    const created = await storeCall(storeName, 'write', () => store.write(storeKey(id), record, undefined));
    // 256 random bits do not collide; a false here means the store is broken.
    if (!created) throw new SessionStoreError(storeName, 'conflict', 'refused to create a session under a fresh id');
    return cookieFor(id, record.expiresAt - record.issuedAt, secure);
  }

  /**
   * Conditional write with merge: if another request saved the session since we loaded it,
   * re-read it and apply our changed keys on top, so both requests' changes survive.
   * Returns false when the session was destroyed meanwhile (destroy wins).
   */
  async function writeMerged(
    key: string,
    state: SessionState,
    loaded: SessionRecord,
    text: string,
    values: SessionValues,
    expiresAt: number,
    maxAge: number,
  ): Promise<boolean> {
    checkData(text);
    let base = loaded;
    let data = text;
    for (let attempt = 0; attempt < MAX_MERGE_ATTEMPTS; attempt++) {
      const record: SessionRecord = {
        ...newRecord(data, base.version + 1, base.createdAt, base.issuedAt, maxAge, state.request),
        expiresAt,
      };
      if (await storeCall(storeName, 'write', () => store.write(key, record, base.version))) return true;
      const current = await storeCall(storeName, 'get', () => store.get(key));
      if (!current) return false;
      base = current;
      data = mergedText(current, state.loadedText, values);
      checkData(data);
    }
    throw new SessionStoreError(storeName, 'conflict', `session still contended after ${MAX_MERGE_ATTEMPTS} attempts`);
  }

  function newRecord(
    data: string,
    version: number,
    createdAt: number,
    issuedAt: number,
    maxAge: number,
    request: RequestInfo,
  ): SessionRecord {
    return {
      data,
      version,
      createdAt,
      issuedAt,
      expiresAt: expiryFrom(Date.now(), maxAge, createdAt),
      maxAge,
      ip: trimIp(request.ip),
      userAgent: trimUserAgent(request.userAgent),
    };
  }

  function expiryFrom(now: number, maxAge: number, createdAt: number): number {
    const idle = now + maxAge;
    return config.absoluteTimeout === undefined ? idle : Math.min(idle, createdAt + config.absoluteTimeout);
  }

  function cookieFor(id: string, maxAgeMs: number, secure: boolean): string {
    const value = config.secrets[0] === undefined ? id : signSessionId(id, config.secrets[0]);
    return serializeCookie(config.cookie, value, maxAgeMs, secure);
  }

  function checkData(text: string): void {
    const bytes = Buffer.byteLength(text);
    if (bytes > config.maxSize) {
      throw new RangeError(
        `[session] session data is ${bytes} bytes, over the "maxSize" limit of ${config.maxSize} bytes`,
      );
    }
    // Fail this request rather than store data the next load refuses as corrupt (which would
    // silently end the session): the nested-key twin of Session.set()'s check.
    if (!isLoadable(text)) {
      throw new TypeError(
        '[session] session data cannot hold the key "__proto__", "constructor" or "prototype" at any depth',
      );
    }
  }

  return {
    options: config,
    load,
    commit,
    deleteExpired: () => storeCall(storeName, 'deleteExpired', () => store.deleteExpired()),
    close: () => store.close(),
  };
}

function newState(
  id: string | undefined,
  record: SessionRecord | undefined,
  loadedText: string,
  request: RequestInfo,
): SessionState {
  return {
    id,
    record,
    loadedText,
    request,
    invalidated: false,
    rotate: false,
    refreshed: false,
    maxAge: undefined,
    committed: false,
  };
}

/** Our changes (loaded → now) replayed on top of the freshest stored data. */
function mergedText(current: SessionRecord, loadedText: string, values: SessionValues): string {
  const changes = diffData(parseData(loadedText) ?? {}, values);
  return JSON.stringify(applyChanges(parseData(current.data) ?? {}, changes));
}

/** The original module trimmed the User-Agent to fit its column; 255 characters is plenty. */
function trimUserAgent(userAgent: string | undefined): string {
  return (userAgent ?? '').slice(0, 255);
}

function trimIp(ip: string | undefined): string {
  return (ip ?? '').slice(0, 64);
}
