/**
 * What the generator prints: --dry-run writes nothing and says per file what would happen; --diff
 * adds unified diffs; --json is one object for tools; colour only on a terminal without NO_COLOR.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { copyFixture, hashTree, makeApp } from '../helpers/apps.js';
import { generate, generateOk } from './_cli.js';

const ANSI = /\u001b\[\d+m/;

describe('output', () => {
  it('--dry-run writes nothing and lists what would happen to each file', async () => {
    const root = makeApp();
    const tree = hashTree(root);
    const result = await generateOk(root, ['--yes', '--store', 'dir', '--dry-run']);
    expect(hashTree(root)).toEqual(tree);
    expect(result.stdout).toContain('Dry run: nothing was written.');
    expect(result.stdout).toMatch(/^would create +session\/core\/manager\.ts$/m);
    expect(result.stdout).toMatch(/^would update +package\.json$/m);
    expect(result.stdout).not.toContain('Next steps');
  });

  it('--dry-run --diff prints the unified diff of each change', async () => {
    const root = makeApp();
    await generateOk(root, ['--yes', '--store', 'dir']);
    const tree = hashTree(root);
    const result = await generateOk(root, ['--store', 'memory', '--dry-run', '--diff']);
    expect(hashTree(root)).toEqual(tree);
    expect(result.stdout).toMatch(
      /^would update +session\/index\.ts\n--- a\/session\/index\.ts\n\+\+\+ b\/session\/index\.ts\n@@ -\d+,\d+ \+\d+,\d+ @@/m,
    );
    expect(result.stdout).toContain("\n+import { memoryStore } from './stores/memory.js';\n");
    expect(result.stdout).toContain("\n+  'memory:': (url) => memoryStore({ url }),\n");
    expect(result.stdout).toMatch(
      /^would create +session\/stores\/memory\.ts\n--- \/dev\/null\n\+\+\+ b\/session\/stores\/memory\.ts/m,
    );
    expect(result.stdout).not.toMatch(ANSI);
  });

  it('--json prints one JSON object: files with their change, packages added, next steps', async () => {
    const root = makeApp({
      packageJson: { name: 'app', type: 'module', dependencies: { express: '^5.1.0' }, packageManager: 'pnpm@9.12.0' },
    });
    const result = await generateOk(root, ['--yes', '--store', 'dir,memory', '--json']);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      files: Array<{ path: string; change: string }>;
      packages: { added: string[] };
      nextSteps: { install: string; env: Array<{ name: string }>; usage: string[] };
      actions: Array<{ type: string; description: string }>;
      app: { packageManager: string; moduleFormat: string };
    };
    expect(report.ok).toBe(true);
    expect(report.files).toContainEqual({ path: 'session/stores/memory.ts', change: 'created' });
    expect(report.packages.added).toContain('@types/express@^5.0.0');
    expect(report.app).toMatchObject({ packageManager: 'pnpm', moduleFormat: 'esm' });
    expect(report.nextSteps.install).toBe('pnpm install');
    expect(report.nextSteps.env.map((entry) => entry.name)).toEqual(
      expect.arrayContaining(['SESSION_STORE', 'SESSION_SECRET']),
    );
    expect(report.nextSteps.usage.join('\n')).toContain('app.use(sessionMiddleware)');
    // Each of the generator's actions, with its own one-line result, in the order plop ran them.
    expect(report.actions).toContainEqual({ type: 'vendor', description: 'created session/core/manager.ts' });
    expect(report.actions.map((action) => action.type).slice(-5)).toEqual([
      'render',
      'retire',
      'package-json',
      'gitignore',
      'layer-manifest',
    ]);

    const failed = await generate(root, ['--framework', 'nope', '--json']);
    expect(failed.code).toBe(2);
    expect(JSON.parse(failed.stdout)).toMatchObject({
      ok: false,
      exitCode: 2,
      error: expect.stringMatching(/unknown framework/),
    });
  });

  it('closes with next steps: the install command, the environment, usage lines from the framework template', async () => {
    const root = makeApp({ files: { 'yarn.lock': '' } });
    const result = await generateOk(root, ['--yes', '--store', 'dir', '--example']);
    expect(result.stdout).toMatch(/Next steps:\n {2}1\. install: {2}yarn install\n/);
    expect(result.stdout).toMatch(/^ +SESSION_SECRET +Signs the cookie/m);
    expect(result.stdout).toMatch(/^ +import \{ sessionMiddleware \} from '\.\/session\/index\.js';$/m);
    expect(result.stdout).toContain('try the example server:  npx tsx session-example.ts');
  });

  it('in a monorepo, every step is relative to the shell, and the import is written for the entry file', async () => {
    const workspace = copyFixture('pnpm-workspace');
    const app = join(workspace, 'packages/api');
    const fromRoot = await generateOk(app, ['--yes', '--store', 'memory', '--example'], { cwd: workspace });
    expect(fromRoot.stdout).toContain('  1. install:  pnpm install\n');
    expect(fromRoot.stdout).toContain('set in your environment (or change packages/api/src/session/index.ts):');
    expect(fromRoot.stdout).toContain('use it in packages/api/src/server.ts:');
    expect(fromRoot.stdout).toMatch(/^ +import \{ sessionMiddleware \} from '\.\/session\/index\.js';$/m);
    expect(fromRoot.stdout).toContain('try the example server:  cd packages/api && npx tsx session-example.ts');
    expect(fromRoot.stdout).toContain('(defaultStoreUrl in packages/api/src/session/index.ts)');

    const fromPackage = await generateOk(copyFixture('pnpm-workspace'), [], { cwd: workspace }).catch(() => undefined);
    expect(fromPackage).toBeUndefined(); // the workspace root has no framework: not an app to generate into
    const other = join(copyFixture('pnpm-workspace'), 'packages/api');
    const inPackage = await generateOk(other, ['--yes', '--store', 'memory', '--example']);
    expect(inPackage.stdout).toContain('  1. install:  cd ../.. && pnpm install\n');
    expect(inPackage.stdout).toContain('use it in src/server.ts:');
    expect(inPackage.stdout).toContain('try the example server:  npx tsx session-example.ts');
  });

  it('a re-run lists only what moved; --verbose lists every file', async () => {
    const root = makeApp();
    await generateOk(root, ['--yes', '--store', 'dir']);
    const quiet = await generateOk(root, ['--store', 'dir']);
    expect(quiet.stdout).not.toMatch(/^unchanged/m);
    expect(quiet.stdout).toMatch(/^\d+ files unchanged \(--verbose lists them\)$/m);
    expect(quiet.stdout).toContain('The session layer is up to date.');
    const verbose = await generateOk(root, ['--store', 'dir', '--verbose']);
    expect(verbose.stdout).toMatch(/^unchanged +session\/core\/manager\.ts$/m);
    expect(verbose.stdout).not.toMatch(/files unchanged/);
    const added = await generateOk(root, ['--store', 'memory']);
    expect(added.stdout.split('\n').filter((line) => /^(created|updated) /.test(line))).toEqual([
      'created         session/stores/memory.ts',
      'updated         session/index.ts',
      'updated         session/README.md',
      'updated         session/session-layer.json',
    ]);
    // A re-run's next steps are only what it made new: nothing to install, memory sweeps.
    expect(added.stdout).not.toContain('install:');
    expect(added.stdout).not.toContain('set in your environment');
    expect(added.stdout).toMatch(
      /^ {2}1\. sweep expired sessions \(the dir, memory stores keep them until deleteExpired runs/m,
    );
  });

  it('--remove-store suggests no install, and adding a store that needs its client does', async () => {
    const root = makeApp();
    await generateOk(root, ['--yes', '--store', 'dir,memory']);
    const removed = await generateOk(root, ['--remove-store', 'memory']);
    expect(removed.stdout).not.toContain('install');
    expect(removed.stdout).not.toContain('Next steps');
    const redis = await generateOk(root, ['--store', 'redis']);
    expect(redis.stdout).toContain('Next steps:\n  1. install:  npm install\n');
    expect(redis.stdout).not.toContain('sweep expired sessions');
  });

  it('next steps schedule deleteExpired for stores that keep expired sessions, and not for those that expire them', async () => {
    const dir = await generateOk(makeApp(), ['--yes', '--store', 'dir']);
    expect(dir.stdout).toContain(
      'sweep expired sessions (the dir store keeps them until deleteExpired runs; a no-op on stores that expire by themselves):\n' +
        '       setInterval(() => sessions.deleteExpired().catch(console.error), 600_000).unref();\n',
    );
    const redis = await generateOk(makeApp(), ['--yes', '--store', 'redis,memcached', '--json']);
    expect(JSON.parse(redis.stdout).nextSteps.sweep).toBeUndefined();
  });

  it('colours only a terminal, and never with NO_COLOR', async () => {
    const root = makeApp();
    expect((await generateOk(root, ['--yes', '--store', 'dir', '--dry-run'], { tty: true })).stdout).toMatch(ANSI);
    expect(
      (await generateOk(root, ['--yes', '--store', 'dir', '--dry-run'], { tty: true, env: { NO_COLOR: '1' } })).stdout,
    ).not.toMatch(ANSI);
    expect((await generateOk(root, ['--yes', '--store', 'dir', '--dry-run'], { tty: false })).stdout).not.toMatch(ANSI);
  });
});
