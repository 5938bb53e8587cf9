import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { withFileLock } from '../../runtime/stores/_files.js';

const folder = mkdtempSync(join(tmpdir(), 'file-lock-'));

it('holds the lock file, with our pid in it, exactly while the work runs', async () => {
  const lock = join(folder, 'a.lock');
  const owner = await withFileLock('dir', lock, async () => readFileSync(lock, 'utf8'));
  expect(owner).toBe(String(process.pid));
  expect(existsSync(lock)).toBe(false);
});

it('a second taker waits until the first releases', async () => {
  const lock = join(folder, 'b.lock');
  const order: string[] = [];
  let release = () => {};
  const first = withFileLock('dir', lock, async () => {
    order.push('first in');
    await new Promise<void>((done) => (release = done));
    order.push('first out');
  });
  await new Promise((done) => setTimeout(done, 20));
  const second = withFileLock('dir', lock, async () => void order.push('second in'));
  await new Promise((done) => setTimeout(done, 50));
  expect(order).toEqual(['first in']);
  release();
  await Promise.all([first, second]);
  expect(order).toEqual(['first in', 'first out', 'second in']);
});

it('release tolerates a lock already gone (broken as stale by a waiter) and keeps the result', async () => {
  const lock = join(folder, 'c.lock');
  const result = await withFileLock('dir', lock, async () => {
    rmSync(lock);
    return 42;
  });
  expect(result).toBe(42);
});

it("a dead owner's lock is broken at once", async () => {
  const lock = join(folder, 'd.lock');
  writeFileSync(lock, '2147483646'); // a pid no process has
  await expect(withFileLock('dir', lock, async () => 'ran')).resolves.toBe('ran');
  expect(existsSync(lock)).toBe(false);
});
