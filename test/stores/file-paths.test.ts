/**
 * Where the file and dir stores put their data, as their URLs say: relative URLs against the
 * working directory, absolute ones as given, and folders that cannot be created reported as a
 * configuration mistake (not an outage, and never a hang).
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { pathFromUrl } from '../../runtime/stores/_files.js';
import { dirStore } from '../../runtime/stores/dir.js';
import { fileStore } from '../../runtime/stores/file.js';
import { randomKey, sampleRecord } from '../store-contract.js';

let cwd: string;
let work: string;
beforeEach(() => {
  cwd = process.cwd();
  work = mkdtempSync(join(tmpdir(), 'file-paths-'));
  process.chdir(work);
});
afterEach(() => {
  process.chdir(cwd);
});

it.each([
  ['file:./sessions.json', 'sessions.json'],
  ['file:sessions.json', 'sessions.json'],
  ['file:data/sessions.json?fsync=1', 'data/sessions.json'],
  ['file:../up.json', '../up.json'],
])('%s is relative to the working directory', (url, relative) => {
  expect(pathFromUrl('file', url, 'sessions.json')).toBe(join(work, relative));
});

it.each([
  ['file:///var/lib/app/sessions.json', '/var/lib/app/sessions.json'],
  ['file:/var/lib/app/sessions.json', '/var/lib/app/sessions.json'],
  ['dir:///var/lib/app/my%20sessions', '/var/lib/app/my sessions'],
])('%s is absolute', (url, path) => {
  expect(pathFromUrl(url.slice(0, url.indexOf(':')), url, 'x')).toBe(path);
});

it('a bare URL means a folder in the temp directory; a host or an unknown parameter is refused', () => {
  expect(pathFromUrl('dir', 'dir://', 'sessions')).toMatch(
    new RegExp(`^${tmpdir()}/session-layer-[0-9a-f]{8}-sessions$`),
  );
  expect(() => pathFromUrl('dir', 'dir://host/x', 'sessions')).toThrow(/got host "host"/);
  expect(() => pathFromUrl('file', 'file:./s.json?fsnyc=1', 's')).toThrow(/option "fsnyc" is not a parameter/);
});

it('file:./sessions.json writes in the working directory, not at the root', async () => {
  const store = fileStore({ url: 'file:./sessions.json' });
  await store.write(randomKey(), sampleRecord(), undefined);
  await store.close();
  expect(existsSync(join(work, 'sessions.json'))).toBe(true);
});

it('dir:sessions writes in the working directory', async () => {
  const store = dirStore({ url: 'dir:sessions' });
  const key = randomKey();
  await store.write(key, sampleRecord(), undefined);
  await store.close();
  expect(readdirSync(join(work, 'sessions'))).toEqual([`${key}.session`]);
});

it.each([
  ['dir', () => dirStore({ path: '/proc/session-layer-test/sessions' }), '/proc/session-layer-test'],
  ['file', () => fileStore({ path: '/proc/session-layer-test/sessions.json' }), '/proc/session-layer-test'],
  ['dir under a file', () => dirStore({ path: '/etc/hostname/sessions' }), '/etc/hostname/sessions'],
  ['file in a "folder" that is a file', () => fileStore({ path: '/etc/hostname/sessions.json' }), '/etc/hostname'],
])(
  '%s: a folder that cannot be created fails at once as misconfigured (500), without spinning',
  async (_name, create, folder) => {
    const store = create();
    const started = Date.now();
    const error = await store.write(randomKey(), sampleRecord(), undefined).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'SessionStoreError', code: 'misconfigured', status: 500 });
    expect((error as Error).message).toContain(`cannot create the folder ${folder}`);
    expect(Date.now() - started).toBeLessThan(2_000);
    await store.close();
  },
);
