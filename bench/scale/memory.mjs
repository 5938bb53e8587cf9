// Heap used by 100,000 sessions in a memory store. Run with node --expose-gc under tsx.
// Usage: memory.mjs <ours|express-session> <count> <benchDir>
// ours: runtime/stores/memory.ts holding records as the core writes them (data, versions,
// times, client IP and User-Agent). express-session: its MemoryStore holding sessions as
// express-session hands them over (a cookie object plus the same values; no IP or User-Agent).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { emit, importRuntime, keyOf, recordOf } from './common.mjs';

const [which, countText, benchDir] = process.argv.slice(2);
const count = Number(countText);
if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');

const settle = () => {
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
};
const now = Date.now();
let keep;
let before;
if (which === 'ours') {
  const { memoryStore } = await importRuntime('stores/memory.ts');
  const store = memoryStore({ maxEntries: count * 2 });
  before = settle();
  for (let i = 0; i < count; i++) await store.write(keyOf(i), recordOf(i, now), undefined);
  keep = store;
} else {
  const require = createRequire(join(benchDir, 'package.json'));
  const { randomBytes } = await import('node:crypto');
  const { MemoryStore } = require('express-session');
  const store = new MemoryStore();
  before = settle();
  for (let i = 0; i < count; i++) {
    const { data } = recordOf(i, now);
    const session = {
      cookie: { originalMaxAge: 900_000, expires: new Date(now + 900_000), httpOnly: true, path: '/', sameSite: 'lax' },
      ...JSON.parse(data),
    };
    await new Promise((resolve, reject) =>
      store.set(randomBytes(24).toString('base64url'), session, (error) => (error ? reject(error) : resolve())),
    );
  }
  keep = store;
}
const after = settle();
emit({
  which,
  sessions: count,
  heapBytes: after - before,
  bytesPerSession: (after - before) / count,
  alive: Boolean(keep),
});
