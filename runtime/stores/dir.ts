/**
 * Directory store: one file per session, `<key>.session`, named by the SHA-256 store key rather
 * than the id, so the folder holds no live session id.
 * Every operation touches one file, so its cost does not grow with the number of sessions.
 *
 *   dir:///var/lib/my-app/sessions   absolute folder
 *   dir:.sessions                    relative to the app root (the nearest package.json)
 *   dir://                           a folder in the OS temp directory
 *   dir:///path?fsync=true           flush each write to disk (survives power loss; slower)
 */
import { readdir, stat } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { SessionConfigError, SessionStoreError } from '../core/errors.js';
import { KeyedQueue } from '../core/keyed-queue.js';
import type { SessionRecord, SessionStore } from '../core/store.js';
import {
  booleanParam,
  folderMaker,
  isCode,
  pathFromUrl,
  readIfPresent,
  unlinkIfPresent,
  withFileLock,
  writeAtomically,
} from './_files.js';
import { decodeRecord, encodeRecord } from './_record.js';

export interface DirOptions {
  /** `dir:` URL naming the folder. Ignored when `path` is given. @default "dir://" (temp folder) */
  url?: string;
  /** The folder, created if missing. */
  path?: string;
  /**
   * fsync every write. Atomic rename already survives a crashed process; fsync adds survival of
   * a power loss and caps writes near the disk's flush rate.
   * @default false
   */
  fsync?: boolean;
}

const SUFFIX = '.session';
/** Temp and lock files older than this were left by a killed process; deleteExpired removes them. */
const LEFTOVER_MS = 60_000;

export function dirStore(options: DirOptions = {}): SessionStore {
  const url = options.url ?? 'dir://';
  if (!url.startsWith('dir:'))
    throw new SessionConfigError('url', `must start with dir:; got ${JSON.stringify(url)}`, 'dir');
  const folder = options.path ?? pathFromUrl('dir', url, 'sessions');
  const fsync = options.fsync ?? booleanParam('dir', new URL(url), 'fsync', false);
  const queue = new KeyedQueue();

  const fileOf = (key: string) => nodePath.join(folder, key + SUFFIX);
  const ensureFolder = folderMaker('dir', folder);

  async function read(key: string): Promise<SessionRecord | undefined> {
    const text = await readIfPresent(fileOf(key));
    if (text === undefined) return undefined;
    const record = decodeRecord(text);
    return record && record.expiresAt > Date.now() ? record : undefined;
  }

  /** Read-check-write of one session file, atomic across this process and others. */
  function locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    return queue.run(key, async () => {
      await ensureFolder();
      return withFileLock('dir', `${fileOf(key)}.lock`, work);
    });
  }

  /** Removes `name` if it is an expired session or a leftover temp/lock file; true for a session removed. */
  async function sweepOne(name: string): Promise<boolean> {
    const path = nodePath.join(folder, name);
    if (name.endsWith(SUFFIX)) {
      return locked(name.slice(0, -SUFFIX.length), async () => {
        const text = await readIfPresent(path);
        if (text === undefined) return false; // destroyed since readdir
        const record = decodeRecord(text);
        if (record && record.expiresAt > Date.now()) return false;
        await unlinkIfPresent(path);
        return true;
      });
    }
    if (name.endsWith('.tmp') || name.endsWith('.lock')) {
      let modified: number;
      try {
        modified = (await stat(path)).mtimeMs;
      } catch (error) {
        if (isCode(error, 'ENOENT')) return false; // finished by its writer since readdir
        throw error;
      }
      if (Date.now() - modified > LEFTOVER_MS) await unlinkIfPresent(path);
    }
    return false;
  }

  return {
    name: 'dir',

    get: read,

    write: (key, record, expectedVersion) =>
      locked(key, async () => {
        const current = await read(key);
        if (expectedVersion === undefined ? current !== undefined : current?.version !== expectedVersion) return false;
        await writeAtomically(fileOf(key), encodeRecord(record), fsync);
        return true;
      }),

    touch: (key, expiresAt) =>
      locked(key, async () => {
        const current = await read(key);
        if (current) await writeAtomically(fileOf(key), encodeRecord({ ...current, expiresAt }), fsync);
        return current !== undefined;
      }),

    destroy: (key) =>
      locked(key, async () => {
        await unlinkIfPresent(fileOf(key));
      }),

    /**
     * Sweeps the folder file by file. A file it cannot read or remove (a foreign folder named
     * like a session, a permission error) does not stop the sweep; the sweep ends with an error
     * naming how many it could not handle, so a broken folder is never reported as clean.
     */
    async deleteExpired() {
      await ensureFolder();
      let removed = 0;
      const failures: unknown[] = [];
      for (const name of await readdir(folder)) {
        try {
          if (await sweepOne(name)) removed++;
        } catch (error) {
          failures.push(error);
        }
      }
      if (failures.length > 0) {
        const first = failures[0] instanceof Error ? failures[0].message : String(failures[0]);
        throw new SessionStoreError(
          'dir',
          'failed',
          `deleteExpired removed ${String(removed)} expired sessions but could not handle ${String(failures.length)} files; first: ${first}`,
          { cause: failures[0] },
        );
      }
      return removed;
    },

    close: () => Promise.resolve(),
  };
}
