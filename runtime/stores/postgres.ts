/**
 * PostgreSQL store: one row per session in a table created on first use, through a `pg` pool.
 *
 *   postgres://user:password@db.example.com:5432/app
 *   postgresql://user:password@127.0.0.1/app?table=web_sessions&sslmode=verify-full
 *
 * URL parameters: table, createTable, connectionLimit, connectTimeout, queryTimeout,
 * deleteBatchSize, preparedStatements, ssl (each also an option below), and libpq's TLS parameters sslmode,
 * sslrootcert, sslcert, sslkey, which `pg` reads itself. Unknown parameters are a configuration
 * error, so a typo fails at start-up.
 *
 * Every write is a single conditional statement, so two requests of one session (on this or
 * another app instance) never overwrite each other blindly. Rows are filed under the SHA-256 key
 * the core hands over, never under the session id.
 */
import { Pool } from 'pg';
import { SessionStoreError, type StoreErrorCode } from '../core/errors.js';
import type { SessionRecord, SessionStore } from '../core/store.js';
import { databaseUrl } from './_database-url.js';

export interface PostgresOptions {
  /** `postgres://user:password@host:port/database` or `postgresql://...`; the database is required. */
  url: string;
  /**
   * Table holding the sessions, in the connection's default schema; letters, digits and `_`.
   * @default "sessions"
   */
  table?: string;
  /**
   * Create the table (and its expiry index) when missing. Turn off if the app's database user may
   * not run DDL (create them from the statements in `createTableSql`).
   * @default true
   */
  createTable?: boolean;
  /**
   * Most connections the pool opens.
   * @default 10
   */
  connectionLimit?: number;
  /**
   * ms to wait for a connection, new or free in the pool, so an outage fails requests fast.
   * @default 2000
   */
  connectTimeout?: number;
  /**
   * ms a statement may wait for its answer. Past it the connection is dropped, so a server that
   * vanished mid-statement cannot hold pool connections, nor a lock hold up deleteExpired. A
   * request gives up earlier, at the session's `storeTimeout`.
   * @default 5000
   */
  queryTimeout?: number;
  /**
   * Rows removed per DELETE by deleteExpired; small batches keep each statement short.
   * @default 1000
   */
  deleteBatchSize?: number;
  /**
   * Prepare each statement once per connection. Turn off behind a connection pooler in
   * transaction mode that does not keep prepared statements (PgBouncer before 1.21).
   * @default true
   */
  preparedStatements?: boolean;
  /**
   * Connect over TLS, verifying the server's certificate (`?sslmode=` and `?sslrootcert=` choose
   * otherwise).
   * @default false
   */
  ssl?: boolean;
}

const KEY = /^[0-9a-f]{64}$/;
/** A session's row as the get query reads it: bigint columns arrive as strings too. */
type SessionRow = Record<
  'data' | 'version' | 'created_at' | 'issued_at' | 'expires_at' | 'max_age' | 'ip' | 'user_agent',
  string
>;
// 52 at most, so the index name `<table>_expires_at` stays within PostgreSQL's 63 characters.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,51}$/;
const PARAMETERS = [
  'table',
  'createTable',
  'connectionLimit',
  'connectTimeout',
  'queryTimeout',
  'deleteBatchSize',
  'preparedStatements',
  'ssl',
];
const TLS_PARAMETERS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey'];
const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];

/**
 * The table and its index. `id` holds the SHA-256 key of the session id, never the id; times are
 * epoch milliseconds, as the core counts them.
 */
export function createTableSql(table: string): string {
  // App instances starting together would otherwise race on the catalog (the table's row type),
  // and some of them fail. The statements run as one transaction, so the lock is held until the
  // table and its index are committed; whoever waited then finds them there.
  return `SELECT pg_advisory_xact_lock(hashtext('create-session-layer:${table}'));
CREATE TABLE IF NOT EXISTS "${table}" (
  id text COLLATE "C" PRIMARY KEY,
  data text NOT NULL,
  version bigint NOT NULL,
  created_at bigint NOT NULL,
  issued_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  max_age bigint NOT NULL,
  ip text NOT NULL,
  user_agent text NOT NULL
);
CREATE INDEX IF NOT EXISTS "${table}_expires_at" ON "${table}" (expires_at)`;
}

export function postgresStore(options: PostgresOptions): SessionStore {
  const parameters = [...PARAMETERS, ...TLS_PARAMETERS];
  const { url, settings, fail } = databaseUrl('postgres', options.url, ['postgres:', 'postgresql:'], parameters);
  const table = options.table ?? settings.text('table') ?? 'sessions';
  if (!IDENTIFIER.test(table))
    fail('table', `must be letters, digits and _ (at most 52); got ${JSON.stringify(table)}`);
  // pg would take an unknown mode for "verify-full"; a typo must fail, not choose the security.
  const mode = settings.text('sslmode');
  if (mode !== undefined && !SSL_MODES.includes(mode))
    fail('sslmode', `must be one of ${SSL_MODES.join(', ')}; got ${JSON.stringify(mode)}`);
  const createTable = settings.flag('createTable', options.createTable, true);
  const ssl = settings.flag('ssl', options.ssl, false);
  const prepare = settings.flag('preparedStatements', options.preparedStatements, true);
  const count = (name: 'connectionLimit' | 'connectTimeout' | 'queryTimeout' | 'deleteBatchSize', fallback: number) =>
    settings.count(name, options[name], fallback);
  const batchSize = count('deleteBatchSize', 1_000);

  // pg reads the server, the credentials and libpq's TLS parameters from the URL; ours go.
  const connection = new URL(url.href);
  for (const name of PARAMETERS) connection.searchParams.delete(name);
  const pool = new Pool({
    connectionString: connection.href,
    max: count('connectionLimit', 10),
    connectionTimeoutMillis: count('connectTimeout', 2_000),
    query_timeout: count('queryTimeout', 5_000),
    keepAlive: true,
    ...(ssl ? { ssl: true } : {}),
  });
  // A pooled connection that dies while idle (server restart, network cut) is dropped by the
  // pool and the next query opens a new one; this listener only keeps Node from treating the
  // pool's 'error' event as an uncaught exception.
  pool.on('error', () => undefined);

  let ready: Promise<unknown> | undefined;
  const ensureTable = () =>
    (ready ??= createTable
      ? pool.query(createTableSql(table)).catch((error: unknown) => {
          ready = undefined; // retry on the next call, e.g. once the server is back
          throw error;
        })
      : Promise.resolve());

  const columns = ['data', 'version', 'created_at', 'issued_at', 'expires_at', 'max_age', 'ip', 'user_agent'];
  const valuesOf = (r: SessionRecord) => [
    r.data,
    r.version,
    r.createdAt,
    r.issuedAt,
    r.expiresAt,
    r.maxAge,
    r.ip,
    r.userAgent,
  ];
  const placeholders = (from: number) => columns.map((_, i) => `$${String(from + i)}`).join(', ');
  const statements = {
    get: `SELECT ${columns.join(', ')} FROM "${table}" WHERE id = $1 AND expires_at > $2`,
    // Insert, or take over the row only where the stored one has expired. PostgreSQL runs the
    // conflict check and the update as one atomic step; a live row is kept (no row counted).
    create:
      `INSERT INTO "${table}" AS s (id, ${columns.join(', ')}) VALUES ($1, ${placeholders(2)}) ` +
      `ON CONFLICT (id) DO UPDATE SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')} ` +
      'WHERE s.expires_at <= $10',
    // Only the version the request read, and only while live. Of concurrent updates, the others
    // wait for the first, then find the version changed and update nothing.
    update:
      `UPDATE "${table}" SET (${columns.join(', ')}) = (${placeholders(1)}) ` +
      'WHERE id = $9 AND version = $10 AND expires_at > $11',
    // Only a live row: an expired one stays dead even if the sweep has not removed it yet.
    touch: `UPDATE "${table}" SET expires_at = $1 WHERE id = $2 AND expires_at > $3`,
    destroy: `DELETE FROM "${table}" WHERE id = $1`,
    // One batch of the sweep: the oldest expired rows, skipping any a request has locked right
    // now (the next sweep takes them), so the sweep never waits behind a request, nor a request
    // long behind it. The batch's keys are collected first (ARRAY(...)) and its rows then found by
    // key: as a join, the planner may choose to scan the whole table for every batch.
    sweep:
      `DELETE FROM "${table}" WHERE id = ANY(ARRAY(SELECT id FROM "${table}" WHERE expires_at <= $1 ` +
      `ORDER BY expires_at LIMIT ${String(batchSize)} FOR UPDATE SKIP LOCKED))`,
  };

  /**
   * Runs one statement and maps driver errors. `key` (null for the sweep) is checked first, so
   * nothing but a 64-hex key ever reaches a query. A prepared statement is parsed and planned
   * once per connection rather than on every call.
   */
  async function run(key: string | null, statement: keyof typeof statements, values: (string | number)[]) {
    if (key !== null && !(typeof key === 'string' && KEY.test(key))) {
      throw new SessionStoreError('postgres', 'failed', 'refused a key that is not 64 lowercase hex characters');
    }
    try {
      await ensureTable();
      const name = prepare ? `session_${statement}` : undefined;
      return await pool.query({ name, text: statements[statement], values });
    } catch (error) {
      throw storeError(error);
    }
  }
  const changed = async (key: string, statement: 'create' | 'update' | 'touch', values: (string | number)[]) =>
    ((await run(key, statement, values)).rowCount ?? 0) > 0;

  return {
    name: 'postgres',

    async get(key) {
      const { rows } = await run(key, 'get', [key, Date.now()]);
      const found: unknown = rows[0];
      const row = found as SessionRow | undefined;
      if (!row) return undefined;
      // bigint columns arrive as strings (they may exceed a JavaScript number; ours never do).
      return {
        data: row.data,
        version: Number(row.version),
        createdAt: Number(row.created_at),
        issuedAt: Number(row.issued_at),
        expiresAt: Number(row.expires_at),
        maxAge: Number(row.max_age),
        ip: row.ip,
        userAgent: row.user_agent,
      };
    },

    write(key, record, expectedVersion) {
      return expectedVersion === undefined
        ? changed(key, 'create', [key, ...valuesOf(record), Date.now()])
        : changed(key, 'update', [...valuesOf(record), key, expectedVersion, Date.now()]);
    },

    touch(key, expiresAt) {
      return changed(key, 'touch', [expiresAt, key, Date.now()]);
    },

    async destroy(key) {
      await run(key, 'destroy', [key]);
    },

    async deleteExpired() {
      // One fixed cut-off, so the loop ends even while more sessions keep expiring.
      const now = Date.now();
      let removed = 0;
      for (;;) {
        const count = (await run(null, 'sweep', [now])).rowCount ?? 0;
        removed += count;
        if (count < batchSize) return removed;
      }
    },

    async close() {
      await pool.end();
    },
  };
}

/**
 * What an error means for the app, by its code: PostgreSQL's SQLSTATE (whole classes: 08
 * connection lost, 28 authentication refused) or Node's socket and TLS codes. A wrong password or
 * user, an unknown database or table, a certificate that does not verify: retrying will not help,
 * so these are `misconfigured`, told apart from an outage (`unavailable`).
 */
const KINDS: [StoreErrorCode, string][] = [
  ['misconfigured', '28 3D000 3F000 42P01 42703 42501 ERR_TLS_CERT_ALTNAME_INVALID CERT_HAS_EXPIRED'],
  ['misconfigured', 'DEPTH_ZERO_SELF_SIGNED_CERT SELF_SIGNED_CERT_IN_CHAIN UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  ['unavailable', '08 57P01 57P02 57P03 53300 ECONNREFUSED ECONNRESET ENOTFOUND EAI_AGAIN EHOSTUNREACH EPIPE'],
  ['timeout', '57014 55P03 ETIMEDOUT'],
  ['conflict', '40001 40P01'],
  ['too-large', '54000'],
];
const KIND_OF_CODE = new Map(KINDS.flatMap(([kind, codes]) => codes.split(' ').map((code) => [code, kind] as const)));

/** Gives driver errors the machine-readable code that logs and metrics group by. */
function storeError(error: unknown): SessionStoreError {
  if (error instanceof SessionStoreError) return error;
  const kind = kindOf(error as { code?: unknown; message?: unknown } | null);
  const detail = error instanceof Error ? error.message : String(error);
  return new SessionStoreError('postgres', kind, `${kind === 'failed' ? 'query failed' : kind}: ${detail}`, {
    cause: error,
  });
}

function kindOf(error: { code?: unknown; message?: unknown } | null): StoreErrorCode {
  const code = String(error?.code);
  const known = KIND_OF_CODE.get(code) ?? (/^[0-9A-Z]{5}$/.test(code) ? KIND_OF_CODE.get(code.slice(0, 2)) : undefined);
  if (known) return known;
  // pg's own errors carry no code: TLS refused by the server, one of its timeouts, a lost connection.
  const message = String(error?.message);
  if (message.includes('does not support SSL')) return 'misconfigured';
  if (/timeout/i.test(message)) return 'timeout';
  if (/^Connection terminated|not queryable/.test(message)) return 'unavailable';
  return 'failed';
}
