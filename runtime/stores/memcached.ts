/**
 * Memcached store: one item per session, `<prefix><key>`, holding the record's text form, with
 * memcached's own expiry. memcached drops expired items by itself, so there is nothing to sweep.
 * Memcached may also evict a live session when it runs out of memory: size it so it does not.
 *
 *   memcached://127.0.0.1:11211                  one server
 *   memcached://user:password@host:11211         SASL (the binary protocol memjs speaks)
 *   memcached://host-a:11211,host-b:11211        several servers; each key lives on one of them
 *   memcached://host:11211?prefix=myapp:&timeout=2000
 *
 * Conditional writes use memcached's own atomic checks: `add` for a create, compare-and-swap
 * for an update. memjs has no CAS call, so the requests are built with memjs' protocol helpers
 * and sent through its connection (`perform`); the server still does the compare-and-swap.
 */
import { Client, type Response, Server, Utils } from 'memjs';
import { BoundedMap } from '../core/bounded-map.js';
import { SessionConfigError, SessionStoreError, type StoreErrorCode } from '../core/errors.js';
import type { SessionRecord, SessionStore } from '../core/store.js';
import { checkUrlParams } from '../core/url-params.js';
import { decodeRecord, encodeRecord } from './_record.js';

export interface MemcachedOptions {
  /**
   * `memcached:` URL with one or more comma-separated servers; may carry `?prefix=` and `?timeout=`.
   * @default "memcached://127.0.0.1:11211"
   */
  url?: string;
  /**
   * Prepended to every key, so sessions can share a server with other data. Overrides `?prefix=`.
   * memcached keys are at most 250 bytes and the session key takes 64, so at most 186 bytes.
   * @default "sess:"
   */
  prefix?: string;
  /**
   * Longest a call waits, in ms, for a connection and a reply; it then fails instead of
   * hanging, so requests get a quick 503 during an outage. Overrides `?timeout=`.
   * @default 1000
   */
  timeout?: number;
}

/** Longest expiry memcached takes as relative seconds; a larger number is a Unix time. */
export const MEMCACHED_MAX_RELATIVE_SECONDS = 30 * 24 * 60 * 60;

/**
 * The expiry memcached needs for an item that dies at `expiresAt` (epoch ms): seconds from now
 * up to 30 days, the absolute Unix time beyond: memcached reads any larger number as a date, so
 * relative seconds for a long session would name a day in 1970 and the item would expire at once. memcached's clock ticks once a second, so a relative
 * expiry can end up to a second early: one second more keeps the item until `expiresAt`, and
 * the record's own expiresAt hides it on time. Never 0, which means "never expire".
 */
export function memcachedExpiry(expiresAt: number, now = Date.now()): number {
  const seconds = Math.max(0, Math.ceil((expiresAt - now) / 1000)) + 1;
  return seconds <= MEMCACHED_MAX_RELATIVE_SECONDS ? seconds : Math.ceil(expiresAt / 1000);
}

// Binary protocol opcodes and statuses (https://github.com/memcached/memcached/wiki/BinaryProtocolRevamped).
const GET = 0x00;
const SET = 0x01;
const ADD = 0x02;
const DELETE = 0x04;
const OK = 0x00;
const NOT_FOUND = 0x01;
const EXISTS = 0x02;
const TOO_LARGE = 0x03;
const NOT_STORED = 0x05;
/** Sessions whose CAS token is remembered (see `tokens`). */
const MAX_TOKENS = 1_000;
/** Answers that are not failures: the caller reads them as "missing" or "someone else won". */
const EXPECTED = new Set([OK, NOT_FOUND, EXISTS, NOT_STORED]);

export function memcachedStore(options: MemcachedOptions = {}): SessionStore {
  const url = options.url ?? 'memcached://127.0.0.1:11211';
  const match = /^memcached:\/\/([^/?#]*)(.*)$/.exec(url);
  if (!match) throw new SessionConfigError('url', 'must be memcached://host:port[,host:port]', 'memcached');
  const [, authority = '', rest = ''] = match;
  const at = authority.lastIndexOf('@');
  // `new URL` takes one host, so it reads credentials and query with the first server alone.
  const parsed = parse(`memcached://${authority.slice(0, at + 1)}x${rest}`);
  checkUrlParams('memcached', parsed.searchParams, ['prefix', 'timeout']);
  const prefix = options.prefix ?? parsed.searchParams.get('prefix') ?? 'sess:';
  const timeout = options.timeout ?? Number(parsed.searchParams.get('timeout') ?? 1000);
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new SessionConfigError('timeout', `must be a positive number of ms; got ${String(timeout)}`, 'memcached');
  if (
    Buffer.byteLength(prefix) > 186 ||
    /\s/.test(prefix) ||
    Array.from(prefix).some((char) => char < ' ' || char === '\x7f')
  )
    throw new SessionConfigError(
      'prefix',
      'must be at most 186 bytes without spaces or control characters',
      'memcached',
    );

  const username = decodeURIComponent(parsed.username) || undefined;
  const password = decodeURIComponent(parsed.password) || undefined;
  const serverOptions = { timeout: timeout / 1000, conntimeout: timeout / 1000 };
  const servers = authority
    .slice(at + 1)
    .split(',')
    .map((hostPort) => {
      const { hostname, port } = parse(`memcached://${hostPort}`);
      return new Server(
        hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
        Number(port || 11211),
        username,
        password,
        serverOptions,
      );
    });
  const client = new Client(servers, {
    // One attempt: a retried CAS or add whose first try did land would report a false conflict.
    retries: 1,
    logger: {
      log() {
        // Failures reach the caller as rejected calls; memjs would also print each to the console.
      },
    },
  });
  let closed = false;
  // memjs' own request counter turns negative after 2^31 requests, and every request then
  // throws; this one wraps within 1..2^32-1 (0 is what memjs uses for authentication).
  let seq = 0;

  /** Sends one request, with `cas` in the header when given, and resolves memcached's response. */
  function send(
    operation: string,
    opcode: number,
    key: string,
    value = '',
    expiry?: number,
    cas?: Buffer,
  ): Promise<Response> {
    return new Promise((resolve, reject) => {
      const fail = (code: StoreErrorCode, detail: string, cause?: unknown) => {
        reject(new SessionStoreError('memcached', code, `${operation} failed: ${detail}`, { cause }));
      };
      if (closed) {
        fail('failed', 'the store is closed');
        return;
      }
      // Our own deadline: memjs' timeouts do not cover every path (e.g. a reconnect race), and a
      // call must never hang.
      const timer = setTimeout(() => {
        fail('timeout', `no reply within ${String(timeout)} ms`);
      }, timeout);
      seq = (seq % 0xffff_fffe) + 1;
      // SET and ADD carry 4 bytes of flags (unused, 0) and 4 of expiry.
      const extras = Buffer.alloc(expiry === undefined ? 0 : 8);
      if (expiry !== undefined) extras.writeUInt32BE(expiry, 4);
      const request = Utils.makeRequestBuffer(opcode, key, extras, value, seq);
      cas?.copy(request, 16); // the header's CAS field: store only if the item is unchanged
      client.perform(key, request, seq, (error: unknown, response?: Response) => {
        clearTimeout(timer);
        if (!response) {
          const detail = error instanceof Error ? error.message : String(error);
          fail(detail.includes('timed out') ? 'timeout' : 'unavailable', detail, error);
          return;
        }
        const status = response.header.status;
        if (status === TOO_LARGE) fail('too-large', 'the session is larger than memcached accepts');
        else if (!EXPECTED.has(status)) fail('failed', `memcached answered status ${String(status)}`);
        else resolve(response);
      });
    });
  }

  /**
   * The stored item's CAS token and, if it is a live record of ours, the record; undefined when
   * there is no item. memcached's expiry counts whole seconds, rounded up; the record's is exact.
   */
  async function read(operation: string, key: string) {
    const response = await send(operation, GET, prefix + key);
    if (response.header.status !== OK) return undefined;
    const record = decodeRecord(response.val.toString('utf8'));
    const live = record && record.expiresAt > Date.now() ? record : undefined;
    if (live) tokens.set(key, { version: live.version, cas: response.header.cas });
    return { live, cas: response.header.cas };
  }

  /** Stores `record`; with `cas`, only if the item is still the one read with that token. */
  async function put(operation: string, opcode: number, key: string, record: SessionRecord, cas?: Buffer) {
    const expiry = memcachedExpiry(record.expiresAt);
    const response = await send(operation, opcode, prefix + key, encodeRecord(record), expiry, cas);
    if (response.header.status !== OK) return false; // EXISTS, NOT_FOUND or NOT_STORED: someone else won
    tokens.set(key, { version: record.version, cas: response.header.cas });
    return true;
  }

  /**
   * The CAS token of the last version of each recent session this process read or wrote. A
   * conditional write whose expected version is remembered sends its SET with that token at
   * once, instead of reading the item again first: if the item changed in between, memcached
   * refuses the SET and the write falls back to reading. Saves one round trip of three on a
   * read-modify-write request. Bounded, oldest first out.
   */
  const tokens = new BoundedMap<string, { version: number; cas: Buffer }>(MAX_TOKENS);

  return {
    name: 'memcached',

    get: async (key) => (await read('get', key))?.live,

    async write(key, record, expectedVersion) {
      if (expectedVersion === undefined) {
        if (await put('write', ADD, key, record)) return true;
        // `add` also refuses while memcached still holds a record that is dead by its own
        // expiresAt; replace that one, with CAS so a live record written meanwhile is kept.
        const current = await read('write', key);
        return current !== undefined && !current.live && put('write', SET, key, record, current.cas);
      }
      // A stale token is harmless: memcached refuses the SET, and the read below replaces it.
      const known = tokens.get(key);
      if (known?.version === expectedVersion && (await put('write', SET, key, record, known.cas))) return true;
      // No token, or the item changed since (a renewal by another process changes it too):
      // decide on what is stored now.
      const current = await read('write', key);
      return current?.live?.version === expectedVersion && put('write', SET, key, record, current.cas);
    },

    // memcached cannot report an item's remaining time, so `get` would not see a plain `touch`.
    // The new expiresAt therefore goes into the record's header, written with CAS so a
    // concurrent write or destroy is never undone: that write set its own expiry, so losing the
    // race only skips a renewal that is no longer needed.
    async touch(key, expiresAt) {
      const current = await read('touch', key);
      if (!current?.live) return false;
      // A lost CAS race means a concurrent write renewed the record itself: it is still live.
      await put('touch', SET, key, { ...current.live, expiresAt }, current.cas);
      return true;
    },

    async destroy(key) {
      tokens.delete(key);
      const response = await send('destroy', DELETE, prefix + key);
      if (response.header.status !== OK && response.header.status !== NOT_FOUND)
        throw new SessionStoreError('memcached', 'failed', `destroy failed: status ${String(response.header.status)}`);
    },

    // memcached drops expired items itself and cannot list keys, so there is nothing to sweep.
    deleteExpired: () => Promise.resolve(undefined),

    close() {
      closed = true;
      client.close();
      return Promise.resolve();
    },
  };
}

function parse(url: string): URL {
  try {
    return new URL(url);
  } catch {
    // The URL may hold a password, so it is not echoed.
    throw new SessionConfigError('url', 'is not a valid memcached://host:port[,host:port] URL', 'memcached');
  }
}
