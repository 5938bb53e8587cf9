import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
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
