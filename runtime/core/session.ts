import { FLASH_KEY, isForbiddenKey, type SessionValues, type Update, USER_KEY } from './data.js';
import { type Duration, parseDuration } from './duration.js';
import { SessionDataError, SessionUsageError } from './errors.js';
import type { SessionState } from './session-state.js';

/** What the framework glue tells the core about a request. */
export interface RequestInfo {
  /** The raw `Cookie` header. */
  cookieHeader: string | undefined;
  /**
   * The request's URL path as the client sent it (a query string is ignored). A request outside
   * `cookie.path` gets a session that is never loaded or saved.
   */
  path?: string | undefined;
  /** Client address as the framework reports it (after its trust-proxy handling). */
  ip: string | undefined;
  userAgent: string | undefined;
  /** Whether the request arrived over HTTPS, as the framework reports it (after its trust-proxy handling). */
  https: boolean;
}

/**
 * The shape of your session data. Edit it (this file is yours) or augment it:
 *
 *   declare module './session/core/session.js' {
 *     interface SessionData { user?: string; cart?: string[] }
 *   }
 *
 * Values must be JSON-serializable: they are stored as JSON.
 */
// eslint-disable-next-line @typescript-eslint/consistent-indexed-object-style -- apps merge their keys into it
export interface SessionData {
  [key: string]: unknown;
}

export interface RefreshOptions {
  /** A new idle lifetime for this session from now on (seconds or "15m", "2h", ...). */
  maxAge?: Duration;
  /**
   * Issue a new session id and kill the old one at once. Do this on login and on any
   * privilege change: it defeats session fixation (an attacker planting a known id).
   */
  rotate?: boolean;
}

/** Where a Session keeps its SessionState (./session-state.ts), out of the app's way. */
export const sessionState = Symbol('session.state');

/**
 * A dict-like session. Read and write it freely during a request; the framework glue saves it
 * once, before the response is sent, and only if something changed.
 */
export class Session<Data extends SessionData = SessionData> {
  #values: SessionValues;
  /** @internal */
  readonly [sessionState]: SessionState;

  constructor(values: SessionValues, state: SessionState) {
    this.#values = values;
    this[sessionState] = state;
  }

  /**
   * Logs `userId` in: at save the session gets a new id (as refresh({ rotate: true }): a planted
   * id is worthless), records the user and the login time, and joins the user's sessions, which
   * the app can list and revoke (sessions.list, revoke, revokeAll). A logged-in session is served
   * only while the user's sessions still hold it.
   */
  login(userId: string): this {
    this.#assertChangeable();
    if (typeof userId !== 'string' || userId === '' || userId.length > 255)
      throw new SessionDataError('invalid-value', 'a user id is a string of 1 to 255 characters');
    const state = this[sessionState];
    state.login = { userId, at: Date.now() };
    state.rotate = true;
    state.refreshed = true;
    return this;
  }

  /** The logged-in user, if any (see login). */
  get userId(): string | undefined {
    return this[sessionState].login?.userId ?? this.#user()?.id;
  }

  /** Epoch ms of the login, so an app can ask for a fresh one before a sensitive action. */
  get authenticatedAt(): number | undefined {
    return this[sessionState].login?.at ?? this.#user()?.at;
  }

  #user(): { id: string; at: number } | undefined {
    const user = this.#values[USER_KEY] as { id?: unknown; at?: unknown } | undefined;
    return typeof user?.id === 'string' && typeof user.at === 'number' ? { id: user.id, at: user.at } : undefined;
  }

  /** True until the session has been stored once (the visitor had no valid session cookie). */
  get isNew(): boolean {
    return this[sessionState].record === undefined;
  }

  get<K extends keyof Data & string>(key: K): Data[K] | undefined {
    return Object.hasOwn(this.#values, key) ? (this.#values[key] as Data[K]) : undefined;
  }

  /**
   * Sets a key. `undefined` removes it, as JSON would. Throws SessionDataError (400) for a key
   * that could pollute prototypes or a value JSON cannot carry, and SessionUsageError once the
   * session can no longer be saved (see `sealed` in ./session-state.ts).
   */
  set<K extends keyof Data & string>(key: K, value: Data[K]): this {
    this.#assertChangeable();
    checkKey(key);
    checkValue(key, value);
    // A plain value replaces whatever update() had in mind for the key.
    this.#dropUpdates(key);
    if (value === undefined) Reflect.deleteProperty(this.#values, key);
    else this.#values[key] = value;
    return this;
  }

  /**
   * Changes a key by a function of its current value: `update('count', (n = 0) => n + 1)`.
   * The new value is visible at once, and when the session is saved `fn` runs again on the
   * freshest stored value, as often as it takes, so parallel requests (even in other processes)
   * never lose each other's updates: 50 parallel increments add 50. So `fn` must be pure: no side
   * effects, the same result for the same input, and no throwing. Returning `undefined` removes
   * the key. A later set() or delete() of the key replaces its pending updates.
   */
  update<K extends keyof Data & string>(key: K, fn: (current: Data[K] | undefined) => Data[K] | undefined): this {
    this.#assertChangeable();
    checkKey(key);
    const next = fn(this.get(key));
    checkValue(key, next);
    if (next === undefined) Reflect.deleteProperty(this.#values, key);
    else this.#values[key] = next;
    this[sessionState].updates.push({ key, fn: fn as Update['fn'] });
    return this;
  }

  delete(key: keyof Data & string): boolean {
    this.#assertChangeable();
    this.#dropUpdates(key);
    if (!Object.hasOwn(this.#values, key)) return false;
    Reflect.deleteProperty(this.#values, key);
    return true;
  }

  /**
   * Keeps `message` for a later request, which takes it with takeFlash(key), typically after a
   * redirect: `flash('notice', 'Saved')`. Messages of parallel requests are all kept.
   */
  flash(key: string, message: unknown): this {
    this.#assertChangeable();
    checkValue(key, message);
    const pending = this[sessionState].flashes.get(key);
    if (pending) pending.push(message);
    else this[sessionState].flashes.set(key, [message]);
    return this;
  }

  /**
   * The messages flashed under `key`, removed from the session as they are returned: each one is
   * returned once, even to requests (or processes) reading the session at the same time, and a
   * message added meanwhile stays for the next call. Costs a store write when there is something
   * to take.
   */
  async takeFlash(key: string): Promise<unknown[]> {
    this.#assertChangeable();
    const state = this[sessionState];
    const own = state.flashes.get(key) ?? [];
    state.flashes.delete(key);
    const bag = this.#values[FLASH_KEY] as Record<string, unknown[] | undefined> | undefined;
    const hadStored = bag?.[key] !== undefined;
    if (bag && hadStored) {
      const rest = { ...bag };
      Reflect.deleteProperty(rest, key);
      if (Object.keys(rest).length === 0) Reflect.deleteProperty(this.#values, FLASH_KEY);
      else this.#values[FLASH_KEY] = rest;
    }
    // A new visitor's messages exist only here; a stored session's are taken in the store.
    const stored = hadStored && state.takeStoredFlash ? await state.takeStoredFlash(key) : (bag?.[key] ?? []);
    return [...stored, ...own];
  }

  has(key: keyof Data & string): boolean {
    return Object.hasOwn(this.#values, key);
  }

  keys(): (keyof Data & string)[] {
    return Object.keys(this.#values).filter((key) => key !== FLASH_KEY && key !== USER_KEY);
  }

  /**
   * Removes every key but keeps the session (and its id) and its flash messages. To end the
   * session, use invalidate().
   */
  clear(): void {
    this.#assertChangeable();
    const { [FLASH_KEY]: flashes, [USER_KEY]: user } = this.#values;
    this.#values = {};
    if (flashes !== undefined) this.#values[FLASH_KEY] = flashes;
    if (user !== undefined) this.#values[USER_KEY] = user;
    this[sessionState].updates.length = 0;
  }

  #dropUpdates(key: string): void {
    const { updates } = this[sessionState];
    if (updates.length > 0) this[sessionState].updates = updates.filter((update) => update.key !== key);
  }

  /** A shallow copy of the data, e.g. to send it to the client. */
  toJSON(): Partial<Data> {
    const data = { ...this.#values };
    Reflect.deleteProperty(data, FLASH_KEY);
    Reflect.deleteProperty(data, USER_KEY);
    return data as Partial<Data>;
  }

  /**
   * Ends the session: it is deleted from the store and the cookie is cleared when the response
   * is sent. Use it on logout. Writes after this call are ignored.
   */
  invalidate(): void {
    this.#assertChangeable();
    this[sessionState].invalidated = true;
  }

  /**
   * Prolongs the session and forces it to be saved. With `rotate`, the session gets a new id
   * (same data) and the old id stops working at once.
   */
  refresh(options: RefreshOptions = {}): void {
    this.#assertChangeable();
    const state = this[sessionState];
    state.refreshed = true;
    if (options.maxAge !== undefined) state.maxAge = parseDuration('refresh.maxAge', options.maxAge);
    if (options.rotate) state.rotate = true;
  }

  #assertChangeable(): void {
    const sealed = this[sessionState].sealed;
    if (sealed === 'already-saved')
      throw new SessionUsageError(
        sealed,
        'the session was changed after its response started; it is saved before the first byte goes out, so make changes before sending',
      );
    if (sealed === 'outside-cookie-path')
      throw new SessionUsageError(
        sealed,
        'the session was changed on a request outside cookie.path, where the browser does not send the session cookie; serve this route under cookie.path or widen it',
      );
  }

  /** @internal The live values, read by the manager at commit. */
  static values(session: Session): SessionValues {
    return session.#values;
  }
}

function checkKey(key: string): void {
  if (isForbiddenKey(key)) throw new SessionDataError('invalid-key', `"${key}" cannot be used as a session key`);
  if (key === FLASH_KEY)
    throw new SessionDataError('invalid-key', `"${key}" is where flash messages live; use flash() and takeFlash()`);
  if (key === USER_KEY)
    throw new SessionDataError('invalid-key', `"${key}" is where the logged-in user lives; use login()`);
}

function checkValue(key: string, value: unknown): void {
  if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint')
    throw new SessionDataError('invalid-value', `the value of "${key}" is a ${typeof value}, which JSON cannot store`);
}
