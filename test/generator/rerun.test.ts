/**
 * Re-runs on an app that already has the layer: adding and removing stores edits index.ts in
 * place (the user's edits stay byte for byte), and the same command twice changes nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashTree, makeApp } from '../helpers/apps.js';
import { generate, generateOk } from './_cli.js';

const index = (root: string) => join(root, 'session/index.ts');
const manifest = (root: string) =>
  JSON.parse(readFileSync(join(root, 'session/session-layer.json'), 'utf8')) as {
    stores: string[];
    files: Record<string, string>;
  };

/** The user's own edits to index.ts: a changed option, a comment, code of their own. */
function handEdit(root: string): void {
  const text = readFileSync(index(root), 'utf8')
    .replace(
      '...optionsFromEnv(process.env, stores, defaultStoreUrl),',
      "...optionsFromEnv(process.env, stores, defaultStoreUrl),\n  cookie: { name: 'my_app_sid', sameSite: 'strict' },",
    )
    .replace('export const stores', '// Our stores. Keep dir first.\nexport const stores');
  writeFileSync(index(root), `${text}\nexport const appName = 'mine'; // added by hand\n`);
}

/** Lines of `after` that are not in `before`, and `after` with them taken out. */
function insertedLines(before: string, after: string): { inserted: string[]; rest: string } {
  const remaining = before.split('\n');
  const inserted: string[] = [];
  const kept: string[] = [];
  for (const line of after.split('\n')) {
    if (remaining[0] === line) kept.push(remaining.shift()!);
    else inserted.push(line);
  }
  return { inserted, rest: kept.join('\n') };
}

describe('re-running on an existing layer', () => {
  it('adds a store: vendors its file, registers its scheme by editing index.ts, leaves every hand edit byte for byte', async () => {
    const root = makeApp();
    await generateOk(root, ['--yes', '--store', 'dir']);
    handEdit(root);
    const before = readFileSync(index(root), 'utf8');

    const result = await generateOk(root, ['--store', 'memory']);
    const after = readFileSync(index(root), 'utf8');
    const { inserted, rest } = insertedLines(before, after);
    expect(inserted).toEqual([
      "import { memoryStore } from './stores/memory.js';",
      "  'memory:': (url) => memoryStore({ url }),",
    ]);
    expect(rest).toBe(before);
    expect(result.stdout).toMatch(/^created +session\/stores\/memory\.ts$/m);
    expect(result.stdout).toMatch(/^updated +session\/index\.ts$/m);
    expect(manifest(root).stores).toEqual(['dir', 'memory']);
  });

  it('the layer keeps its stores: a re-run with another --store adds to them (manifest ∪ flags)', async () => {
    const root = makeApp();
    await generateOk(root, ['--yes', '--store', 'memory']);
    await generateOk(root, ['--store', 'file']);
    await generateOk(root, ['--store', 'dir,file']);
    expect(manifest(root).stores).toEqual(['memory', 'file', 'dir']);
    const text = readFileSync(index(root), 'utf8');
    for (const factory of ['memoryStore', 'fileStore', 'dirStore'])
      expect(text.match(new RegExp(`${factory}\\(\\{ url \\}\\)`, 'g'))).toHaveLength(1);
    expect(existsSync(join(root, 'session/stores/_files.ts'))).toBe(true);
  });

  it('the same command twice: the second run changes nothing and says the layer is up to date', async () => {
    const root = makeApp();
    await generateOk(root, ['--yes', '--store', 'dir', '--example']);
    await generateOk(root, ['--store', 'memory']);
    const tree = hashTree(root);
    const again = await generateOk(root, ['--store', 'memory']);
    expect(again.stdout).toContain('The session layer is up to date.');
    expect(again.stdout).not.toMatch(/^(created|updated|deleted)/m);
    expect(hashTree(root)).toEqual(tree);
  });

  it('--remove-store is the inverse: index.ts back byte for byte, store file deleted, shared helper and package.json entries kept', async () => {
    const root = makeApp();
    await generateOk(root, ['--yes', '--store', 'dir']);
    handEdit(root);
    const edited = readFileSync(index(root), 'utf8');
    await generateOk(root, ['--store', 'file']);
    const packageJson = readFileSync(join(root, 'package.json'), 'utf8');

    const result = await generateOk(root, ['--remove-store', 'file']);
    expect(readFileSync(index(root), 'utf8')).toBe(edited);
    expect(existsSync(join(root, 'session/stores/file.ts'))).toBe(false);
    expect(existsSync(join(root, 'session/stores/_files.ts'))).toBe(true);
    expect(result.stdout).toMatch(/^deleted +session\/stores\/file\.ts$/m);
    expect(result.stdout).toContain('kept session/stores/_files.ts: the dir store still uses it');
    expect(readFileSync(join(root, 'package.json'), 'utf8')).toBe(packageJson);
    expect(manifest(root).stores).toEqual(['dir']);
    expect(Object.keys(manifest(root).files)).not.toContain('session/stores/file.ts');
  });

  it('--remove-store keeps a store file the user edited, untracked, and says so', async () => {
    const root = makeApp();
    await generateOk(root, ['--yes', '--store', 'dir,memory']);
    writeFileSync(
      join(root, 'session/stores/memory.ts'),
      `${readFileSync(join(root, 'session/stores/memory.ts'), 'utf8')}// tuned for us\n`,
    );
    const result = await generateOk(root, ['--remove-store', 'memory']);
    expect(result.stdout).toMatch(/^kept-yours +session\/stores\/memory\.ts .*no longer used by the layer/m);
    expect(readFileSync(join(root, 'session/stores/memory.ts'), 'utf8')).toContain('// tuned for us');
    expect(readFileSync(index(root), 'utf8')).not.toContain('memoryStore');
    expect(Object.keys(manifest(root).files)).not.toContain('session/stores/memory.ts');
  });

  it('refuses to remove the default store or the last one (exit 2, nothing written)', async () => {
    const root = makeApp();
    await generateOk(root, ['--yes', '--store', 'dir,memory']);
    const tree = hashTree(root);
    const defaultStore = await generate(root, ['--remove-store', 'dir']);
    expect(defaultStore.code).toBe(2);
    // Thrown by the wire-index action, its code kept through plop's runner.
    expect(defaultStore.stderr).toMatch(
      /^create-session-layer: E_USAGE: the dir store is the default \(defaultStoreUrl in session\/index\.ts\)/,
    );
    const all = await generate(root, ['--remove-store', 'dir,memory']);
    expect(all.code).toBe(2);
    expect(all.stderr).toMatch(/without a store/);
    expect(hashTree(root)).toEqual(tree);
  });

  it("a --framework other than the layer's is a clear error (exit 2)", async () => {
    const root = makeApp();
    await generateOk(root, ['--yes', '--store', 'dir']);
    const manifestPath = join(root, 'session/session-layer.json');
    // Only express exists today: pretend the layer was made for another framework.
    writeFileSync(
      manifestPath,
      readFileSync(manifestPath, 'utf8').replace('"framework": "express"', '"framework": "koa"'),
    );
    const result = await generate(root, ['--framework', 'express', '--store', 'memory']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the layer in session\/ is for koa, not express/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('finds the layer in a folder of its own without --dir, and never starts a second one', async () => {
    const root = makeApp();
    await generateOk(root, ['--yes', '--store', 'dir', '--dir', 'lib/auth/session']);
    const added = await generateOk(root, ['--store', 'memory']);
    expect(added.stdout).toMatch(/^created +lib\/auth\/session\/stores\/memory\.ts$/m);
    expect(existsSync(join(root, 'session'))).toBe(false);
    const elsewhere = await generate(root, ['--store', 'memory', '--dir', 'other']);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/--dir other has no session layer, but lib\/auth\/session has one/);
  });

  it('never touches a file outside the app that a tampered manifest lists (exit 2)', async () => {
    const root = makeApp();
    await generateOk(root, ['--yes', '--store', 'dir']);
    const manifestPath = join(root, 'session/session-layer.json');
    const tampered = JSON.parse(readFileSync(manifestPath, 'utf8'));
    tampered.files['../outside.txt'] = 'a'.repeat(64);
    writeFileSync(manifestPath, JSON.stringify(tampered, null, 2));
    const result = await generate(root, ['--store', 'memory']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/lists "\.\.\/outside\.txt", outside the app/);
  });
});
