/**
 * Shared by the SQL stores (mysql, postgres): their URL, `scheme://user:password@host:port/database`,
 * and the settings it carries as query parameters. Every problem is a configuration error naming
 * the option, thrown at start-up, so a typo never reaches production traffic.
 */
import { SessionConfigError } from '../core/errors.js';
import { checkUrlParams } from '../core/url-params.js';

/** The settings of one store: each from the code's options if given there, else from the URL. */
export interface UrlSettings {
  /** The parameter's text, if the URL has it. */
  text(name: string): string | undefined;
  /** A positive whole number: `value` from the code, else the parameter, else `fallback`. */
  count(name: string, value: number | undefined, fallback: number): number;
  /** `true`/`1` or `false`/`0`: `value` from the code, else the parameter, else `fallback`. */
  flag(name: string, value: boolean | undefined, fallback: boolean): boolean;
}

/**
 * Checks a database URL: one of `schemes`, a host, a database name as its path, and no query
 * parameter outside `parameters` (an unknown one is most likely a misspelt setting).
 */
export function databaseUrl(store: string, text: string, schemes: readonly string[], parameters: readonly string[]) {
  const fail = (option: string, problem: string): never => {
    throw new SessionConfigError(option, problem, store);
  };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail('url', 'is not a valid URL');
  }
  const example = `${schemes.at(0) ?? ''}//user:password@host/database`;
  if (!schemes.includes(url.protocol)) fail('url', `must start with ${schemes.join(' or ')}; got "${url.protocol}"`);
  if (!url.hostname) fail('url', `needs a host: ${example}`);
  if (url.pathname.length < 2 || url.pathname.includes('/', 1))
    fail('url', `needs a database name as its path: ${example}`);
  checkUrlParams(store, url.searchParams, parameters);

  const settings: UrlSettings = {
    text: (name) => url.searchParams.get(name) ?? undefined,
    count(name, value, fallback) {
      const given = value ?? settings.text(name);
      const number = given === undefined ? fallback : Number(given);
      if (!Number.isSafeInteger(number) || number < 1)
        fail(name, `must be a positive whole number; got ${String(given)}`);
      return number;
    },
    flag(name, value, fallback) {
      if (value !== undefined) return value;
      const given = settings.text(name);
      if (given === undefined) return fallback;
      if (given === 'true' || given === '1') return true;
      if (given === 'false' || given === '0') return false;
      return fail(name, `must be true or false; got ${JSON.stringify(given)}`);
    },
  };
  return { url, settings, fail };
}
