/**
 * Directory store: one file per session, `<key>.session`, as the original module's DirSession
 * (which named files by the raw id; we use the SHA-256 key, so the folder holds no live id).
 * Every operation touches one file, so its cost does not grow with the number of sessions.
 *
 *   dir:///var/lib/my-app/sessions   absolute folder
 *   dir:./sessions                   relative to the working directory
 *   dir://                           a folder in the OS temp directory
 *   dir:///path?fsync=true           flush each write to disk (survives power loss; slower)
 */
import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { SessionConfigError } from '../core/errors.js';
import { decodeRecord, encodeRecord } from '../core/record.js';
import type { SessionRecord, SessionStore } from '../core/store.js';
import { KeyedQueue } from '../core/keyed-queue.js';
import {
  booleanParam,
  folderMaker,
  isCode,
  pathFromUrl,
  unlinkIfPresent,
  withFileLock,
  writeAtomically,
} from './_files.js';

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

  const fileOf = (key: string) => join(folder, key + SUFFIX);
  const ensureFolder = folderMaker(folder);

  async function read(key: string): Promise<SessionRecord | undefined> {
    let text: string;
    try {
      text = await readFile(fileOf(key), 'utf8');
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined;
      throw error;
    }
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

    async deleteExpired() {
      await ensureFolder();
      let removed = 0;
      for (const name of await readdir(folder)) {
        const path = join(folder, name);
        if (name.endsWith(SUFFIX)) {
          const key = name.slice(0, -SUFFIX.length);
          const gone = await locked(key, async () => {
            const text = await readFile(path, 'utf8').catch(() => undefined);
            if (text === undefined) return false;
            const record = decodeRecord(text);
            if (record && record.expiresAt > Date.now()) return false;
            await unlink(path).catch(() => undefined);
            return true;
          });
          if (gone) removed++;
        } else if (name.endsWith('.tmp') || name.endsWith('.lock')) {
          const info = await stat(path).catch(() => undefined);
          if (info && Date.now() - info.mtimeMs > LEFTOVER_MS) await unlink(path).catch(() => undefined);
        }
      }
      return removed;
    },

    close: async () => {},
  };
}
