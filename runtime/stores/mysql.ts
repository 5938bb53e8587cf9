/**
 * MySQL / MariaDB store: one row per session in an InnoDB table, created on first use.
 *
 *   mysql://user:password@db.example.com:3306/app
 *   mariadb://user:password@127.0.0.1/app?table=web_sessions&ssl=true
 *
 * URL parameters (each also an option below): table, connectionLimit, connectTimeout,
 * queryTimeout, deleteBatchSize, createTable, ssl. Unknown parameters are a configuration error,
 * so a typo fails at start-up.
 *
 * Every write is a single conditional statement, so two requests of one session (on this or
 * another app instance) never overwrite each other blindly. Rows are filed under the SHA-256 key
 * the core hands over, never under the session id.
 */
import { createPool, type QueryResult, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { SessionStoreError, type StoreErrorCode } from '../core/errors.js';
import type { SessionRecord, SessionStore } from '../core/store.js';
import { databaseUrl } from './_database-url.js';

export interface MysqlOptions {
  /** `mysql://user:password@host:port/database` or `mariadb://...`; the database is required. */
  url: string;
  /**
   * Table holding the sessions; letters, digits and `_` only.
   * @default "sessions"
   */
  table?: string;
  /**
   * Create the table when it is missing. Turn off if the app's database user may not run DDL
   * (create the table from the statement in `createTableSql`).
   * @default true
   */
  createTable?: boolean;
  /**
   * Most connections the pool opens.
   * @default 10
   */
  connectionLimit?: number;
  /**
   * ms to wait for a connection to the server, so an outage fails requests fast.
   * @default 2000
   */
  connectTimeout?: number;
  /**
   * ms to wait for one statement of the table creation or of deleteExpired's sweep. A request's
   * statements are bounded by the session's `storeTimeout` instead (see run).
   * @default 5000
   */
  queryTimeout?: number;
  /**
   * Rows removed per DELETE by deleteExpired; small batches keep each statement's locks short.
   * @default 1000
   */
  deleteBatchSize?: number;
  /**
   * Connect over TLS, verifying the server's certificate.
   * @default false
   */
  ssl?: boolean;
}

const KEY = /^[0-9a-f]{64}$/;

/** A session's row as the get query reads it; BIGINT comes as a number or a string, per the driver's settings. */
type SessionRow = Record<'data' | 'ip' | 'user_agent', string> &
  Record<'version' | 'created_at' | 'issued_at' | 'expires_at' | 'max_age', number | string>;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const PARAMETERS = [
  'table',
  'createTable',
  'connectionLimit',
  'connectTimeout',
  'queryTimeout',
  'deleteBatchSize',
  'ssl',
];

/** The table's definition. `id` holds the SHA-256 key of the session id, never the id. */
export function createTableSql(table: string): string {
  return `CREATE TABLE IF NOT EXISTS \`${table}\` (
  id CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  data MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  issued_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  max_age BIGINT NOT NULL,
  ip VARCHAR(255) CHARACTER SET utf8mb4 NOT NULL,
  user_agent VARCHAR(255) CHARACTER SET utf8mb4 NOT NULL,
  INDEX expires_at (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
}

export function mysqlStore(options: MysqlOptions): SessionStore {
  const { url, settings, fail } = databaseUrl('mysql', options.url, ['mysql:', 'mariadb:'], PARAMETERS);
  const table = options.table ?? settings.text('table') ?? 'sessions';
  if (!IDENTIFIER.test(table))
    fail('table', `must be letters, digits and _ (at most 64); got ${JSON.stringify(table)}`);
  const createTable = settings.flag('createTable', options.createTable, true);
  const ssl = settings.flag('ssl', options.ssl, false);
  const count = (name: 'connectionLimit' | 'connectTimeout' | 'queryTimeout' | 'deleteBatchSize', fallback: number) =>
    settings.count(name, options[name], fallback);
  const queryTimeout = count('queryTimeout', 5_000);
  const batchSize = count('deleteBatchSize', 1_000);

  const pool = createPool({
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)),
    connectionLimit: count('connectionLimit', 10),
    connectTimeout: count('connectTimeout', 2_000),
    charset: 'utf8mb4',
    enableKeepAlive: true,
    ...(ssl ? { ssl: { rejectUnauthorized: true } } : {}),
    // Without FOUND_ROWS, affectedRows counts rows actually changed, which is what tells the
    // create statement's three outcomes apart (see write). Every write bumps the version, so an
    // update that matches its row always changes it.
    flags: ['-FOUND_ROWS'],
    // Otherwise the driver captures a stack trace on every call in case it fails, a cost paid by
    // every request. A failure reaches the caller as our own SessionStoreError, whose stack shows
    // where the session layer called the store.
    trace: false,
  });
  // A pooled connection that dies while idle (server restart, network cut) is dropped by the
  // pool and the next query opens a new one; this listener only keeps Node from treating the
  // connection's 'error' event as an uncaught exception.
  pool.pool.on('connection', (connection) => connection.on('error', () => undefined));

  let ready: Promise<unknown> | undefined;
  const ensureTable = () =>
    (ready ??= createTable
      ? pool.query({ sql: createTableSql(table), timeout: queryTimeout }).catch((error: unknown) => {
          ready = undefined; // retry on the next call, e.g. once the server is back
          throw error;
        })
      : Promise.resolve());

  /**
   * Runs one parameterized statement and maps driver errors. `key` (null for the sweep) is
   * checked first, so nothing but a 64-hex key ever reaches a query.
   */
  async function run(key: string | null, sql: string, values: (string | number)[]): Promise<QueryResult> {
    if (key !== null && !(typeof key === 'string' && KEY.test(key))) {
      throw new SessionStoreError('mysql', 'failed', 'refused a key that is not 64 lowercase hex characters');
    }
    try {
      await ensureTable();
      // A request's statement (key set) is already bounded by the core's storeTimeout
      // (core/guarded-store.ts), so it takes the driver's plain form; a timeout needs the
      // options-object form, which the driver handles more slowly on every statement. The
      // sweep, which no request bounds, keeps the timeout.
      const [result] =
        key === null ? await pool.execute({ sql, timeout: queryTimeout }, values) : await pool.execute(sql, values);
      return result;
    } catch (error) {
      throw storeError(error);
    }
  }
  // The driver types a result by the statement's kind, which it cannot see in the SQL text: a
  // SELECT gives rows, anything else a header. (Casts rather than type arguments on the calls,
  // which the JavaScript form of this file could not express.)
  async function select(key: string, sql: string, values: (string | number)[]): Promise<RowDataPacket[]> {
    return (await run(key, sql, values)) as RowDataPacket[];
  }
  async function change(key: string | null, sql: string, values: (string | number)[]): Promise<ResultSetHeader> {
    return (await run(key, sql, values)) as ResultSetHeader;
  }

  const columns = ['data', 'version', 'created_at', 'issued_at', 'max_age', 'ip', 'user_agent', 'expires_at'];
  const valuesOf = (r: SessionRecord) => [
    r.data,
    r.version,
    r.createdAt,
    r.issuedAt,
    r.maxAge,
    r.ip,
    r.userAgent,
    r.expiresAt,
  ];
  // Create: insert, or take over the row only where the stored one has expired. The assignments
  // run left to right and later ones see earlier results, so expires_at, which every IF tests,
  // goes last. affectedRows: 1 inserted, 2 replaced an expired row, 0 a live row was kept.
  // (VALUES() is deprecated in MySQL 8.0.20+ but works there and is MariaDB's only spelling.)
  const createSql =
    `INSERT INTO \`${table}\` (id, ${columns.join(', ')}) VALUES (?, ${columns.map(() => '?').join(', ')}) ` +
    `ON DUPLICATE KEY UPDATE ${columns.map((c) => `${c} = IF(expires_at <= ?, VALUES(${c}), ${c})`).join(', ')}`;
  const updateSql =
    `UPDATE \`${table}\` SET ${columns.map((c) => `${c} = ?`).join(', ')} ` +
    'WHERE id = ? AND version = ? AND expires_at > ?';

  return {
    name: 'mysql',

    async get(key) {
      const rows = await select(
        key,
        `SELECT data, version, created_at, issued_at, expires_at, max_age, ip, user_agent FROM \`${table}\` WHERE id = ? AND expires_at > ?`,
        [key, Date.now()],
      );
      const row = rows[0] as SessionRow | undefined;
      if (!row) return undefined;
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

    async write(key, record, expectedVersion) {
      const now = Date.now();
      const result =
        expectedVersion === undefined
          ? await change(key, createSql, [key, ...valuesOf(record), ...columns.map(() => now)])
          : await change(key, updateSql, [...valuesOf(record), key, expectedVersion, now]);
      return result.affectedRows > 0;
    },

    async touch(key, expiresAt) {
      // Only a live row: an expired one stays dead even if the sweep has not removed it yet.
      const result = await change(key, `UPDATE \`${table}\` SET expires_at = ? WHERE id = ? AND expires_at > ?`, [
        expiresAt,
        key,
        Date.now(),
      ]);
      return result.affectedRows > 0;
    },

    async destroy(key) {
      await change(key, `DELETE FROM \`${table}\` WHERE id = ?`, [key]);
    },

    async deleteExpired() {
      // One fixed cut-off, so the loop ends even while more sessions keep expiring. The batch
      // size is inlined rather than bound: it is a validated integer from the config, and some
      // MySQL versions refuse a LIMIT placeholder that the driver binds as a double.
      const now = Date.now();
      let removed = 0;
      for (;;) {
        const result = await change(null, `DELETE FROM \`${table}\` WHERE expires_at <= ? LIMIT ${String(batchSize)}`, [
          now,
        ]);
        removed += result.affectedRows;
        if (result.affectedRows < batchSize) return removed;
      }
    },

    async close() {
      await pool.end();
    },
  };
}

const UNAVAILABLE = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
];
const TIMEOUT = ['ETIMEDOUT', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_LOCK_WAIT_TIMEOUT'];
/** The server answers but refuses us: wrong credentials, an unknown database, missing rights. */
const MISCONFIGURED = [
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_TABLEACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_NOT_SUPPORTED_AUTH_MODE',
];
const TOO_LARGE = ['ER_NET_PACKET_TOO_LARGE', 'ER_DATA_TOO_LONG'];

/** Gives driver errors the machine-readable code that logs and metrics group by. */
function storeError(error: unknown): SessionStoreError {
  if (error instanceof SessionStoreError) return error;
  const kind = kindOf(error as { code?: unknown; fatal?: unknown } | null);
  const detail = error instanceof Error ? error.message : String(error);
  return new SessionStoreError('mysql', kind, `${kind === 'failed' ? 'query failed' : kind}: ${detail}`, {
    cause: error,
  });
}

function kindOf(error: { code?: unknown; fatal?: unknown } | null): StoreErrorCode {
  const code = String(error?.code);
  if (TIMEOUT.includes(code)) return 'timeout';
  if (MISCONFIGURED.includes(code)) return 'misconfigured';
  if (TOO_LARGE.includes(code)) return 'too-large';
  if (code === 'ER_LOCK_DEADLOCK') return 'conflict';
  // `fatal` marks errors that broke the connection itself (server gone, socket closed).
  if (UNAVAILABLE.includes(code) || error?.fatal === true) return 'unavailable';
  return 'failed';
}
