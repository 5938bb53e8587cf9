/**
 * The redis store through Redis Sentinel (scripts/services/redis-sentinel.sh: a master and a
 * replica watched by one sentinel): the store contract, and a forced failover in the middle of a
 * session's life, after which the store serves the same session from the new master.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionConfigError } from '../../runtime/core/errors.js';
import type { SessionStore } from '../../runtime/core/store.js';
import { redisStore } from '../../runtime/stores/redis.js';
import { requireServer, serverUrl } from '../helpers/servers.js';
import { randomKey, sampleRecord, testStore } from '../store-contract.js';

const group = 'session-test';
const url = serverUrl('SESSION_TEST_REDIS_SENTINEL_URL', `redis+sentinel://127.0.0.1:26379/${group}`);
const sentinelAddress = new URL(url.replace(/^redis\+sentinel:/, 'redis:').replace(/,.*?(?=\/)/, ''));
const sentinelNode = { host: sentinelAddress.hostname, port: Number(sentinelAddress.port || 26379) };
const up = await requireServer(
  'Redis Sentinel',
  `redis://${sentinelNode.host}:${sentinelNode.port}`,
  26379,
  'bash scripts/services.sh redis-sentinel',
);
// A prefix of our own per run; every key written here expires within two minutes.
const prefix = `test:${randomBytes(6).toString('hex')}:`;
// The suite checks behaviour, not speed: a generous timeout keeps a loaded machine from failing it.
const timeout = 5_000;

/** Polls `read` until it returns something other than undefined, or fails after `ms`. */
async function eventually<T>(what: string, ms: number, read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(100);
  }
}

describe.skipIf(!up)('redis store through Redis Sentinel', () => {
  let sentinel: Redis;
  /** A client of the current master, found through the sentinel as the store finds it. */
  let raw: Redis;
  let store: SessionStore;
  beforeAll(() => {
    sentinel = new Redis(sentinelNode);
    raw = new Redis({ sentinels: [sentinelNode], name: group, failoverDetector: true });
    store = redisStore({ url, prefix, timeout });
  });
  afterAll(async () => {
    await store?.close();
    raw?.disconnect();
    sentinel?.disconnect();
  });

  async function masterPort(): Promise<number> {
    const [, port] = (await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', group)) as [string, string];
    return Number(port);
  }

  testStore('redis-sentinel', {
    create: () => redisStore({ url, prefix, timeout }),
    rawDump: async () => {
      const keys = await raw.keys(`${prefix}*`);
      return JSON.stringify([keys, keys.length > 0 ? await raw.mget(...keys) : []]);
    },
  });

  it('redis-sentinel: the store writes to the master the sentinel names', async () => {
    const key = randomKey();
    expect(await store.write(key, sampleRecord(), undefined)).toBe(true);
    const master = new Redis({ host: sentinelNode.host, port: await masterPort() });
    try {
      expect(await master.call('ROLE')).toContain('master');
      expect(await master.exists(prefix + key)).toBe(1);
    } finally {
      master.disconnect();
    }
  });

  it('redis-sentinel: a session lives on through a failover, read and written on the new master', async () => {
    const key = randomKey();
    const record = sampleRecord({ expiresAt: Date.now() + 60_000 });
    expect(await store.write(key, record, undefined)).toBe(true);
    const before = await masterPort();
    // The replica must hold the session before it is promoted: wait until one has it. (After an
    // earlier failover the demoted master takes a moment to follow the new one.)
    await eventually('a replica acknowledges the write', 30_000, async () =>
      Number(await raw.call('WAIT', '1', '1000')) >= 1 ? true : undefined,
    );
    // Refused while the sentinel is still setting up the last failover (INPROG, NOGOODSLAVE).
    await eventually('the sentinel starts a failover', 30_000, async () => {
      await sentinel.call('SENTINEL', 'FAILOVER', group);
      return true;
    });
    const after = await eventually('the sentinel names a new master', 30_000, async () => {
      const port = await masterPort();
      return port !== before ? port : undefined;
    });

    // Calls made while the client changes masters may fail fast (503 for the request); then
    // the same session reads back, and an update lands on the new master.
    const loaded = await eventually('the session reads back', 30_000, () => store.get(key));
    expect(loaded).toEqual(record);
    // A write answered by the old master just before its demotion is lost with it (replication
    // is asynchronous), so the update is repeated on what the store reads until the new master
    // holds it.
    const data = JSON.stringify({ after: 'failover' });
    await eventually('an update lands on the new master', 30_000, async () => {
      const current = await store.get(key);
      if (current?.data === data) return true;
      if (current) await store.write(key, { ...current, version: current.version + 1, data }, current.version);
      return undefined;
    });
    const master = new Redis({ host: sentinelNode.host, port: after });
    try {
      expect(await master.call('ROLE')).toContain('master');
      expect(await master.get(prefix + key)).toContain('"after":"failover"');
    } finally {
      master.disconnect();
    }
    expect((await store.get(key))?.data).toBe(data);
  }, 120_000);
});

it('redis-sentinel: bad Sentinel URLs are refused at start-up', () => {
  expect(() => redisStore({ url: 'redis+sentinel://127.0.0.1:26379' })).toThrow(/master group/);
  expect(() => redisStore({ url: 'redis+sentinel://127.0.0.1:26379/' })).toThrow(SessionConfigError);
  expect(() => redisStore({ url: 'redis+sentinel://127.0.0.1:26379/mymaster/x' })).toThrow(/database number/);
  expect(() => redisStore({ url: 'rediss+sentinel://127.0.0.1:26379/mymaster' })).toThrow(/not supported/);
  expect(() => redisStore({ url: 'redis+sentinel://127.0.0.1:26379/%E0%A4%A' })).toThrow(/percent-encoding/);
});
