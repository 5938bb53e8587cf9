import { UsageError } from '../errors.js';

/** A path the user gave (a flag, a prompt), as a forward-slash path relative to the app root; one outside the app is refused. */
export function normalizeRelative(path: string, flag: string): string {
  const clean = path.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  if (clean === '' || clean.startsWith('/') || /^[a-z]:/i.test(clean) || clean.split('/').includes('..')) {
    throw new UsageError(`${flag} must be a path inside the app; got "${path}"`);
  }
  return clean;
}
