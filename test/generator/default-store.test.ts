/**
 * The default store (what index.ts falls back to when SESSION_STORE is unset) is a visible,
 * stable choice: the first store asked for, named by every run; an embedded default keeps its
 * sessions in .sessions/ at the app root (git-ignored), found from any folder of the app; a memory
 * default is a warning.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeApp, repoRoot } from '../helpers/apps.js';
import { generateOk } from './_cli.js';

const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');

describe('the default store', () => {
  it('is the first store asked for, written into index.ts and named by every run, the up-to-date one too', async () => {
    const root = makeApp();
    const first = await generateOk(root, ['--yes', '--store', 'redis,memory']);
    const line =
      'Default store: redis://127.0.0.1:6379, used when SESSION_STORE is not set (defaultStoreUrl in session/index.ts)';
    expect(first.stdout).toContain(line);
    expect(read(root, 'session/index.ts')).toContain("export const defaultStoreUrl = 'redis://127.0.0.1:6379';");
    expect(JSON.parse(read(root, 'session/session-layer.json')).stores).toEqual(['redis', 'memory']);
    expect((await generateOk(root, ['--store', 'dir'])).stdout).toContain(line);
    const again = await generateOk(root, []);
    expect(again.stdout).toContain(line);
    expect(again.stdout).toContain('The session layer is up to date.');
    const json = JSON.parse((await generateOk(root, ['--json'])).stdout);
    expect(json.defaultStore).toEqual({ name: 'redis', url: 'redis://127.0.0.1:6379' });
  });

  it('follows defaultStoreUrl when the user points it elsewhere in index.ts', async () => {
    const root = makeApp();
    await generateOk(root, ['--yes', '--store', 'redis,memory']);
    writeFileSync(
      join(root, 'session/index.ts'),
      read(root, 'session/index.ts').replace("'redis://127.0.0.1:6379';", "'memory://?maxEntries=10';"),
    );
    const result = await generateOk(root, ['--store', 'dir']);
    expect(result.stdout).toContain('Default store: memory://?maxEntries=10, used when SESSION_STORE is not set');
    expect(result.stdout).toMatch(
      /^warning: memory:\/\/ as the default store: sessions are lost when the process exits/m,
    );
  });

  it('memory as the default is a warning', async () => {
    const result = await generateOk(makeApp(), ['--yes', '--store', 'memory']);
    expect(result.stdout).toMatch(
      /^warning: memory:\/\/ as the default store: sessions are lost when the process exits and each process has its own; set SESSION_STORE \(or defaultStoreUrl\) for production$/m,
    );
  });

  it('an embedded default lives in .sessions/ at the app root, added once to .gitignore (kept as the user has it)', async () => {
    const root = makeApp({ files: { '.gitignore': 'node_modules\ndist' } });
    const result = await generateOk(root, ['--yes', '--store', 'dir']);
    expect(result.stdout).toContain(
      'Default store: dir:.sessions (in .sessions/ at the app root, git-ignored), used when SESSION_STORE is not set',
    );
    expect(result.stdout).toMatch(/^updated +\.gitignore$/m);
    expect(read(root, 'session/index.ts')).toContain("export const defaultStoreUrl = 'dir:.sessions';");
    expect(read(root, '.gitignore')).toBe(
      'node_modules\ndist\n\n# Session data of the embedded stores (create-session-layer)\n/.sessions/\n',
    );
    // A line the user removes stays removed, until another embedded store joins the layer.
    writeFileSync(join(root, '.gitignore'), 'node_modules\n');
    await generateOk(root, ['--store', 'memory']);
    expect(read(root, '.gitignore')).toBe('node_modules\n');
    await generateOk(root, ['--store', 'file']);
    expect(read(root, '.gitignore')).toBe(
      'node_modules\n\n# Session data of the embedded stores (create-session-layer)\n/.sessions/\n',
    );
    const ignored = makeApp({ files: { '.gitignore': '.sessions\n' } });
    await generateOk(ignored, ['--yes', '--store', 'file']);
    expect(read(ignored, '.gitignore')).toBe('.sessions\n');
  });

  it('dir:.sessions and file:.sessions/sessions.json are found from the app root, wherever in the app the process starts', async () => {
    const root = makeApp();
    await generateOk(root, ['--yes', '--store', 'dir,file']);
    const deep = join(root, 'src/jobs');
    mkdirSync(deep, { recursive: true });
    const script = join(root, 'write-one.ts');
    writeFileSync(
      script,
      [
        "import { dirStore } from './session/stores/dir.js';",
        "import { fileStore } from './session/stores/file.js';",
        'const now = Date.now();',
        "const record = { data: '{}', version: 1, createdAt: now, issuedAt: now, expiresAt: now + 60_000, maxAge: 60_000, ip: '', userAgent: '' };",
        "for (const store of [dirStore({ url: 'dir:.sessions' }), fileStore({ url: 'file:.sessions/sessions.json' })]) {",
        "  if (!(await store.write(process.argv[2]!.repeat(64), record, undefined))) throw new Error('not written');",
        '  await store.close();',
        '}',
      ].join('\n'),
    );
    for (const [cwd, key] of [
      [root, 'a'],
      [deep, 'b'],
    ] as const) {
      const run = spawnSync(process.execPath, [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), script, key], {
        cwd,
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(0);
    }
    expect(readdirSync(join(root, '.sessions')).sort()).toEqual([
      `${'a'.repeat(64)}.session`,
      `${'b'.repeat(64)}.session`,
      'sessions.json',
    ]);
    expect(Object.keys(JSON.parse(read(root, '.sessions/sessions.json')).sessions)).toHaveLength(2);
    expect(existsSync(join(deep, '.sessions'))).toBe(false);
  });
});
