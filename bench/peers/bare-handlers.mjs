// What the BARE and LIMIT rows answer, independent of the framework serving it:
//   LIMIT unset: no session at all; /count bumps a process-wide counter (the framework's own cost);
//   LIMIT=<backend>: the inline store round trips of ./limit-ops.mjs, no session library.
import { limitOps } from './limit-ops.mjs';

const COOKIE = /(?:^|;\s*)session_id=/;

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
      if (cookieHeader && COOKIE.test(cookieHeader)) return { body: await ops.rmw() };
      const { id, body } = await ops.create();
      return { body, setCookie: `session_id=${id}; Max-Age=900; Path=/; HttpOnly; SameSite=Lax` };
    },
    session: async () => ({ body: await ops.read() }),
    close: ops.close,
  };
}
