/**
 * The contract every session store must pass. Each store's test file calls `testStore` with a
 * factory; a store that cannot honour a case lists it in `skip` with the reason.
 * (This file has no .test suffix, so the runner only collects it through those files.)
 */
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionManager, type SessionManager } from '../runtime/core/manager.js';
import type { RequestInfo } from '../runtime/core/session.js';
import type { SessionRecord, SessionStore } from '../runtime/core/store.js';

export interface StoreContract {
  /** Builds a store on the backend under test. Called once for the suite and again where a second instance is needed. */
  create: () => SessionStore | Promise<SessionStore>;
  /**
   * Smallest expiry the backend honours precisely, in ms (memcached counts whole seconds).
   * @default 600
   */
  expiryResolutionMs?: number;
  /** Cases this store cannot run, each with the reason. */
  skip?: Array<{ reason: string; tests: string[] }>;
  /**
   * Everything the backend holds for this store instance as text (keys, rows, documents, files),
   * to prove no live session id ever reaches it. Omit only for a store with no external form.
   */
  rawDump?: () => Promise<string>;
}

export function randomKey(): string {
  return createHash('sha256').update(randomBytes(32)).digest('hex');
}

export function sampleRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const now = Date.now();
  return {
    data: JSON.stringify({ user: 'ada', cart: [1, 2, 3], nested: { deep: true } }),
    version: 1,
    createdAt: now,
    issuedAt: now,
    expiresAt: now + 60_000,
    maxAge: 60_000,
    ip: '127.0.0.1',
    userAgent: 'contract-test/1.0',
    ...overrides,
  };
}

export function testStore(name: string, contract: StoreContract): void {
  const skipped = new Set((contract.skip ?? []).flatMap((entry) => entry.tests));
  const resolution = contract.expiryResolutionMs ?? 600;
  const test = (title: string, body: () => Promise<void>, timeout?: number) =>
    it.skipIf(skipped.has(title))(title, body, timeout);

  describe(`store contract: ${name}`, () => {
    let store: SessionStore;
    beforeAll(async () => {
      store = await contract.create();
    });
    afterAll(async () => {
      await store?.close();
    });

    test('get of an unknown key resolves undefined', async () => {
      expect(await store.get(randomKey())).toBeUndefined();
    });

    test('a created record reads back field for field', async () => {
      const key = randomKey();
      const record = sampleRecord();
      expect(await store.write(key, record, undefined)).toBe(true);
      expect(await store.get(key)).toEqual(record);
    });

    test('create refuses to overwrite a live record', async () => {
      const key = randomKey();
      expect(await store.write(key, sampleRecord(), undefined)).toBe(true);
      expect(await store.write(key, sampleRecord({ data: '{"evil":1}' }), undefined)).toBe(false);
      expect((await store.get(key))?.data).toBe(sampleRecord().data);
    });

    test('update succeeds only against the stored version', async () => {
      const key = randomKey();
      await store.write(key, sampleRecord(), undefined);
      expect(await store.write(key, sampleRecord({ version: 2, data: '{"a":2}' }), 1)).toBe(true);
      expect(await store.write(key, sampleRecord({ version: 2, data: '{"a":"stale"}' }), 1)).toBe(false);
      const stored = await store.get(key);
      expect(stored?.version).toBe(2);
      expect(stored?.data).toBe('{"a":2}');
    });

    test('update of a missing record is refused, never an upsert', async () => {
      const key = randomKey();
      expect(await store.write(key, sampleRecord({ version: 5 }), 4)).toBe(false);
      expect(await store.get(key)).toBeUndefined();
    });

    test('destroy removes the record and a destroyed record stays dead', async () => {
      const key = randomKey();
      await store.write(key, sampleRecord(), undefined);
      await store.destroy(key);
      expect(await store.get(key)).toBeUndefined();
      expect(await store.write(key, sampleRecord({ version: 2 }), 1)).toBe(false);
      expect(await store.get(key)).toBeUndefined();
      await store.destroy(key); // destroying a missing record is not an error
    });

    test('data is kept verbatim: unicode, quotes, newlines, 60 KB', async () => {
      const key = randomKey();
      const data = JSON.stringify({ text: 'žluťoučký 🐎 "quoted"\nline\u2028sep', big: 'x'.repeat(60_000) });
      await store.write(key, sampleRecord({ data }), undefined);
      expect((await store.get(key))?.data).toBe(data);
    });

    test(
      'an expired record is never returned',
      async () => {
        const key = randomKey();
        await store.write(key, sampleRecord({ expiresAt: Date.now() + resolution }), undefined);
        expect(await store.get(key)).toBeDefined();
        await sleep(resolution * 2 + 100);
        expect(await store.get(key)).toBeUndefined();
      },
      resolution * 4 + 5_000,
    );

    test(
      'touch extends the expiry without changing data or version',
      async () => {
        const key = randomKey();
        const record = sampleRecord({ expiresAt: Date.now() + resolution });
        await store.write(key, record, undefined);
        const later = Date.now() + 60_000;
        expect(await store.touch(key, later)).toBe(true);
        await sleep(resolution * 2 + 100);
        const stored = await store.get(key);
        expect(stored?.data).toBe(record.data);
        expect(stored?.version).toBe(record.version);
        expect(stored?.expiresAt).toBeGreaterThan(Date.now() + 30_000);
      },
      resolution * 4 + 5_000,
    );

    test('touch of a missing record leaves it missing', async () => {
      const key = randomKey();
      expect(await store.touch(key, Date.now() + 60_000)).toBe(false);
      expect(await store.get(key)).toBeUndefined();
    });

    test(
      'deleteExpired removes expired records and keeps live ones',
      async () => {
        const expired = randomKey();
        const live = randomKey();
        await store.write(expired, sampleRecord({ expiresAt: Date.now() + resolution }), undefined);
        await store.write(live, sampleRecord(), undefined);
        await sleep(resolution * 2 + 100);
        const removed = await store.deleteExpired();
        expect(removed === undefined || removed >= 1).toBe(true);
        expect(await store.get(expired)).toBeUndefined();
        expect(await store.get(live)).toBeDefined();
      },
      resolution * 4 + 10_000,
    );

    test('100 concurrent creates of distinct sessions all persist', async () => {
      const keys = Array.from({ length: 100 }, randomKey);
      const results = await Promise.all(
        keys.map((key, i) => store.write(key, sampleRecord({ data: `{"n":${i}}` }), undefined)),
      );
      expect(results.every(Boolean)).toBe(true);
      const stored = await Promise.all(keys.map((key) => store.get(key)));
      expect(stored.map((record) => record?.data)).toEqual(keys.map((_, i) => `{"n":${i}}`));
    });

    test('20 concurrent updates against one version: exactly one wins', async () => {
      const key = randomKey();
      await store.write(key, sampleRecord(), undefined);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.write(key, sampleRecord({ version: 2, data: `{"winner":${i}}` }), 1),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect((await store.get(key))?.data).toBe(`{"winner":${winner}}`);
    });

    test('a second instance on the same backend sees the same records', async () => {
      const other = await contract.create();
      try {
        const key = randomKey();
        await store.write(key, sampleRecord(), undefined);
        expect((await other.get(key))?.data).toBe(sampleRecord().data);
        expect(await other.write(key, sampleRecord({ version: 2, data: '{"by":"other"}' }), 1)).toBe(true);
        expect((await store.get(key))?.data).toBe('{"by":"other"}');
        await other.destroy(key);
        expect(await store.get(key)).toBeUndefined();
      } finally {
        await other.close();
      }
    });

    describe('sessions on this store (through the manager)', () => {
      const quiet = { warn: () => {}, error: () => {} };
      const visit = (cookie?: string): RequestInfo => ({
        cookieHeader: cookie,
        ip: '127.0.0.1',
        userAgent: 'contract',
        https: false,
      });
      const pairOf = (setCookie: string) => setCookie.split(';')[0]!;

      test('20 parallel requests on one session writing different keys: all 20 persist', async () => {
        const manager = createSessionManager({ store, logger: quiet, regenerateEvery: false });
        const first = await manager.load(visit());
        first.set('start', true);
        const cookie = pairOf((await manager.commit(first))!);
        const sessions = await Promise.all(Array.from({ length: 20 }, () => manager.load(visit(cookie))));
        await Promise.all(sessions.map((session, i) => (session.set(`k${i}`, i), manager.commit(session))));
        const after = (await manager.load(visit(cookie))).toJSON();
        expect(Object.keys(after).sort()).toEqual(['start', ...Array.from({ length: 20 }, (_, i) => `k${i}`)].sort());
      });

      test('parallel requests across a timed rotation: none fails, one new id, nothing lost, old id forwards', async () => {
        const manager = createSessionManager({ store, logger: quiet, regenerateEvery: '1s', rotateGrace: '30s' });
        const first = await manager.load(visit());
        first.set('start', true);
        const cookie = pairOf((await manager.commit(first))!);
        await sleep(1_100);
        const sessions = await Promise.all(Array.from({ length: 10 }, () => manager.load(visit(cookie))));
        const cookies = await Promise.all(
          sessions.map((session, i) => (session.set(`k${i}`, i), manager.commit(session))),
        );
        const issued = cookies.filter((value): value is string => value !== undefined);
        expect(issued).toHaveLength(1);
        const expected = ['start', ...Array.from({ length: 10 }, (_, i) => `k${i}`)].sort();
        expect(Object.keys((await manager.load(visit(pairOf(issued[0]!)))).toJSON()).sort()).toEqual(expected);
        expect(Object.keys((await manager.load(visit(cookie))).toJSON()).sort()).toEqual(expected);
      }, 20_000);

      test('a hot session: 10 clients writing it 100 times in all, none fails, every key kept', async () => {
        const manager = createSessionManager({ store, logger: quiet, regenerateEvery: false });
        const first = await manager.load(visit());
        first.set('start', true);
        const cookie = pairOf((await manager.commit(first))!);
        let next = 0;
        const client = async () => {
          for (let n = next++; n < 100; n = next++) {
            const session = await manager.load(visit(cookie));
            session.set(`k${n}`, n);
            await manager.commit(session);
          }
        };
        await Promise.all(Array.from({ length: 10 }, client));
        expect(Object.keys((await manager.load(visit(cookie))).toJSON())).toHaveLength(101);
      });

      test('update(): 50 parallel increments on one session from two processes end at +50', async () => {
        // Two managers stand for two processes: each has its own queue, so they meet only in the store.
        const processes = [0, 1].map(() => createSessionManager({ store, logger: quiet, regenerateEvery: false }));
        const [one, two] = processes as [SessionManager, SessionManager];
        const first = await one.load(visit());
        first.set('count', 0);
        const cookie = pairOf((await one.commit(first))!);
        const increment = async (manager: SessionManager) => {
          const session = await manager.load(visit(cookie));
          session.update('count', (count) => (typeof count === 'number' ? count : 0) + 1);
          await manager.commit(session);
        };
        await Promise.all(Array.from({ length: 50 }, (_, i) => increment(i % 2 === 0 ? one : two)));
        expect((await one.load(visit(cookie))).get('count')).toBe(50);
      }, 30_000);

      test('flash messages: added by parallel requests, each shown exactly once to parallel readers in two processes', async () => {
        const processes = [0, 1].map(() => createSessionManager({ store, logger: quiet, regenerateEvery: false }));
        const [one, two] = processes as [SessionManager, SessionManager];
        const first = await one.load(visit());
        first.set('user', 'ada');
        const cookie = pairOf((await one.commit(first))!);
        const messages = Array.from({ length: 10 }, (_, i) => `saved ${i}`);
        await Promise.all(
          messages.map(async (message, i) => {
            const session = await (i % 2 === 0 ? one : two).load(visit(cookie));
            session.flash('info', message);
            await (i % 2 === 0 ? one : two).commit(session);
          }),
        );
        // Ten readers at once, in both processes: every message reaches exactly one of them.
        const shown = await Promise.all(
          Array.from({ length: 10 }, async (_, i) => {
            const manager = i % 2 === 0 ? one : two;
            const session = await manager.load(visit(cookie));
            const taken = await session.takeFlash('info');
            await manager.commit(session);
            return taken;
          }),
        );
        expect(shown.flat().sort()).toEqual([...messages].sort());
        const after = await one.load(visit(cookie));
        expect(await after.takeFlash('info')).toEqual([]);
        expect(after.toJSON()).toEqual({ user: 'ada' });
      }, 30_000);

      test("a user's sessions: listed with their device, revoked one by one or all but the current one", async () => {
        const manager = createSessionManager({ store, logger: quiet, regenerateEvery: false });
        const user = `user-${randomKey().slice(0, 8)}`;
        const devices: Array<{ device: string; cookie: string }> = [];
        for (const device of ['laptop', 'phone', 'tablet']) {
          const session = await manager.load({ ...visit(), userAgent: device });
          session.login(user);
          devices.push({ device, cookie: pairOf((await manager.commit(session))!) });
        }
        const laptop = await manager.load(visit(devices[0]!.cookie));
        expect(laptop.userId).toBe(user);
        expect(laptop.authenticatedAt).toBeGreaterThan(Date.now() - 60_000);
        const listed = await manager.list(user, laptop);
        expect(listed.map((entry) => entry.userAgent).sort()).toEqual(['laptop', 'phone', 'tablet']);
        expect(listed.filter((entry) => entry.current).map((entry) => entry.userAgent)).toEqual(['laptop']);
        for (const entry of listed) {
          expect(entry.ip).toBe('127.0.0.1');
          expect(entry.createdAt).toBeLessThanOrEqual(entry.lastSeenAt);
          // A handle is no credential: presented as a cookie it is a stranger.
          expect((await manager.load(visit(`session_id=${entry.handle}`))).isNew).toBe(true);
        }

        const phone = listed.find((entry) => entry.userAgent === 'phone')!;
        expect(await manager.revoke(user, phone.handle)).toBe(true);
        expect((await manager.load(visit(devices[1]!.cookie))).isNew).toBe(true);
        expect((await manager.list(user)).map((entry) => entry.userAgent).sort()).toEqual(['laptop', 'tablet']);

        expect(await manager.revokeAll(user, { except: laptop })).toBe(1);
        expect((await manager.load(visit(devices[2]!.cookie))).isNew).toBe(true);
        expect((await manager.load(visit(devices[0]!.cookie))).userId).toBe(user);
        expect(await manager.revokeAll(user)).toBe(1);
        expect((await manager.load(visit(devices[0]!.cookie))).isNew).toBe(true);
        expect(await manager.list(user)).toEqual([]);
      }, 30_000);

      test('revokeAll: requests in flight that commit afterwards are not served as the session, and a racing login is either revoked or listed', async () => {
        const manager = createSessionManager({ store, logger: quiet, regenerateEvery: false });
        const other = createSessionManager({ store, logger: quiet, regenerateEvery: false });
        const user = `user-${randomKey().slice(0, 8)}`;
        const first = await manager.load(visit());
        first.login(user);
        const cookie = pairOf((await manager.commit(first))!);
        // In flight: loaded before the revocation, committing after it.
        const inFlight = await Promise.all([manager, other].map((m) => m.load(visit(cookie))));
        expect(inFlight.map((session) => session.userId)).toEqual([user, user]);
        await other.revokeAll(user);
        inFlight[0]!.set('late', 1);
        inFlight[1]!.refresh({ rotate: true });
        const late = await Promise.all([manager.commit(inFlight[0]!), other.commit(inFlight[1]!)]);
        for (const setCookie of late) {
          if (setCookie === undefined || /Max-Age=0/.test(setCookie)) continue;
          expect((await manager.load(visit(pairOf(setCookie)))).isNew).toBe(true);
        }
        expect((await manager.load(visit(cookie))).isNew).toBe(true);

        // Logins racing revocations: a login that survives is always one the user can see and revoke.
        for (let round = 0; round < 10; round++) {
          const session = await manager.load(visit());
          session.login(user);
          const [setCookie] = await Promise.all([manager.commit(session), other.revokeAll(user)]);
          const loggedIn = setCookie !== undefined && !/Max-Age=0/.test(setCookie);
          const survived = loggedIn && (await manager.load(visit(pairOf(setCookie)))).userId === user;
          expect((await manager.list(user)).length).toBe(survived ? 1 : 0);
          await manager.revokeAll(user);
        }
      }, 60_000);

      test('a slow write racing a logout: the session stays destroyed', async () => {
        const manager = createSessionManager({ store, logger: quiet, regenerateEvery: false });
        const first = await manager.load(visit());
        first.set('user', 'ada');
        const cookie = pairOf((await manager.commit(first))!);
        const slow = await manager.load(visit(cookie));
        const logout = await manager.load(visit(cookie));
        logout.invalidate();
        await manager.commit(logout);
        slow.set('late', true);
        expect(await manager.commit(slow)).toBeUndefined();
        expect((await manager.load(visit(cookie))).isNew).toBe(true);
      });

      test('the backend never holds a live session id, only its SHA-256', async () => {
        if (!contract.rawDump) throw new Error('rawDump is required unless skipped with a reason');
        const manager = createSessionManager({ store, logger: quiet, regenerateEvery: false });
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          const session = await manager.load(visit());
          session.set('n', i);
          ids.push(pairOf((await manager.commit(session))!).split('=')[1]!);
        }
        const dump = await contract.rawDump();
        for (const id of ids) {
          expect(dump).not.toContain(id);
          expect(dump).toContain(createHash('sha256').update(id).digest('hex'));
        }
      });
    });
  });
}
