// Shared by every peer, bare and limit server: the same routes, settings and shutdown, so rows
// differ only in the session library (or its absence).
import { randomBytes } from 'node:crypto';

export const port = Number(process.env.PORT) || 3000;
export const host = '127.0.0.1';
/** Every session library signs its cookie with this (the generated layer gets it as SESSION_SECRET). */
export const secret = process.env.BENCH_SECRET || 'bench-secret-of-at-least-32-characters-long';
/** The generated layer's default idle lifetime (900 s); every peer is configured to match. */
export const maxAgeMs = 900_000;
// Fixed, not configurable: lib/backends.mjs flushes and drops these namespaces at every run, so
// pointing them elsewhere would wipe someone else's data; lib/rows.mjs gives ours the same ones.
/** Redis database and the MariaDB / PostgreSQL / MongoDB database the bench owns. */
export const benchDatabase = 'session_bench';
export const redisUrl = 'redis://127.0.0.1:6379/13';
export const mysql = { host: '127.0.0.1', port: 3306, user: 'root', password: '', database: benchDatabase };
export const mongoUrl = `mongodb://127.0.0.1:27017/${benchDatabase}`;
/** The user scripts/services/postgres.sh makes (it may create databases); the tests have their own database. */
export const postgres = { user: 'session_layer', password: 'session_layer', host: '127.0.0.1', port: 5432 };
export const postgresUrl = `postgres://${postgres.user}:${postgres.password}@${postgres.host}:${postgres.port}/${benchDatabase}`;
export const memcachedServer = '127.0.0.1:11211';
/** Per-row namespace (key prefix, table, collection, folder) so rows never read each other's data. */
export const namespace = (process.env.BENCH_NAMESPACE || 'peer').replace(/[^A-Za-z0-9_]/g, '_');

/**
 * What GET /session answers: the session's own values, without a library's bookkeeping (the
 * `cookie` object of express-session and @fastify/session, session-file-store's `__lastAccess`).
 */
export function sessionValues(session) {
  const values = {};
  for (const [key, value] of Object.entries(session ?? {})) {
    if (key !== 'cookie' && !key.startsWith('__') && typeof value !== 'function') values[key] = value;
  }
  return values;
}

export function newId() {
  return randomBytes(32).toString('base64url');
}

/** Stops on SIGTERM/SIGINT: closes what can be closed within a second, then exits. */
export function onShutdown(...closers) {
  const stop = () => {
    setTimeout(() => process.exit(0), 1_000).unref();
    Promise.allSettled(closers.map((close) => Promise.resolve().then(close))).then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

export function listening(name) {
  console.log(`${name} listening on http://${host}:${port}`);
}
