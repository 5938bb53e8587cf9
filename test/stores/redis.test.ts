import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SessionConfigError, SessionStoreError } from '../../runtime/core/errors.js';
import type { SessionStore } from '../../runtime/core/store.js';
import { redisStore } from '../../runtime/stores/redis.js';
import { freePort } from '../helpers/http.js';
import { failure, FAIL_WITHIN_MS, freeze, RECOVER_WITHIN_MS, settled, spawnable } from '../helpers/outage.js';
import { isListening, requireServer, serverUrl } from '../helpers/servers.js';
import { randomKey, sampleRecord, testStore } from '../store-contract.js';

const url = serverUrl('SESSION_TEST_REDIS_URL', 'redis://127.0.0.1:6379');
const up = await requireServer('Redis', url, 6379, 'bash scripts/services.sh redis');
// A prefix of our own per run: runs never collide, and the shared server's other keys are never
// touched. Every key written here expires within two minutes, so nothing needs sweeping.
const prefix = `test:${randomBytes(6).toString('hex')}:`;
// These suites check behaviour, not speed: a generous timeout keeps a loaded machine from failing
// them. The outage tests below use the default.
const timeout = 5_000;

describe.skipIf(!up)('redis store', () => {
  testStore('redis', {
    create: () => redisStore({ url, prefix, timeout }),
    rawDump: async () => {
      const keys = await raw.keys(`${prefix}*`);
      return JSON.stringify([keys, keys.length > 0 ? await raw.mget(...keys) : []]);
    },
  });

  let store: SessionStore;
  let raw: Redis;
  beforeAll(() => {
    store = redisStore({ url, prefix, timeout });
    raw = new Redis(url);
  });
  afterAll(async () => {
    await store?.close();
    raw?.disconnect();
  });

  it('redis: the expiry is Redis’ own, set with the write, and Redis drops the key', async () => {
    const key = randomKey();
    const record = sampleRecord({ expiresAt: Date.now() + 60_000 });
    await store.write(key, record, undefined);
    expect(await raw.pexpiretime(prefix + key)).toBe(record.expiresAt);
    const short = randomKey();
    await store.write(short, sampleRecord({ expiresAt: Date.now() + 300 }), undefined);
    expect(await raw.exists(prefix + short)).toBe(1);
    await sleep(500);
    expect(await raw.exists(prefix + short)).toBe(0);
  });

  it('redis: touch moves Redis’ expiry and the one in the header together, nothing else, and get reports it', async () => {
    const key = randomKey();
    const record = sampleRecord({ expiresAt: Date.now() + 10_000 });
    await store.write(key, record, undefined);
    const before = await raw.get(prefix + key);
    const later = Date.now() + 120_000;
    expect(await store.touch(key, later)).toBe(true);
    expect(await raw.get(prefix + key)).toBe(before!.replace(`,${record.expiresAt},`, `,${later},`));
    expect(await raw.pexpiretime(prefix + key)).toBe(later);
    expect(await store.get(key)).toEqual({ ...record, expiresAt: later });
  });

  it('redis: a record renewed the old way (only the key’s expiry moved) reads with Redis’ expiry', async () => {
    const key = randomKey();
    const record = sampleRecord({ expiresAt: Date.now() + 1_000 });
    await store.write(key, record, undefined);
    const later = Date.now() + 120_000;
    await raw.pexpireat(prefix + key, later);
    await sleep(1_100);
    // The header says expired; Redis still holds the key until `later`, which is the truth.
    expect(await store.get(key)).toEqual({ ...record, expiresAt: later });
  });

  it('redis: a record written over a touched one takes its own expiry', async () => {
    const key = randomKey();
    await store.write(key, sampleRecord(), undefined);
    await store.touch(key, Date.now() + 120_000);
    const next = sampleRecord({ version: 2, expiresAt: Date.now() + 30_000 });
    expect(await store.write(key, next, 1)).toBe(true);
    expect(await store.get(key)).toEqual(next);
  });

  it('redis: prefixes isolate stores on one server; the default is sess:', async () => {
    const key = randomKey();
    const other = redisStore({ url: `${url}?prefix=${encodeURIComponent(`${prefix}other:`)}`, timeout });
    const plain = redisStore({ url, timeout });
    try {
      await store.write(key, sampleRecord({ data: '{"by":"first"}' }), undefined);
      expect(await other.get(key)).toBeUndefined();
      expect(await other.write(key, sampleRecord({ data: '{"by":"other"}' }), undefined)).toBe(true);
      expect((await store.get(key))?.data).toBe('{"by":"first"}');
      expect(await raw.exists(`${prefix}${key}`, `${prefix}other:${key}`)).toBe(2);
      await plain.write(key, sampleRecord(), undefined);
      expect(await raw.exists(`sess:${key}`)).toBe(1);
      await plain.destroy(key);
    } finally {
      await other.close();
      await plain.close();
    }
  });

  it('redis: the database number in the URL is used', async () => {
    const key = randomKey();
    const inDb3 = redisStore({ url: `${url.replace(/\/\d*$/, '')}/3`, prefix, timeout });
    const raw3 = new Redis(url, { db: 3 });
    try {
      await inDb3.write(key, sampleRecord(), undefined);
      expect(await raw3.exists(prefix + key)).toBe(1);
      expect(await raw.exists(prefix + key)).toBe(0);
      await inDb3.destroy(key);
    } finally {
      await inDb3.close();
      raw3.disconnect();
    }
  });

  it('redis: a corrupt value reads as missing and blocks no update', async () => {
    const key = randomKey();
    await raw.set(prefix + key, 'not a record', 'PX', 60_000);
    expect(await store.get(key)).toBeUndefined();
    expect(await store.write(key, sampleRecord({ version: 2 }), 1)).toBe(false);
  });

  it('redis: a closed store refuses calls', async () => {
    const closed = redisStore({ url, prefix, timeout });
    await closed.get(randomKey());
    await closed.close();
    await expect(closed.get(randomKey())).rejects.toThrow(/closed/);
  });
});

it('redis: bad configuration is refused at start-up', () => {
  expect(() => redisStore({ url: 'http://127.0.0.1:6379' })).toThrow(SessionConfigError);
  expect(() => redisStore({ url: 'redis://127.0.0.1:6379/x' })).toThrow(/option "url"/);
  expect(() => redisStore({ url: 'redis+cluster://127.0.0.1:7001,127.0.0.1:7002/1' })).toThrow(/database 0 only/);
  expect(() => redisStore({ url: 'redis://127.0.0.1:6379?timeout=soon' })).toThrow(/option "timeout"/);
});

const canSpawn = (await spawnable('redis-server', '--version')) || Boolean(process.env.CI);
if (!canSpawn)
  console.warn(
    '[test] redis-server is not installed; the Redis outage test is SKIPPED (bash scripts/services.sh redis)',
  );

// Outages are tested on a private server, killed and restarted by PID, never the shared one.
describe.skipIf(!canSpawn)('redis store outage (private redis-server)', () => {
  let server: ChildProcess | undefined;
  let port: number;
  const password = randomBytes(8).toString('hex');

  async function startServer(): Promise<void> {
    const options = `--port ${port} --bind 127.0.0.1 --appendonly no --dir ${tmpdir()} --requirepass ${password}`;
    const child = spawn('redis-server', ['--save', '', ...options.split(' ')], { stdio: 'ignore' });
    server = child;
    for (let i = 0; i < 100 && !(await isListening('127.0.0.1', port, 200)); i++) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      await sleep(50);
    }
  }

  async function killServer(): Promise<void> {
    const child = server;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    process.kill(child.pid!, 'SIGKILL');
    await exited;
  }

  beforeAll(async () => {
    port = await freePort();
  });
  // Each test starts from a running server, even if the one before failed while it was down.
  beforeEach(async () => {
    if (!server || server.exitCode !== null || server.signalCode !== null) await startServer();
  });
  afterAll(killServer);

  // First, while the private server has no other client that could still be closing.
  it('redis: close releases the connection', async () => {
    const raw = new Redis({ port, password });
    const clients = async () => Number(/connected_clients:(\d+)/.exec(await raw.info('clients'))?.[1]);
    try {
      const before = await settled(clients);
      const store = redisStore({ url: `redis://:${password}@127.0.0.1:${port}`, prefix });
      await store.get(randomKey());
      expect(await clients()).toBe(before + 1);
      await store.close();
      for (let i = 0; i < 20 && (await clients()) > before; i++) await sleep(50);
      expect(await clients()).toBe(before);
    } finally {
      raw.disconnect();
    }
  });

  it('redis: fails fast while the server is down, never crashes, and recovers by itself', async () => {
    const unhandled: unknown[] = [];
    const note = (error: unknown) => unhandled.push(error);
    process.on('unhandledRejection', note);
    process.on('uncaughtException', note);
    const store = redisStore({ url: `redis://:${password}@127.0.0.1:${port}`, prefix });
    try {
      const key = randomKey();
      expect(await store.write(key, sampleRecord(), undefined)).toBe(true);
      expect(await store.get(key)).toBeDefined();

      await killServer();
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['get', () => store.get(key)],
        ['write', () => store.write(randomKey(), sampleRecord(), undefined)],
        ['update', () => store.write(key, sampleRecord({ version: 2 }), 1)],
        ['touch', () => store.touch(key, Date.now() + 60_000)],
        ['destroy', () => store.destroy(key)],
        ['20 at once', () => Promise.all(Array.from({ length: 20 }, () => store.get(randomKey())))],
      ];
      // Right after the kill, and again once the client has noticed and is reconnecting.
      const timings: string[] = [];
      for (const round of ['at once', 'after 1.5 s']) {
        if (round !== 'at once') await sleep(1_500);
        await Promise.all(
          calls.map(async ([name, run]) => {
            const { error, ms } = await failure(run);
            timings.push(`${round}: ${name} ${Math.round(ms)} ms ${(error as SessionStoreError)?.code}`);
            expect(error, name).toBeInstanceOf(SessionStoreError);
            expect((error as SessionStoreError).code, name).toMatch(/^(unavailable|timeout)$/);
            expect(ms, name).toBeLessThan(FAIL_WITHIN_MS);
          }),
        );
      }

      await startServer();
      const restarted = Date.now();
      let recovered: boolean | undefined;
      while (recovered === undefined && Date.now() - restarted < RECOVER_WITHIN_MS) {
        recovered = await store.write(key, sampleRecord(), undefined).catch(() => undefined);
        if (recovered === undefined) await sleep(50);
      }
      console.info(
        `[redis outage] rejections: ${timings.join(', ')}; recovered ${Date.now() - restarted} ms after restart`,
      );
      expect(recovered).toBe(true); // the restarted server has no data: the key is new again
      expect((await store.get(key))?.data).toBe(sampleRecord().data);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', note);
      process.off('uncaughtException', note);
      await store.close();
    }
  }, 30_000);

  it('redis: a wrong password fails within the timeout instead of hanging', async () => {
    const store = redisStore({ url: `redis://:wrong@127.0.0.1:${port}`, prefix, timeout: 500 });
    try {
      const { error, ms } = await failure(() => store.get(randomKey()));
      expect(error).toBeInstanceOf(SessionStoreError);
      expect(String(error)).toMatch(/WRONGPASS|NOAUTH|auth/i);
      // A refusal, not an outage: the operator must fix the configuration.
      expect(error).toMatchObject({ code: 'misconfigured', status: 500 });
      expect(ms).toBeLessThan(FAIL_WITHIN_MS);
    } finally {
      await store.close();
    }
  });

  it('redis: a frozen server (SIGSTOP) makes calls time out instead of hanging; they work again after SIGCONT', async () => {
    const store = redisStore({ url: `redis://:${password}@127.0.0.1:${port}`, prefix });
    try {
      const key = randomKey();
      expect(await store.write(key, sampleRecord(), undefined)).toBe(true);
      await freeze(server!.pid!);
      let failures: Array<{ error: unknown; ms: number }>;
      try {
        failures = await Promise.all(
          [
            () => store.get(key),
            () => store.write(key, sampleRecord({ version: 2 }), 1),
            () => store.touch(key, Date.now() + 60_000),
            () => store.destroy(randomKey()),
          ].map(failure),
        );
      } finally {
        process.kill(server!.pid!, 'SIGCONT');
      }
      for (const { error, ms } of failures) {
        expect(error).toBeInstanceOf(SessionStoreError);
        expect(ms).toBeLessThan(FAIL_WITHIN_MS);
      }
      const elapsed = Math.round(Math.max(...failures.map(({ ms }) => ms)));
      const resumed = Date.now();
      let record: unknown;
      while (record === undefined && Date.now() - resumed < RECOVER_WITHIN_MS) {
        record = await store.get(key).catch(() => undefined);
        if (record === undefined) await sleep(50);
      }
      console.info(
        `[redis freeze] calls rejected after ${elapsed} ms; working again ${Date.now() - resumed} ms after SIGCONT`,
      );
      expect(record).toBeDefined();
    } finally {
      await store.close();
    }
  }, 30_000);
});
