// The HTTP workloads and the sessions each one needs before it is measured. Every row (ours,
// peer, bare, limit) gets its sessions the same way, through its own GET /count; a bare row sets
// no cookie, so it gets made-up cookies of the same shape (it ignores them, but its requests
// carry as many bytes as everyone else's).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { get } from './client.mjs';
import { createSessions } from './sessions.mjs';

/**
 * `sessions` says whose cookie each request carries: `one` session shared by every connection
 * (fresh per measurement), `none` (a new visitor per request), one per `connection` (fresh per
 * measurement), or a `pool` of many sessions in rotation (see `sessionsFor`). Workloads with a
 * `lost` column count the increments the row lost (on a few sessions, which can be read back).
 */
export const workloads = [
  { name: 'rmw', column: 'read-modify-write', path: '/count', sessions: 'one', lost: 'lost, one session' },
  { name: 'read', column: 'read-only', path: '/session', sessions: 'one' },
  { name: 'new', column: 'new visitor', path: '/count', sessions: 'none' },
  {
    name: 'conn-rmw',
    column: 'per connection: rmw',
    path: '/count',
    sessions: 'connection',
    lost: 'lost, per connection',
  },
  { name: 'conn-read', column: 'per connection: read', path: '/session', sessions: 'connection' },
  { name: 'pool-rmw', column: 'pool: rmw', path: '/count', sessions: 'pool' },
  { name: 'pool-read', column: 'pool: read', path: '/session', sessions: 'pool' },
  // Ours only (the peers have no logins): the same reads as conn-read on sessions logged in
  // through POST /login, which also check their user's list of sessions on every request.
  { name: 'login-read', column: 'logged in: read', path: '/session', sessions: 'login', ours: true },
];

/** Whether `row` runs `workload` (the logged-in workload needs our POST /login). */
export const runsOn = (row, workload) => !workload.ours || row.kind === 'ours';

/**
 * Every row keeps an idle session 15 minutes. A pool older than 10 minutes is replaced before a
 * measurement, so none of its sessions can expire while it is measured, however slowly rows
 * follow each other in a round.
 */
const POOL_MAX_AGE_MS = 10 * 60_000;
/** Sessions read back after a measurement to show the row still finds them. */
const SAMPLE = 10;

/**
 * The sessions `workload` runs on, for `row`: `{ cookies, cookie?, cookiesFile? }` (the load
 * generator takes one cookie, or a file of them). Sessions are created over as many connections
 * at once as the load uses. Pools are kept on the row and reused by its measurements while they
 * are young; creating one stops after `poolSeconds` with the sessions made by then (on a row
 * whose store slows down as it fills, 10,000 could take many minutes); `onPool` hears of every
 * pool created.
 */
export async function sessionsFor(row, workload, { connections, poolSize, poolSeconds, onPool }) {
  const newSessions = (count, kind, seconds) => sessionsOf(row, count, kind, connections, seconds);
  switch (workload.sessions) {
    case 'none':
      return { cookies: [] };
    case 'one': {
      const [cookie] = await newSessions(1, 'one');
      return { cookies: [cookie], cookie };
    }
    case 'connection': {
      const cookies = await newSessions(connections, 'connection');
      return { cookies, cookiesFile: join(row.folder, 'cookies-connection.txt') };
    }
    case 'login': {
      const cookies = await newSessions(connections, 'login');
      return { cookies, cookiesFile: join(row.folder, 'cookies-login.txt') };
    }
    case 'pool': {
      if (!row.pool || Date.now() - row.pool.createdAt > POOL_MAX_AGE_MS) {
        const createdAt = Date.now();
        const cookies = await newSessions(poolSize, 'pool', poolSeconds);
        row.pool = { cookies, createdAt };
        onPool?.(row, (Date.now() - createdAt) / 1000, cookies.length);
      }
      return { cookies: row.pool.cookies, cookiesFile: join(row.folder, 'cookies-pool.txt') };
    }
    default:
      throw new Error(`unknown sessions kind ${workload.sessions}`);
  }
}

/** `count` new sessions of `row` (fewer if `seconds` run out), also written to <row folder>/cookies-<kind>.txt. */
async function sessionsOf(row, count, kind, parallel, seconds) {
  const out = join(row.folder, `cookies-${kind}.txt`);
  const cookies =
    row.kind === 'bare'
      ? Array.from({ length: count }, () => `session_id=${randomBytes(32).toString('base64url')}`)
      : await createSessions(row.url, count, parallel, { seconds, login: kind === 'login' });
  writeFileSync(out, cookies.join('\n') + '\n');
  return cookies;
}

/** Whether a measurement of `workload` counts the increments `row` lost (rows with sessions only). */
export const countsIncrements = (row, workload) => row.kind !== 'bare' && workload.lost !== undefined;

// The reads before and after a measurement go one at a time: the row may still be working off
// the load (a store at its limit times out when ten more requests arrive at once), and a check
// must not fail for that.

/** The sum of the sessions' counters, read through GET /count (which adds one to each). */
export async function sumOfCounts(row, cookies) {
  let sum = 0;
  for (const cookie of cookies) sum += Number((await get(`${row.url}/count`, cookie)).body?.count);
  return sum;
}

/**
 * After a measurement on many sessions: a sample of them read back through GET /session must
 * still be there (an expired or ignored cookie would have made every request a new visitor's).
 * After read-modify-write on a pool that every session saw at least twice over, each must show
 * an increment too. Returns the problem, or undefined.
 */
export async function sessionsKeptProblem(row, workload, cookies, result) {
  if (row.kind === 'bare' || workload.sessions === 'one' || workload.sessions === 'none') return undefined;
  const step = Math.max(1, Math.floor(cookies.length / SAMPLE));
  const sample = cookies.filter((_, index) => index % step === 0).slice(0, SAMPLE);
  const least = workload.path === '/count' && result.ok2xx >= 2 * cookies.length ? 2 : 1;
  // A logged-in session shows its user; the others their counter.
  const kept =
    workload.sessions === 'login' ? (data) => typeof data?.user === 'string' : (data) => Number(data?.count) >= least;
  const answers = [];
  for (const cookie of sample) answers.push(await get(`${row.url}/session`, cookie));
  const short = answers.filter((answer) => !kept(answer.body?.data));
  if (short.length === 0) return undefined;
  const shown = short.map((answer) => `${answer.status} ${JSON.stringify(answer.body).slice(0, 80)}`);
  const wanted = workload.sessions === 'login' ? 'their user' : `a count of at least ${least}`;
  return `${short.length} of ${sample.length} sampled sessions read back through GET /session without ${wanted}: ${shown.join('; ')}`;
}
