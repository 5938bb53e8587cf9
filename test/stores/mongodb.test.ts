import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionConfigError, SessionStoreError } from '../../runtime/core/errors.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import { mongodbStore } from '../../runtime/stores/mongodb.js';
import { relayTo } from '../helpers/relay.js';
import { requireServer, serverUrl } from '../helpers/servers.js';
import { randomKey, sampleRecord, testStore } from '../store-contract.js';

const url = serverUrl('SESSION_TEST_MONGODB_URL', 'mongodb://127.0.0.1:27017/session_test');
const up = await requireServer('MongoDB (FerretDB)', url, 27017, 'bash scripts/services.sh ferretdb');
// One collection per run (and per test that needs a fresh one), all dropped at the end.
const run = randomBytes(4).toString('hex');
const collections: string[] = [];
const collectionName = (purpose: string) => {
  const name = `sessions_${purpose}_${run}`;
  collections.push(name);
  return name;
};
const storeOn = (collection: string) => mongodbStore({ url, collection });

/** FerretDB's buildInfo names it; real MongoDB's does not. */
async function ferretDbVersion(): Promise<string | undefined> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
  try {
    const info = await client.db().admin().command({ buildInfo: 1 });
    console.info(
      `[mongodb] server reports MongoDB ${info.version}${info.ferretdbVersion ? `, FerretDB ${info.ferretdbVersion}` : ''}`,
    );
    return info.ferretdbVersion;
  } finally {
    await client.close();
  }
}
const ferretdb = up ? await ferretDbVersion() : undefined;

describe.skipIf(!up)('mongodb store on a real server', () => {
  let admin: MongoClient;
  beforeAll(() => {
    admin = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
  });
  afterAll(async () => {
    const existing = new Set((await admin.db().listCollections().toArray()).map((c) => c.name));
    for (const name of collections) if (existing.has(name)) await admin.db().collection(name).drop();
    await admin.close();
  });
  const raw = (collection: string) => admin.db().collection<{ _id: string; [field: string]: unknown }>(collection);
  const hasTtlIndex = async (collection: string) =>
    (await raw(collection).indexes()).some((index) => index.key.expiresAt === 1 && index.expireAfterSeconds === 0);

  const contractCollection = collectionName('contract');
  testStore('mongodb', {
    create: () => storeOn(contractCollection),
    // Checked against FerretDB 1.24's source: msg_update.go finds the matching documents, then
    // the backend writes each one by _id alone, so concurrent updates all match one version.
    // MongoDB applies the filter and the write atomically and runs this case.
    skip: ferretdb?.startsWith('v1.')
      ? [
          {
            reason: `FerretDB ${ferretdb} does not apply an update's filter atomically`,
            // The cases that meet two processes' conditional writes on one document at once.
            tests: [
              '20 concurrent updates against one version: exactly one wins',
              'update(): 50 parallel increments on one session from two processes end at +50',
              'flash messages: added by parallel requests, each shown exactly once to parallel readers in two processes',
              'revokeAll: requests in flight that commit afterwards are not served as the session, and a racing login is either revoked or listed',
            ],
          },
        ]
      : [],
    rawDump: async () => JSON.stringify(await raw(contractCollection).find().toArray()),
  });

  it('indexes expiresAt, with a TTL where the server supports one, and ignores expired documents without it', async () => {
    const store = storeOn(contractCollection);
    try {
      const key = randomKey();
      const past = Date.now() - 1_000;
      await store.get(randomKey()); // first use creates the index
      const indexes = await raw(contractCollection).indexes();
      expect(indexes.some((index) => index.key.expiresAt === 1)).toBe(true);
      console.info(
        `[mongodb] TTL index: ${(await hasTtlIndex(contractCollection)) ? 'yes' : 'no (refused by the server)'}`,
      );

      const expired = {
        data: '{"old":1}',
        version: 3,
        createdAt: past,
        issuedAt: past,
        maxAge: 1_000,
        ip: '',
        userAgent: '',
      };
      await raw(contractCollection).insertOne({ _id: key, ...expired, expiresAt: new Date(past) });
      expect(await store.get(key)).toBeUndefined();
      expect(await store.write(key, sampleRecord({ version: 4 }), 3)).toBe(false); // no update of a dead document
      await store.touch(key, Date.now() + 60_000); // no revival either
      expect((await raw(contractCollection).findOne({ _id: key }))?.expiresAt).toEqual(new Date(past));
      const fresh = sampleRecord({ data: '{"new":1}' });
      expect(await store.write(key, fresh, undefined)).toBe(true); // a create may take over an expired one
      expect(await store.get(key)).toEqual(fresh);
      expect(await store.write(key, sampleRecord({ data: '{"again":1}' }), undefined)).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('deleteExpired removes expired documents, returns the count and keeps live ones', async () => {
    const collection = collectionName('sweep');
    const store = storeOn(collection);
    try {
      const live = [randomKey(), randomKey()];
      for (const key of live) await store.write(key, sampleRecord(), undefined);
      const past = new Date(Date.now() - 60_000);
      await raw(collection).insertMany(
        Array.from({ length: 50 }, () => ({ _id: randomKey(), data: '{}', version: 1, expiresAt: past })),
      );
      const removed = await store.deleteExpired();
      // A server-side TTL monitor may have taken some first; without one the count is exact.
      if (await hasTtlIndex(collection)) expect(removed).toBeLessThanOrEqual(50);
      else expect(removed).toBe(50);
      expect(await raw(collection).countDocuments()).toBe(2);
      for (const key of live) expect(await store.get(key)).toBeDefined();
      expect(await store.deleteExpired()).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('refuses a key that is not 64 lowercase hex characters before any query', async () => {
    const bad = [
      '{"$gt":""}',
      '$where',
      '../../../../etc/passwd',
      randomKey().toUpperCase(),
      `${randomKey()}0`,
      '',
      { $ne: null } as unknown as string,
      { $regex: '.*' } as unknown as string,
    ];
    // The second store points at a port nothing listens on: a query would fail differently.
    const stores = [
      storeOn(contractCollection),
      mongodbStore({ url: 'mongodb://127.0.0.1:9/none', serverSelectionTimeoutMS: 500 }),
    ];
    try {
      const before = await raw(contractCollection).countDocuments();
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
      expect(await raw(contractCollection).countDocuments()).toBe(before);
    } finally {
      for (const store of stores) await store.close();
    }
  });

  it('raw documents hold only the SHA-256 of the session id, never the id', async () => {
    const collection = collectionName('hashed');
    const manager = createSessionManager({ store: storeOn(collection), logger: { warn: () => {}, error: () => {} } });
    try {
      const session = await manager.load({ cookieHeader: undefined, ip: '127.0.0.1', userAgent: 'test', https: false });
      session.set('user', 'ada');
      const cookie = await manager.commit(session);
      const id = /^session_id=([^;]+)/.exec(cookie ?? '')?.[1];
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const docs = await raw(collection).find().toArray();
      expect(docs).toHaveLength(1);
      const [doc] = docs;
      expect(doc?._id).toBe(createHash('sha256').update(id!).digest('hex'));
      expect(Object.keys(doc ?? {}).sort()).toEqual(
        ['_id', 'createdAt', 'data', 'expiresAt', 'ip', 'issuedAt', 'maxAge', 'userAgent', 'version'].sort(),
      );
      expect(doc?.expiresAt).toBeInstanceOf(Date);
      expect(doc?.data).toBe('{"user":"ada"}');
      expect(JSON.stringify(docs)).not.toContain(id);
    } finally {
      await manager.close();
    }
  });

  it('an outage fails fast without crashing, and the store recovers when the server returns', async () => {
    const server = new URL(url);
    const relay = await relayTo(server.hostname, Number(server.port || 27017));
    const via = new URL(url);
    via.hostname = '127.0.0.1';
    via.port = String(relay.port);
    via.searchParams.set('directConnection', 'true'); // stay on the relay, even for a replica set member
    const store = mongodbStore({ url: via.href, collection: contractCollection });
    try {
      const key = randomKey();
      expect(await store.write(key, sampleRecord(), undefined)).toBe(true);

      // The server hangs (accepts, never answers) and every open connection is cut.
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
});

describe('mongodb store configuration', () => {
  it('rejects a bad collection name and a foreign scheme at start-up', () => {
    expect(() => mongodbStore({ url: 'mongodb://127.0.0.1/test?collection=a$b' })).toThrow(SessionConfigError);
    expect(() => mongodbStore({ url: 'mongodb://127.0.0.1/test', collection: 'system.users' })).toThrow(
      /option "collection"/,
    );
    expect(() => mongodbStore({ url: 'mongodb://127.0.0.1/test', serverSelectionTimeoutMS: 0 })).toThrow(
      /serverSelectionTimeoutMS/,
    );
    expect(() => mongodbStore({ url: 'mysql://127.0.0.1/test' })).toThrow(/\[mongodb\] option "url"/);
    // mongodb+srv: is accepted; the driver resolves its DNS records only on first use.
    void mongodbStore({ url: 'mongodb+srv://user:secret@cluster.example.invalid/app' }).close();
  });
});
