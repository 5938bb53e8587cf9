// Creates a row's sessions before a measurement: GET /count without a cookie, `count` times,
// over `parallel` keep-alive connections at once (what the new-visitor workload does). Every
// answer must be 200 and set a cookie.
// It runs in the bench's own process, which has nothing else to do meanwhile; node:http with a
// keep-alive agent creates sessions as fast as the row can (fetch would be slower per request).
import { Agent, get } from 'node:http';

/**
 * The cookies of `count` new sessions of the server at `url`, as a browser would send them back;
 * fewer when `seconds` is given and runs out first (the requests under way still finish).
 */
export async function createSessions(url, count, parallel, { seconds = Infinity } = {}) {
  const deadline = performance.now() + seconds * 1000;
  const agent = new Agent({ keepAlive: true, maxSockets: parallel });
  const target = new URL('/count', url);
  const cookies = [];
  let pending = 0;
  const worker = async () => {
    while (cookies.length + pending < count && performance.now() < deadline) {
      pending++;
      try {
        cookies.push(await createOne(target, agent));
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

/** One GET /count; resolves to its cookie header (koa-session sets two cookies). */
function createOne(target, agent) {
  return new Promise((resolve, reject) => {
    const request = get(target, { agent }, (response) => {
      response.resume();
      response.on('end', () => {
        const cookie = (response.headers['set-cookie'] ?? [])
          .map((header) => header.split(';')[0].trim())
          .filter(Boolean)
          .join('; ');
        if (response.statusCode !== 200) reject(new Error(`GET /count answered ${response.statusCode}`));
        else if (!cookie) reject(new Error('GET /count set no cookie'));
        else resolve(cookie);
      });
    });
    request.setTimeout(10_000, () => request.destroy(new Error('GET /count: no answer within 10 s')));
    request.on('error', reject);
  });
}
