import { SessionConfigError } from './errors.js';
import type { SessionStore, StoreFactories } from './store.js';

/**
 * Builds the store named by a URL, choosing the backend by its scheme: `memory://`,
 * `dir:///var/lib/app/sessions`, `redis://host:6379`.
 * The factories are the stores your app vendored; see the `stores` object in ../index.ts.
 */
export function storeFromUrl(url: string, factories: StoreFactories): SessionStore {
  // The scheme alone, by pattern: `new URL` rejects valid store URLs with host lists such as
  // redis+cluster://10.0.0.1:7001,10.0.0.2:7001 or memcached://a:11211,b:11211.
  // Plain-JS callers can hand over anything; the error below shows what it was.
  const given: unknown = url;
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(typeof given === 'string' ? given : '')?.[1]?.toLowerCase();
  if (scheme === undefined) {
    throw new SessionConfigError(
      'store',
      `is not a valid URL (such as dir:///var/lib/sessions or redis://host:6379): ${JSON.stringify(redact(String(given)))}`,
    );
  }
  const factory = Object.hasOwn(factories, scheme) ? factories[scheme] : undefined;
  if (!factory) {
    const known = Object.keys(factories)
      .map((name) => `${name}//`)
      .join(', ');
    throw new SessionConfigError(
      'store',
      `uses the scheme "${scheme}//", which this app has no store for (vendored: ${known})`,
    );
  }
  return factory(url);
}

/**
 * Store URLs carry passwords; never echo one into a log. Everything up to the last "@" goes:
 * a password may hold an unencoded "/", "?", "#" or "@" (base64 secrets often have "/"), and such
 * a URL is exactly the invalid one we report. Hiding a bit of path too is the safe mistake.
 */
export function redact(url: string): string {
  return url.replace(/\/\/.*@/s, '//***@');
}
