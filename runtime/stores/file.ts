/**
 * Single-file store: every session in one JSON file.
 * Each write rewrites the whole file, so cost grows with the number of sessions: fine for small
 * apps and development; use `dir:` beyond a few thousand sessions.
 *
 * Unlike the original (which rewrote the file with no lock, so concurrent writers lost each
 * other's sessions), writes take a cross-process lock and replace the file atomically.
 *
 *   file:///var/lib/my-app/sessions.json   absolute path
 *   file:.sessions/sessions.json           relative to the app root (the nearest package.json)
 *   file://                                a file in the OS temp directory
 *   file:///path?fsync=true                flush each write to disk
 */
import { readFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { SessionConfigError, SessionStoreError } from '../core/errors.js';
import { KeyedQueue } from '../core/keyed-queue.js';
import type { SessionStore } from '../core/store.js';
import { booleanParam, folderMaker, isCode, pathFromUrl, withFileLock, writeAtomically } from './_files.js';
import { decodeRecord, encodeRecord } from './_record.js';

export interface FileOptions {
  /** `file:` URL naming the file. Ignored when `path` is given. @default "file://" (temp file) */
  url?: string;
  /** The session file; its folder is created if missing. */
  path?: string;
  /** fsync every write (survives power loss, not only a crashed process). @default false */
  fsync?: boolean;
}

const FORMAT = 'session-layer/file@1';

export function fileStore(options: FileOptions = {}): SessionStore {
  const url = options.url ?? 'file://';
  if (!url.startsWith('file:'))
    throw new SessionConfigError('url', `must start with file:; got ${JSON.stringify(url)}`, 'file');
  const path = options.path ?? pathFromUrl('file', url, 'sessions.json');
  const fsync = options.fsync ?? booleanParam('file', new URL(url), 'fsync', false);
  const queue = new KeyedQueue();
  const ensureFolder = folderMaker('file', nodePath.dirname(path));
  /** The parsed file, reused while its text is unchanged. */
  let cache: { text: string; sessions: Map<string, string> } | undefined;

  async function readAll(): Promise<Map<string, string>> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isCode(error, 'ENOENT')) return new Map();
      throw error;
    }
    // Compared by content, not by inode, size and modification time: a busy file system gives the
    // next replacement the inode of the file just replaced and stamps times coarsely, so a file
    // rewritten by another process can look unchanged, and a write on a stale copy loses sessions.
    if (cache?.text === text) return cache.sessions;
    const sessions = parseFile(text);
    cache = { text, sessions };
    return sessions;
  }

  function parseFile(text: string): Map<string, string> {
    if (text.trim() === '') return new Map();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const sessions = (parsed as { format?: unknown; sessions?: unknown } | undefined)?.sessions;
    if (
      (parsed as { format?: unknown } | undefined)?.format !== FORMAT ||
      typeof sessions !== 'object' ||
      sessions === null
    ) {
      // Refuse rather than overwrite: this file holds something that is not ours.
      throw new SessionStoreError(
        'file',
        'failed',
        `${path} is not a session file; move it away or choose another path`,
      );
    }
    return new Map(Object.entries(sessions).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  }

  /**
   * Read-modify-write of the whole file under the cross-process lock; `change` edits the map
   * and says whether anything needs writing.
   */
  function update<T>(change: (sessions: Map<string, string>) => { result: T; changed: boolean }): Promise<T> {
    return queue.run('file', async () => {
      await ensureFolder();
      return withFileLock('file', `${path}.lock`, async () => {
        const sessions = new Map(await readAll());
        const { result, changed } = change(sessions);
        if (changed) {
          await writeAtomically(
            path,
            JSON.stringify({ format: FORMAT, sessions: Object.fromEntries(sessions) }),
            fsync,
          );
          cache = undefined;
        }
        return result;
      });
    });
  }

  const liveIn = (sessions: Map<string, string>, key: string) => {
    const text = sessions.get(key);
    const record = text === undefined ? undefined : decodeRecord(text);
    return record && record.expiresAt > Date.now() ? record : undefined;
  };

  return {
    name: 'file',
    get: async (key) => liveIn(await readAll(), key),
    write: (key, record, expectedVersion) =>
      update((sessions) => {
        const current = liveIn(sessions, key);
        const allowed = expectedVersion === undefined ? current === undefined : current?.version === expectedVersion;
        if (allowed) sessions.set(key, encodeRecord(record));
        return { result: allowed, changed: allowed };
      }),
    touch: (key, expiresAt) =>
      update((sessions) => {
        const current = liveIn(sessions, key);
        if (current) sessions.set(key, encodeRecord({ ...current, expiresAt }));
        return { result: current !== undefined, changed: current !== undefined };
      }),
    destroy: (key) => update((sessions) => ({ result: undefined, changed: sessions.delete(key) })),
    deleteExpired: () =>
      update((sessions) => {
        let removed = 0;
        for (const key of [...sessions.keys()]) {
          if (!liveIn(sessions, key)) {
            sessions.delete(key);
            removed++;
          }
        }
        return { result: removed, changed: removed > 0 };
      }),
    close: () => {
      cache = undefined;
      return Promise.resolve();
    },
  };
}
