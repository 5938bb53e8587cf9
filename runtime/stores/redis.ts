/**
 * Redis store: one string key per session, `<prefix><key>`, holding the record's text form, with
 * Redis' own expiry set in the same command as the write. Redis deletes expired sessions by
 * itself, so there is nothing to sweep. Needs Redis 7.0+ (or Valkey) for PXAT and PEXPIRETIME.
 *
 *   redis://127.0.0.1:6379                          one server
 *   redis://user:password@host:6379/2               ACL user, password, database 2
 *   rediss://host:6380                              TLS
 *   redis+cluster://host:7001,host:7002             Redis Cluster: any reachable nodes, database 0
 *   rediss+cluster://host:7001,host:7002            Redis Cluster over TLS
 *   redis+sentinel://host:26379,host:26380/mymaster  Sentinel: the master of group "mymaster", database 0
 *   redis+sentinel://:password@host:26379/mymaster/2 the master's password, database 2
 *   redis://host:6379?prefix=myapp:sess:&timeout=2000
 *
 * With Sentinel, the URL lists sentinels; the client asks them for the master and moves to the
 * new one after a failover. Its credentials are the master's; sentinels that want their own take
 * `?sentinelUsername=` and `?sentinelPassword=`.
 *
 * Every operation touches one key, so it is slot-safe in a cluster. Calls never queue while the
 * server is away: each fails within `timeout` ms, and the client reconnects in the background,
 * so the store recovers by itself when the server returns.
 */
import { Cluster, Redis } from 'ioredis';
import { SessionConfigError, SessionStoreError, type StoreErrorCode } from '../core/errors.js';
import type { SessionStore } from '../core/store.js';
import { checkUrlParams } from '../core/url-params.js';
import { decodeRecord, encodeRecord } from './_record.js';
import { parsePath, parseUrl } from './_redis-url.js';

export interface RedisOptions {
  /**
   * `redis:`, `rediss:`, `redis+cluster:`, `rediss+cluster:` or `redis+sentinel:` URL; may carry
   * `?prefix=` and `?timeout=`.
   * @default "redis://127.0.0.1:6379"
   */
  url?: string;
  /**
   * Prepended to every key, so sessions can share a server with other data. Overrides `?prefix=`.
   * @default "sess:"
   */
  prefix?: string;
  /**
   * Longest a call waits, in ms, for a reply or for a connection; it then fails instead of
   * hanging, so requests get a quick 503 during an outage. Overrides `?timeout=`.
   * @default 1000
   */
  timeout?: number;
}

/**
 * Renewal: the expiry in the record's header (its fifth element, see ./_record.ts) and Redis'
 * own expiry move together, so a read needs nothing but GET. It rewrites the value, but the core
 * renews an unchanged session only once per tenth of its lifetime, while it reads it on every
 * request. Answers 0 for a missing key (Redis has already dropped an expired one).
 */
const TOUCH_SCRIPT = `
local text = redis.call('GET', KEYS[1])
if not text then return 0 end
local head, tail = string.match(text, '^(%[%d+,%d+,%d+,%d+,)%d+(.*)$')
if not head then return 0 end
redis.call('SET', KEYS[1], head .. ARGV[1] .. tail, 'PXAT', ARGV[1])
return 1`;

/**
 * Replace only if the stored version equals ARGV[2]; write and expiry in one SET. The version
 * is the second element of the record's JSON header (`[1,<version>,...`, see ./_record.ts);
 * reading it with a pattern avoids decoding the whole record.
 */
const UPDATE_SCRIPT = `
local text = redis.call('GET', KEYS[1])
if not text or string.match(text, '^%[%d+,(%d+),') ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[3])
return 1`;

/** The scripts above, as ioredis adds them to the client (EVALSHA, falling back to EVAL once). */
interface Scripts {
  sessionTouch(key: string, expiresAt: string): Promise<number>;
  sessionUpdate(key: string, text: string, expectedVersion: string, expiresAt: string): Promise<number>;
}

export function redisStore(options: RedisOptions = {}): SessionStore {
  const raw = options.url ?? 'redis://127.0.0.1:6379';
  const { url, nodes, topology, tls } = parseUrl(raw);
  const cluster = topology === 'cluster';
  checkUrlParams('redis', url.searchParams, ['prefix', 'timeout', 'sentinelUsername', 'sentinelPassword']);
  const prefix = options.prefix ?? url.searchParams.get('prefix') ?? 'sess:';
  const timeout = options.timeout ?? Number(url.searchParams.get('timeout') ?? 1000);
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new SessionConfigError('timeout', `must be a positive number of ms; got ${String(timeout)}`, 'redis');
  const { db, masterName } = parsePath(url.pathname, topology);

  const connection = {
    username: decodeURIComponent(url.username) || undefined,
    password: decodeURIComponent(url.password) || undefined,
    tls: tls ? {} : undefined,
    connectTimeout: timeout,
    commandTimeout: timeout,
    // A connection that sends nothing back for this long while replies are due is dead (a
    // frozen server, a dropped network path): destroy it so the client reconnects.
    socketTimeout: timeout,
    // A reply lost with the connection fails its call (the caller has already been told it
    // failed), instead of being resent minutes later when the server returns.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
  };
  const scripts = {
    sessionTouch: { lua: TOUCH_SCRIPT, numberOfKeys: 1 },
    sessionUpdate: { lua: UPDATE_SCRIPT, numberOfKeys: 1 },
  };
  // Reconnect forever, at most a second apart, so the store recovers soon after an outage.
  const retry = (attempt: number) => Math.min(attempt * 100, 1_000);
  // No offline queue: a call made while disconnected must fail fast, not pile up in memory.
  const client = cluster
    ? new Cluster(nodes, {
        enableOfflineQueue: false,
        clusterRetryStrategy: retry,
        slotsRefreshTimeout: timeout,
        redisOptions: connection,
        scripts,
      })
    : new Redis({
        ...(topology === 'sentinel' ? sentinelOptions(nodes, masterName, url, timeout, retry) : nodes[0]),
        ...connection,
        db,
        enableOfflineQueue: false,
        retryStrategy: retry,
        scripts,
      });
  const commands = client as unknown as Scripts;

  // Without an 'error' listener an EventEmitter throws, which would crash the app on the first
  // refused connection. The error is kept to explain the calls that fail meanwhile.
  let lastError: unknown;
  client.on('error', (error: unknown) => (lastError = error));
  client.on('node error', (error: unknown) => (lastError = error));

  // Calls waiting for the connection, started by the next 'ready'. A call that gives up leaves
  // the set, so a long outage holds only the calls of the last `timeout` ms, and a call that
  // already failed never runs later behind its caller's back.
  const waiting = new Set<() => void>();
  let closed = false;
  client.on('ready', () => {
    for (const start of waiting) start();
  });

  /**
   * Runs one operation within `timeout` ms, waiting for the connection first if it is not up.
   * On a ready connection the client's own commandTimeout bounds the call, so the common case
   * costs no timer of ours.
   */
  function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    if (!closed && client.status === 'ready')
      return run().catch((error: unknown) => {
        throw new SessionStoreError('redis', codeOf(error), `${operation} failed: ${describe(error)}`, {
          cause: error,
        });
      });
    return new Promise<T>((resolve, reject) => {
      const fail = (code: StoreErrorCode, detail: string, cause: unknown) => {
        reject(new SessionStoreError('redis', code, `${operation} failed: ${detail}`, { cause }));
      };
      if (closed) {
        fail('failed', 'the store is closed', undefined);
        return;
      }
      const timer = setTimeout(() => {
        // Not connected: an outage, unless the server turned us away (a wrong password, say).
        if (waiting.delete(start)) {
          const code =
            lastError === undefined || codeOf(lastError) !== 'misconfigured' ? 'unavailable' : 'misconfigured';
          fail(code, `not connected within ${String(timeout)} ms: ${describe(lastError)}`, lastError);
        } else fail('timeout', `no reply within ${String(timeout)} ms`, undefined);
      }, timeout);
      function start() {
        waiting.delete(start);
        run()
          .then(resolve, (error: unknown) => {
            fail(codeOf(error), describe(error), error);
          })
          .finally(() => {
            clearTimeout(timer);
          });
      }
      if (client.status === 'ready') start();
      else waiting.add(start);
    });
  }

  const keyOf = (key: string) => prefix + key;

  return {
    name: 'redis',

    get: (key) =>
      call('get', async () => {
        const text = await client.get(keyOf(key));
        const record = text === null ? undefined : decodeRecord(text);
        if (!record || record.expiresAt > Date.now()) return record;
        // Redis still holds a record its header calls expired: renewed by an older version of
        // this store, which moved only the key's expiry. Redis' expiry is the truth then; a key
        // without one (-1) was not written by this store.
        const expiresAt = await client.pexpiretime(keyOf(key));
        if (expiresAt < 0) return undefined;
        record.expiresAt = expiresAt;
        return record;
      }),

    write: (key, record, expectedVersion) =>
      call('write', async () => {
        const text = encodeRecord(record);
        const expiresAt = String(record.expiresAt);
        // A create needs no script: SET NX checks and writes atomically.
        if (expectedVersion === undefined)
          return (await client.set(keyOf(key), text, 'PXAT', expiresAt, 'NX')) === 'OK';
        return (await commands.sessionUpdate(keyOf(key), text, String(expectedVersion), expiresAt)) === 1;
      }),

    touch: (key, expiresAt) =>
      call('touch', async () => (await commands.sessionTouch(keyOf(key), String(expiresAt))) === 1),

    destroy: (key) =>
      call('destroy', async () => {
        await client.del(keyOf(key));
      }),

    // Redis removes expired keys itself; a KEYS or SCAN sweep would only cost the server.
    deleteExpired: () => Promise.resolve(undefined),

    async close() {
      closed = true;
      // QUIT lets replies in flight arrive (bounded by commandTimeout); disconnect then stops
      // any reconnection timer.
      if (client.status === 'ready')
        await client.quit().catch(() => {
          // a failed QUIT changes nothing: the disconnect below ends the connection anyway
        });
      client.disconnect();
    },
  };
}

/**
 * How to find the master through the sentinels. The failover detector listens for Sentinel's
 * switch-master announcement, so the client leaves a demoted master at once instead of waiting
 * for its writes to be refused; a write refused meanwhile (READONLY) reconnects too.
 */
function sentinelOptions(
  sentinels: { host: string; port: number }[],
  name: string,
  url: URL,
  timeout: number,
  retry: (attempt: number) => number,
) {
  return {
    sentinels,
    name,
    sentinelUsername: url.searchParams.get('sentinelUsername') ?? undefined,
    sentinelPassword: url.searchParams.get('sentinelPassword') ?? undefined,
    sentinelCommandTimeout: timeout,
    sentinelRetryStrategy: retry,
    failoverDetector: true,
    reconnectOnError: (error: Error) => error.message.startsWith('READONLY'),
  };
}

/** Reply errors are Redis refusing a command; anything else from ioredis is the connection. */
function codeOf(error: unknown): StoreErrorCode {
  const message = describe(error);
  if (/timed out/i.test(message)) return 'timeout';
  // A wrong password or user, or an ACL that forbids our commands: no retry helps.
  if (/^(NOAUTH|WRONGPASS|NOPERM)|invalid (username-)?password|AUTH .*called without any password/i.test(message))
    return 'misconfigured';
  if (
    error instanceof Error &&
    error.name === 'ReplyError' &&
    !/^(CLUSTERDOWN|LOADING|MASTERDOWN|TRYAGAIN)/.test(message)
  )
    return 'failed';
  return 'unavailable';
}

function describe(error: unknown): string {
  const detail: unknown = error ?? 'no connection yet';
  return error instanceof Error ? error.message : String(detail);
}
