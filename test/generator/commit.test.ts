import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitPlan } from '../../generators/layer/commit.js';
import { Plan } from '../../generators/layer/plan.js';
import { hashTree, makeApp } from '../helpers/apps.js';

function plan(root: string, writes: Record<string, string>, deletes: string[] = []): Plan {
  const result = new Plan(root);
  for (const [path, content] of Object.entries(writes)) result.addEdit(path, content);
  for (const path of deletes)
    result.add({ path, change: 'deleted', before: result.read(path), after: undefined, companions: [] });
  return result;
}

describe('commitPlan', () => {
  it('writes, replaces and deletes files together, leaving no staging folder', async () => {
    const root = makeApp({ files: { 'a/one.txt': 'old', 'gone.txt': 'bye' } });
    await commitPlan(plan(root, { 'a/one.txt': 'new', 'b/c/two.txt': 'two' }, ['gone.txt']));
    expect(readFileSync(join(root, 'a/one.txt'), 'utf8')).toBe('new');
    expect(readFileSync(join(root, 'b/c/two.txt'), 'utf8')).toBe('two');
    expect(existsSync(join(root, 'gone.txt'))).toBe(false);
    expect(readdirSync(root).filter((name) => name.startsWith('.session-layer-staging'))).toEqual([]);
  });

  it('undoes every step when a later one fails: replaced files back, new files and folders gone', async () => {
    const root = makeApp({
      files: { 'a/one.txt': 'old', 'gone.txt': 'bye', blocker: 'a file where a folder is needed' },
    });
    const before = hashTree(root);
    const failing = plan(root, { 'a/one.txt': 'new', 'b/c/two.txt': 'two', 'blocker/three.txt': 'three' }, [
      'gone.txt',
    ]);
    await expect(commitPlan(failing)).rejects.toThrow(/^could not write the app \(.*\); nothing was changed$/);
    expect(hashTree(root)).toEqual(before);
    expect(existsSync(join(root, 'b'))).toBe(false);
  });

  it('keeps the mode of a file it replaces', async () => {
    const root = makeApp();
    mkdirSync(join(root, 'bin'));
    writeFileSync(join(root, 'bin/run.ts'), 'old', { mode: 0o755 });
    await commitPlan(plan(root, { 'bin/run.ts': 'new' }));
    const { statSync } = await import('node:fs');
    expect(statSync(join(root, 'bin/run.ts')).mode & 0o777).toBe(0o755);
  });
});
