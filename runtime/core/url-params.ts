import { SessionConfigError } from './errors.js';

/**
 * Refuses a store URL's query parameter that the store does not know, naming it and the ones it
 * does: a typo such as `memory://?maxEntrie=2` must stop the app at start-up, not be ignored.
 */
export function checkUrlParams(store: string, params: URLSearchParams, known: readonly string[]): void {
  for (const name of params.keys()) {
    if (!known.includes(name)) {
      const list = known.length === 0 ? 'none' : known.join(', ');
      throw new SessionConfigError(name, `is not a parameter of the ${store} store URL (known: ${list})`, store);
    }
  }
}
