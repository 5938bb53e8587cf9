import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionConfigError, SessionStoreError } from '../../runtime/core/errors.js';
import { guardedStore } from '../../runtime/core/guarded-store.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import { mysqlStore } from '../../runtime/stores/mysql.js';
import { relayTo } from '../helpers/relay.js';
import { requireServer, serverUrl } from '../helpers/servers.js';
import { randomKey, sampleRecord, testStore } from '../store-contract.js';

const url = serverUrl('SESSION_TEST_MYSQL_URL', 'mysql://root@127.0.0.1:3306/test');
const up = await requireServer('MariaDB/MySQL', url, 3306, 'bash scripts/services.sh mariadb');
const server = new URL(url);
// One table per run (and per test that needs a fresh one), all dropped at the end.
const run = randomBytes(4).toString('hex');
const tables: string[] = [];
const tableName = (purpose: string) => {
  const name = `sessions_${purpose}_${run}`;
  tables.push(name);
  return name;
};
const storeOn = (table: string, extra = '') =>
  mysqlStore({ url: `${url}${url.includes('?') ? '&' : '?'}table=${table}${extra}` });

describe.skipIf(!up)('mysql store on a real server', () => {
  let admin: Pool;
  beforeAll(() => {
    admin = createPool({ uri: url.replace(/^mariadb:/, 'mysql:'), connectionLimit: 2 });
  });
  afterAll(async () => {
    for (const table of tables) await admin.query(`DROP TABLE IF EXISTS \`${table}\``);
    await admin.end();
  });
  const rows = async (sql: string, values: unknown[] = []) => (await admin.query<RowDataPacket[]>(sql, values))[0];
  const globalCount = async (name: string) => Number((await rows('SHOW GLOBAL STATUS LIKE ?', [name]))[0]?.Value);

  const contractTable = tableName('contract');
  testStore('mysql', {
    create: () => storeOn(contractTable),
    rawDump: async () => JSON.stringify(await rows(`SELECT * FROM \`${contractTable}\``)),
  });

  it('creates its table on first use, with the key as primary key and expires_at indexed', async () => {
    const table = tableName('fresh');
    const inSchema = (sql: string) => rows(sql, [server.pathname.slice(1), table]);
    expect(
      await inSchema('SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?'),
    ).toHaveLength(0);
    // Through the mariadb: scheme, which names the same store.
    const store = mysqlStore({
      url: `${url.replace(/^mysql:/, 'mariadb:')}${url.includes('?') ? '&' : '?'}table=${table}`,
    });
    try {
      expect(await store.get(randomKey())).toBeUndefined();
      const columns = await inSchema(
        'SELECT column_name AS name, data_type AS type, character_maximum_length AS len, column_key AS k, character_set_name AS cs FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position',
      );
      expect(
        columns.map((c) => `${c.name} ${c.type}${c.type.endsWith('char') ? `(${c.len})` : ''} ${c.k}`.trim()),
      ).toEqual([
        'id char(64) PRI',
        'data mediumtext',
        'version bigint',
        'created_at bigint',
        'issued_at bigint',
        'expires_at bigint MUL',
        'max_age bigint',
        'ip varchar(255)',
        'user_agent varchar(255)',
      ]);
      expect(columns.find((c) => c.name === 'data')?.cs).toBe('utf8mb4');
    } finally {
      await store.close();
    }
  });

  it('loads ignore expired rows, which only a create may take over', async () => {
    const store = storeOn(contractTable);
    try {
      const key = randomKey();
      const past = Date.now() - 1_000;
      await admin.query(
        `INSERT INTO \`${contractTable}\` (id, data, version, created_at, issued_at, expires_at, max_age, ip, user_agent) VALUES (?, '{"old":1}', 3, ?, ?, ?, 1000, '', '')`,
        [key, past, past, past],
      );
      expect(await store.get(key)).toBeUndefined();
      expect(await store.write(key, sampleRecord({ version: 4 }), 3)).toBe(false); // no update of a dead row
      await store.touch(key, Date.now() + 60_000); // no revival either
      expect((await rows(`SELECT expires_at FROM \`${contractTable}\` WHERE id = ?`, [key]))[0]?.expires_at).toBe(past);
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
    try {
      const live = [randomKey(), randomKey(), randomKey()];
      for (const key of live) await store.write(key, sampleRecord(), undefined); // also creates the table
      const past = Date.now() - 60_000;
      const expired = Array.from({ length: 5_000 }, () => [randomKey(), '{}', 1, past, past, past, 1000, '', '']);
      await admin.query(
        `INSERT INTO \`${table}\` (id, data, version, created_at, issued_at, expires_at, max_age, ip, user_agent) VALUES ?`,
        [expired],
      );
      const before = await globalCount('Com_delete');
      const started = Date.now();
      expect(await store.deleteExpired()).toBe(5_000);
      const statements = (await globalCount('Com_delete')) - before;
      console.info(
        `[mysql] deleteExpired removed 5000 rows with ${statements} DELETE statements in ${Date.now() - started} ms`,
      );
      // 10 full batches of 500 and one that finds nothing; other clients can only add to the count.
      expect(statements).toBeGreaterThanOrEqual(11);
      expect((await rows(`SELECT COUNT(*) AS n FROM \`${table}\``))[0]?.n).toBe(3);
      for (const key of live) expect(await store.get(key)).toBeDefined();
      expect(await store.deleteExpired()).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('queryTimeout bounds the sweep; a request waiting on a locked table fails at storeTimeout', async () => {
    const table = tableName('locked');
    const store = storeOn(table, '&queryTimeout=300');
    const key = randomKey();
    expect(await store.write(key, sampleRecord(), undefined)).toBe(true); // also creates the table
    const locker = await admin.getConnection();
    try {
      await locker.query(`LOCK TABLES \`${table}\` WRITE`);
      const failure = async (work: Promise<unknown>) => {
        const started = Date.now();
        const error = await work.then(
          () => undefined,
          (caught: unknown) => caught,
        );
        return { error: error as SessionStoreError | undefined, elapsed: Date.now() - started };
      };

      // The sweep waits on the lock until its own statement timeout.
      const sweep = await failure(store.deleteExpired());
      expect(sweep.error).toBeInstanceOf(SessionStoreError);
      expect(sweep.error?.code).toBe('timeout');
      expect(sweep.elapsed).toBeGreaterThanOrEqual(250);
      expect(sweep.elapsed).toBeLessThan(3_000);

      // A request's read takes no driver timeout: the core's guard (storeTimeout) ends the wait.
      const read = await failure(guardedStore(store, 300, { warn: () => {}, error: () => {} }).get(key));
      expect(read.error).toBeInstanceOf(SessionStoreError);
      expect(read.error?.code).toBe('timeout');
      expect(read.elapsed).toBeGreaterThanOrEqual(250);
      expect(read.elapsed).toBeLessThan(3_000);

      // Once the lock goes, the statements that waited finish and the store answers again.
      await locker.query('UNLOCK TABLES');
      expect((await store.get(key))?.version).toBe(1);
    } finally {
      await locker.query('UNLOCK TABLES');
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
    const stores = [storeOn(contractTable), mysqlStore({ url: 'mysql://root@127.0.0.1:9/none', connectTimeout: 500 })];
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
      const keys = await rows(`SELECT id FROM \`${contractTable}\``);
      expect(keys.every((row) => /^[0-9a-f]{64}$/.test(row.id))).toBe(true);
    } finally {
      for (const store of stores) await store.close();
    }
  });

  it('stores only the SHA-256 of the session id, never the id', async () => {
    const table = tableName('hashed');
    const manager = createSessionManager({ store: storeOn(table), logger: { warn: () => {}, error: () => {} } });
    try {
      const session = await manager.load({ cookieHeader: undefined, ip: '127.0.0.1', userAgent: 'test', https: false });
      session.set('user', 'ada');
      const cookie = await manager.commit(session);
      const id = /^session_id=([^;]+)/.exec(cookie ?? '')?.[1];
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const stored = await rows(`SELECT * FROM \`${table}\``);
      expect(stored.map((row) => row.id)).toEqual([createHash('sha256').update(id!).digest('hex')]);
      expect(JSON.stringify(stored)).not.toContain(id);
    } finally {
      await manager.close();
    }
  });

  it('an outage fails fast, idle connections dropped by the server do not crash, and it recovers', async () => {
    const relay = await relayTo(server.hostname, Number(server.port || 3306));
    const via = new URL(url);
    via.hostname = '127.0.0.1';
    via.port = String(relay.port);
    via.searchParams.set('table', contractTable);
    const store = mysqlStore({ url: via.href });
    try {
      const key = randomKey();
      expect(await store.write(key, sampleRecord(), undefined)).toBe(true);

      // The server kills the pool's idle connection: the pool drops it and opens a new one.
      const ports = relay.upstreamPorts();
      expect(ports.length).toBeGreaterThan(0);
      const ids = await rows('SELECT id FROM information_schema.processlist WHERE host IN (?)', [
        ports.map((p) => `127.0.0.1:${p}`),
      ]);
      expect(ids.length).toBeGreaterThan(0);
      for (const { id } of ids) await admin.query('KILL CONNECTION ?', [id]);
      await sleep(200);
      expect((await store.get(key))?.version).toBe(1);

      // The server hangs (accepts, never answers): requests fail within the connect timeout.
      relay.silence();
      await sleep(200);
      const started = Date.now();
      const error = await store.get(key).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      const elapsed = Date.now() - started;
      expect(error).toBeInstanceOf(SessionStoreError);
      expect(['timeout', 'unavailable']).toContain((error as SessionStoreError).code);
      expect(elapsed).toBeLessThan(4_000);

      relay.restore();
      let record;
      for (let attempt = 0; attempt < 50 && !record; attempt++) {
        record = await store.get(key).catch(() => sleep(200).then(() => undefined));
      }
      expect(record?.version).toBe(1);
    } finally {
      await store.close();
      await relay.close();
    }
  }, 30_000);

  it('tells a refusal (wrong password, unknown database) from an outage: code misconfigured, status 500', async () => {
    const wrongPassword = new URL(url);
    wrongPassword.username = 'session_layer_nobody';
    wrongPassword.password = 'not-the-password';
    const unknownDatabase = new URL(url);
    unknownDatabase.pathname = `/no_such_database_${run}`;
    for (const target of [wrongPassword, unknownDatabase]) {
      const store = mysqlStore({ url: target.href });
      try {
        const error = await store.get(randomKey()).catch((caught: unknown) => caught);
        expect(error, target.pathname).toBeInstanceOf(SessionStoreError);
        expect(error).toMatchObject({ code: 'misconfigured', status: 500 });
      } finally {
        await store.close();
      }
    }
  });
});

describe('mysql store configuration', () => {
  it('rejects a bad table name, an unknown parameter and a URL without a database at start-up', () => {
    expect(() => mysqlStore({ url: 'mysql://root@127.0.0.1/test?table=x;drop' })).toThrow(SessionConfigError);
    expect(() => mysqlStore({ url: 'mysql://root@127.0.0.1/test', table: 'a`b' })).toThrow(/option "table"/);
    expect(() => mysqlStore({ url: 'mysql://root@127.0.0.1/test?tabel=x' })).toThrow(/option "tabel"/);
    expect(() => mysqlStore({ url: 'mysql://root@127.0.0.1' })).toThrow(/database name/);
    expect(() => mysqlStore({ url: 'mysql://root@127.0.0.1/test?deleteBatchSize=0' })).toThrow(/deleteBatchSize/);
    expect(() => mysqlStore({ url: 'redis://127.0.0.1/test' })).toThrow(/\[mysql\] option "url"/);
  });
});
