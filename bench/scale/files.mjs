// Cost per operation of the dir and file stores as the number of stored sessions grows.
// Usage (under tsx, cwd = repo root): files.mjs <dir|file> <folder> <seconds> <size,size,...>
// For each size, the store is filled up to it, then get+write (a conditional write of the next
// version, as the core does for a changed session) runs on random existing sessions, one at a
// time, for <seconds> (and at least 3 operations). Prints one JSON line per size.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { emit, importRuntime, keyOf, recordOf } from './common.mjs';

const [kind, folder, secondsText, sizesText] = process.argv.slice(2);
const seconds = Number(secondsText);
const sizes = sizesText.split(',').map(Number);
const { encodeRecord } = await importRuntime('stores/_record.ts');
const now = Date.now();

let store;
let prefill;
if (kind === 'dir') {
  const { dirStore } = await importRuntime('stores/dir.ts');
  store = dirStore({ path: join(folder, 'sessions') });
  // Through the store API, 32 writes in flight (distinct keys, so they do not contend).
  prefill = async (from, to) => {
    let next = from;
    const worker = async () => {
      while (next < to) {
        const i = next++;
        if (!(await store.write(keyOf(i), recordOf(i, now), undefined))) throw new Error(`prefill write ${i} refused`);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
  };
} else if (kind === 'file') {
  const { fileStore } = await importRuntime('stores/file.ts');
  const path = join(folder, 'sessions.json');
  store = fileStore({ path });
  // Every file-store write rewrites the whole file, so filling 100k sessions one write at a time
  // would write terabytes. The first session goes through the store API (which creates the file
  // in its own format); the rest are added to that same JSON object with the core's record
  // encoder, and a read through the store checks that it still accepts the file.
  prefill = async (from, to) => {
    if (from === 0) {
      await store.write(keyOf(0), recordOf(0, now), undefined);
      from = 1;
    }
    const file = JSON.parse(await readFile(path, 'utf8'));
    for (let i = from; i < to; i++) file.sessions[keyOf(i)] = encodeRecord(recordOf(i, now));
    await writeFile(path, JSON.stringify(file));
    const check = await store.get(keyOf(to - 1));
    if (!check) throw new Error('the file store does not read the prefilled file');
  };
} else {
  throw new Error(`unknown store ${kind}`);
}

let filled = 0;
for (const size of sizes) {
  const fillStart = performance.now();
  await prefill(filled, size);
  const fillMs = performance.now() - fillStart;
  filled = size;
  let ops = 0;
  const start = performance.now();
  const cap = start + Math.max(seconds * 1000, 1) * 20; // bounded even when one op takes long
  while ((performance.now() - start < seconds * 1000 || ops < 3) && performance.now() < cap) {
    const key = keyOf(Math.floor(Math.random() * size));
    const record = await store.get(key);
    if (!record) throw new Error(`prefilled session missing at size ${size}`);
    const next = { ...record, version: record.version + 1, data: `{"count":${record.version + 1}}` };
    if (!(await store.write(key, next, record.version))) throw new Error('conditional write refused');
    ops++;
  }
  const elapsed = performance.now() - start;
  emit({
    store: kind,
    sessions: size,
    ops,
    opsPerSecond: (ops * 1000) / elapsed,
    msPerOp: elapsed / ops,
    fillSeconds: fillMs / 1000,
  });
}
await store.close();
