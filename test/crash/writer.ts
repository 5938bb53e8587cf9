/**
 * The process file-stores.test.ts SIGKILLs: it writes sessions through the dir or file store's
 * own API in a tight loop until it is killed. (No .test suffix: the runner does not collect it.)
 *
 *   node node_modules/tsx/dist/cli.mjs test/crash/writer.ts <dir|file> <path> <writer-name> <shared-key>
 *
 * Prints one line per event on stdout, which is synchronous for a pipe on Linux, so a line is in
 * the pipe before the next write starts and a kill can only lose the line of the write in flight:
 *   ready <pid>              once, before the first write (the pid to kill: tsx runs us in a child)
 *   ok <key> <version>       after the store confirmed a write: that version is committed
 *   lost <key> <version>     a conditional update of a key only this process knows was refused
 *   error <message>          a store call failed
 *
 * Writes are creates of fresh keys, conditional updates of this process's own keys, and
 * conditional updates of one key every writer shares (read, then write version + 1), so two
 * writers on one folder or file contend on the same lock and the same record.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SessionRecord, SessionStore } from '../../runtime/core/store.js';
import { dirStore } from '../../runtime/stores/dir.js';
import { fileStore } from '../../runtime/stores/file.js';

const [kind, path, writer, shared] = process.argv.slice(2);
if ((kind !== 'dir' && kind !== 'file') || !path || !writer || !shared) {
  process.stderr.write('usage: writer.ts <dir|file> <path> <writer-name> <shared-key>\n');
  process.exit(2);
}

const store: SessionStore = kind === 'dir' ? dirStore({ path }) : fileStore({ path });
// Big-ish data so a write takes long enough to be killed in the middle of it. The file store
// rewrites every session on each write, so its records stay smaller to keep the file manageable.
const [minPad, maxPad] = kind === 'dir' ? [4_000, 64_000] : [200, 3_000];
const own: Array<{ key: string; version: number }> = [];

const say = (line: string) => process.stdout.write(`${line}\n`);

function randomKey(): string {
  return createHash('sha256').update(randomBytes(32)).digest('hex');
}

/** A record whose data names its own key and version, so a reader can tell a mixed-up file. */
function record(key: string, version: number): SessionRecord {
  const now = Date.now();
  const pad = randomBytes(Math.floor(minPad + Math.random() * (maxPad - minPad))).toString('base64');
  return {
    data: JSON.stringify({ key, version, writer, pad }),
    version,
    createdAt: now,
    issuedAt: now,
    expiresAt: now + 3_600_000,
    maxAge: 3_600_000,
    ip: '127.0.0.1',
    userAgent: `crash-writer/${writer}`,
  };
}

say(`ready ${process.pid}`);
for (;;) {
  const roll = Math.random();
  try {
    if (roll < 0.4 || own.length === 0) {
      const key = randomKey();
      if (await store.write(key, record(key, 1), undefined)) {
        own.push({ key, version: 1 });
        say(`ok ${key} 1`);
      } else say(`lost ${key} 1`);
    } else if (roll < 0.8) {
      const entry = own[Math.floor(Math.random() * own.length)]!;
      const next = entry.version + 1;
      if (await store.write(entry.key, record(entry.key, next), entry.version)) {
        entry.version = next;
        say(`ok ${entry.key} ${next}`);
      } else say(`lost ${entry.key} ${next}`);
    } else {
      const current = await store.get(shared);
      if (!current) say(`lost ${shared} ?`);
      // Refused when the other writer got there first: that is the conditional write working.
      else if (await store.write(shared, record(shared, current.version + 1), current.version))
        say(`ok ${shared} ${current.version + 1}`);
    }
  } catch (error) {
    say(`error ${(error as Error).message.replace(/\n/g, ' ')}`);
  }
}
