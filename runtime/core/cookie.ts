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
    if (eq !== -1 && eq < end && trimOws(text.slice(start, eq)) === name) {
      let value = trimOws(text.slice(eq + 1, end));
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      values.push(value);
    }
    start = end + 1;
  }
  return values;
}

/**
 * RFC 6265 allows only spaces and horizontal tabs around a cookie's name and value. `trim()`
 * would also strip other Unicode spaces (a raw 0xA0 byte, say), letting a cookie whose name
 * merely looks like ours, such as "\u00a0__Host-session_id", pass for it.
 */
function trimOws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isOws(text.charCodeAt(start))) start++;
  while (end > start && isOws(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * `Set-Cookie` value for a live session cookie. Max-Age and Expires both come from the record's
 * own expiry (epoch ms) and one clock reading, rounded down to whole seconds, so the cookie never
 * outlives the stored session: a browser then never presents an id the store has already dropped.
 */
export function serializeCookie(
  attributes: CookieAttributes,
  value: string,
  expiresAt: number,
  now: number,
  secure: boolean,
): string {
  const maxAge = Math.max(0, Math.floor((expiresAt - now) / 1000));
  // Whole seconds, like Max-Age: toUTCString() gives the IMF-fixdate form RFC 6265 expects.
  const expires = new Date(Math.floor(expiresAt / 1000) * 1000).toUTCString();
  return `${attributes.name}=${value}${common(attributes, secure)}; Max-Age=${String(maxAge)}; Expires=${expires}`;
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

/**
 * RFC 6265's path-match: the cookie path is the request path, or a prefix of it that ends at a
 * "/" (so "/app" covers "/app" and "/app/x" but not "/application"). No path (a glue that cannot
 * tell) counts as inside.
 */
export function inCookiePath(url: string | undefined, cookiePath: string): boolean {
  if (cookiePath === '/' || url === undefined) return true;
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  if (!path.startsWith(cookiePath)) return false;
  return path.length === cookiePath.length || cookiePath.endsWith('/') || path[cookiePath.length] === '/';
}
