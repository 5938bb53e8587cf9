// What the BARE and LIMIT rows answer, independent of the framework serving it:
//   LIMIT unset: no session at all; /count bumps a process-wide counter (the framework's own cost);
//   LIMIT=<backend>: the inline store round trips of ./limit-ops.mjs, no session library.
import { limitOps } from './limit-ops.mjs';

/** The record's id from the cookie the limit row set (a base64url id of 32 bytes, unsigned). */
const COOKIE = /(?:^|;\s*)session_id=([A-Za-z0-9_-]{43})(?:;|$)/;
const idIn = (cookieHeader) => (cookieHeader ? COOKIE.exec(cookieHeader)?.[1] : undefined);

export async function bareHandlers() {
  const kind = process.env.LIMIT;
  if (!kind) {
    let counter = 0;
    return {
      name: 'bare',
      count: async () => ({ body: { count: ++counter } }),
      session: async () => ({ body: { data: { count: counter } } }),
      close: async () => {},
    };
  }
  const ops = await limitOps(kind);
  return {
    name: `limit ${kind}`,
    async count(cookieHeader) {
      const id = idIn(cookieHeader);
      if (id) return { body: await ops.rmw(id) };
      const created = await ops.create();
      return { body: created.body, setCookie: `session_id=${created.id}; Max-Age=900; Path=/; HttpOnly; SameSite=Lax` };
    },
    async session(cookieHeader) {
      const id = idIn(cookieHeader);
      return { body: id ? await ops.read(id) : { data: {} } };
    },
    close: ops.close,
  };
}
