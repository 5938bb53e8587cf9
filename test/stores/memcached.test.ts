import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'memjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SessionConfigError, SessionStoreError } from '../../runtime/core/errors.js';
import { decodeRecord } from '../../runtime/stores/_record.js';
import type { SessionStore } from '../../runtime/core/store.js';
import { MEMCACHED_MAX_RELATIVE_SECONDS, memcachedExpiry, memcachedStore } from '../../runtime/stores/memcached.js';
import { memcachedDump } from '../helpers/memcached-dump.js';
import { freePort } from '../helpers/http.js';
import { failure, FAIL_WITHIN_MS, freeze, RECOVER_WITHIN_MS, settled, spawnable } from '../helpers/outage.js';
import { isListening, requireServer, serverUrl } from '../helpers/servers.js';
import { randomKey, sampleRecord, testStore } from '../store-contract.js';

const url = serverUrl('SESSION_TEST_MEMCACHED_URL', 'memcached://127.0.0.1:11211');
const up = await requireServer('memcached', url, 11211, 'bash scripts/services.sh memcached');
// A prefix of our own per run; every item written here expires within two minutes (except the
// 40-day one, which the test deletes).
const prefix = `test:${randomBytes(6).toString('hex')}:`;
// These suites check behaviour, not speed: a generous timeout keeps a loaded machine from failing
// them. The outage tests below use the default.
const timeout = 5_000;
const quiet = { log() {} };

describe('memcachedExpiry: relative seconds up to 30 days, a Unix time beyond', () => {
  const now = 1_700_000_000_000;

  it('rounds up to whole seconds plus the one memcached’s clock may lose; never 0 ("never expire")', () => {
    expect(memcachedExpiry(now + 1, now)).toBe(2);
    expect(memcachedExpiry(now + 1_000, now)).toBe(2);
    expect(memcachedExpiry(now + 1_001, now)).toBe(3);
    expect(memcachedExpiry(now, now)).toBe(1);
    expect(memcachedExpiry(now - 5_000, now)).toBe(1);
  });

  it('switches to an absolute Unix time just past 30 days', () => {
    expect(MEMCACHED_MAX_RELATIVE_SECONDS).toBe(2_592_000);
    expect(memcachedExpiry(now + 2_591_999_000, now)).toBe(2_592_000);
    expect(memcachedExpiry(now + 2_591_999_001, now)).toBe(1_700_000_000 + 2_592_000);
    expect(memcachedExpiry(now + 40 * 86_400_000, now)).toBe(1_700_000_000 + 40 * 86_400);
  });
});

describe.skipIf(!up)('memcached store', () => {
  testStore('memcached', {
    create: () => memcachedStore({ url, prefix, timeout }),
    rawDump: () => {
      const [host = '127.0.0.1', port = '11211'] = url
        .replace(/^memcached:\/\//, '')
        .split(/[,/?]/)[0]!
        .split(':');
      return memcachedDump(host, Number(port), prefix);
    },
  });

  let store: SessionStore;
  let raw: Client;
  const rawGet = async (key: string) => (await raw.get(key)).value?.toString('utf8');
  beforeAll(() => {
    store = memcachedStore({ url, prefix, timeout });
    raw = Client.create(url.replace(/^memcached:\/\/|[/?].*$/g, ''), { logger: quiet });
  });
  afterAll(async () => {
    await store?.close();
    raw?.close();
  });

  it('memcached: the server drops the item by itself once it expires', async () => {
    const key = randomKey();
    await store.write(key, sampleRecord({ expiresAt: Date.now() + 1_000 }), undefined);
    expect(await rawGet(prefix + key)).toBeDefined();
    // We send 2 s (1 s, plus a second for memcached's clock; the arithmetic is unit-tested above).
    // When the drop happens is memcached's clock, not ours: a busy server updates its clock late
    // and then drops items early (seen at 0.2 s under CI load), so only the drop is asserted here.
    const written = Date.now();
    while ((await rawGet(prefix + key)) !== undefined && Date.now() - written < 8_000) await sleep(100);
    expect(await rawGet(prefix + key)).toBeUndefined();
  });

  it('memcached: a session longer than 30 days is stored, not expired at once', async () => {
    const key = randomKey();
    const record = sampleRecord({ expiresAt: Date.now() + 40 * 86_400_000, maxAge: 40 * 86_400_000 });
    expect(await store.write(key, record, undefined)).toBe(true);
    expect(await store.get(key)).toEqual(record);
    expect(await rawGet(prefix + key)).toBeDefined();
    await store.destroy(key);
  });

  it('memcached: touch extends the server expiry, keeps data and version, and get reports it', async () => {
    const key = randomKey();
    const record = sampleRecord({ expiresAt: Date.now() + 1_000 });
    await store.write(key, record, undefined);
    const later = Date.now() + 60_000;
    await store.touch(key, later);
    await sleep(2_600); // past the first expiry (see the test above)
    const stored = await rawGet(prefix + key);
    expect(stored).toBeDefined();
    expect(decodeRecord(stored!)).toEqual({ ...record, expiresAt: later });
    expect(await store.get(key)).toEqual({ ...record, expiresAt: later });
  });

  it('memcached: prefixes isolate stores on one server; the default is sess:', async () => {
    const key = randomKey();
    const other = memcachedStore({ url: `${url}?prefix=${encodeURIComponent(`${prefix}other:`)}`, timeout });
    const plain = memcachedStore({ url, timeout });
    try {
      await store.write(key, sampleRecord({ data: '{"by":"first"}' }), undefined);
      expect(await other.get(key)).toBeUndefined();
      expect(await other.write(key, sampleRecord({ data: '{"by":"other"}' }), undefined)).toBe(true);
      expect((await store.get(key))?.data).toBe('{"by":"first"}');
      expect(decodeRecord((await rawGet(`${prefix}other:${key}`))!)?.data).toBe('{"by":"other"}');
      await plain.write(key, sampleRecord(), undefined);
      expect(await rawGet(`sess:${key}`)).toBeDefined();
      await plain.destroy(key);
    } finally {
      await other.close();
      await plain.close();
    }
  });

  it('memcached: a create replaces an item that is dead by its own expiresAt', async () => {
    const key = randomKey();
    // memcached keeps it a second or two longer than the record's own expiry.
    await store.write(key, sampleRecord({ expiresAt: Date.now() + 100 }), undefined);
    await sleep(150);
    expect(await rawGet(prefix + key)).toBeDefined();
    expect(await store.write(key, sampleRecord({ data: '{"new":1}' }), undefined)).toBe(true);
    expect((await store.get(key))?.data).toBe('{"new":1}');
  });

  it('memcached: a corrupt item reads as missing and blocks no update', async () => {
    const key = randomKey();
    await raw.set(prefix + key, 'not a record', { expires: 60 });
    expect(await store.get(key)).toBeUndefined();
    expect(await store.write(key, sampleRecord({ version: 2 }), 1)).toBe(false);
  });

  it('memcached: a session larger than memcached accepts fails as too-large', async () => {
    const error = await store
      .write(randomKey(), sampleRecord({ data: JSON.stringify('x'.repeat(2_000_000)) }), undefined)
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect((error as SessionStoreError).code).toBe('too-large');
  });

  it('memcached: a write on a remembered CAS token never overrides what another process stored since', async () => {
    const key = randomKey();
    const other = memcachedStore({ url, prefix, timeout });
    try {
      await store.write(key, sampleRecord({ version: 1, data: '{"n":1}' }), undefined);
      // Another process writes version 2 after our write: our token for version 1 is stale.
      expect(await other.write(key, sampleRecord({ version: 2, data: '{"by":"other"}' }), 1)).toBe(true);
      expect(await store.write(key, sampleRecord({ version: 2, data: '{"n":2}' }), 1)).toBe(false);
      expect((await store.get(key))?.data).toBe('{"by":"other"}');
      // Another process renews the record (same version, new token): ours falls back to a read and lands.
      expect((await store.get(key))?.version).toBe(2);
      expect(await other.touch(key, Date.now() + 90_000)).toBe(true);
      expect(await store.write(key, sampleRecord({ version: 3, data: '{"n":3}' }), 2)).toBe(true);
      expect(await store.get(key)).toMatchObject({ version: 3, data: '{"n":3}' });
    } finally {
      await other.close();
    }
  });

  it('memcached: a closed store refuses calls', async () => {
    const closed = memcachedStore({ url, prefix, timeout });
    await closed.get(randomKey());
    await closed.close();
    await expect(closed.get(randomKey())).rejects.toThrow(/closed/);
  });
});

it('memcached: bad configuration is refused at start-up', () => {
  expect(() => memcachedStore({ url: 'redis://127.0.0.1:11211' })).toThrow(SessionConfigError);
  expect(() => memcachedStore({ url: 'memcached://127.0.0.1:11211?timeout=-1' })).toThrow(/option "timeout"/);
  expect(() => memcachedStore({ prefix: 'has space' })).toThrow(/option "prefix"/);
  expect(() => memcachedStore({ prefix: 'p'.repeat(187) })).toThrow(/option "prefix"/);
});

const canSpawn = (await spawnable('memcached', '-V')) || Boolean(process.env.CI);
if (!canSpawn)
  console.warn(
    '[test] memcached is not installed; the memcached outage test is SKIPPED (bash scripts/services.sh memcached)',
  );

// Outages are tested on a private server, killed and restarted by PID, never the shared one.
describe.skipIf(!canSpawn)('memcached store outage (private memcached)', () => {
  let server: ChildProcess | undefined;
  let port: number;

  async function startServer(): Promise<void> {
    const child = spawn('memcached', ['-p', String(port), '-l', '127.0.0.1', '-u', 'root', '-U', '0'], {
      stdio: 'ignore',
    });
    server = child;
    for (let i = 0; i < 100 && !(await isListening('127.0.0.1', port, 200)); i++) {
      if (child.exitCode !== null) throw new Error(`memcached exited with ${child.exitCode}`);
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
  it('memcached: close releases the connection', async () => {
    const raw = Client.create(`127.0.0.1:${port}`, { logger: quiet });
    const connections = () =>
      new Promise<number>((resolve, reject) =>
        raw.stats((error, _server, stats) =>
          error || !stats ? reject(error) : resolve(Number(stats.curr_connections)),
        ),
      );
    try {
      const before = await settled(connections);
      const store = memcachedStore({ url: `memcached://127.0.0.1:${port}`, prefix });
      await store.get(randomKey());
      expect(await connections()).toBe(before + 1);
      await store.close();
      for (let i = 0; i < 20 && (await connections()) > before; i++) await sleep(50);
      expect(await connections()).toBe(before);
    } finally {
      raw.close();
    }
  });

  it('memcached: a read-modify-write costs one read: the write reuses the CAS token of that read', async () => {
    const raw = Client.create(`127.0.0.1:${port}`, { logger: quiet });
    const reads = () =>
      new Promise<number>((resolve, reject) =>
        raw.stats((error, _server, stats) => (error || !stats ? reject(error) : resolve(Number(stats.cmd_get)))),
      );
    const store = memcachedStore({ url: `memcached://127.0.0.1:${port}`, prefix });
    try {
      const key = randomKey();
      await store.write(key, sampleRecord({ version: 1 }), undefined);
      const before = await reads();
      const loaded = await store.get(key);
      expect(await store.write(key, sampleRecord({ version: 2 }), loaded!.version)).toBe(true);
      // Our own write's token serves the next one too (requests queued on a busy session).
      expect(await store.write(key, sampleRecord({ version: 3 }), 2)).toBe(true);
      expect(await reads()).toBe(before + 1);
      expect((await store.get(key))?.version).toBe(3);
    } finally {
      await store.close();
      raw.close();
    }
  });

  it('memcached: fails fast while the server is down, never crashes, and recovers by itself', async () => {
    const unhandled: unknown[] = [];
    const note = (error: unknown) => unhandled.push(error);
    process.on('unhandledRejection', note);
    process.on('uncaughtException', note);
    const store = memcachedStore({ url: `memcached://127.0.0.1:${port}`, prefix });
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
      // Right after the kill, and again well into the outage.
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
        `[memcached outage] rejections: ${timings.join(', ')}; recovered ${Date.now() - restarted} ms after restart`,
      );
      expect(recovered).toBe(true); // the restarted server is empty: the key is new again
      expect((await store.get(key))?.data).toBe(sampleRecord().data);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', note);
      process.off('uncaughtException', note);
      await store.close();
    }
  }, 30_000);

  it('memcached: a frozen server (SIGSTOP) makes calls time out instead of hanging; they work again after SIGCONT', async () => {
    const store = memcachedStore({ url: `memcached://127.0.0.1:${port}`, prefix });
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
        `[memcached freeze] calls rejected after ${elapsed} ms; working again ${Date.now() - resumed} ms after SIGCONT`,
      );
      expect(record).toBeDefined();
    } finally {
      await store.close();
    }
  }, 30_000);
});
