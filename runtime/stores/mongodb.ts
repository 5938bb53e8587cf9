/**
 * MongoDB store: one document per session, filed under the SHA-256 key the core hands over
 * (never the session id). Each write is one conditional operation on one document, which
 * MongoDB applies atomically, so two requests of one session never overwrite each other blindly.
 *
 *   mongodb://user:password@db.example.com:27017/app
 *   mongodb+srv://user:password@cluster.example.net/app?collection=web_sessions
 *
 * The database is the URL's path (the driver's default, `test`, when there is none). `collection`
 * is read from the URL; every other parameter goes to the driver (authSource, tls, ...).
 *
 * A TTL index lets the server remove expired documents by itself; where the server cannot make
 * one, nothing depends on it: reads skip expired documents and deleteExpired sweeps them.
 *
 * FerretDB 1.x speaks the protocol but runs an update as "find, then write by _id" in two steps,
 * so there two concurrent writes to one session can both succeed (the later one wins). Use
 * MongoDB where several requests of one session may write at once.
 */
import {
  type Collection,
  MongoClient,
  type MongoClientOptions,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoServerError,
  MongoServerSelectionError,
} from 'mongodb';
import { SessionConfigError, SessionStoreError, type StoreErrorCode } from '../core/errors.js';
import type { SessionRecord, SessionStore } from '../core/store.js';

export interface MongodbOptions {
  /** `mongodb://` or `mongodb+srv://` URL; its path names the database. */
  url: string;
  /**
   * Collection holding the sessions.
   * @default "sessions" (or the URL's `?collection=`)
   */
  collection?: string;
  /**
   * Create a TTL index on `expiresAt` so the server deletes expired sessions itself. Skipped
   * quietly where the server refuses it.
   * @default true
   */
  ttlIndex?: boolean;
  /**
   * ms to find a reachable server before an operation fails, so an outage fails requests fast.
   * Like the settings below, it may also be given as a URL parameter.
   * @default 2000
   */
  serverSelectionTimeoutMS?: number;
  /**
   * ms to open a connection.
   * @default 2000
   */
  connectTimeoutMS?: number;
  /**
   * ms an operation may wait for the server's reply on an open connection.
   * @default 5000
   */
  socketTimeoutMS?: number;
  /**
   * Retry a read or write once after a network error (the driver's retryReads/retryWrites).
   * Off, an unreachable server fails a request within about one timeout instead of several; a
   * failed write is safe to redo because every write is conditional.
   * @default false
   */
  retry?: boolean;
  /**
   * Most connections the driver opens; more requests queue for a free one.
   * @default 10
   */
  maxPoolSize?: number;
}

/** The stored shape. `expiresAt` is a Date because TTL indexes only act on dates. */
interface SessionDocument {
  _id: string;
  data: string;
  version: number;
  createdAt: number;
  issuedAt: number;
  expiresAt: Date;
  maxAge: number;
  ip: string;
  userAgent: string;
}

const KEY = /^[0-9a-f]{64}$/;
const COLLECTION = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,119}$/;
const DUPLICATE_KEY = 11000;

export function mongodbStore(options: MongodbOptions): SessionStore {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    return fail('url', 'is not a valid URL');
  }
  if (url.protocol !== 'mongodb:' && url.protocol !== 'mongodb+srv:') {
    fail('url', `must start with mongodb: or mongodb+srv:; got "${url.protocol}"`);
  }
  const name = options.collection ?? url.searchParams.get('collection') ?? 'sessions';
  if (!COLLECTION.test(name) || name.startsWith('system.')) {
    fail('collection', `must be letters, digits, _ . - (not system.*); got ${JSON.stringify(name)}`);
  }
  url.searchParams.delete('collection'); // ours, not the driver's
  const client = new MongoClient(url.href, driverSettings(url, options));
  // The driver connects on first use and reconnects by itself after an outage.
  const sessions: Collection<SessionDocument> = client.db().collection<SessionDocument>(name);

  let indexed: Promise<unknown> | undefined;
  const ensureIndex = () => {
    indexed ??= options.ttlIndex === false ? Promise.resolve() : createTtlIndex(sessions);
    return indexed.catch((error: unknown) => {
      indexed = undefined; // unreachable server: try again on the next call
      throw error;
    });
  };

  /** Checks the key before anything reaches the server, so user input never shapes a query. */
  async function run<T>(key: string | null, work: () => Promise<T>): Promise<T> {
    if (key !== null && !(typeof key === 'string' && KEY.test(key))) {
      throw new SessionStoreError('mongodb', 'failed', 'refused a key that is not 64 lowercase hex characters');
    }
    try {
      await ensureIndex();
      return await work();
    } catch (error) {
      throw storeError(error);
    }
  }

  const fields = (r: SessionRecord): Omit<SessionDocument, '_id'> => ({
    data: r.data,
    version: r.version,
    createdAt: r.createdAt,
    issuedAt: r.issuedAt,
    expiresAt: new Date(r.expiresAt),
    maxAge: r.maxAge,
    ip: r.ip,
    userAgent: r.userAgent,
  });

  return {
    name: 'mongodb',

    get: (key) =>
      run(key, async () => {
        // By _id alone, expiry checked here: the same answer, and a filter every server serves
        // from the _id index (FerretDB, for one, scans the collection for any other filter).
        const doc = await sessions.findOne({ _id: key });
        const record = doc ? recordOf(doc) : undefined;
        return record && record.expiresAt > Date.now() ? record : undefined;
      }),

    write: (key, record, expectedVersion) =>
      run(key, async () => {
        const now = new Date();
        if (expectedVersion !== undefined) {
          const result = await sessions.replaceOne(
            { _id: key, version: expectedVersion, expiresAt: { $gt: now } },
            fields(record),
          );
          return result.matchedCount === 1;
        }
        // Create: a plain insert, which the unique _id index refuses when the key is taken. A
        // fresh id's key never is, so the fallback below is for a dead session's leftover only.
        if (await refusedAsDuplicate(sessions.insertOne({ _id: key, ...fields(record) }))) {
          // One atomic upsert: it replaces the document only if it has expired; a live one fails
          // the filter, so the upsert tries to insert a second `_id`, which is refused again.
          const replace = sessions.replaceOne({ _id: key, expiresAt: { $lte: now } }, fields(record), { upsert: true });
          if (await refusedAsDuplicate(replace)) return false;
        }
        return true;
      }),

    touch: (key, expiresAt) =>
      run(key, async () => {
        // Only a live document: an expired one stays dead even if not yet removed.
        const result = await sessions.updateOne(
          { _id: key, expiresAt: { $gt: new Date() } },
          { $set: { expiresAt: new Date(expiresAt) } },
        );
        return result.matchedCount > 0;
      }),

    destroy: (key) =>
      run(key, async () => {
        await sessions.deleteOne({ _id: key });
      }),

    deleteExpired: () =>
      run(null, async () => (await sessions.deleteMany({ expiresAt: { $lte: new Date() } })).deletedCount),

    close: () => client.close(),
  };
}

/**
 * A TTL index (expireAfterSeconds 0: remove at `expiresAt`), else a plain index for the sweep.
 * A server that answers with an error for both (FerretDB versions without TTL support, an
 * existing index with other options) leaves us without one; correctness does not need it.
 */
async function createTtlIndex(sessions: Collection<SessionDocument>): Promise<void> {
  try {
    // Index options only; no command options (undefined), as the driver's current overload takes them.
    await sessions.createIndex({ expiresAt: 1 }, { name: 'expiresAt_ttl', expireAfterSeconds: 0 }, undefined);
  } catch (error) {
    if (!(error instanceof MongoServerError)) throw error;
    await sessions.createIndex({ expiresAt: 1 }, { name: 'expiresAt' }, undefined).catch((again: unknown) => {
      if (!(again instanceof MongoServerError)) throw again;
    });
  }
}

/** Whether a write failed on the unique _id index (the key is taken); any other failure is thrown. */
async function refusedAsDuplicate(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return false;
  } catch (error) {
    if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) return true;
    throw error;
  }
}

/** A document becomes a record only if every field has the expected type. */
function recordOf(doc: SessionDocument): SessionRecord | undefined {
  const { data, version, createdAt, issuedAt, expiresAt, maxAge, ip, userAgent } = doc;
  if (typeof data !== 'string' || typeof ip !== 'string' || typeof userAgent !== 'string') return undefined;
  if (!(expiresAt instanceof Date) || ![version, createdAt, issuedAt, maxAge].every(Number.isSafeInteger))
    return undefined;
  return { data, version, createdAt, issuedAt, expiresAt: expiresAt.getTime(), maxAge, ip, userAgent };
}

/** Our defaults for the driver, each used only where neither the options nor the URL set it. */
function driverSettings(url: URL, options: MongodbOptions): MongoClientOptions {
  const inUrl = new Set([...url.searchParams.keys()].map((name) => name.toLowerCase()));
  const settings: Record<string, number | boolean> = {};
  const set = (name: string, value: number | boolean | undefined, fallback: number | boolean) => {
    if (typeof value === 'number' && !(Number.isSafeInteger(value) && value > 0)) {
      fail(name, `must be a positive whole number; got ${String(value)}`);
    }
    if (value !== undefined || !inUrl.has(name.toLowerCase())) settings[name] = value ?? fallback;
  };
  set('serverSelectionTimeoutMS', options.serverSelectionTimeoutMS, 2_000);
  set('connectTimeoutMS', options.connectTimeoutMS, 2_000);
  set('socketTimeoutMS', options.socketTimeoutMS, 5_000);
  set('maxPoolSize', options.maxPoolSize, 10);
  set('retryReads', options.retry, false);
  set('retryWrites', options.retry, false);
  return settings;
}

function fail(option: string, problem: string): never {
  throw new SessionConfigError(option, problem, 'mongodb');
}

/** Gives driver errors the machine-readable code that logs and metrics group by. */
function storeError(error: unknown): SessionStoreError {
  if (error instanceof SessionStoreError) return error;
  const kind = kindOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  return new SessionStoreError('mongodb', kind, `${kind === 'failed' ? 'operation failed' : kind}: ${detail}`, {
    cause: error,
  });
}

function kindOf(error: unknown): StoreErrorCode {
  // The timeout class extends the network error class, so it is tested first.
  if (error instanceof MongoNetworkTimeoutError) return 'timeout';
  if (error instanceof MongoServerSelectionError || error instanceof MongoNetworkError) return 'unavailable';
  if (error instanceof MongoServerError && error.code === 10334) return 'too-large'; // BSONObjectTooLarge
  // AuthenticationFailed, Unauthorized: wrong credentials or missing rights, which no retry fixes.
  if (error instanceof MongoServerError && (error.code === 18 || error.code === 13)) return 'misconfigured';
  return 'failed';
}
