/**
 * X-Forwarded-For and X-Forwarded-Proto for glues whose framework has no trust-proxy setting
 * (plain node:http, Hono). Only read when the app says a proxy it runs sets them: otherwise any
 * client could claim HTTPS or another address.
 */

/** A repeated X-Forwarded-* header arrives comma-joined; the last entry is the nearest proxy's. */
export function lastForwarded(header: string | string[] | null | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  const last = text?.split(',').at(-1)?.trim();
  return last === '' ? undefined : last;
}
