// The bench's own HTTP requests to a row (start-up checks, counters before and after a
// measurement); the load itself comes from autocannon in another process.

/** GET `url` with `cookie`; the body parsed as JSON when it is JSON, and the cookies it set. */
export async function get(url, cookie) {
  const response = await fetch(url, { headers: cookie ? { cookie } : {}, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  // Every cookie the server set, as a browser would send them back (koa-session sets two).
  const cookies = response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0].trim())
    .filter(Boolean)
    .join('; ');
  return { status: response.status, body, cookie: cookies };
}
