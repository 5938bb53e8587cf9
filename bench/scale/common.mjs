// Shared by the scaling scripts (run under tsx from the repo root, so they can import the
// TypeScript stores in runtime/ directly).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const repo = process.cwd();
export const importRuntime = (path) => import(pathToFileURL(join(repo, 'runtime', path)).href);

/** A store key as the core makes them: 64 hex characters (SHA-256). */
export const keyOf = (i) => createHash('sha256').update(`bench-session-${i}`).digest('hex');

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/**
 * A record like one the core writes for a logged-in visitor. Each string is a fresh copy, as
 * strings parsed from separate requests are, so V8 cannot share them between records.
 */
export function recordOf(i, now, { expiresAt = now + 86_400_000 } = {}) {
  const fresh = (text) => Buffer.from(text).toString();
  return {
    data: fresh(`{"user":"user-${String(i).padStart(6, '0')}","count":1}`),
    version: 1,
    createdAt: now,
    issuedAt: now,
    expiresAt,
    maxAge: 900_000,
    ip: fresh('127.0.0.1'),
    userAgent: fresh(UA),
  };
}

export function emit(result) {
  process.stdout.write(JSON.stringify(result) + '\n');
}
