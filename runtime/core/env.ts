import { isCookieName } from './cookie.js';
import { parseDuration, parseOptionalDuration } from './duration.js';
import { SessionConfigError } from './errors.js';
import { checkSecrets, type SessionOptions } from './options.js';
import { storeFromUrl } from './registry.js';
import type { StoreFactories } from './store.js';

/**
 * The session settings an app takes from its environment, read in this one place. Each error
 * names the variable the user set, and only variables that are set (and not empty) override the
 * defaults in ./options.ts.
 *
 *   SESSION_STORE       store URL (default: `defaultStoreUrl`)
 *   SESSION_SECRET      signing secret(s), comma-separated: the first signs, all verify, so a
 *                       rotation is "$NEW,$OLD" until the old cookies have expired
 *   SESSION_MAX_AGE     idle lifetime (900, "15m", "2h", "7d")
 *   SESSION_REGENERATE  id regeneration period; 0 = never
 *   SESSION_ROTATE_GRACE how long a regenerated id still works; 0 = not at all
 *   SESSION_COOKIE      cookie name
 */
export function optionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  stores: StoreFactories,
  defaultStoreUrl: string,
): SessionOptions {
  const value = (name: string) => {
    const text = env[name]?.trim();
    return text === undefined || text === '' ? undefined : text;
  };
  const options: SessionOptions = { store: storeFromEnv(value('SESSION_STORE'), stores, defaultStoreUrl) };

  const secret = value('SESSION_SECRET');
  if (secret !== undefined) {
    const secrets = secret.split(',').map((part) => part.trim());
    if (secrets.includes('')) throw new SessionConfigError('SESSION_SECRET', 'has an empty entry in its list');
    options.secret = checkSecrets('SESSION_SECRET', secrets);
  }

  const maxAge = value('SESSION_MAX_AGE');
  if (maxAge !== undefined) {
    parseDuration('SESSION_MAX_AGE', maxAge);
    options.maxAge = maxAge;
  }
  const regenerate = value('SESSION_REGENERATE');
  if (regenerate !== undefined) {
    parseOptionalDuration('SESSION_REGENERATE', regenerate, false);
    options.regenerateEvery = regenerate;
  }
  const grace = value('SESSION_ROTATE_GRACE');
  if (grace !== undefined) {
    parseOptionalDuration('SESSION_ROTATE_GRACE', grace, false);
    options.rotateGrace = grace;
  }
  const cookieName = value('SESSION_COOKIE');
  if (cookieName !== undefined) {
    if (!isCookieName(cookieName))
      throw new SessionConfigError('SESSION_COOKIE', `must be a cookie token; got ${JSON.stringify(cookieName)}`);
    options.cookie = { name: cookieName };
  }
  return options;
}

/** The store SESSION_STORE names; a bad URL is reported as that variable's mistake. */
function storeFromEnv(url: string | undefined, stores: StoreFactories, defaultStoreUrl: string) {
  if (url === undefined) return storeFromUrl(defaultStoreUrl, stores);
  try {
    return storeFromUrl(url, stores);
  } catch (error) {
    if (!(error instanceof SessionConfigError)) throw error;
    throw new SessionConfigError('SESSION_STORE', `is not usable: ${error.message.replace(/^\[session\] /, '')}`);
  }
}
