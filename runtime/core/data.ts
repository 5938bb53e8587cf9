/**
 * Session data is a plain JSON object. These helpers parse it defensively and compute what a
 * request changed, so concurrent requests can be merged key by key.
 */
import { SessionDataError } from './errors.js';

export type SessionValues = Record<string, unknown>;

/** Keys that would reach Object.prototype if the data were ever merged into another object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key);
}

/**
 * Parses stored data JSON into a fresh object, or `undefined` when it is not a JSON object or
 * carries a prototype-polluting key at any depth. The cheap substring test keeps the reviver off
 * the hot path; it only runs when one of the dangerous words appears at all.
 */
export function parseData(text: string): SessionValues | undefined {
  // JSON.parse accepts nesting far deeper than JSON.stringify can write back; such data (only a
  // tampered store can hold it) would fail every later save of the session.
  if (text.length >= 2 * MAX_DEPTH && depthOf(text) > MAX_DEPTH) return undefined;
  let value: unknown;
  try {
    value = mayHoldForbiddenKey(text) ? JSON.parse(text, rejectForbiddenKeys) : JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return value as SessionValues;
}

/**
 * Whether the reviver must run. A JSON key can spell a letter as a \u escape ("\u005f_proto__"),
 * which the plain substring test would miss, so any escape counts as suspicious too; the data we
 * write only has escapes for control characters, so this stays off the common path.
 */
function mayHoldForbiddenKey(text: string): boolean {
  return (
    text.includes('__proto__') || text.includes('constructor') || text.includes('prototype') || text.includes('\\u')
  );
}

/**
 * Whether data JSON we are about to store would load again. Session.set() only guards top-level
 * keys; a nested "constructor" (say) would be stored, then refused on the next request, which
 * silently ends the session. Checked on the same cheap path as parseData.
 */
export function isLoadable(text: string): boolean {
  return !mayHoldForbiddenKey(text) || parseData(text) !== undefined;
}

/** Deepest nesting accepted in stored data: far beyond real sessions, far below stack limits. */
const MAX_DEPTH = 1_000;

/** Deepest bracket nesting of JSON text, skipping strings. Reached only for long texts. */
function depthOf(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 92 /* \\ */) i++;
      else if (code === 34 /* " */) inString = false;
    } else if (code === 34) inString = true;
    else if (code === 123 /* { */ || code === 91 /* [ */) deepest = Math.max(deepest, ++depth);
    else if (code === 125 /* } */ || code === 93 /* ] */) depth--;
  }
  return deepest;
}

function rejectForbiddenKeys(key: string, value: unknown): unknown {
  if (FORBIDDEN_KEYS.has(key)) throw new Error('forbidden key');
  return value;
}

/**
 * A periodically rotated id's record is replaced by a forwarding record naming the session's new
 * key for the grace window. Its data is a JSON string, never an object like session data, so the
 * two cannot be confused.
 */
export function forwardingData(targetKey: string): string {
  return JSON.stringify(`moved:${targetKey}`);
}

/** The key a forwarding record points at, or undefined for session data. */
export function forwardingTarget(data: string): string | undefined {
  const match = /^"moved:([0-9a-f]{64})"$/.exec(data);
  return match?.[1];
}

/** What one request did to the data: keys it set (with their new values) and keys it removed. */
export interface DataChanges {
  set: SessionValues;
  removed: string[];
}

/**
 * Per-key difference between the data as loaded and as it is now. Values are compared by
 * their JSON text, which also catches in-place mutation of nested objects.
 */
export function diffData(before: SessionValues, after: SessionValues): DataChanges {
  const changes: DataChanges = { set: {}, removed: [] };
  for (const key of Object.keys(after)) {
    if (!Object.hasOwn(before, key) || JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      changes.set[key] = after[key];
    }
  }
  for (const key of Object.keys(before)) {
    if (!Object.hasOwn(after, key)) changes.removed.push(key);
  }
  return changes;
}

/** Applies `changes` on top of `base` (the freshest stored data): other requests' keys survive. */
export function applyChanges(base: SessionValues, changes: DataChanges): SessionValues {
  const merged: SessionValues = { ...base, ...changes.set };
  for (const key of changes.removed) Reflect.deleteProperty(merged, key);
  return merged;
}

/**
 * The data as JSON. A value JSON cannot carry (a BigInt or a cycle, nested where Session.set()
 * does not look) fails the request as bad data instead of as a server error.
 */
export function serialize(values: SessionValues): string {
  try {
    return JSON.stringify(values);
  } catch (error) {
    throw new SessionDataError('invalid-value', `session data cannot be stored as JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Where flash messages live in the data: flash key → messages, changed only by adding and taking. */
export const FLASH_KEY = '$flash';

/** Where a logged-in session keeps its user (see ./users.ts), changed only by login. */
export const USER_KEY = '$user';

/** One Session.update() call, re-applied to the freshest stored value when the session is saved. */
export interface Update {
  key: string;
  fn: (current: unknown) => unknown;
}

/** What one request contributes to a merge. */
export interface Contribution {
  /** The data it loaded. */
  loadedText: string;
  /** Its data now. */
  values: SessionValues;
  /** `values` as JSON. */
  text: string;
  /** Its update() calls, in order: their keys take the functions' results, not a plain value. */
  updates: readonly Update[];
  /** The flash messages it added, appended to the stored ones. */
  flashes: ReadonlyMap<string, readonly unknown[]>;
  /** The user it logged in, if it did (see ./users.ts). */
  user?: unknown;
}

/**
 * The data after `contributions` (requests in arrival order) are applied on top of `baseText`,
 * the freshest stored data: a request that loaded exactly the current data contributes its data
 * as it is, any other only what it changed, key by key, so the keys other requests changed
 * survive. The intermediate results stay objects; only the final one is serialized.
 */
export function mergeOnto(baseText: string, contributions: Iterable<Contribution>): string {
  let text: string | undefined = baseText;
  let values: SessionValues | undefined;
  for (const contribution of contributions) {
    if (text !== undefined && contribution.loadedText === text) {
      text = contribution.text;
      values = undefined;
    } else {
      values = replay(values ?? parseData(text ?? '{}') ?? {}, contribution);
      text = undefined;
    }
  }
  return text ?? serialize(values ?? {});
}

/**
 * One request's changes on top of `base`: the keys it set or removed, then its update()
 * functions on the values they find, then its flash messages after the ones stored. Flash
 * messages are never copied from what the request loaded, so a message another request took
 * meanwhile does not come back.
 */
function replay(base: SessionValues, contribution: Contribution): SessionValues {
  const changes = diffData(parseData(contribution.loadedText) ?? {}, contribution.values);
  const computed = new Set([FLASH_KEY, USER_KEY, ...contribution.updates.map((update) => update.key)]);
  for (const key of computed) Reflect.deleteProperty(changes.set, key);
  changes.removed = changes.removed.filter((key) => !computed.has(key));
  const values = applyChanges(base, changes);
  for (const { key, fn } of contribution.updates) {
    const next = fn(values[key]);
    if (next === undefined) Reflect.deleteProperty(values, key);
    else values[key] = next;
  }
  if (contribution.user !== undefined) values[USER_KEY] = contribution.user;
  return withFlashes(values, contribution.flashes);
}

/** `values` with `flashes` appended to the flash messages they hold (a copy when there are any). */
export function withFlashes(values: SessionValues, flashes: ReadonlyMap<string, readonly unknown[]>): SessionValues {
  if (flashes.size === 0) return values;
  const stored = values[FLASH_KEY];
  const bag: Record<string, unknown[]> = isFlashBag(stored) ? { ...stored } : {};
  for (const [key, messages] of flashes) bag[key] = [...(bag[key] ?? []), ...messages];
  return { ...values, [FLASH_KEY]: bag };
}

/** Stored flash messages: flash key → messages. */
export function isFlashBag(value: unknown): value is Record<string, unknown[]> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Fails the request, rather than store data the next load would refuse (which would silently
 * end the session): more than `maxSize` bytes, or a prototype-polluting key at any depth.
 */
export function checkStorable(text: string, maxSize: number): void {
  const bytes = Buffer.byteLength(text);
  if (bytes > maxSize)
    throw new SessionDataError(
      'too-large',
      `session data is ${String(bytes)} bytes, over the "maxSize" limit of ${String(maxSize)} bytes`,
    );
  if (!isLoadable(text))
    throw new SessionDataError(
      'invalid-key',
      'session data cannot hold the key "__proto__", "constructor" or "prototype" at any depth',
    );
}
