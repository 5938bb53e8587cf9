/**
 * The generator fits real app layouts: each TypeScript fixture (test/fixtures/) is copied to a
 * temp folder, generated into, type-checked with TypeScript 7 and 5, and re-run (zero changes).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyFixture, hashTree, repoRoot, typeCheck } from '../helpers/apps.js';
import { generateOk } from './_cli.js';

const compilers = ['typescript', 'typescript5'] as const;

function expectTypeChecks(project: string): void {
  for (const compiler of compilers) {
    const result = typeCheck(project, compiler);
    expect(result.code, `${compiler}: ${result.stdout}${result.stderr}`).toBe(0);
  }
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every import in the vendored module is relative and stays inside it, a node: built-in, or a package; never an alias. */
function expectSelfContained(layerDir: string, packages: readonly string[]): void {
  for (const path of filesUnder(layerDir).filter((file) => file.endsWith('.ts'))) {
    const text = readFileSync(path, 'utf8');
    expect(text, path).not.toContain('@ts-nocheck');
    for (const [, specifier] of text.matchAll(/(?:from|import)\s+['"]([^'"]+)['"]/g)) {
      if (specifier!.startsWith('.'))
        expect(relative(layerDir, join(path, '..', specifier!)).startsWith('..'), `${path}: ${specifier}`).toBe(false);
      else expect(specifier!.startsWith('node:') || packages.includes(specifier!), `${path}: ${specifier}`).toBe(true);
    }
  }
}

async function expectIdempotent(app: string, args: readonly string[]): Promise<void> {
  const tree = hashTree(app);
  const again = await generateOk(app, args);
  expect(again.stdout).toContain('up to date');
  expect(hashTree(app)).toEqual(tree);
}

describe('fixture apps', () => {
  it('TypeScript ESM on NodeNext: .js suffixes, type-checks with TS 7 and 5, re-run is a no-op', async () => {
    const app = copyFixture('ts-esm-nodenext', { linkNodeModules: true });
    const result = await generateOk(app, ['--yes', '--store', 'dir,memory', '--json']);
    expect(JSON.parse(result.stdout).app).toMatchObject({
      moduleFormat: 'esm',
      importSuffix: '.js',
      packageManager: 'npm',
    });
    expect(readFileSync(join(app, 'src/session/index.ts'), 'utf8')).toContain("from './core/manager.js'");
    expectSelfContained(join(app, 'src/session'), ['express']);
    expectTypeChecks(app);
    await expectIdempotent(app, ['--store', 'memory']);
  }, 180_000);

  it('TypeScript CommonJS: extensionless imports, type-checks, and the compiled layer runs (memory store: load, set, commit, load)', async () => {
    const app = copyFixture('ts-commonjs', { linkNodeModules: true });
    const result = await generateOk(app, ['--yes', '--store', 'dir,memory', '--json']);
    expect(JSON.parse(result.stdout).app).toMatchObject({ moduleFormat: 'commonjs', importSuffix: '' });
    expect(readFileSync(join(app, 'src/session/index.ts'), 'utf8')).toContain("from './core/manager';");
    expectSelfContained(join(app, 'src/session'), ['express']);
    expectTypeChecks(app);
    await expectIdempotent(app, []);

    // Compile as the app would (tsconfig: commonjs, outDir dist) and drive the session manager.
    const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', app], {
      encoding: 'utf8',
    });
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
    expect(readFileSync(join(app, 'dist/session/core/manager.js'), 'utf8')).toMatch(/require\("\.\/cookie"\)/);
    const script = `
      const { sessions } = require('./dist/session/index.js');
      (async () => {
        const request = { cookieHeader: undefined, ip: '127.0.0.1', userAgent: 'fixture', https: false };
        const session = await sessions.load(request);
        session.set('user', 'ada');
        const setCookie = await sessions.commit(session);
        const again = await sessions.load({ ...request, cookieHeader: setCookie.split(';')[0] });
        console.log(JSON.stringify({ user: again.get('user'), cookie: setCookie.split('=')[0] }));
        await sessions.close();
      })().catch((error) => { console.error(error); process.exit(1); });`;
    const run = spawnSync(process.execPath, ['-e', script], {
      cwd: app,
      encoding: 'utf8',
      env: { ...process.env, SESSION_STORE: 'memory://' },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ user: 'ada', cookie: 'session_id' });
  }, 180_000);

  it("TypeScript with path aliases: the layer keeps relative imports, follows the app's prettier, the app imports it by alias", async () => {
    const app = copyFixture('ts-path-aliases', { linkNodeModules: true });
    await generateOk(app, ['--yes', '--store', 'file']);
    const manager = readFileSync(join(app, 'src/session/core/manager.ts'), 'utf8');
    expect(manager).toMatch(/^import \{ [^}]+ \} from "\.\/cookie"$/m); // extensionless, double quotes, no semicolon
    expect(manager).toMatch(/^\t/m);
    expectSelfContained(join(app, 'src/session'), ['express']);
    expectTypeChecks(app);
    await expectIdempotent(app, []);
  }, 180_000);

  it('a pnpm workspace package: dependencies go to the package only, pins kept, install from the root, hoisted node_modules', async () => {
    const workspace = copyFixture('pnpm-workspace', { linkNodeModules: true });
    const app = join(workspace, 'packages/api');
    const rootPackageJson = readFileSync(join(workspace, 'package.json'), 'utf8');
    const result = await generateOk(app, ['--yes', '--store', 'dir', '--json']);
    const report = JSON.parse(result.stdout);
    expect(report.app).toMatchObject({
      packageManager: 'pnpm',
      workspaceRoot: workspace,
      moduleFormat: 'esm',
      importSuffix: '.js',
    });
    expect(report.nextSteps.install).toBe('cd ../.. && pnpm install');
    expect(readFileSync(join(workspace, 'package.json'), 'utf8')).toBe(rootPackageJson);
    const packageJson = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
    expect(packageJson.devDependencies['@types/express']).toBe('5.0.6');
    expect(packageJson.devDependencies['@types/node']).toBe('>=20');
    expectSelfContained(join(app, 'src/session'), ['express']);
    expectTypeChecks(app);
    await expectIdempotent(app, []);
  }, 180_000);
});
