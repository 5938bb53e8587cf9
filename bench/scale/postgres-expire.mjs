// The postgres store's deleteExpired over 100,000 expired rows: total time, and the longest single
// statement (each DELETE holds its rows' locks while it runs, so that is what a concurrent request
// on one of those rows could wait for). Statements are timed by wrapping pg's Pool#query, the call
// the store makes, in the very pg instance the store imports; the store itself is unchanged.
// Usage (under tsx, cwd = repo root): postgres-expire.mjs <rows> <database URL>
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { emit, importRuntime, keyOf, recordOf, repo, sweepFigures, timeCalls } from './common.mjs';

const [rowsText, databaseUrl] = process.argv.slice(2);
const rows = Number(rowsText);
const table = 'bench_expire';

const pg = createRequire(join(repo, 'runtime', 'stores', 'postgres.ts'))('pg');
const statements = timeCalls(pg.Pool.prototype, 'query', (query) => (typeof query === 'string' ? query : query?.text));

const { postgresStore, createTableSql } = await importRuntime('stores/postgres.ts');
const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
await pool.query(`DROP TABLE IF EXISTS "${table}"`);
await pool.query(createTableSql(table));
// Prefilled in bulk (one INSERT from arrays per 10,000 rows), already expired: the sweep is what is measured.
const now = Date.now();
const fillStart = performance.now();
for (let from = 0; from < rows; from += 10_000) {
  const columns = [[], [], [], [], [], [], [], [], []];
  for (let i = from; i < Math.min(rows, from + 10_000); i++) {
    const r = recordOf(i, now - 3_600_000, { expiresAt: now - 1_000 });
    [keyOf(i), r.data, r.version, r.createdAt, r.issuedAt, r.expiresAt, r.maxAge, r.ip, r.userAgent].forEach(
      (value, column) => columns[column].push(value),
    );
  }
  await pool.query(
    `INSERT INTO "${table}" (id, data, version, created_at, issued_at, expires_at, max_age, ip, user_agent)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::text[], $9::text[])`,
    columns,
  );
}
await pool.query(`ANALYZE "${table}"`); // as autovacuum would have by the time rows expire in bulk
const fillSeconds = (performance.now() - fillStart) / 1000;

const url = new URL(databaseUrl);
url.searchParams.set('table', table);
const store = postgresStore({ url: url.href });
await store.get(keyOf(0)); // opens the pool's first connection and checks the table outside the timing
statements.length = 0;
const start = performance.now();
const removed = await store.deleteExpired();
const totalMs = performance.now() - start;
const {
  rows: [{ left }],
} = await pool.query(`SELECT count(*)::int AS left FROM "${table}"`);
await store.close();
await pool.query(`DROP TABLE IF EXISTS "${table}"`);
await pool.end();
emit({ rows, removed, left, totalMs, ...sweepFigures(statements), fillSeconds });
