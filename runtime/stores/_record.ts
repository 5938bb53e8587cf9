import type { SessionRecord } from '../core/store.js';

/**
 * The text form of a record, for stores that keep one string per session (files, Redis,
 * memcached). Line one is a JSON array of the metadata, line two the data JSON verbatim, so
 * writing never re-encodes the data and reading parses the header alone. JSON.stringify never
 * emits a raw newline, so the first newline always ends the header.
 *
 * JSON, never a code-executing format such as Python's pickle, which runs whatever a tampered
 * store hands it.
 */
const FORMAT = 1;

export function encodeRecord(record: SessionRecord): string {
  const header = [
    FORMAT,
    record.version,
    record.createdAt,
    record.issuedAt,
    record.expiresAt,
    record.maxAge,
    record.ip,
    record.userAgent,
  ];
  return `${JSON.stringify(header)}\n${record.data}`;
}

/**
 * Parses a stored record. Returns `undefined` for anything that is not a record of ours
 * (corrupt, truncated, foreign); the core then treats the session as missing.
 */
export function decodeRecord(text: string): SessionRecord | undefined {
  const newline = text.indexOf('\n');
  if (newline === -1) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(text.slice(0, newline));
  } catch {
    return undefined;
  }
  if (!Array.isArray(header) || header.length !== 8 || header[0] !== FORMAT) return undefined;
  const fields: unknown[] = header;
  const [, version, createdAt, issuedAt, expiresAt, maxAge, ip, userAgent] = fields;
  if (!isTime(version) || !isTime(createdAt) || !isTime(issuedAt) || !isTime(expiresAt) || !isTime(maxAge))
    return undefined;
  if (typeof ip !== 'string' || typeof userAgent !== 'string') return undefined;
  return { data: text.slice(newline + 1), version, createdAt, issuedAt, expiresAt, maxAge, ip, userAgent };
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
