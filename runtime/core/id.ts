import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Session ids are 256 bits from the operating system's CSPRNG, base64url-encoded: 43 characters
 * of [A-Za-z0-9_-]. Guessing one is as hard as guessing an AES-256 key.
 */
export function newSessionId(): string {
  if (poolOffset + ID_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const id = pool.toString('base64url', poolOffset, poolOffset + ID_BYTES);
  poolOffset += ID_BYTES;
  return id;
}

const ID_BYTES = 32;
/**
 * Random bytes are fetched 4 KiB at a time, one call per 128 ids: each call to the operating
 * system costs far more than the 32 bytes it returns, and every new visitor needs an id. Each
 * byte is handed out once.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** Strict shape check, done before any store access so garbage never reaches a backend. */
export function isSessionId(value: string): boolean {
  return SESSION_ID.test(value);
}

/**
 * The key a store files the session under: SHA-256 of the id, as hex. Stores only ever see
 * this key, so a leaked dump of Redis, a table or the session folder holds no live session id
 * (a hash of 256 random bits cannot be reversed). Hex, not base64, so keys stay distinct on
 * case-insensitive file systems.
 */
export function storeKey(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}

/** Length of a base64url HMAC-SHA256 signature. */
const SIGNATURE_LENGTH = 43;

/** `id.signature`, signed with the first secret (the current one). */
export function signSessionId(sessionId: string, secret: string): string {
  return `${sessionId}.${hmac(sessionId, secret)}`;
}

/**
 * Returns the id inside a signed cookie value when any secret (current or retired) verifies it,
 * otherwise `undefined`.
 */
export function unsignSessionId(value: string, secrets: readonly string[]): string | undefined {
  return verify(value, secrets)?.sessionId;
}

/**
 * The id inside a signed cookie value and the index of the secret that verifies it (0 is the
 * current one). The comparison is constant-time so the signature cannot be found byte by byte
 * from response timings.
 */
function verify(value: string, secrets: readonly string[]): { sessionId: string; secretIndex: number } | undefined {
  const dot = value.length - SIGNATURE_LENGTH - 1;
  if (dot <= 0 || value.charCodeAt(dot) !== 46 /* . */) return undefined;
  const sessionId = value.slice(0, dot);
  if (!isSessionId(sessionId)) return undefined;
  const given = Buffer.from(value.slice(dot + 1));
  for (const [secretIndex, secret] of secrets.entries()) {
    const expected = Buffer.from(hmac(sessionId, secret));
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { sessionId, secretIndex };
  }
  return undefined;
}

function hmac(sessionId: string, secret: string): string {
  return createHmac('sha256', secret).update(sessionId).digest('base64url');
}

/** A session id with what the core derives from it. */
export interface Identity {
  id: string;
  /** The store key: SHA-256 of the id (see storeKey). */
  key: string;
  /** The cookie value for the id: signed with the current secret, or the bare id when unsigned. */
  cookieValue: string;
}

/**
 * The identity behind a presented cookie value, or undefined when it is malformed or forged.
 * A value signed with a retired secret maps to a cookie value signed with the current one.
 */
export function readIdentity(value: string, secrets: readonly string[]): Identity | undefined {
  if (secrets.length === 0) return isSessionId(value) ? identityOf(value, secrets) : undefined;
  const verified = verify(value, secrets);
  if (verified === undefined) return undefined;
  const { sessionId, secretIndex } = verified;
  // Signed with the current secret, the value is already the cookie value: no second HMAC.
  return secretIndex === 0
    ? { id: sessionId, key: storeKey(sessionId), cookieValue: value }
    : identityOf(sessionId, secrets);
}

/** A brand-new id and its identity. */
export function newIdentity(secrets: readonly string[]): Identity {
  return identityOf(newSessionId(), secrets);
}

function identityOf(id: string, secrets: readonly string[]): Identity {
  const current = secrets.at(0);
  return { id, key: storeKey(id), cookieValue: current === undefined ? id : signSessionId(id, current) };
}
