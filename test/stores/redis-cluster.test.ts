import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionStore } from '../../runtime/core/store.js';
import { redisStore } from '../../runtime/stores/redis.js';
import { requireServer, serverUrl } from '../helpers/servers.js';
import { randomKey, sampleRecord, testStore } from '../store-contract.js';

const url = serverUrl('SESSION_TEST_REDIS_CLUSTER_URL', 'redis+cluster://127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003');
const nodes = url
  .replace(/^[a-z+]+:\/\/(?:[^@/]*@)?/, '')
  .replace(/[/?].*$/, '')
  .split(',')
  .map((node) => new URL(`redis://${node}`))
  .map(({ hostname, port }) => ({ host: hostname, port: Number(port || 6379) }));
// requireServer reads one host from a URL, so it checks the first node.
const up = await requireServer(
  'Redis Cluster',
  `redis://${nodes[0]!.host}:${nodes[0]!.port}`,
  7001,
  'bash scripts/services.sh redis-cluster',
);
// A prefix of our own per run; every key written here expires within two minutes.
const prefix = `test:${randomBytes(6).toString('hex')}:`;
// The suite checks behaviour, not speed: a generous timeout keeps a loaded machine from failing it.
const timeout = 5_000;

describe.skipIf(!up)('redis store on Redis Cluster', () => {
  testStore('redis-cluster', {
    create: () => redisStore({ url, prefix, timeout }),
    rawDump: async () => {
      const dumps: string[] = [];
      for (const master of raw.nodes('master')) {
        const keys = await master.keys(`${prefix}*`);
        dumps.push(
          JSON.stringify([keys, keys.length > 0 ? await Promise.all(keys.map((key) => master.get(key))) : []]),
        );
      }
      return dumps.join('\n');
    },
  });

  let store: SessionStore;
  let raw: Cluster;
  beforeAll(() => {
    store = redisStore({ url, prefix, timeout });
    raw = new Cluster(nodes);
  });
  afterAll(async () => {
    await store?.close();
    raw?.disconnect();
  });

  it('redis-cluster: sessions spread over the masters, each whole on one node', async () => {
    const keys = Array.from({ length: 30 }, randomKey);
    await Promise.all(keys.map((key) => store.write(key, sampleRecord(), undefined)));
    let nodesWithKeys = 0;
    let found = 0;
    for (const master of raw.nodes('master')) {
      // A plain connection to one node sees only that node's keys.
      const local: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await master.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
        local.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      const ours = local.filter((name) => keys.includes(name.slice(prefix.length)));
      if (ours.length > 0) nodesWithKeys++;
      found += ours.length;
    }
    expect(raw.nodes('master').length).toBeGreaterThanOrEqual(2);
    expect(nodesWithKeys).toBeGreaterThanOrEqual(2);
    expect(found).toBe(keys.length);
  });

  it('redis-cluster: expiry is set with the write and touch moves it, data untouched', async () => {
    const key = randomKey();
    const record = sampleRecord({ expiresAt: Date.now() + 10_000 });
    await store.write(key, record, undefined);
    expect(await raw.pexpiretime(prefix + key)).toBe(record.expiresAt);
    const before = await raw.get(prefix + key);
    const later = Date.now() + 120_000;
    await store.touch(key, later);
    expect(await raw.get(prefix + key)).toBe(before!.replace(`,${record.expiresAt},`, `,${later},`));
    expect(await raw.pexpiretime(prefix + key)).toBe(later);
    expect((await store.get(key))?.expiresAt).toBe(later);
  });

  it('redis-cluster: a store given a single node finds the rest of the cluster', async () => {
    const single = redisStore({ url: `redis+cluster://${nodes[0]!.host}:${nodes[0]!.port}`, prefix, timeout });
    try {
      const keys = Array.from({ length: 10 }, randomKey);
      for (const key of keys) expect(await single.write(key, sampleRecord(), undefined)).toBe(true);
      for (const key of keys) expect((await store.get(key))?.data).toBe(sampleRecord().data);
    } finally {
      await single.close();
    }
  });
});
