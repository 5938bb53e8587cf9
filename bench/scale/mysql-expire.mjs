// The mysql store's deleteExpired over 100,000 expired rows: total time, and the longest single
// statement (each DELETE holds row locks while it runs, so that is what a concurrent request can
// wait for). Statements are timed by wrapping mysql2's PromisePool#execute, the call the store
// makes, in the very mysql2 instance the store imports; the store itself is unchanged.
// Usage (under tsx, cwd = repo root): mysql-expire.mjs <rows> <database>
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { emit, importRuntime, keyOf, recordOf, repo, sweepFigures, timeCalls } from './common.mjs';

const [rowsText, database] = process.argv.slice(2);
const rows = Number(rowsText);
const table = 'bench_expire';
const url = `mysql://root@127.0.0.1:3306/${database}?table=${table}`;

const storeFile = join(repo, 'runtime', 'stores', 'mysql.ts');
const mysql2 = createRequire(storeFile)('mysql2/promise');
const statements = timeCalls(mysql2.PromisePool.prototype, 'execute', (sql) =>
  typeof sql === 'string' ? sql : sql?.sql,
);

const { mysqlStore, createTableSql } = await importRuntime('stores/mysql.ts');
const pool = mysql2.createPool({ host: '127.0.0.1', port: 3306, user: 'root', database, connectionLimit: 2 });
await pool.query(`DROP TABLE IF EXISTS \`${table}\``);
await pool.query(createTableSql(table));
// Prefilled in bulk (multi-row INSERTs), already expired: the sweep is what is measured.
const now = Date.now();
const fillStart = performance.now();
for (let from = 0; from < rows; from += 2_000) {
  const batch = [];
  for (let i = from; i < Math.min(rows, from + 2_000); i++) {
    const r = recordOf(i, now - 3_600_000, { expiresAt: now - 1_000 });
    batch.push([keyOf(i), r.data, r.version, r.createdAt, r.issuedAt, r.expiresAt, r.maxAge, r.ip, r.userAgent]);
  }
  await pool.query(
    `INSERT INTO \`${table}\` (id, data, version, created_at, issued_at, expires_at, max_age, ip, user_agent) VALUES ?`,
    [batch],
  );
}
const fillSeconds = (performance.now() - fillStart) / 1000;

const store = mysqlStore({ url });
await store.get(keyOf(0)); // creates the pool's first connection and checks the table outside the timing
statements.length = 0;
const start = performance.now();
const removed = await store.deleteExpired();
const totalMs = performance.now() - start;
const [[{ left }]] = await pool.query(`SELECT COUNT(*) AS \`left\` FROM \`${table}\``);
await store.close();
await pool.query(`DROP TABLE IF EXISTS \`${table}\``);
await pool.end();
emit({ rows, removed, left: Number(left), totalMs, ...sweepFigures(statements), fillSeconds });
