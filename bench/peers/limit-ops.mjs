// The LIMIT rows' store work: the same round trips a session layer needs, done inline with the
// store's own client and nothing else (no signing, versions, locks or merging). It is the floor
// for a session layer on that backend and framework:
//   read-modify-write: read the record named by the cookie, write it back incremented;
//   read-only:         read the record named by the cookie;
//   new visitor:       write a new record under a fresh random key (and send its cookie).
// The record is the one the cookie names, created by the measurement's first request, as a session
// layer's would be, not one fixed record made at start: on FerretDB, whose _id lookups scan the
// table until the first match (bench/README.md), a record made at start is found at once while
// every session created later costs a scan of everything stored before it.
// Counters are not atomic (read then write), exactly like a naive session library.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { maxAgeMs, memcachedServer, mongoUrl, mysql, namespace, newId, postgresUrl, redisUrl } from './common.mjs';

const parse = (text) => (text ? JSON.parse(text) : { count: 0 });

/**
 * Returns { read, rmw, create, close } for the backend `kind`. Backends give get, set (overwrite
 * the existing record) and insert (a new one).
 */
export async function limitOps(kind) {
  const ops = await backends[kind]?.();
  if (!ops) throw new Error(`unknown LIMIT ${kind}`);
  return {
    read: async (id) => ({ data: parse(await ops.get(id)) }),
    rmw: async (id) => {
      const count = parse(await ops.get(id)).count + 1;
      await ops.set(id, JSON.stringify({ count }));
      return { count };
    },
    create: async () => {
      const id = newId();
      await ops.insert(id, JSON.stringify({ count: 1 }));
      return { id, body: { count: 1 } };
    },
    close: ops.close,
  };
}

const backends = {
  async memory() {
    const map = new Map();
    return {
      get: async (key) => map.get(key),
      set: async (key, text) => void map.set(key, text),
      insert: async (key, text) => void map.set(key, text),
      close: async () => map.clear(),
    };
  },

  /**
   * One file per record: readFile, and a write to a temp file renamed over the record. The rename
   * is the least a correct file store needs: a plain writeFile truncates first, so a concurrent
   * read sees a torn record (the first version of this row answered 500s for exactly that).
   */
  async fs() {
    const dir = process.env.BENCH_DIR;
    if (!dir) throw new Error('BENCH_DIR is not set');
    await mkdir(dir, { recursive: true });
    const path = (key) => join(dir, `${key}.json`);
    let serial = 0;
    const replace = async (key, text) => {
      const temp = `${path(key)}.${process.pid}.${serial++}.tmp`;
      await writeFile(temp, text);
      await rename(temp, path(key));
    };
    return {
      get: (key) => readFile(path(key), 'utf8').catch(() => undefined),
      set: replace,
      insert: (key, text) => writeFile(path(key), text, { flag: 'wx' }),
      close: async () => {},
    };
  },

  async redis() {
    const { Redis } = await import('ioredis');
    const client = new Redis(redisUrl, { lazyConnect: true });
    await client.connect();
    const key = (k) => `bench:${namespace}:${k}`;
    return {
      get: (k) => client.get(key(k)),
      set: (k, text) => client.set(key(k), text, 'PX', maxAgeMs),
      insert: (k, text) => client.set(key(k), text, 'PX', maxAgeMs),
      close: () => client.quit(),
    };
  },

  async mysql() {
    const { createPool } = await import('mysql2/promise');
    // trace: false, as our store sets it: no stack trace captured per call.
    const pool = createPool({ ...mysql, connectionLimit: 10, trace: false });
    const table = `${namespace}_records`;
    await pool.query(
      `CREATE TABLE IF NOT EXISTS \`${table}\` (id CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY, data TEXT NOT NULL, expires_at BIGINT NOT NULL) ENGINE=InnoDB`,
    );
    return {
      async get(key) {
        const [rows] = await pool.execute(`SELECT data FROM \`${table}\` WHERE id = ?`, [key]);
        return rows[0]?.data;
      },
      set: (key, text) =>
        pool.execute(`UPDATE \`${table}\` SET data = ?, expires_at = ? WHERE id = ?`, [
          text,
          Date.now() + maxAgeMs,
          key,
        ]),
      insert: (key, text) =>
        pool.execute(`INSERT INTO \`${table}\` (id, data, expires_at) VALUES (?, ?, ?)`, [
          key,
          text,
          Date.now() + maxAgeMs,
        ]),
      close: () => pool.end(),
    };
  },

  async postgres() {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: postgresUrl, max: 10 });
    const table = `"${namespace}_records"`;
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${table} (id text PRIMARY KEY, data text NOT NULL, expires_at bigint NOT NULL)`,
    );
    return {
      get: async (key) => (await pool.query(`SELECT data FROM ${table} WHERE id = $1`, [key])).rows[0]?.data,
      set: (key, text) =>
        pool.query(`UPDATE ${table} SET data = $1, expires_at = $2 WHERE id = $3`, [text, Date.now() + maxAgeMs, key]),
      insert: (key, text) =>
        pool.query(`INSERT INTO ${table} (id, data, expires_at) VALUES ($1, $2, $3)`, [
          key,
          text,
          Date.now() + maxAgeMs,
        ]),
      close: () => pool.end(),
    };
  },

  async memcached() {
    const { Client } = await import('memjs');
    const client = Client.create(memcachedServer, { logger: { log() {} } });
    const key = (k) => `bench:${namespace}:${k}`;
    const expires = maxAgeMs / 1000;
    return {
      get: async (k) => (await client.get(key(k))).value?.toString(),
      set: (k, text) => client.set(key(k), text, { expires }),
      insert: (k, text) => client.set(key(k), text, { expires }),
      close: async () => client.close(),
    };
  },

  async mongodb() {
    const { MongoClient } = await import('mongodb');
    const client = new MongoClient(mongoUrl);
    await client.connect();
    const collection = client.db().collection(`${namespace}_records`);
    return {
      get: async (key) => (await collection.findOne({ _id: key }))?.data,
      set: (key, text) =>
        collection.updateOne({ _id: key }, { $set: { data: text, expiresAt: new Date(Date.now() + maxAgeMs) } }),
      insert: (key, text) => collection.insertOne({ _id: key, data: text, expiresAt: new Date(Date.now() + maxAgeMs) }),
      close: () => client.close(),
    };
  },
};
