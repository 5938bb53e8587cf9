// Creates a row's sessions before a measurement: GET /count without a cookie, `count` times,
// over `parallel` keep-alive connections at once (what the new-visitor workload does); or, for
// logged-in sessions, POST /login as a user of its own each. Every answer must be 200 and set a
// cookie.
// It runs in the bench's own process, which has nothing else to do meanwhile; node:http with a
// keep-alive agent creates sessions as fast as the row can (fetch would be slower per request).
import { Agent, request } from 'node:http';

/**
 * The cookies of `count` new sessions of the server at `url`, as a browser would send them back;
 * fewer when `seconds` is given and runs out first (the requests under way still finish). With
 * `login`, each session is logged in as a user of its own (bench-user-1, -2, …).
 */
export async function createSessions(url, count, parallel, { seconds = Infinity, login = false } = {}) {
  const deadline = performance.now() + seconds * 1000;
  const agent = new Agent({ keepAlive: true, maxSockets: parallel });
  const target = new URL(login ? '/login' : '/count', url);
  let users = 0;
  const body = () => (login ? JSON.stringify({ user: `bench-user-${++users}` }) : undefined);
  const cookies = [];
  let pending = 0;
  const worker = async () => {
    while (cookies.length + pending < count && performance.now() < deadline) {
      pending++;
      try {
        cookies.push(await createOne(target, agent, body()));
      } finally {
        pending--;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  } catch (error) {
    throw new Error(`${error.message} after ${cookies.length} of ${count} sessions were created`);
  } finally {
    agent.destroy();
  }
  return cookies;
}

/** One GET /count, or POST /login with `body`; resolves to its cookie header (koa-session sets two cookies). */
function createOne(target, agent, body) {
  const what = body === undefined ? `GET ${target.pathname}` : `POST ${target.pathname}`;
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json' };
    const call = request(target, { agent, method: body === undefined ? 'GET' : 'POST', headers }, (response) => {
      response.resume();
      response.on('end', () => {
        const cookie = (response.headers['set-cookie'] ?? [])
          .map((header) => header.split(';')[0].trim())
          .filter(Boolean)
          .join('; ');
        if (response.statusCode !== 200) reject(new Error(`${what} answered ${response.statusCode}`));
        else if (!cookie) reject(new Error(`${what} set no cookie`));
        else resolve(cookie);
      });
    });
    call.setTimeout(10_000, () => call.destroy(new Error(`${what}: no answer within 10 s`)));
    call.on('error', reject);
    call.end(body);
  });
}
