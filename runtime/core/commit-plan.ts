/**
 * What a session's commit has to do, decided from the session alone, before any store call: the
 * rules of expiry, renewal and id regeneration in one place. Pure functions of their inputs (the
 * clock is passed in), so each rule can be read, and tested, on its own.
 */
import { SessionUsageError } from './errors.js';
import type { RequestInfo } from './session.js';
import type { SessionState } from './session-state.js';
import type { SessionRecord } from './store.js';

/** The timing settings the rules read (see ./options.ts; `undefined` means off). */
export interface Timing {
  regenerateEvery: number | undefined;
  rotateGrace: number | undefined;
  absoluteTimeout: number | undefined;
}

/**
 * - `create`: a new visitor stored something, so it gets a fresh id and a cookie;
 * - `clear-cookie`: a new visitor logged out: only the cookie it sent is cleared;
 * - `destroy`: logout;
 * - `rotate`: a new id now, the old one dead at once (login, `refresh({ rotate: true })`, or a
 *   periodic regeneration when `rotateGrace` is off);
 * - `rotate-with-grace`: the periodic regeneration; the old id forwards to the new one for
 *   `rotateGrace`, so requests already in flight neither fail nor fork the session;
 * - `write`: the data changed (or `refresh()` asked for a save): a conditional write;
 * - `touch`: nothing changed, but the expiry is due for renewal.
 */
export type CommitStep = 'create' | 'clear-cookie' | 'destroy' | 'rotate' | 'rotate-with-grace' | 'write' | 'touch';

/**
 * An unchanged session is renewed (store touch and a fresh cookie) once this share of its
 * lifetime has passed, not on every request: a busy user then costs one cheap touch per tenth of
 * maxAge instead of a store write per request.
 */
export const RENEW_FRACTION = 0.1;

export interface PlanInput {
  state: SessionState;
  /** The data as JSON now ('' after invalidate()). */
  text: string;
  /** Whether the id the client presented forwards to a successor's key (a regeneration's grace window). */
  forwarded: boolean;
  now: number;
  timing: Timing;
  /** False when the response's headers are out, so no cookie can be sent (see CommitOptions). */
  canSetCookie: boolean;
}

/** The step a commit takes, or undefined when there is nothing to do. */
export function planCommit({ state, text, forwarded, now, timing, canSetCookie }: PlanInput): CommitStep | undefined {
  const loaded = state.record;
  if (!loaded) {
    if (state.invalidated) return state.cookieSent ? 'clear-cookie' : undefined;
    // A visitor whose session stays empty costs no store write and gets no cookie.
    if (text === '{}') return undefined;
    if (!canSetCookie)
      throw tooLate('a new session was started after its response began, so its cookie could not be sent');
    return 'create';
  }
  if (state.invalidated) return 'destroy';
  const due = !forwarded && dueForRegeneration(loaded, now, timing);
  if (state.rotate) {
    if (!canSetCookie)
      throw tooLate('the session id was rotated after its response began, so the new id could not be sent');
    return 'rotate';
  }
  // A periodic regeneration, which the app did not ask for, waits for a response that can carry the cookie.
  if (due && canSetCookie) return timing.rotateGrace === undefined ? 'rotate' : 'rotate-with-grace';
  if (text !== state.loadedText || state.refreshed) return 'write';
  const maxAge = state.maxAge ?? loaded.maxAge;
  if (expiryFrom(now, maxAge, loaded.createdAt, timing) - loaded.expiresAt >= maxAge * RENEW_FRACTION) return 'touch';
  return undefined;
}

function tooLate(message: string): SessionUsageError {
  return new SessionUsageError('already-saved', message);
}

/** Whether the id is old enough to be replaced by the periodic regeneration (`regenerateEvery`). */
export function dueForRegeneration(record: SessionRecord, now: number, timing: Timing): boolean {
  return timing.regenerateEvery !== undefined && now - record.issuedAt >= timing.regenerateEvery;
}

/**
 * The rolling expiry: `maxAge` from now, so an active session lives on and an idle one ends, but
 * never past the absolute cap counted from creation.
 */
export function expiryFrom(now: number, maxAge: number, createdAt: number, timing: Timing): number {
  const idle = now + maxAge;
  return timing.absoluteTimeout === undefined ? idle : Math.min(idle, createdAt + timing.absoluteTimeout);
}

/** Whether a stored record may still be used: not expired, not past the absolute cap. */
export function isLive(record: SessionRecord, now: number, timing: Timing): boolean {
  if (record.expiresAt <= now) return false;
  return timing.absoluteTimeout === undefined || record.createdAt + timing.absoluteTimeout > now;
}

export interface RecordFields {
  data: string;
  version: number;
  createdAt: number;
  issuedAt: number;
  maxAge: number;
  request: RequestInfo;
}

/**
 * The fields of a record a request writes on top of `base`, the stored one: `base`'s identity
 * and age, the request's client and lifetime (a refresh({ maxAge }) overrides the stored one).
 */
export function fieldsOnTop(state: SessionState, base: SessionRecord, data: string): RecordFields {
  return {
    data,
    version: base.version + 1,
    createdAt: base.createdAt,
    issuedAt: base.issuedAt,
    maxAge: state.maxAge ?? base.maxAge,
    request: state.request,
  };
}

/** A record to store, expiring `maxAge` after `now`, with the request's address and User-Agent. */
export function buildRecord(fields: RecordFields, now: number, timing: Timing): SessionRecord {
  return {
    data: fields.data,
    version: fields.version,
    createdAt: fields.createdAt,
    issuedAt: fields.issuedAt,
    expiresAt: expiryFrom(now, fields.maxAge, fields.createdAt, timing),
    maxAge: fields.maxAge,
    ip: trimIp(fields.request.ip),
    userAgent: trimUserAgent(fields.request.userAgent),
  };
}

/** The User-Agent is kept to 255 characters: enough to tell clients apart, and it fits a database column. */
export function trimUserAgent(userAgent: string | undefined): string {
  return (userAgent ?? '').slice(0, 255);
}

export function trimIp(ip: string | undefined): string {
  return (ip ?? '').slice(0, 64);
}
