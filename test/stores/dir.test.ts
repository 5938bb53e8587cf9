import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SessionStoreError } from '../../runtime/core/errors.js';
import { dirStore } from '../../runtime/stores/dir.js';
import { randomKey, sampleRecord, testStore } from '../store-contract.js';

const folder = mkdtempSync(join(tmpdir(), 'dir-store-'));

testStore('dir', {
  create: () => dirStore({ url: `dir://${folder}` }),
  rawDump: async () =>
    readdirSync(folder)
      .map((name) => (name.endsWith('.session') ? `${name}\n${readFileSync(join(folder, name), 'utf8')}` : name))
      .join('\n'),
});

it('dir: one <key>.session file per session, no lock or temp files left behind', async () => {
  const store = dirStore({ path: mkdtempSync(join(tmpdir(), 'dir-store-')) });
  const key = randomKey();
  await store.write(key, sampleRecord(), undefined);
  await store.touch(key, Date.now() + 120_000);
  const other = dirStore({ path: join(folder, 'nested', 'created') });
  await other.write(key, sampleRecord(), undefined);
  expect(readdirSync(join(folder, 'nested', 'created'))).toEqual([`${key}.session`]);
});

it('dir: a host in the URL is a configuration error', () => {
  expect(() => dirStore({ url: 'dir://sessions/here' })).toThrow(/option "url"/);
});

it('dir: deleteExpired reports a file it cannot handle, after sweeping the rest', async () => {
  const path = mkdtempSync(join(tmpdir(), 'dir-store-'));
  const store = dirStore({ path });
  const expired = [randomKey(), randomKey()];
  const live = randomKey();
  for (const key of expired) await store.write(key, sampleRecord({ expiresAt: Date.now() - 1 }), undefined);
  await store.write(live, sampleRecord(), undefined);
  // A folder named like a session: reading it fails with EISDIR, for root too (unlike chmod).
  const foreign = `${randomKey()}.session`;
  mkdirSync(join(path, foreign));

  const failure = await store.deleteExpired().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(SessionStoreError);
  expect((failure as SessionStoreError).code).toBe('failed');
  expect((failure as Error).message).toMatch(
    /removed 2 expired sessions but could not handle 1 files; first: .*EISDIR/,
  );
  expect(((failure as Error).cause as NodeJS.ErrnoException).code).toBe('EISDIR');
  expect(readdirSync(path).sort()).toEqual([`${live}.session`, foreign].sort());
  expect(await store.get(live)).toBeDefined();
});
