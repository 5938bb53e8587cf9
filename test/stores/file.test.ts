import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fileStore } from '../../runtime/stores/file.js';
import { randomKey, sampleRecord, testStore } from '../store-contract.js';

const path = join(mkdtempSync(join(tmpdir(), 'file-store-')), 'sessions.json');

testStore('file', {
  create: () => fileStore({ url: `file://${path}` }),
  rawDump: async () => readFileSync(path, 'utf8'),
});

it('file: refuses to overwrite a file that is not a session file', async () => {
  const foreign = join(mkdtempSync(join(tmpdir(), 'file-store-')), 'notes.json');
  writeFileSync(foreign, 'precious notes');
  const store = fileStore({ path: foreign });
  await expect(store.write(randomKey(), sampleRecord(), undefined)).rejects.toThrow(/is not a session file/);
  expect(readFileSync(foreign, 'utf8')).toBe('precious notes');
});
