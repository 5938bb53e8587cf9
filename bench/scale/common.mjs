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

/**
 * Times every call of `owner[method]` from now on (a client's query method, patched on its
 * prototype): each call's first 30 characters of SQL (`sqlOf` finds the text among its arguments)
 * and its milliseconds, in the array returned.
 */
export function timeCalls(owner, method, sqlOf) {
  const calls = [];
  const original = owner[method];
  owner[method] = async function timed(...args) {
    const start = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      calls.push({ sql: String(sqlOf(args[0])).slice(0, 30), ms: performance.now() - start });
    }
  };
  return calls;
}

/** A sweep's DELETE statements from `timeCalls`: how many, the longest and the median, in ms. */
export function sweepFigures(calls) {
  const deletes = calls.filter((call) => /^DELETE/i.test(call.sql)).map((call) => call.ms);
  deletes.sort((a, b) => a - b);
  return {
    statements: deletes.length,
    longestMs: Math.max(0, ...deletes),
    medianMs: deletes[Math.floor(deletes.length / 2)] ?? 0,
  };
}
