/**
 * Property tests over everything a hostile client or a tampered store can hand the core: the
 * Cookie header, the signed cookie value, the stored record text and the session data JSON, and
 * `manager.load` end to end. Inputs are oversized, malformed, full unicode (lone surrogates
 * included), control characters, duplicated cookie names, operator- and path-shaped strings.
 *
 * The properties: nothing throws, Object.prototype is never polluted, and no store call is ever
 * made with a key that is not 64 lowercase hex (every store below is wrapped to record one). The
 * parsers are also checked against small models, so a parser that "never throws" because it
 * refuses everything would fail too.
 *
 * The file counts every generated case it runs and prints the total; the last test checks it
 * reached 100,000.
 */
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCookie } from '../../runtime/core/cookie.js';
import { SessionDataError } from '../../runtime/core/errors.js';
import { forwardingData, forwardingTarget, parseData } from '../../runtime/core/data.js';
import { isSessionId, newSessionId, signSessionId, storeKey, unsignSessionId } from '../../runtime/core/id.js';
import { createSessionManager, type SessionManager } from '../../runtime/core/manager.js';
import type { RequestInfo } from '../../runtime/core/session.js';
import { decodeRecord, encodeRecord } from '../../runtime/stores/_record.js';
import type { SessionRecord, SessionStore } from '../../runtime/core/store.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { junkText, OLD_SECRET, plantedRecord, SECRET } from '../core/helpers.js';

/** Total generated cases run by this file (every predicate call), printed at the end. */
let cases = 0;
const MIN_TOTAL_CASES = 100_000;

const THIRD_SECRET = 'third-secret-Z9y8X7w6V5u4T3s2R1q0';
const COOKIE = 'session_id';
const KEY = /^[0-9a-f]{64}$/;
const FORBIDDEN = ['__proto__', 'constructor', 'prototype'];

// ---------------------------------------------------------------------------------------------
// Generators. Sizes are bounded so the whole file stays fast; oversized inputs are built by
// repetition (cheap) rather than by generating tens of thousands of units.

/** Fragments attackers actually send: operators, SQL, paths, encodings, separators, our own syntax. */
const FRAGMENTS = [
  '{"$gt":""}',
  '{"$ne":null}',
  "' OR 1=1 --",
  "1'; DROP TABLE sessions; --",
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  '%ff',
  '\u0000',
  '\r\n',
  '\n',
  '\u2028',
  '\ufeff',
  '__proto__',
  'constructor',
  'prototype',
  '"moved:',
  `"moved:${'a'.repeat(64)}"`,
  'session_id=',
  'session_id',
  ';',
  '=',
  '"',
  '.',
  '\\u005f',
  '*',
  '\\',
  '$where',
];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const control = fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code));
const fragment = fc.constantFrom(...FRAGMENTS);

/**
 * Hostile text: any code point (junkText covers the whole range except surrogates, weighted
 * towards separators), plus lone surrogates, control characters and attack fragments.
 */
function hostileText(maxLength: number): fc.Arbitrary<string> {
  const unit = fc.oneof(
    { weight: 6, arbitrary: junkText(1, 1) },
    { weight: 1, arbitrary: loneSurrogate },
    { weight: 1, arbitrary: control },
    { weight: 2, arbitrary: fragment },
  );
  return fc.string({ unit, maxLength });
}

/** Text far longer than any limit (the Cookie header stops at 16 KiB), built by repetition. */
const oversized = fc
  .tuple(
    hostileText(8),
    fc.constantFrom('a', ';', '=', ' ', 'é', '😀', '\ud800', 'session_id=x;'),
    fc.integer({ min: 16_000, max: 70_000 }),
  )
  .map(([head, filler, count]) => head + filler.repeat(Math.ceil(count / filler.length)));

const BASE64URL = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];
/** A well-formed session id (43 base64url characters); most are unknown to any store. */
const idShaped = fc.string({ unit: fc.constantFrom(...BASE64URL), minLength: 43, maxLength: 43 });
const hex64 = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 });

// ---------------------------------------------------------------------------------------------
// Invariants checked after every case.

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

function assertPrototypeClean(): void {
  strictEqual(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype.polluted appeared');
  deepStrictEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeNames, 'Object.prototype changed');
}

/** Whether a parsed value holds a forbidden key as its own property at any depth (iterative: values may nest 30,000 deep). */
function holdsForbiddenKey(value: unknown): boolean {
  const pending = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item !== 'object' || item === null) continue;
    for (const key of Object.keys(item)) {
      if (FORBIDDEN.includes(key)) return true;
      pending.push((item as Record<string, unknown>)[key]);
    }
  }
  return false;
}

/** Deep equality of two JSON values, iterative for the same reason (node's deepStrictEqual recurses). */
function sameJson(a: unknown, b: unknown): boolean {
  const pending: Array<[unknown, unknown]> = [[a, b]];
  while (pending.length > 0) {
    const [x, y] = pending.pop()!;
    if (typeof x !== 'object' || x === null || typeof y !== 'object' || y === null) {
      if (!Object.is(x, y)) return false;
      continue;
    }
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length) return false;
    for (const key of keys) {
      if (!Object.hasOwn(y, key)) return false;
      pending.push([(x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key]]);
    }
  }
  return true;
}

/**
 * Wraps a store so every key it receives is checked; a bad key is recorded (and refused) rather
 * than thrown, so the failure names the key instead of surfacing as a store error.
 */
function keyCheckedStore(inner: SessionStore, badKeys: string[]): SessionStore {
  const check = (operation: string, key: unknown) => {
    if (typeof key !== 'string' || !KEY.test(key)) {
      badKeys.push(`${operation}(${JSON.stringify(key)?.slice(0, 120)})`);
      return false;
    }
    return true;
  };
  return {
    name: inner.name,
    get: async (key) => (check('get', key) ? inner.get(key) : undefined),
    write: async (key, record, expectedVersion) =>
      check('write', key) ? inner.write(key, record, expectedVersion) : false,
    touch: async (key, expiresAt) => (check('touch', key) ? inner.touch(key, expiresAt) : false),
    destroy: async (key) => {
      if (check('destroy', key)) await inner.destroy(key);
    },
    deleteExpired: () => inner.deleteExpired(),
    close: () => inner.close(),
  };
}

const quiet = { warn: () => {}, error: () => {} };

/** RFC 6265's optional whitespace: spaces and horizontal tabs only. */
function trimSpaceAndTab(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, '');
}

function requestWith(cookieHeader: string | undefined): RequestInfo {
  return { cookieHeader, ip: '203.0.113.9', userAgent: 'fuzz/1.0', https: false };
}

afterAll(() => {
  console.info(`[fuzz] hostile-input: ${cases} generated cases run`);
});

// ---------------------------------------------------------------------------------------------

describe('readCookie (the Cookie header parser)', () => {
  const names = fc.constantFrom(COOKIE, 'sid', 'session_id2', 'Session_id', '', ' ', '$gt', '__proto__', 'a=b');

  it('never throws on any header; values hold no ";" and only the first 16 KiB is read', () => {
    fc.assert(
      fc.property(
        fc.oneof({ weight: 9, arbitrary: hostileText(300) }, { weight: 1, arbitrary: oversized }),
        names,
        (header, name) => {
          cases++;
          const values = readCookie(header, name);
          ok(Array.isArray(values));
          for (const value of values) {
            strictEqual(typeof value, 'string');
            ok(!value.includes(';'), 'a value spans a ";"');
          }
          ok(values.length <= header.split(';').length);
          if (header.length > 16 * 1024) deepStrictEqual(values, readCookie(header.slice(0, 16 * 1024), name));
          assertPrototypeClean();
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('returns exactly the values of the pairs named so, in order, duplicates included (model)', () => {
    // A pair's name and value as a browser (or an attacker) may send them; junk segments have no "=".
    const cookieName = fc.oneof(
      fc.constantFrom(COOKIE, ` ${COOKIE}`, `${COOKIE} `, 'sid', 'Session_id', 'session_id2', '__proto__', '$gt'),
      hostileText(12).filter((name) => !name.includes('=') && !name.includes(';')),
    );
    const cookieValue = hostileText(60).filter((value) => !value.includes(';'));
    const segment = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.tuple(cookieName, cookieValue).map(([n, v]) => ({ name: n, value: v as string | undefined })),
      },
      {
        weight: 1,
        arbitrary: hostileText(20)
          .filter((s) => !s.includes('=') && !s.includes(';'))
          .map((s) => ({ name: s, value: undefined })),
      },
    );
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 24 }),
        fc.constantFrom(';', '; ', ' ;', ';\t'),
        (segments, separator) => {
          const header = segments
            .map(({ name, value }) => (value === undefined ? name : `${name}=${value}`))
            .join(separator);
          // The model has no length limit; headers past it are the first test's business.
          fc.pre(header.length <= 16 * 1024);
          cases++;
          const expected = segments
            .filter(({ name, value }) => value !== undefined && trimSpaceAndTab(name) === COOKIE)
            .map(({ value }) => {
              const trimmed = trimSpaceAndTab(value!);
              return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
                ? trimmed.slice(1, -1)
                : trimmed;
            });
          deepStrictEqual(readCookie(header, COOKIE), expected);
        },
      ),
      { numRuns: 15_000 },
    );
  });
});

describe('unsignSessionId (the signature check, 1 to 3 secrets)', () => {
  // Secrets as a config may hold them; any text, since createHmac takes any string.
  const secret = fc.oneof(
    hostileText(40).filter((s) => s.length > 0),
    fc.constantFrom(SECRET, OLD_SECRET, THIRD_SECRET),
  );
  const secrets = fc.array(secret, { minLength: 1, maxLength: 3 });
  /**
   * Whether two secrets are the same HMAC key. Not only equal UTF-8 bytes (lone surrogates all
   * encode as U+FFFD): HMAC-SHA256 hashes a key longer than its 64-byte block and zero-pads a
   * shorter one, so "k" and "k\0" are one key. That is HMAC, not a flaw here; real secrets
   * (32+ varied characters) never differ by trailing NULs.
   */
  const hmacKey = (secret: string) => {
    const bytes = Buffer.from(secret);
    const block = bytes.length > 64 ? createHash('sha256').update(bytes).digest() : bytes;
    let end = block.length;
    while (end > 0 && block[end - 1] === 0) end--;
    return block.subarray(0, end);
  };
  const sameKey = (a: string, b: string) => hmacKey(a).equals(hmacKey(b));

  it('never throws; whatever it accepts is an id some secret really signed', () => {
    const value = fc.oneof(
      { weight: 4, arbitrary: hostileText(120) },
      { weight: 2, arbitrary: fc.tuple(idShaped, hostileText(50)).map(([id, tail]) => `${id}.${tail}`) },
      { weight: 2, arbitrary: fc.tuple(idShaped, idShaped).map(([id, sig]) => `${id}.${sig}`) },
      { weight: 1, arbitrary: oversized },
    );
    fc.assert(
      fc.property(value, secrets, (text, list) => {
        cases++;
        const id = unsignSessionId(text, list);
        if (id !== undefined) {
          ok(isSessionId(id));
          ok(list.some((s) => signSessionId(id, s) === text));
        }
        assertPrototypeClean();
      }),
      { numRuns: 15_000 },
    );
  });

  it('accepts a value signed by any listed secret, and refuses it once tampered or signed by another secret', () => {
    fc.assert(
      fc.property(
        idShaped,
        secrets,
        fc.nat(),
        secret,
        fc.nat(),
        fc.oneof(junkText(1, 1), loneSurrogate),
        (id, list, pick, outsider, position, replacement) => {
          cases++;
          const signer = list[pick % list.length]!;
          const value = signSessionId(id, signer);
          strictEqual(unsignSessionId(value, list), id);
          // One character changed anywhere (id, dot or signature) breaks it.
          const at = position % value.length;
          const tampered = value.slice(0, at) + replacement + value.slice(at + 1);
          if (tampered !== value) strictEqual(unsignSessionId(tampered, list), undefined, `tampered at ${at}`);
          // Extra text around a valid value is not a valid value.
          strictEqual(unsignSessionId(`${value}${replacement}`, list), undefined);
          strictEqual(unsignSessionId(`${replacement}${value}`, list), undefined);
          // A secret that is not listed (different bytes: lone surrogates all encode as U+FFFD).
          if (!list.some((s) => sameKey(s, outsider)))
            strictEqual(unsignSessionId(signSessionId(id, outsider), list), undefined);
        },
      ),
      { numRuns: 10_000 },
    );
  });
});

describe('decodeRecord (the stored record text)', () => {
  const time = fc.oneof(
    fc.nat(),
    fc.constantFrom(0, Number.MAX_SAFE_INTEGER),
    fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }),
  );
  const record = fc.record({
    data: hostileText(200),
    version: time,
    createdAt: time,
    issuedAt: time,
    expiresAt: time,
    maxAge: time,
    ip: hostileText(20),
    userAgent: hostileText(40),
  });

  /** A decoded record's fields are what the SessionRecord type promises. */
  function assertWellTyped(decoded: SessionRecord, text: string): void {
    for (const field of ['version', 'createdAt', 'issuedAt', 'expiresAt', 'maxAge'] as const) {
      ok(Number.isSafeInteger(decoded[field]) && decoded[field] >= 0, `${field} = ${decoded[field]}`);
    }
    strictEqual(typeof decoded.ip, 'string');
    strictEqual(typeof decoded.userAgent, 'string');
    strictEqual(decoded.data, text.slice(text.indexOf('\n') + 1));
  }

  it('never throws on any text, and what it returns is well typed', () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 9, arbitrary: hostileText(300) }, { weight: 1, arbitrary: oversized }), (text) => {
        cases++;
        const decoded = decodeRecord(text);
        if (decoded) assertWellTyped(decoded, text);
        assertPrototypeClean();
      }),
      { numRuns: 10_000 },
    );
  });

  it('round-trips every record, whatever its data, address and user agent hold', () => {
    fc.assert(
      fc.property(record, (original) => {
        cases++;
        deepStrictEqual(decodeRecord(encodeRecord(original)), { ...original });
      }),
      { numRuns: 8_000 },
    );
  });

  it('a truncated, spliced or altered record is refused or still well typed, never a throw', () => {
    fc.assert(
      fc.property(
        record,
        fc.nat(),
        fc.nat(),
        fc.oneof(fragment, loneSurrogate, control, junkText(3)),
        (original, a, b, insert) => {
          cases++;
          const text = encodeRecord(original);
          const cut = a % (text.length + 1);
          for (const variant of [
            text.slice(0, cut),
            text.slice(cut),
            text.slice(0, cut) + insert + text.slice(cut),
            text.slice(0, cut) + text.slice(Math.min(text.length, cut + 1 + (b % 8))),
          ]) {
            const decoded = decodeRecord(variant);
            if (decoded) assertWellTyped(decoded, variant);
          }
        },
      ),
      { numRuns: 8_000 },
    );
  });

  it('a header is accepted exactly when it is [1, five safe non-negative integers, two strings] (model)', () => {
    const element = fc.oneof(
      time,
      fc.constantFrom(-1, 1.5, Number.MAX_SAFE_INTEGER + 1, 1e308, -0),
      fc.constantFrom('1', '', '{"$gt":""}', "' OR 1=1 --", '../../etc/passwd', null, true, [], {}, { $ne: null }),
      hostileText(10),
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(1), fc.constantFrom(0, 2, '1', null)),
        fc.array(element, { minLength: 5, maxLength: 9 }),
        hostileText(50),
        (format, rest, data) => {
          cases++;
          const header = [format, ...rest];
          const valid =
            format === 1 &&
            header.length === 8 &&
            rest.slice(0, 5).every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) &&
            rest.slice(5).every((s) => typeof s === 'string');
          const decoded = decodeRecord(`${JSON.stringify(header)}\n${data}`);
          strictEqual(decoded !== undefined, valid, JSON.stringify(header));
          // -0 survives JSON as 0; compare what the JSON says.
          if (decoded) strictEqual(decoded.version, JSON.parse(JSON.stringify(rest[0])));
        },
      ),
      { numRuns: 8_000 },
    );
  });
});

// JSON trees whose keys may be __proto__ / constructor / prototype, raw or \u-escaped, at any depth.
interface Key {
  /** The key as it appears in the JSON text. */
  raw: string;
  /** The key JSON.parse sees. */
  key: string;
}
type Tree = { text: string; forbidden: boolean };

const escapedKey = fc.constantFrom(...FORBIDDEN).chain((word) =>
  fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((flags): Key => ({
    raw: `"${[...word].map((c, i) => (flags[i] ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('')}"`,
    key: word,
  })),
);
const plainKey = fc
  .oneof(
    fc.constantFrom(
      'a',
      'user',
      'polluted',
      '$gt',
      '$where',
      'toString',
      'valueOf',
      'hasOwnProperty',
      '__defineGetter__',
      'proto',
      '_proto_',
      '__proto',
      'Constructor',
      'prototypes',
      '',
    ),
    hostileText(8),
  )
  .map((key): Key => ({ raw: JSON.stringify(key), key }));
const jsonKey = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(...FORBIDDEN).map((key): Key => ({ raw: JSON.stringify(key), key })) },
  { weight: 1, arbitrary: escapedKey },
  { weight: 6, arbitrary: plainKey },
);
const jsonLeaf = fc.oneof(
  fc.constantFrom(
    'null',
    'true',
    'false',
    '0',
    '-1.5e3',
    '"__proto__"',
    '"constructor"',
    '"\\u005f_proto__"',
    '{}',
    '[]',
    '"moved:x"',
  ),
  fc.integer().map(String),
  hostileText(12).map((s) => JSON.stringify(s)),
);
const { tree: jsonTree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonLeaf.map((text): Tree => ({ text, forbidden: false })),
    fc.array(tie('tree'), { maxLength: 4 }).map((items): Tree => ({
      text: `[${items.map((i) => i.text).join(',')}]`,
      forbidden: items.some((i) => i.forbidden),
    })),
    fc.array(fc.tuple(jsonKey, tie('tree')), { maxLength: 5 }).map((entries): Tree => ({
      text: `{${entries.map(([k, v]) => `${k.raw}:${v.text}`).join(', ')}}`,
      // A repeated key keeps its last value (JSON.parse), so only those count.
      forbidden: entries.some(
        ([k, v], i) =>
          !entries.slice(i + 1).some(([other]) => other.key === k.key) && (FORBIDDEN.includes(k.key) || v.forbidden),
      ),
    })),
  ),
}));

/** Deep nesting, built by repetition: JSON.parse handles it iteratively, a reviver recursively. */
const deepJson = (maxDepth: number) =>
  fc
    .tuple(
      fc.integer({ min: 1, max: maxDepth }),
      fc.constantFrom('{"a":', '[', '{"__proto__":', '{"\\u0061":'),
      fc.boolean(),
    )
    .map(([depth, open, closed]) => {
      const close = open === '[' ? ']' : '}';
      return open.repeat(depth) + (open === '[' ? '' : '1') + (closed ? close.repeat(depth) : '');
    });

describe('parseData (the session data JSON)', () => {
  it('never throws; what it returns is a plain object without a forbidden key at any depth', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 5, arbitrary: hostileText(200) },
          { weight: 3, arbitrary: jsonTree.map((t) => t.text) },
          { weight: 1, arbitrary: deepJson(30_000) },
          { weight: 1, arbitrary: oversized },
        ),
        (text) => {
          cases++;
          const values = parseData(text);
          if (values !== undefined) {
            strictEqual(Object.getPrototypeOf(values), Object.prototype);
            ok(!Array.isArray(values));
            ok(!holdsForbiddenKey(values), 'a forbidden key got through');
          }
          assertPrototypeClean();
        },
      ),
      { numRuns: 12_000 },
    );
  });

  it('refuses exactly the JSON holding a forbidden key (raw or \\u-escaped) and every non-object; keeps the rest intact (model)', () => {
    fc.assert(
      fc.property(jsonTree, ({ text, forbidden }) => {
        cases++;
        const values = parseData(text);
        if (forbidden) {
          strictEqual(values, undefined, text);
        } else {
          const plain = JSON.parse(text) as unknown;
          const isObject = typeof plain === 'object' && plain !== null && !Array.isArray(plain);
          deepStrictEqual(values, isObject ? plain : undefined, text);
        }
        assertPrototypeClean();
      }),
      { numRuns: 12_000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe.each([
  ['unsigned', [] as string[]],
  ['one secret', [SECRET]],
  ['three secrets', [SECRET, OLD_SECRET, THIRD_SECRET]],
])('manager.load with arbitrary Cookie headers, memory store (%s)', (_mode, secrets) => {
  const badKeys: string[] = [];
  const store = keyCheckedStore(memoryStore({ maxEntries: 1_000_000 }), badKeys);
  const options = { store, logger: quiet, ...(secrets.length > 0 ? { secret: secrets } : {}) };
  let manager: SessionManager;
  /** Cookie values of live sessions → their data; and values of sessions that were logged out. */
  const live = new Map<string, Record<string, unknown>>();
  const dead: string[] = [];
  const valueOf = (setCookie: string | undefined) => /^session_id=([^;]*)/.exec(setCookie ?? '')![1]!;

  beforeAll(async () => {
    manager = createSessionManager(options);
    // Sessions signed by every secret in the list (retired ones still verify), and some logged out.
    const issuers =
      secrets.length === 0 ? [manager] : secrets.map((s) => createSessionManager({ ...options, secret: s }));
    for (let i = 0; i < 12; i++) {
      const issuer = issuers[i % issuers.length]!;
      const session = await issuer.load(requestWith(undefined));
      const data = { n: i, user: `user-${i}`, note: FRAGMENTS[i % FRAGMENTS.length]! };
      for (const [k, v] of Object.entries(data)) session.set(k, v);
      const value = valueOf(await issuer.commit(session));
      if (i % 4 === 3) {
        const again = await issuer.load(requestWith(`${COOKIE}=${value}`));
        again.invalidate();
        await issuer.commit(again);
        dead.push(value);
      } else live.set(value, data);
    }
  });

  /** What load must find, by the documented rules: the first of at most three well-formed candidates that is live. */
  function expectedFor(header: string): Record<string, unknown> | undefined {
    let candidates = 0;
    for (const value of readCookie(header, COOKIE)) {
      const id = secrets.length > 0 ? unsignSessionId(value, secrets) : isSessionId(value) ? value : undefined;
      if (id === undefined) continue;
      if (++candidates > 3) break;
      const found =
        live.get(value) ?? [...live].find(([v]) => (secrets.length > 0 ? unsignSessionId(v, secrets) : v) === id)?.[1];
      if (found) return found;
    }
    return undefined;
  }

  it('always resolves to the right session or a new visitor, pollutes nothing, sends the store only 64-hex keys', async () => {
    const liveValue = fc.constantFrom(...live.keys());
    const deadValue = fc.constantFrom(...dead);
    const forged = fc.oneof(
      // A real id with a wrong or missing signature, or a signed value where none is expected.
      fc.tuple(liveValue, idShaped).map(([v, sig]) => `${v.split('.')[0]}.${sig}`),
      liveValue.map((v) => v.split('.')[0]!),
      fc
        .tuple(idShaped, fc.constantFrom(SECRET, OLD_SECRET, THIRD_SECRET, 'not-the-secret-but-long-enough-0123'))
        .map(([id, s]) => signSessionId(id, s)),
      idShaped,
      fc
        .tuple(liveValue, fc.constantFrom(' ', '"', '\t', '%20', '\u0000'))
        .map(([v, pad]) => (pad === '"' ? `"${v}"` : `${pad}${v}${pad}`)),
    );
    const value = fc.oneof(
      { weight: 3, arbitrary: liveValue },
      { weight: 1, arbitrary: deadValue },
      { weight: 3, arbitrary: forged },
      { weight: 4, arbitrary: hostileText(80) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '{"$gt":""}',
          "' OR 1=1 --",
          '../../etc/passwd',
          '..%2F..%2Fetc%2Fpasswd',
          '__proto__',
          `${'A'.repeat(43)}/../x`,
        ),
      },
    );
    const name = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(COOKIE, ` ${COOKIE} `) },
      { weight: 1, arbitrary: fc.constantFrom('sid', 'SESSION_ID', '__proto__', '') },
      { weight: 1, arbitrary: hostileText(10) },
    );
    const segment = fc.oneof(
      { weight: 8, arbitrary: fc.tuple(name, value).map(([n, v]) => `${n}=${v}`) },
      { weight: 1, arbitrary: hostileText(40) },
      { weight: 1, arbitrary: oversized },
    );
    const header = fc.oneof(
      {
        weight: 20,
        arbitrary: fc
          .tuple(fc.array(segment, { maxLength: 8 }), fc.constantFrom('; ', ';', ' ; '))
          .map(([parts, sep]) => parts.join(sep)),
      },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );

    await fc.assert(
      fc.asyncProperty(header, async (cookieHeader) => {
        cases++;
        const session = await manager.load(requestWith(cookieHeader));
        const expected = cookieHeader === undefined ? undefined : expectedFor(cookieHeader);
        strictEqual(session.isNew, expected === undefined);
        deepStrictEqual(session.toJSON(), expected ?? {});
        // A new visitor that stores something gets a fresh session (a write under a fresh key);
        // a found session left unchanged is not written.
        if (session.isNew) {
          session.set('fresh', cases);
          ok((await manager.commit(session))?.startsWith(`${COOKIE}=`));
        } else strictEqual(await manager.commit(session), undefined);
        assertPrototypeClean();
        deepStrictEqual(badKeys, []);
      }),
      { numRuns: 5_000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

/**
 * The one test double of this file: a store whose records are whatever the generator planted,
 * returned as they are (no expiry filtering, no decoding), with conditional writes like a real
 * store so the manager's write and rotation paths run. It stands in for a tampered database.
 */
function plantedStore(records: Map<string, SessionRecord>): SessionStore {
  return {
    name: 'hostile',
    get: async (key) => records.get(key),
    write: async (key, record, expectedVersion) => {
      const current = records.get(key);
      if (
        expectedVersion === undefined
          ? current !== undefined && current.expiresAt > Date.now()
          : current?.version !== expectedVersion
      )
        return false;
      records.set(key, record);
      return true;
    },
    touch: async (key, expiresAt) => {
      const current = records.get(key);
      if (current) records.set(key, { ...current, expiresAt });
      return current !== undefined;
    },
    destroy: async (key) => void records.delete(key),
    deleteExpired: async () => undefined,
    close: async () => {},
  };
}

/** Large payloads, built once. */
const HUGE = {
  string: JSON.stringify({ big: 'x'.repeat(1_000_000) }),
  keys: JSON.stringify(Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]))),
  rawString: 'y'.repeat(2_000_000),
};

/**
 * Stands for "a forwarding record to the planted second record"; replaced once the target key is
 * drawn. (Building the arbitraries per case with .chain() costs more than running the case.)
 */
const TO_TARGET = '\u0000to-target\u0000';

/** A near-miss of the forwarding format around a 64-hex key: none of these may be followed. */
const nearMisses = (other: string) => [
  `"moved:${other.toUpperCase()}"`,
  `"moved:${other.slice(1)}"`,
  `"moved:${other}0"`,
  `"moved:${other}" `,
  `"moved:../../${other.slice(6)}"`,
  `"moved:${other.slice(0, 60)}' OR 1=1 --"`,
  `"moved:{\\"$gt\\":\\"\\"}"`,
  `"\\u006doved:${other}"`,
  `["moved:${other}"]`,
  `{"moved":"${other}"}`,
];

const hostileData = fc.oneof(
  { weight: 3, arbitrary: jsonTree.map((t) => t.text) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '{"__proto__":{"polluted":1}}',
      '{"a":{"__proto__":{"polluted":1}}}',
      '{"\\u005f_proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      '[{"__proto__":{"polluted":1}}]',
      '{"$gt":""}',
      '{"$where":"sleep(1000)"}',
      '"\' OR 1=1 --"',
      '"../../etc/passwd"',
      'null',
      'true',
      '1',
      '[]',
      '"text"',
      '',
      'undefined',
      'NaN',
      '{',
      '{"a":1',
      '{"a":1}garbage',
      '\u0000{"a":1}',
      '{"a":"\ud800"}',
      '{"a":"\\ud800"}',
      HUGE.string,
      HUGE.keys,
      HUGE.rawString,
    ),
  },
  // Forwarding-shaped strings: to the planted second record, to nowhere, and near misses.
  { weight: 2, arbitrary: fc.constant(TO_TARGET) },
  // A well-formed forwarding record to a key that holds nothing.
  { weight: 1, arbitrary: hex64.map(forwardingData) },
  {
    weight: 2,
    arbitrary: fc.tuple(hex64, fc.nat()).map(([other, pick]) => {
      const misses = nearMisses(other);
      return misses[pick % misses.length]!;
    }),
  },
  { weight: 2, arbitrary: hostileText(150) },
  // Nesting up to 1,000 deep, which every step of a request handles. Deeper nesting is the
  // separate test below: it fails today (see its comment), and keeping it out of this property
  // keeps that one finding from masking everything else this property checks.
  { weight: 1, arbitrary: deepJson(1_000) },
);

describe('manager.load against a store that returns hostile records', () => {
  const now = Date.now();
  const time = fc.oneof(
    fc.constantFrom(0, now - 1_000, now, now + 60_000, Number.MAX_SAFE_INTEGER),
    fc.integer({ min: 0, max: now + 10_000_000 }),
  );
  const hostileRecord = fc.record({
    data: hostileData,
    version: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER - 1)),
    createdAt: time,
    issuedAt: time,
    // Mostly live, so the data is what decides.
    expiresAt: fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(now + 3_600_000, Number.MAX_SAFE_INTEGER) },
      { weight: 1, arbitrary: time },
    ),
    maxAge: fc.oneof(fc.constantFrom(900_000, 1), fc.nat()),
    ip: hostileText(20),
    userAgent: hostileText(20),
  });

  /** What load must give, by the documented rules: expired, forwarded once, corrupt or foreign → new visitor. */
  function expectedFor(key: string, records: Map<string, SessionRecord>, at: number) {
    const first = records.get(key);
    if (!first || first.expiresAt <= at) return undefined;
    const target = forwardingTarget(first.data);
    if (target === undefined) return parseData(first.data);
    const moved = records.get(target);
    return moved && moved.expiresAt > at ? parseData(moved.data) : undefined;
  }

  it.each([
    ['unsigned', [] as string[]],
    ['signed', [SECRET, OLD_SECRET]],
  ])(
    'always resolves (hostile data → new visitor), pollutes nothing, sends only 64-hex keys (%s)',
    async (_mode, secrets) => {
      const setup = fc
        .record({
          id: idShaped,
          target: hex64,
          first: hostileRecord,
          second: fc.option(hostileRecord, { nil: undefined }),
        })
        .map(({ id, target, first, second }) => {
          const aim = (record: SessionRecord): SessionRecord =>
            record.data === TO_TARGET ? { ...record, data: forwardingData(target) } : { ...record };
          return { id, target, first: aim(first), second: second && aim(second) };
        });
      await fc.assert(
        fc.asyncProperty(setup, fc.boolean(), async ({ id, target, first, second }, write) => {
          cases++;
          const records = new Map<string, SessionRecord>([[storeKey(id), first]]);
          if (second) records.set(target, second);
          const badKeys: string[] = [];
          const manager = createSessionManager({
            store: keyCheckedStore(plantedStore(records), badKeys),
            logger: quiet,
            ...(secrets.length > 0 ? { secret: secrets } : {}),
          });
          const value = secrets.length > 0 ? signSessionId(id, secrets[secrets.length - 1]!) : id;
          const expected = expectedFor(storeKey(id), records, Date.now());
          const session = await manager.load(requestWith(`other=1; ${COOKIE}=${value}; ${COOKIE}=${newSessionId()}`));
          strictEqual(session.isNew, expected === undefined);
          ok(sameJson(session.toJSON(), expected ?? {}), first.data.slice(0, 200));
          assertPrototypeClean();
          if (write) {
            // The rest of the request: a change saved through the write, merge and rotation paths.
            // Stored data over maxSize is refused on save as documented; nothing else may throw.
            session.set('seen', true);
            const saved = await manager.commit(session).then(
              (cookie) => ({ cookie }),
              (error: unknown) => ({ error }),
            );
            if ('error' in saved)
              ok(saved.error instanceof SessionDataError && /maxSize/.test(saved.error.message), String(saved.error));
            else if (session.isNew) ok(saved.cookie?.startsWith(`${COOKIE}=`));
            assertPrototypeClean();
          }
          deepStrictEqual(badKeys, []);
        }),
        { numRuns: 4_000 },
      );
    },
  );

  it('a stored record nested deeper than JSON.stringify can walk is a new visitor, not a failure on every request', async () => {
    cases++;
    // ~60 KB, under the default maxSize. parseData accepts it (V8's JSON.parse is iterative), but
    // V8's JSON.stringify recurses and throws RangeError past a few thousand levels, so every
    // save of this session (commit stringifies the data) fails and the request ends in a 500,
    // on every request that carries the cookie, until the record expires. The documented rule
    // for a stored record the core cannot use is "a new visitor"; this test asks for exactly that.
    const data = '{"a":'.repeat(12_000) + '1' + '}'.repeat(12_000);
    const id = newSessionId();
    const records = new Map([[storeKey(id), plantedRecord(data, { ip: '', userAgent: '' })]]);
    const manager = createSessionManager({ store: plantedStore(records), logger: quiet });
    const session = await manager.load(requestWith(`${COOKIE}=${id}`));
    session.set('seen', true);
    // Loading it as data makes every later save throw, so the session can never be used again.
    await expect(manager.commit(session)).resolves.toMatch(/^session_id=/);
  });
});

it(`ran at least ${MIN_TOTAL_CASES.toLocaleString('en')} generated cases`, () => {
  expect(cases).toBeGreaterThanOrEqual(MIN_TOTAL_CASES);
});
