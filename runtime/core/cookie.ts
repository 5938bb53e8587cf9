/**
 * Just enough of RFC 6265 for one session cookie, with no dependency.
 */

export interface CookieAttributes {
  name: string;
  path: string;
  domain: string | undefined;
  /** `Lax` keeps the cookie off cross-site POSTs (CSRF) while links into the app still work. */
  sameSite: 'Strict' | 'Lax' | 'None';
  /** Keeps the cookie away from page scripts, so an XSS bug cannot read the session id. */
  httpOnly: boolean;
}

/** Longest Cookie header we look into; anything past it is ignored, never parsed. */
const MAX_HEADER_LENGTH = 16 * 1024;

/**
 * All values sent for cookie `name`, in header order. A browser sends several when cookies
 * with the same name exist for different paths or domains; the caller tries each in turn.
 * Never throws: a malformed header simply yields fewer values.
 */
export function readCookie(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const text = header.length > MAX_HEADER_LENGTH ? header.slice(0, MAX_HEADER_LENGTH) : header;
  const values: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf(';', start);
    if (end === -1) end = text.length;
    const eq = text.indexOf('=', start);
    if (eq !== -1 && eq < end && text.slice(start, eq).trim() === name) {
      let value = text.slice(eq + 1, end).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      values.push(value);
    }
    start = end + 1;
  }
  return values;
}

/** `Set-Cookie` value for a live session cookie that expires with the session. */
export function serializeCookie(
  attributes: CookieAttributes,
  value: string,
  maxAgeMs: number,
  secure: boolean,
): string {
  // Rounded up: Max-Age counts whole seconds, and rounding down would send Max-Age=0 (delete the
  // cookie at once) for a sub-second lifetime. The store, not the cookie, decides when it ends.
  const maxAge = Math.max(0, Math.ceil(maxAgeMs / 1000));
  const expires = httpDate(Math.floor(Date.now() / 1000) + maxAge);
  return `${attributes.name}=${value}${common(attributes, secure)}; Max-Age=${maxAge}; Expires=${expires}`;
}

/** The last date formatted: a busy server sends the same Expires for every cookie within a second. */
let lastDate = { seconds: -1, text: '' };

/** An HTTP date (RFC 7231 IMF-fixdate) for a time in whole epoch seconds. */
function httpDate(seconds: number): string {
  if (lastDate.seconds !== seconds) lastDate = { seconds, text: new Date(seconds * 1000).toUTCString() };
  return lastDate.text;
}

/** `Set-Cookie` value that makes the browser drop the session cookie (logout). */
export function clearCookie(attributes: CookieAttributes, secure: boolean): string {
  return `${attributes.name}=${common(attributes, secure)}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
}

function common(attributes: CookieAttributes, secure: boolean): string {
  let text = `; Path=${attributes.path}`;
  if (attributes.domain) text += `; Domain=${attributes.domain}`;
  if (attributes.httpOnly) text += '; HttpOnly';
  text += `; SameSite=${attributes.sameSite}`;
  if (secure) text += '; Secure';
  return text;
}

/** Cookie names are RFC 6265 tokens; values we write are base64url, which needs no quoting. */
export function isCookieName(name: string): boolean {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name);
}

/** Path and Domain attributes may not contain separators that would smuggle extra attributes. */
export function isCookieAttributeValue(value: string): boolean {
  return /^[\x21-\x3A\x3C-\x7E]+$/.test(value);
}
