/**
 * Shared by the file and dir stores: where the data lives, atomic replacement and a lock that
 * works across processes. Uses only Node built-ins.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
// A namespace: in CommonJS, functions destructured from require('node:path') read as unbound methods.
import * as nodePath from 'node:path';
import { SessionConfigError, SessionStoreError } from '../core/errors.js';
import { checkUrlParams } from '../core/url-params.js';

/**
 * The path a `file:` or `dir:` URL names. `dir:///var/lib/app/sessions` is absolute;
 * `dir:.sessions` is relative to the app's root (the nearest folder holding a package.json, from
 * the working directory up), so starting the app from one of its subfolders finds the same
 * sessions; a bare `dir://` means a folder in the OS temp directory.
 * The temp name includes a hash of the working directory so two apps on one machine do not share
 * sessions.
 *
 * Read from the text itself: `new URL` would turn `file:./sessions.json` into `/sessions.json`.
 * Only `fsync` may follow as a query parameter.
 */
export function pathFromUrl(store: string, url: string, tempName: string): string {
  const query = url.search(/[?#]/);
  const rest = url.slice(store.length + 1, query === -1 ? url.length : query);
  checkUrlParams(store, new URL(url).searchParams, ['fsync']);
  let encoded = rest;
  if (rest.startsWith('//')) {
    const host = rest.slice(2).split('/', 1)[0] ?? '';
    if (host !== '') {
      throw new SessionConfigError(
        'url',
        `must be ${store}:///absolute/path or ${store}:relative/path; got host "${host}"`,
        store,
      );
    }
    encoded = rest.slice(2);
  }
  let path: string;
  try {
    path = decodeURIComponent(encoded);
  } catch {
    throw new SessionConfigError('url', `has a path that is not valid percent-encoding: "${encoded}"`, store);
  }
  if (path === '' || path === '/') {
    const app = createHash('sha256').update(process.cwd()).digest('hex').slice(0, 8);
    return nodePath.join(tmpdir(), `session-layer-${app}-${tempName}`);
  }
  return nodePath.isAbsolute(path) ? path : nodePath.resolve(appRoot(), path);
}

/** The nearest folder at or above the working directory that holds a package.json, else the working directory. */
function appRoot(): string {
  for (let folder = process.cwd(); ; folder = nodePath.dirname(folder)) {
    if (existsSync(nodePath.join(folder, 'package.json'))) return folder;
    if (nodePath.dirname(folder) === folder) return process.cwd();
  }
}

/**
 * Creates `folder` (and parents, private to this user) on first use. Only success is remembered,
 * so a store whose folder could not be created recovers once it can be. A folder that cannot be
 * created (no permission, a read-only or special file system) is a configuration mistake, not an
 * outage, and is reported as such.
 */
export function folderMaker(store: string, folder: string): () => Promise<void> {
  let made = false;
  return async () => {
    if (made) return;
    try {
      await makeFolder(folder);
    } catch (error) {
      throw new SessionStoreError(store, 'misconfigured', `cannot create the folder ${folder}: ${String(error)}`, {
        cause: error,
      });
    }
    made = true;
  };
}

/**
 * mkdir -p, one level at a time. Node's own `recursive: true` loops forever, holding a core,
 * under a parent that reports ENOENT for every creation (such as /proc).
 */
async function makeFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder, { mode: 0o700 });
  } catch (error) {
    if (isCode(error, 'EEXIST')) {
      // Something is there; it must be a folder (a file of that name is a configuration mistake).
      if (!(await stat(folder)).isDirectory())
        throw new Error(`${folder} exists and is not a folder`, { cause: error });
      return;
    }
    const parent = nodePath.dirname(folder);
    if (!isCode(error, 'ENOENT') || parent === folder) throw error;
    await makeFolder(parent);
    try {
      await mkdir(folder, { mode: 0o700 });
    } catch (again) {
      if (!isCode(again, 'EEXIST')) throw again;
    }
  }
}

/**
 * Replaces `path` with `text` atomically: the text goes to a temp file in the same folder, then
 * a rename swaps it in. Readers see the old or the new content, never half of it, and a process
 * killed mid-write leaves at worst a stray temp file (swept by deleteExpired). With `fsync` the
 * data also survives a power loss, at the price of a disk flush per write.
 */
export async function writeAtomically(path: string, text: string, fsync: boolean): Promise<void> {
  const temp = `${path}.${String(process.pid)}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    if (fsync) {
      const handle = await open(temp, 'w', 0o600);
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } else {
      await writeFile(temp, text, { mode: 0o600 });
    }
    await rename(temp, path);
  } catch (error) {
    await unlinkIfPresent(temp);
    throw error;
  }
}

/** A lock older than this belongs to a process that died holding it. */
const STALE_LOCK_MS = 10_000;
/** Longest wait for a lock before the operation fails as a store timeout. */
const LOCK_TIMEOUT_MS = 5_000;

/**
 * Runs `work` while holding `lockPath`, a lock that other processes respect too: the lock is a
 * file created with O_EXCL, which exactly one process can do at a time. Waiters poll with a
 * short backoff; a lock left behind by a killed process is broken once it is stale.
 */
export async function withFileLock<T>(store: string, lockPath: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  let wait = 1;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      // The owner's pid lets a waiter on this machine break the lock of a killed process at once.
      await handle.writeFile(String(process.pid)).finally(() => handle.close());
      break;
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw error;
    }
    await breakIfStale(lockPath);
    if (Date.now() > deadline) throw new SessionStoreError(store, 'timeout', `timed out waiting for lock ${lockPath}`);
    await new Promise((done) => setTimeout(done, wait));
    wait = Math.min(wait * 2, 25);
  }
  try {
    return await work();
  } finally {
    // Already gone when a waiter broke it as stale meanwhile.
    await unlinkIfPresent(lockPath);
  }
}

/** Reads a text file that may not exist (yet, or any more): `undefined` then, other errors thrown. */
export async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/**
 * Removes a file that may already be gone. unlink, not rm: rm stats the path twice before
 * unlinking it, which costs more than the unlink itself, on every locked write.
 */
export async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
  }
}

/**
 * A lock is stale when its owner process is gone (checked by pid, for processes on this machine)
 * or, for an owner we cannot check (another host on a shared disk), when it is older than
 * STALE_LOCK_MS. Breaking renames the lock aside first, so two waiters cannot both remove it and
 * one of them delete a fresh lock taken in between.
 */
async function breakIfStale(lockPath: string): Promise<void> {
  try {
    const [info, owner] = await Promise.all([stat(lockPath), readFile(lockPath, 'utf8')]);
    if (!ownerIsGone(owner) && Date.now() - info.mtimeMs <= STALE_LOCK_MS) return;
    const aside = `${lockPath}.${String(process.pid)}.${randomBytes(4).toString('hex')}.stale`;
    await rename(lockPath, aside);
    await unlinkIfPresent(aside);
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
  }
}

function ownerIsGone(owner: string): boolean {
  const pid = Number(owner);
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0); // signal 0 only checks that the process exists
    return false;
  } catch (error) {
    return isCode(error, 'ESRCH');
  }
}

export function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/** Parses `?name=true|false` style URL flags strictly. */
export function booleanParam(store: string, url: URL, name: string, fallback: boolean): boolean {
  const value = url.searchParams.get(name);
  if (value === null) return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new SessionConfigError(name, `must be true or false; got ${JSON.stringify(value)}`, store);
}
