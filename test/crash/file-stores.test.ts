/**
 * Crash safety of the dir and file stores, on a real disk with real processes: writer processes
 * (test/crash/writer.ts) create and conditionally update sessions in a tight loop and are
 * SIGKILLed at random moments, 30+ times per store, in every other round with a second writer
 * running at the same time on the same folder or file. Afterwards:
 *
 * - every `*.session` file (dir) and the one JSON file (file) parses, and every record in it is
 *   whole (its data names its own key and version);
 * - every write a writer reported as committed is there, at that version or a later one (no
 *   session of one writer is lost to the other's rewrite, and no update is lost);
 * - no version of the shared key was reported committed twice (two processes never both won
 *   the same conditional write);
 * - leftover `.tmp` and `.lock` files are allowed, and a fresh store still works on top of them:
 *   it breaks the stale locks through its own stale-lock path, and every write succeeds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeRecord } from '../../runtime/stores/_record.js';
import type { SessionRecord, SessionStore } from '../../runtime/core/store.js';
import { dirStore } from '../../runtime/stores/dir.js';
import { fileStore } from '../../runtime/stores/file.js';
import { repoRoot } from '../helpers/apps.js';

const ITERATIONS = 30;
/** Each writer is killed this long after it starts writing. */
const KILL_AFTER_MS: [number, number] = [50, 300];
/**
 * runtime/stores/_files.ts STALE_LOCK_MS (10 s; not exported): a lock file older than that
 * belongs to a dead process and the next writer breaks it.
 */
const STALE_LOCK_MS = 10_000;

const tsx = join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const script = join(repoRoot, 'test', 'crash', 'writer.ts');

/** Every process this file started, killed by PID in afterAll if still alive. */
const started = new Set<number>();
const folders: string[] = [];

afterAll(async () => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

interface WriterRun {
  name: string;
  output: string;
  killedAfterMs: number;
}

/**
 * Starts one writer, waits for it to start writing, SIGKILLs it a random 50–300 ms later and
 * resolves everything it printed. tsx runs the script in a child process of its own, so the PID
 * killed is the one the script reports (a SIGKILL cannot be forwarded by tsx).
 */
async function runAndKill(kind: 'dir' | 'file', path: string, name: string, shared: string): Promise<WriterRun> {
  const child: ChildProcess = spawn(process.execPath, [tsx, script, kind, path, name, shared], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child.pid!);
  let output = '';
  let errors = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));

  const deadline = Date.now() + 30_000;
  let pid: number | undefined;
  while (pid === undefined) {
    pid = Number(/^ready (\d+)$/m.exec(output)?.[1]) || undefined;
    if (pid !== undefined) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`writer ${name} did not start (exit ${child.exitCode}):\n${errors}`);
    }
    await sleep(5);
  }
  started.add(pid);
  const killedAfterMs = KILL_AFTER_MS[0] + Math.floor(Math.random() * (KILL_AFTER_MS[1] - KILL_AFTER_MS[0]));
  await sleep(killedAfterMs);
  process.kill(pid, 'SIGKILL');
  await closed;
  started.delete(pid);
  started.delete(child.pid!);
  expect(errors, `writer ${name} stderr`).toBe('');
  return { name, output, killedAfterMs };
}

/** Committed writes (key → highest version reported, and who reported each version). */
class Ledger {
  readonly highest = new Map<string, number>();
  /** `${key} ${version}` → writer names that reported it committed. */
  readonly reports = new Map<string, string[]>();
  commits = 0;
  lost: string[] = [];
  errors: string[] = [];

  add(run: WriterRun): void {
    // Only whole lines: a line cut by the kill was never a completed report.
    const lines = run.output.split('\n').slice(0, -1);
    for (const line of lines) {
      const [event, a, b] = line.split(' ');
      if (event === 'ok') {
        const key = a!;
        const version = Number(b);
        this.commits++;
        this.highest.set(key, Math.max(version, this.highest.get(key) ?? 0));
        const id = `${key} ${version}`;
        this.reports.set(id, [...(this.reports.get(id) ?? []), run.name]);
      } else if (event === 'lost') this.lost.push(`${run.name}: ${line}`);
      else if (event === 'error') this.errors.push(`${run.name}: ${line}`);
    }
  }

  /** Versions that more than one writer reported winning: a lost update between processes. */
  doubleWins(): string[] {
    return [...this.reports]
      .filter(([, names]) => names.length > 1)
      .map(([id, names]) => `${id} by ${names.join(', ')}`);
  }
}

/** The record's data names its own key and version: a record pieced together from two writes would not. */
function whole(key: string, record: SessionRecord | undefined): boolean {
  if (!record) return false;
  try {
    const data = JSON.parse(record.data) as { key?: unknown; version?: unknown };
    return data.key === key && data.version === record.version;
  } catch {
    return false;
  }
}

/**
 * Lock files whose owner was killed: at this point every writer is dead, so every lock file is
 * one. They are aged past STALE_LOCK_MS instead of waited out (10 s per round would make this
 * test take many minutes): to the store that is exactly a dead process's lock 10 s later, and
 * breaking it is left to the store's own stale-lock code. Nothing is deleted by the test.
 */
function ageLeftoverLocks(folder: string): string[] {
  const locks = readdirSync(folder).filter((name) => name.endsWith('.lock'));
  const past = (Date.now() - STALE_LOCK_MS - 1_000) / 1000;
  const identities: string[] = [];
  for (const name of locks) {
    const path = join(folder, name);
    // name + inode: the file store's one lock file name is reused by every lock taken.
    identities.push(`${name}:${statSync(path).ino}`);
    utimesSync(path, past, past);
  }
  return identities;
}

function randomKey(): string {
  return createHash('sha256').update(randomBytes(32)).digest('hex');
}

function sharedRecord(key: string): SessionRecord {
  const now = Date.now();
  return {
    data: JSON.stringify({ key, version: 1, writer: 'test' }),
    version: 1,
    createdAt: now,
    issuedAt: now,
    expiresAt: now + 3_600_000,
    maxAge: 3_600_000,
    ip: '127.0.0.1',
    userAgent: 'crash-test',
  };
}

describe.each([
  ['dir', (folder: string) => join(folder, 'sessions'), (path: string) => dirStore({ path })],
  ['file', (folder: string) => join(folder, 'sessions.json'), (path: string) => fileStore({ path })],
] as const)('%s store: writers SIGKILLed mid-write', (kind, pathIn, open) => {
  it(`loses and corrupts no committed session over ${ITERATIONS} kills, with a second writer in every other round`, async () => {
    const folder = mkdtempSync(join(tmpdir(), `crash-${kind}-`));
    folders.push(folder);
    const path = pathIn(folder);
    const lockFolder = kind === 'dir' ? path : folder;
    const shared = randomKey();
    const setup = open(path);
    expect(await setup.write(shared, sharedRecord(shared), undefined)).toBe(true);
    await setup.close();

    const ledger = new Ledger();
    let writers = 0;
    const staleLocks = new Set<string>();
    let pairedRounds = 0;
    const startedAt = Date.now();
    for (let round = 0; round < ITERATIONS; round++) {
      const paired = round % 2 === 1;
      if (paired) pairedRounds++;
      const names = paired ? [`w${round}a`, `w${round}b`] : [`w${round}`];
      writers += names.length;
      const runs = await Promise.all(names.map((name) => runAndKill(kind, path, name, shared)));
      for (const run of runs) ledger.add(run);
      for (const lock of ageLeftoverLocks(lockFolder)) staleLocks.add(lock);
    }

    // What is on disk, read without the store: every session file parses, every record is whole.
    const leftovers = readdirSync(lockFolder).filter((name) => name.endsWith('.tmp') || name.endsWith('.lock'));
    const corrupt: string[] = [];
    let onDisk = 0;
    if (kind === 'dir') {
      for (const name of readdirSync(path).filter((n) => n.endsWith('.session'))) {
        onDisk++;
        const key = name.slice(0, -'.session'.length);
        if (!whole(key, decodeRecord(readFileSync(join(path, name), 'utf8')))) corrupt.push(name);
      }
    } else {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as { format: string; sessions: Record<string, string> };
      expect(parsed.format).toBe('session-layer/file@1');
      for (const [key, text] of Object.entries(parsed.sessions)) {
        onDisk++;
        if (!whole(key, decodeRecord(text))) corrupt.push(key);
      }
    }

    // Through a fresh store: every committed write is there, at its version or a later one.
    const fresh: SessionStore = open(path);
    const missing: string[] = [];
    const behind: string[] = [];
    for (const [key, version] of ledger.highest) {
      const record = await fresh.get(key);
      if (!record) missing.push(key);
      else if (!whole(key, record)) corrupt.push(key);
      else if (record.version < version) behind.push(`${key}: ${record.version} < ${version}`);
    }

    // The fresh store works on top of the leftovers: every lock left is a killed writer's and
    // stale (aged above), and a write to each locked key breaks its lock, writes and releases
    // it. (A key whose create was killed before the rename has a lock and no record: created.)
    ageLeftoverLocks(lockFolder);
    const lockedKeys =
      kind === 'dir'
        ? leftovers.filter((n) => n.endsWith('.session.lock')).map((n) => n.slice(0, -'.session.lock'.length))
        : [];
    for (const key of [shared, ...lockedKeys]) {
      const current = await fresh.get(key);
      const written = current
        ? await fresh.write(key, { ...current, version: current.version + 1 }, current.version)
        : await fresh.write(key, sharedRecord(key), undefined);
      expect(written, key).toBe(true);
    }
    const newcomer = randomKey();
    expect(await fresh.write(newcomer, sharedRecord(newcomer), undefined)).toBe(true);
    expect(whole(newcomer, await fresh.get(newcomer))).toBe(true);
    expect(readdirSync(lockFolder).filter((name) => name.endsWith('.lock'))).toEqual([]);
    await fresh.close();

    const sharedVersion = ledger.highest.get(shared) ?? 1;
    console.info(
      `[crash ${kind}] ${ITERATIONS} rounds (${pairedRounds} with two writers), ${writers} writers SIGKILLed, ` +
        `${ledger.commits} writes reported committed on ${ledger.highest.size} keys (shared key to v${sharedVersion}), ` +
        `${onDisk} records on disk, ${staleLocks.size} locks left by killed writers (broken as stale by a later writer or the fresh store), ` +
        `leftovers at the end: ${leftovers.filter((n) => n.endsWith('.tmp')).length} .tmp, ${leftovers.filter((n) => n.endsWith('.lock')).length} .lock; ` +
        `corrupt ${corrupt.length}, missing ${missing.length}, behind ${behind.length}, double wins ${ledger.doubleWins().length}, ` +
        `refused own updates ${ledger.lost.length}, store errors ${ledger.errors.length}; ${Math.round((Date.now() - startedAt) / 1000)} s`,
    );
    // The writers must have done real work, or the kills prove nothing.
    expect(ledger.commits).toBeGreaterThan(ITERATIONS * 2);
    expect(corrupt).toEqual([]);
    expect(missing).toEqual([]);
    expect(behind).toEqual([]);
    expect(ledger.doubleWins()).toEqual([]);
    expect(ledger.lost).toEqual([]);
    expect(ledger.errors).toEqual([]);
    expect(existsSync(path)).toBe(true);
  }, 300_000);
});
