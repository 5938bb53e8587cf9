import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SessionConfigError, SessionStoreError } from '../../runtime/core/errors.js';
import { guardedStore } from '../../runtime/core/guarded-store.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import type { SessionStore } from '../../runtime/core/store.js';
import { postgresStore } from '../../runtime/stores/postgres.js';
import { failure } from '../helpers/outage.js';
import { relayTo } from '../helpers/relay.js';
import { postgresTestUrl, requireServer } from '../helpers/servers.js';
import { randomKey, sampleRecord, testStore } from '../store-contract.js';

const quiet = { warn: () => {}, error: () => {} };

const url = postgresTestUrl;
const up = await requireServer('PostgreSQL', url, 5432, 'bash scripts/services.sh postgres');
const server = new URL(url);
// One table per run (and per test that needs a fresh one), all dropped at the end.
const run = randomBytes(4).toString('hex');
const tables: string[] = [];
const tableName = (purpose: string) => {
  const name = `sessions_${purpose}_${run}`;
  tables.push(name);
  return name;
};
const withParams = (base: string, params: string) => `${base}${base.includes('?') ? '&' : '?'}${params}`;
const storeOn = (table: string, extra = '') => postgresStore({ url: withParams(url, `table=${table}${extra}`) });
const columns = 'id, data, version, created_at, issued_at, expires_at, max_age, ip, user_agent';

/** The error a call fails with (or undefined), typed for the assertions. */
const errorOf = async (call: Promise<unknown>) =>
  (await call.then(
    () => undefined,
    (error: unknown) => error,
  )) as SessionStoreError | undefined;

describe.skipIf(!up)('postgres store on a real server', () => {
  let admin: Pool;
  beforeAll(() => {
    admin = new Pool({ connectionString: url, max: 3 });
  });
  afterAll(async () => {
    for (const table of tables) await admin.query(`DROP TABLE IF EXISTS "${table}"`);
    await admin.end();
  });
  const rows = async (sql: string, values: unknown[] = []) => (await admin.query(sql, values)).rows;
  /** Expired rows written straight into the table, as sessions that died long ago. */
  const insertExpired = async (table: string, keys: string[]) => {
    const past = Date.now() - 60_000;
    await admin.query(
      `INSERT INTO "${table}" (${columns}) SELECT k, '{}', 1, $2, $2, $2, 1000, '', '' FROM unnest($1::text[]) AS k`,
      [keys, past],
    );
  };

  const contractTable = tableName('contract');
  testStore('postgres', {
    create: () => storeOn(contractTable),
    rawDump: async () => JSON.stringify(await rows(`SELECT * FROM "${contractTable}"`)),
  });

  it('creates its table on first use, with the key as primary key and expires_at indexed', async () => {
    const table = tableName('fresh');
    const inSchema = (sql: string) => rows(sql, [table]);
    expect(await inSchema('SELECT 1 FROM information_schema.tables WHERE table_name = $1')).toHaveLength(0);
    // Through the postgresql: scheme, which names the same store.
    const store = postgresStore({ url: withParams(url.replace(/^postgres:/, 'postgresql:'), `table=${table}`) });
    try {
      expect(await store.get(randomKey())).toBeUndefined();
      const found = await inSchema(
        'SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
      );
      expect(found.map((c) => `${c.name} ${c.type}`)).toEqual([
        'id text',
        'data text',
        'version bigint',
        'created_at bigint',
        'issued_at bigint',
        'expires_at bigint',
        'max_age bigint',
        'ip text',
        'user_agent text',
      ]);
      const indexes = await inSchema('SELECT indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY indexname');
      expect(indexes.map((i) => String(i.indexdef).replace(/.* USING /, ''))).toEqual([
        'btree (expires_at)',
        'btree (id)',
      ]);
    } finally {
      await store.close();
    }
  });

  it('app instances starting together on a missing table all create it and serve', async () => {
    // The catalog race this guards against failed one round in every ten to forty here; ten
    // rounds make a regression show in most runs.
    for (let round = 0; round < 10; round++) {
      const table = tableName(`race${String(round)}`);
      const stores = Array.from({ length: 6 }, () => storeOn(table));
      try {
        const results = await Promise.allSettled(
          stores.map((store) => store.write(randomKey(), sampleRecord(), undefined)),
        );
        expect(results.map((result) => (result.status === 'rejected' ? String(result.reason) : 'ok'))).toEqual(
          stores.map(() => 'ok'),
        );
        expect((await rows(`SELECT count(*)::int AS n FROM "${table}"`))[0]?.n).toBe(stores.length);
      } finally {
        for (const store of stores) await store.close();
      }
    }
  });

  it('loads ignore expired rows, which only a create may take over', async () => {
    const store = storeOn(contractTable);
    try {
      const key = randomKey();
      await insertExpired(contractTable, [key]);
      const [{ expires_at: past }] = await rows(`SELECT expires_at FROM "${contractTable}" WHERE id = $1`, [key]);
      expect(await store.get(key)).toBeUndefined();
      expect(await store.write(key, sampleRecord({ version: 2 }), 1)).toBe(false); // no update of a dead row
      expect(await store.touch(key, Date.now() + 60_000)).toBe(false); // no revival either
      expect((await rows(`SELECT expires_at FROM "${contractTable}" WHERE id = $1`, [key]))[0]?.expires_at).toBe(past);
      const fresh = sampleRecord({ data: '{"new":1}' });
      expect(await store.write(key, fresh, undefined)).toBe(true);
      expect(await store.get(key)).toEqual(fresh);
    } finally {
      await store.close();
    }
  });

  it('deleteExpired sweeps 5,000 expired rows in bounded batches and keeps live ones', async () => {
    const table = tableName('sweep');
    const store = storeOn(table, '&deleteBatchSize=500');
    const statements = vi.spyOn(Pool.prototype, 'query');
    try {
      const live = [randomKey(), randomKey(), randomKey()];
      for (const key of live) await store.write(key, sampleRecord(), undefined); // also creates the table
      await insertExpired(
        table,
        Array.from({ length: 5_000 }, () => randomKey()),
      );
      await admin.query(`ANALYZE "${table}"`); // the planner knows most rows are expired
      statements.mockClear();
      const started = Date.now();
      expect(await store.deleteExpired()).toBe(5_000);
      // The store passes each statement as a query object ({ name, text, values }).
      const deletes = statements.mock.calls
        .map(([query]) => query as unknown as { text: string; values: unknown[] })
        .filter((query) => /^DELETE/.test(query.text));
      console.info(
        `[postgres] deleteExpired removed 5000 rows with ${deletes.length} DELETE statements in ${Date.now() - started} ms`,
      );
      // 10 full batches of 500 and one that finds nothing.
      expect(deletes).toHaveLength(11);
      // Each batch finds its rows by index, never by reading the whole table.
      const { text, values } = deletes[0]!;
      const plan = (await rows(`EXPLAIN ${text}`, values)).map((line) => line['QUERY PLAN']).join('\n');
      expect(plan).not.toMatch(/Seq Scan/);
      expect((await rows(`SELECT count(*)::int AS n FROM "${table}"`))[0]?.n).toBe(3);
      for (const key of live) expect(await store.get(key)).toBeDefined();
      expect(await store.deleteExpired()).toBe(0);
    } finally {
      statements.mockRestore();
      await store.close();
    }
  });

  it('prepares its statements by name unless preparedStatements=false (for poolers that cannot keep them)', async () => {
    const calls = vi.spyOn(Pool.prototype, 'query');
    try {
      for (const [extra, named] of [
        ['', true],
        ['&preparedStatements=false', false],
      ] as const) {
        const store = storeOn(contractTable, extra);
        try {
          calls.mockClear();
          const key = randomKey();
          expect(await store.write(key, sampleRecord(), undefined)).toBe(true);
          expect(await store.write(key, sampleRecord({ version: 2 }), 1)).toBe(true);
          expect((await store.get(key))?.version).toBe(2);
          // The session statements (the table check before them is a plain text query).
          const names = calls.mock.calls
            .filter(([query]) => typeof query === 'object')
            .map(([query]) => (query as unknown as { name?: string }).name);
          expect(names, extra).toEqual(
            named ? ['session_create', 'session_update', 'session_get'] : [undefined, undefined, undefined],
          );
        } finally {
          await store.close();
        }
      }
    } finally {
      calls.mockRestore();
    }
  });

  it('the sweep passes over a row a request holds locked instead of waiting for it', async () => {
    const table = tableName('skip');
    const store = storeOn(table, '&queryTimeout=2000');
    const keys = Array.from({ length: 5 }, () => randomKey());
    await store.get(keys[0]!); // creates the table
    await insertExpired(table, keys);
    const holder = await admin.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM "${table}" WHERE id = $1 FOR UPDATE`, [keys[0]]);
      // Waiting for the lock would end in the store's queryTimeout and reject.
      expect(await store.deleteExpired()).toBe(4);
      await holder.query('COMMIT');
      expect(await store.deleteExpired()).toBe(1);
    } finally {
      await holder.query('ROLLBACK').catch(() => {});
      holder.release();
      await store.close();
    }
  });

  it('queryTimeout bounds the sweep; a request waiting on a locked table fails at storeTimeout', async () => {
    const table = tableName('locked');
    const store = storeOn(table, '&queryTimeout=300');
    const key = randomKey();
    expect(await store.write(key, sampleRecord(), undefined)).toBe(true); // also creates the table
    const locker = await admin.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);

      // The sweep waits on the lock until its own statement timeout.
      const sweep = await failure(() => store.deleteExpired());
      expect(sweep.error).toBeInstanceOf(SessionStoreError);
      expect((sweep.error as SessionStoreError).code).toBe('timeout');
      expect(sweep.ms).toBeGreaterThanOrEqual(250);
      expect(sweep.ms).toBeLessThan(3_000);

      // A request's read is bounded by the core's guard (storeTimeout), here shorter still.
      const read = await failure(() => guardedStore(store, 150, quiet).get(key));
      expect(read.error).toBeInstanceOf(SessionStoreError);
      expect((read.error as SessionStoreError).code).toBe('timeout');
      expect(read.ms).toBeLessThan(3_000);

      // Once the lock goes, the store answers again.
      await locker.query('COMMIT');
      expect((await store.get(key))?.version).toBe(1);
    } finally {
      await locker.query('ROLLBACK').catch(() => {});
      locker.release();
      await store.close();
    }
  });

  it('refuses a key that is not 64 lowercase hex characters before any query', async () => {
    const bad = [
      `${randomKey().slice(0, 60)}' OR '1'='1`,
      '../../../../etc/passwd',
      '{"$gt":""}',
      randomKey().toUpperCase(),
      `${randomKey()}0`,
      '',
      { $ne: null } as unknown as string,
    ];
    // The second store points at a port nothing listens on: a query would fail differently.
    const stores = [
      storeOn(contractTable),
      postgresStore({ url: 'postgres://session_layer@127.0.0.1:9/none', connectTimeout: 500 }),
    ];
    try {
      for (const store of stores) {
        for (const key of bad) {
          for (const call of [
            () => store.get(key),
            () => store.write(key, sampleRecord(), undefined),
            () => store.write(key, sampleRecord({ version: 2 }), 1),
            () => store.touch(key, Date.now() + 1_000),
            () => store.destroy(key),
          ]) {
            await expect(call()).rejects.toThrow(/refused a key that is not 64 lowercase hex/);
          }
        }
      }
      const keys = await rows(`SELECT id FROM "${contractTable}"`);
      expect(keys.every((row) => /^[0-9a-f]{64}$/.test(row.id))).toBe(true);
    } finally {
      for (const store of stores) await store.close();
    }
  });

  it('stores only the SHA-256 of the session id, never the id', async () => {
    const table = tableName('hashed');
    const manager = createSessionManager({ store: storeOn(table), logger: quiet });
    try {
      const session = await manager.load({ cookieHeader: undefined, ip: '127.0.0.1', userAgent: 'test', https: false });
      session.set('user', 'ada');
      const cookie = await manager.commit(session);
      const id = /^session_id=([^;]+)/.exec(cookie ?? '')?.[1];
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const stored = await rows(`SELECT * FROM "${table}"`);
      expect(stored.map((row) => row.id)).toEqual([createHash('sha256').update(id!).digest('hex')]);
      expect(JSON.stringify(stored)).not.toContain(id);
    } finally {
      await manager.close();
    }
  });

  it('tells a misconfiguration (login, database, table, TLS) from an outage', async () => {
    const other = (change: (u: URL) => void) => {
      const changed = new URL(url);
      change(changed);
      return changed.href;
    };
    const cases: Array<[string, string, string]> = [
      ['unknown database', other((u) => (u.pathname = `/no_such_database_${run}`)), 'misconfigured'],
      ['unknown user', other((u) => ((u.username = `nobody_${run}`), (u.password = 'wrong'))), 'misconfigured'],
      ['missing table, createTable off', withParams(url, `table=missing_${run}&createTable=false`), 'misconfigured'],
      // The server's certificate does not verify (self-signed), or it has no TLS at all.
      ['TLS that cannot be verified', withParams(url, `table=${contractTable}&ssl=true`), 'misconfigured'],
      ['nothing listening', other((u) => (u.port = '9')), 'unavailable'],
    ];
    for (const [what, target, code] of cases) {
      const store = postgresStore({ url: target, connectTimeout: 1_000 });
      try {
        const error = await errorOf(store.get(randomKey()));
        expect(error, what).toBeInstanceOf(SessionStoreError);
        expect(error?.code, `${what}: ${error?.message}`).toBe(code);
      } finally {
        await store.close();
      }
    }
  });

  it('passes libpq TLS parameters to pg: sslmode=no-verify connects over TLS', async () => {
    const [{ ssl }] = await rows('SHOW ssl');
    if (ssl !== 'on') {
      // Debian's cluster has TLS on (a self-signed certificate); a server without it refuses the mode.
      const store = postgresStore({ url: withParams(url, `table=${contractTable}&sslmode=no-verify`) });
      expect((await errorOf(store.get(randomKey())))?.code).toBe('misconfigured');
      return store.close();
    }
    const store = postgresStore({ url: withParams(url, `table=${contractTable}&sslmode=no-verify`) });
    try {
      const key = randomKey();
      expect(await store.write(key, sampleRecord(), undefined)).toBe(true);
      const overTls = await rows(
        'SELECT count(*)::int AS n FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE s.ssl AND a.datname = current_database() AND a.usename = current_user',
      );
      expect(overTls[0]?.n).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });

  describe('outages, through a relay in front of the shared server', () => {
    let relay: Awaited<ReturnType<typeof relayTo>>;
    let store: SessionStore;
    const key = randomKey();
    const open = (extra: string) => {
      const via = new URL(url);
      via.hostname = '127.0.0.1';
      via.port = String(relay.port);
      return postgresStore({ url: withParams(via.href, `table=${contractTable}${extra}`) });
    };
    beforeAll(async () => {
      relay = await relayTo(server.hostname, Number(server.port || 5432));
    });
    afterAll(async () => {
      await store?.close();
      await relay.close();
    });
    /** The store serves the record again within `withinMs` (each failing call waits 200 ms before the next). */
    const servedAgain = async (withinMs: number) => {
      const until = Date.now() + withinMs;
      let record;
      while (!record && Date.now() < until) record = await store.get(key).catch(() => sleep(200).then(() => undefined));
      return record;
    };

    it('an outage fails fast, idle connections ended by the server do not crash, and it recovers', async () => {
      store = open('&connectTimeout=1000');
      expect(await store.write(key, sampleRecord(), undefined)).toBe(true);

      // The server ends the pool's idle connection: the pool drops it and opens a new one.
      const ports = relay.upstreamPorts();
      expect(ports.length).toBeGreaterThan(0);
      const ended = await rows(
        'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE client_port = ANY($1::int[])',
        [ports],
      );
      expect(ended.length).toBeGreaterThan(0);
      await sleep(200);
      expect((await store.get(key))?.version).toBe(1);

      // The server hangs (accepts, never answers): requests fail within the connect timeout.
      relay.silence();
      await sleep(200);
      const hung = await failure(() => store.get(key));
      expect(hung.error).toBeInstanceOf(SessionStoreError);
      expect(['timeout', 'unavailable']).toContain((hung.error as SessionStoreError).code);
      expect(hung.ms).toBeLessThan(4_000);

      relay.restore();
      expect((await servedAgain(10_000))?.version).toBe(1);
    }, 30_000);

    it('connections whose server vanished mid-statement are dropped after queryTimeout, not held forever', async () => {
      await store?.close();
      store = open('&connectionLimit=2&queryTimeout=1000');
      // Two reads at once: the pool opens both its connections.
      const both = await Promise.all([store.get(key), store.get(key)]);
      expect(both.map((record) => record?.version)).toEqual([1, 1]);
      expect(relay.upstreamPorts()).toHaveLength(2);
      relay.freezeOpenConnections();
      // Both pooled connections now wait for answers that never come; the core's guard fails
      // each request at storeTimeout meanwhile.
      const guarded = guardedStore(store, 300, quiet);
      const stuck = await Promise.all([0, 1, 2].map(() => errorOf(guarded.get(key))));
      expect(stuck.map((error) => error?.code)).toEqual(['timeout', 'timeout', 'timeout']);
      // The frozen connections never answer; only dropping them frees the pool for new ones.
      expect((await servedAgain(10_000))?.version).toBe(1);
    }, 30_000);
  });
});

describe('postgres store configuration', () => {
  it('rejects a bad table name, an unknown parameter, a bad TLS mode and a URL without a database at start-up', () => {
    const base = 'postgres://u@127.0.0.1/test';
    expect(() => postgresStore({ url: `${base}?table=x;drop` })).toThrow(SessionConfigError);
    expect(() => postgresStore({ url: base, table: 'a"b' })).toThrow(/\[postgres\] option "table"/);
    expect(() => postgresStore({ url: base, table: 'x'.repeat(53) })).toThrow(/option "table"/);
    expect(() => postgresStore({ url: `${base}?tabel=x` })).toThrow(/option "tabel" is not a parameter/);
    expect(() => postgresStore({ url: `${base}?application_name=x` })).toThrow(/option "application_name"/);
    expect(() => postgresStore({ url: `${base}?sslmode=verify_full` })).toThrow(/option "sslmode" must be one of/);
    expect(() => postgresStore({ url: `${base}?ssl=yes` })).toThrow(/option "ssl" must be true or false/);
    expect(() => postgresStore({ url: `${base}?preparedStatements=no` })).toThrow(/option "preparedStatements"/);
    expect(() => postgresStore({ url: 'postgres://u@127.0.0.1' })).toThrow(/database name/);
    expect(() => postgresStore({ url: `${base}?deleteBatchSize=0` })).toThrow(/deleteBatchSize/);
    expect(() => postgresStore({ url: `${base}?queryTimeout=soon` })).toThrow(/queryTimeout/);
    expect(() => postgresStore({ url: 'mysql://127.0.0.1/test' })).toThrow(/\[postgres\] option "url"/);
  });
});
