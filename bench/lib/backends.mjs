// Gives the bench its own namespace on each server and removes it afterwards, so a bench run
// neither reads stale data of an earlier run nor leaves data behind, and never touches what the
// tests or anything else keeps there:
//   Redis: database 13 (FLUSHDB only there);  MariaDB and PostgreSQL: database `session_bench`;
//   FerretDB/MongoDB: database `session_bench`;  memcached: nothing (keys carry bench: prefixes
//   and expire in 15 min; flushing would wipe other users' items).
// Usage: node lib/backends.mjs reset|drop   Prints one JSON line: { backend: "ok" | error }.
import { benchDatabase, mongoUrl, mysql, postgres, redisUrl } from '../peers/common.mjs';

const action = process.argv[2];
const report = {};

async function step(name, work) {
  try {
    await work();
    report[name] = 'ok';
  } catch (error) {
    report[name] = String(error?.message ?? error).split('\n')[0];
  }
}

await step('redis', async () => {
  const { Redis } = await import('ioredis');
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    await client.flushdb();
  } finally {
    client.disconnect();
  }
});

await step('mysql', async () => {
  const { createConnection } = await import('mysql2/promise');
  const { database, ...server } = mysql;
  const connection = await createConnection({ ...server, connectTimeout: 2_000 });
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
    if (action === 'reset') await connection.query(`CREATE DATABASE \`${database}\``);
  } finally {
    await connection.end();
  }
});

await step('postgres', async () => {
  const { default: pg } = await import('pg');
  // Connected to the server's `postgres` database, since a database cannot drop itself.
  const client = new pg.Client({ ...postgres, database: 'postgres', connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${benchDatabase}" WITH (FORCE)`);
    if (action === 'reset') await client.query(`CREATE DATABASE "${benchDatabase}"`);
  } finally {
    await client.end();
  }
});

await step('mongodb', async () => {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 2_000 });
  try {
    await client.connect();
    await client.db().dropDatabase();
  } finally {
    await client.close();
  }
});

process.stdout.write(JSON.stringify(report) + '\n');
