import { type CookieAttributes, isCookieAttributeValue, isCookieName } from './cookie.js';
import { type Duration, parseDuration, parseOptionalDuration } from './duration.js';
import { SessionConfigError } from './errors.js';
import type { SessionStore } from './store.js';

/**
 * Where the layer reports what an operator must know: store outages (once when one starts, with
 * its cause, and once when the store answers again), a store that refuses us (wrong password,
 * unknown database), and configuration or cookie problems. `console` fits; so do pino, winston
 * and most loggers, which have both methods.
 */
export interface SessionLogger {
  error(message: string, cause?: unknown): void;
  warn(message: string): void;
}

/**
 * Every option's default, in this one place: `resolveOptions` fills in what an app leaves out from
 * here, and the @default tags below, the layer's README and the generator's --help show these
 * values. A duration is in seconds; `false` turns that behaviour off.
 */
export const SESSION_DEFAULTS = {
  maxAge: 900,
  absoluteTimeout: false,
  regenerateEvery: 240,
  rotateGrace: 10,
  storeTimeout: 2,
  onStoreError: 'fail',
  secret: undefined,
  cookie: {
    name: 'session_id',
    path: '/',
    domain: undefined,
    sameSite: 'lax',
    secure: 'auto',
    hostPrefix: false,
  },
  bind: [],
  maxSize: 65_536,
  logger: console,
} as const;

export interface SessionOptions {
  /** Where sessions live; build it from a URL with `storeFromUrl`. */
  store: SessionStore;
  /**
   * Idle lifetime: a session unused for this long expires. Renewed on every request.
   * @default 900 (15 minutes)
   */
  maxAge?: Duration;
  /**
   * Absolute lifetime cap counted from creation, however active the session is; `false` for none.
   * @default false
   */
  absoluteTimeout?: Duration | false;
  /**
   * The id is replaced by a fresh one this often (data kept, old id deleted), which limits how
   * long a stolen id stays useful. `0` or `false` turns it off.
   * @default 240 (4 minutes)
   */
  regenerateEvery?: Duration | false;
  /**
   * After a periodic regeneration the old id keeps working for this long, forwarding to the
   * session under its new id, so requests already in flight (parallel fetches, other tabs) neither
   * fail nor lose data nor fork the session; they are never handed the new id. `0` or `false`
   * kills the old id at once. Rotations for security (login, refresh({ rotate: true }),
   * invalidate()) always kill the old id at once.
   * @default 10 (seconds)
   */
  rotateGrace?: Duration | false;
  /**
   * Longest wait for one store call before the request fails with a 503 (or continues, see
   * onStoreError), whatever the client library's own retry policy.
   * @default 2 (seconds)
   */
  storeTimeout?: Duration;
  /**
   * What a request does when the store fails. `"fail"` (fail closed): the framework answers 503.
   * `"continue"`: the request goes on with an anonymous, unsaved session and a warning is logged.
   * @default "fail"
   */
  onStoreError?: 'fail' | 'continue';
  /**
   * Secret(s) for signing the cookie with HMAC-SHA256. The first signs, all verify, so you can
   * rotate secrets without logging everyone out. At least 32 characters each.
   * @default undefined (unsigned: the 256-bit random id is the only credential)
   */
  secret?: string | readonly string[] | undefined;
  cookie?: {
    /** @default "session_id" */
    name?: string;
    /** @default "/" */
    path?: string;
    /** @default undefined (host-only cookie, the safest) */
    domain?: string | undefined;
    /** @default "lax" */
    sameSite?: 'strict' | 'lax' | 'none';
    /**
     * `"auto"` sets Secure when the request arrived over HTTPS (as the framework reports it,
     * including its trust-proxy setting). `true` always sets it.
     * @default "auto"
     */
    secure?: boolean | 'auto';
    /**
     * Name the cookie `__Host-<name>`: browsers then only accept it Secure, host-only and with
     * Path=/, so a sibling subdomain or a plain-HTTP page cannot plant or overwrite it.
     * Requires path "/" and no domain, and makes the cookie always Secure (`secure: "auto"`
     * becomes `true`: a browser drops a __Host- cookie without it).
     * @default false
     */
    hostPrefix?: boolean;
  };
  /**
   * Treat a session presented from another IP address and/or User-Agent as a new visitor.
   * `ip` logs out mobile users whose address changes; `user-agent` is usually safe.
   * @default []
   */
  bind?: readonly ('ip' | 'user-agent')[];
  /**
   * Largest session data, in bytes of JSON, that may be saved; bigger fails the request.
   * @default 65536
   */
  maxSize?: number;
  /**
   * Receives store outages and refusals (error) and warnings: corrupt records, binding mismatches,
   * cookie misconfiguration.
   * @default console
   */
  logger?: SessionLogger;
}

export interface ResolvedOptions {
  store: SessionStore;
  maxAge: number;
  absoluteTimeout: number | undefined;
  regenerateEvery: number | undefined;
  rotateGrace: number | undefined;
  storeTimeout: number;
  onStoreError: 'fail' | 'continue';
  secrets: readonly string[];
  cookie: CookieAttributes;
  secure: boolean | 'auto';
  bindIp: boolean;
  bindUserAgent: boolean;
  maxSize: number;
  logger: SessionLogger;
}

const SAME_SITE: Readonly<Record<string, CookieAttributes['sameSite']>> = {
  strict: 'Strict',
  lax: 'Lax',
  none: 'None',
};

/** Shortest accepted signing secret: 32 characters, enough for 128+ bits from any generator. */
const MIN_SECRET_LENGTH = 32;
/** Fewest distinct characters in a secret: random base64 of 32 characters has about 25. */
const MIN_SECRET_SYMBOLS = 8;

/** Checks every option once, at start-up, and fills in the defaults. */
export function resolveOptions(options: SessionOptions): ResolvedOptions {
  // Plain-JS callers can pass anything: a clear error here beats a TypeError on the first request.
  const given = options as Partial<SessionOptions> | undefined;
  if (typeof given?.store?.get !== 'function') {
    throw new SessionConfigError(
      'store',
      'must be a session store, e.g. storeFromUrl(process.env.SESSION_STORE, stores)',
    );
  }
  const defaults = SESSION_DEFAULTS;
  const cookie = options.cookie ?? {};
  const name = cookie.name ?? defaults.cookie.name;
  if (!isCookieName(name))
    throw new SessionConfigError('cookie.name', `must be a cookie token; got ${JSON.stringify(name)}`);
  const path = cookie.path ?? defaults.cookie.path;
  if (!path.startsWith('/') || !isCookieAttributeValue(path)) {
    throw new SessionConfigError(
      'cookie.path',
      `must start with "/" and contain no ";" or spaces; got ${JSON.stringify(path)}`,
    );
  }
  const domain = cookie.domain ?? defaults.cookie.domain;
  if (domain !== undefined && !isCookieAttributeValue(domain)) {
    throw new SessionConfigError('cookie.domain', `must be a host name; got ${JSON.stringify(domain)}`);
  }
  const sameSite = cookie.sameSite ?? defaults.cookie.sameSite;
  const sameSiteValue = Object.hasOwn(SAME_SITE, sameSite) ? SAME_SITE[sameSite] : undefined;
  if (!sameSiteValue)
    throw new SessionConfigError(
      'cookie.sameSite',
      `must be "strict", "lax" or "none"; got ${JSON.stringify(sameSite)}`,
    );
  const secure = cookie.secure ?? defaults.cookie.secure;
  if (secure !== 'auto' && typeof secure !== 'boolean')
    throw new SessionConfigError('cookie.secure', 'must be true, false or "auto"');
  if (sameSiteValue === 'None' && secure === false) {
    throw new SessionConfigError('cookie.sameSite', '"none" requires a Secure cookie; browsers reject it otherwise');
  }
  const hostPrefix = cookie.hostPrefix ?? defaults.cookie.hostPrefix;
  if (hostPrefix && (secure === false || path !== '/' || domain !== undefined)) {
    throw new SessionConfigError(
      'cookie.hostPrefix',
      'needs a Secure cookie with path "/" and no domain (browsers refuse __Host- cookies otherwise)',
    );
  }

  const secrets = checkSecrets('secret', secretList(options.secret ?? defaults.secret));
  if (options.secret !== undefined && secrets.length === 0) throw new SessionConfigError('secret', 'is an empty list');

  const bind = options.bind ?? defaults.bind;
  for (const item of bind as readonly unknown[]) {
    if (item !== 'ip' && item !== 'user-agent')
      throw new SessionConfigError('bind', `accepts "ip" and "user-agent"; got ${JSON.stringify(item)}`);
  }
  const onStoreError: unknown = options.onStoreError ?? defaults.onStoreError;
  if (onStoreError !== 'fail' && onStoreError !== 'continue') {
    throw new SessionConfigError('onStoreError', `must be "fail" or "continue"; got ${JSON.stringify(onStoreError)}`);
  }
  const maxSize = options.maxSize ?? defaults.maxSize;
  if (!Number.isSafeInteger(maxSize) || maxSize < 2)
    throw new SessionConfigError('maxSize', `must be a whole number of bytes; got ${String(maxSize)}`);

  const logger = options.logger ?? defaults.logger;
  if (typeof logger.error !== 'function' || typeof logger.warn !== 'function')
    throw new SessionConfigError('logger', 'must have error() and warn() methods, as console and pino have');

  return {
    store: options.store,
    maxAge: parseDuration('maxAge', options.maxAge ?? defaults.maxAge),
    absoluteTimeout: parseOptionalDuration('absoluteTimeout', options.absoluteTimeout, defaults.absoluteTimeout),
    regenerateEvery: parseOptionalDuration('regenerateEvery', options.regenerateEvery, defaults.regenerateEvery),
    rotateGrace: parseOptionalDuration('rotateGrace', options.rotateGrace, defaults.rotateGrace),
    storeTimeout: parseDuration('storeTimeout', options.storeTimeout ?? defaults.storeTimeout),
    onStoreError,
    secrets,
    cookie: {
      name: hostPrefix ? `__Host-${name}` : name,
      path,
      domain,
      sameSite: sameSiteValue,
      httpOnly: true,
    },
    // A __Host- cookie without Secure is dropped by every browser, without a word to anyone.
    secure: hostPrefix ? true : secure,
    bindIp: bind.includes('ip'),
    bindUserAgent: bind.includes('user-agent'),
    maxSize,
    logger,
  };
}

/** The signing secrets as a list: none, one, or the rotation list as given. */
function secretList(secret: string | readonly string[] | undefined): string[] {
  return secret === undefined ? [] : typeof secret === 'string' ? [secret] : [...secret];
}

/**
 * Checks signing secrets, naming `option` (the option or the environment variable the user set)
 * in the error, and returns them.
 */
export function checkSecrets(option: string, secrets: readonly string[]): readonly string[] {
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
      throw new SessionConfigError(
        option,
        `must be at least ${String(MIN_SECRET_LENGTH)} characters (try: openssl rand -base64 32)`,
      );
    }
    // Length alone lets "aaaa…" or "passwordpassword…" through; a generated secret uses many symbols.
    if (new Set(secret).size < MIN_SECRET_SYMBOLS) {
      throw new SessionConfigError(
        option,
        `is too repetitive to be a secret; generate one (try: openssl rand -base64 32)`,
      );
    }
  }
  return secrets;
}
