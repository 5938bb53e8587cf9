import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashTree, makeApp, repoRoot, runCli } from '../helpers/apps.js';

// Spawned runs are slow on a loaded machine; each still fails on a wrong answer, never on time alone.
describe('create-session-layer CLI', { timeout: 60_000 }, () => {
  it('--version prints the generator version', () => {
    const result = runCli(makeApp(), ['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version);
  });

  it('--help prints the options and exits 0', () => {
    const result = runCli(makeApp(), ['--help']);
    expect(result.code).toBe(0);
    for (const flag of [
      'update',
      '--framework',
      '--store',
      '--remove-store',
      '--dir',
      '--example',
      '--yes',
      '--dry-run',
      '--diff',
      '--force',
      '--json',
      '--cwd',
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });

  it.each([
    [['--framework', 'rails'], /unknown framework "rails"/],
    [['--store', 'postgres-ish'], /unknown store "postgres-ish"/],
    [['--bogus'], /^create-session-layer: E_USAGE: unknown option --bogus \(see --help\)$/m],
    [['--dir', '../outside'], /--dir must be a path inside the app/],
  ])('%j is a one-line error with exit code 2', (args, message) => {
    const root = makeApp();
    const before = hashTree(root);
    const result = runCli(root, ['--yes', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(hashTree(root)).toEqual(before);
  });

  it('refuses a folder that is not a Node project (exit 2)', () => {
    const root = makeApp();
    const result = runCli(root, ['--yes', '--cwd', join(root, 'missing-subfolder')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is not a folder|not a Node project/);
  });

  it('without a framework flag or dependency, asks for --framework instead of guessing (exit 2)', () => {
    const root = makeApp({ packageJson: { name: 'bare', type: 'module' } });
    const result = runCli(root, ['--yes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/pass --framework/);
  });

  it('writes core, store, glue, wiring, README, manifest and the example; detects express from package.json', () => {
    const root = makeApp({ files: { 'src/app.ts': 'export {};\n' } });
    const result = runCli(root, ['--yes', '--store', 'dir,memory', '--example']);
    expect(result.code, result.stderr).toBe(0);
    for (const file of [
      'src/session/index.ts',
      'src/session/README.md',
      'src/session/session-layer.json',
      'src/session/core/manager.ts',
      'src/session/stores/dir.ts',
      'src/session/stores/_files.ts',
      'src/session/stores/memory.ts',
      'src/session/frameworks/express.ts',
      'session-example.ts',
    ]) {
      expect(existsSync(join(root, file)), file).toBe(true);
    }
    expect(existsSync(join(root, 'src/session/stores/file.ts'))).toBe(false);
    const index = readFileSync(join(root, 'src/session/index.ts'), 'utf8');
    expect(index).toContain("'dir:': (url) => dirStore({ url })");
    expect(index).toContain("'memory:': (url) => memoryStore({ url })");
    expect(index).toContain("export const defaultStoreUrl = 'dir:.sessions'");
    expect(readFileSync(join(root, 'session-example.ts'), 'utf8')).toContain("from './src/session/index.js'");
    const manifest = JSON.parse(readFileSync(join(root, 'src/session/session-layer.json'), 'utf8'));
    expect(manifest).toMatchObject({
      generator: 'create-session-layer',
      framework: 'express',
      stores: ['dir', 'memory'],
    });
    expect(Object.keys(manifest.files)).toContain('src/session/core/manager.ts');
    const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(packageJson.dependencies.express).toBe('^5.1.0');
    expect(packageJson.devDependencies['@types/express']).toBeDefined();
  });

  it('--dry-run lists the changes and writes nothing', () => {
    const root = makeApp();
    const before = hashTree(root);
    const result = runCli(root, ['--yes', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^would create +session\/core\/manager\.ts$/m);
    expect(result.stdout).toMatch(/^would update +package\.json$/m);
    expect(hashTree(root)).toEqual(before);
  });

  it('a second identical run changes nothing and says the layer is up to date', () => {
    const root = makeApp();
    expect(runCli(root, ['--yes', '--example']).code).toBe(0);
    const before = hashTree(root);
    const again = runCli(root, ['--yes', '--example']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('up to date');
    expect(hashTree(root)).toEqual(before);
  });

  it('never overwrites a vendored file the app edited', () => {
    const root = makeApp();
    expect(runCli(root, ['--yes']).code).toBe(0);
    const edited = join(root, 'session/core/cookie.ts');
    writeFileSync(edited, readFileSync(edited, 'utf8') + '\n// my local change\n');
    const result = runCli(root, ['--yes', '--store', 'dir,memory']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^kept-yours +session\/core\/cookie\.ts$/m);
    expect(readFileSync(edited, 'utf8')).toContain('// my local change');
    expect(existsSync(join(root, 'session/stores/memory.ts'))).toBe(true);
  });

  it('keeps ranges the app already pinned and its package.json indentation', () => {
    const root = makeApp({
      packageJson: {
        name: 'pinned',
        type: 'module',
        dependencies: { express: '4.21.2' },
        devDependencies: { '@types/express': '4.17.21' },
      },
    });
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')), null, 4) + '\n',
    );
    expect(runCli(root, ['--yes']).code).toBe(0);
    const text = readFileSync(join(root, 'package.json'), 'utf8');
    const packageJson = JSON.parse(text);
    expect(packageJson.dependencies.express).toBe('4.21.2');
    expect(packageJson.devDependencies['@types/express']).toBe('4.17.21');
    expect(text).toMatch(/^ {4}"name"/m);
  });

  it("edits package.json in place: new entries in each section's own layout, every other byte kept", () => {
    const root = makeApp();
    const text =
      '{\n  "name": "app",\n  "type": "module",\n  "scripts": { "start": "node server.js" },\n' +
      '  "dependencies": { "express": "^5.1.0", "zod": "^3.0.0" }\n}\n';
    writeFileSync(join(root, 'package.json'), text);
    expect(runCli(root, ['--yes', '--store', 'redis']).code).toBe(0);
    expect(readFileSync(join(root, 'package.json'), 'utf8')).toBe(
      '{\n  "name": "app",\n  "type": "module",\n  "scripts": { "start": "node server.js" },\n' +
        '  "dependencies": { "express": "^5.1.0", "ioredis": "^6.0.0", "zod": "^3.0.0" },\n' +
        '  "devDependencies": {\n    "@types/express": "^5.0.0",\n    "@types/node": ">=20"\n  }\n}\n',
    );
  });

  it('with several frameworks in package.json and no prompt, asks for --framework naming them (exit 2)', () => {
    const root = makeApp({
      packageJson: { name: 'two', type: 'module', dependencies: { fastify: '^5.0.0', koa: '^3.0.0' } },
    });
    const result = runCli(root, ['--yes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'create-session-layer: E_USAGE: package.json lists several frameworks (fastify, koa); pass --framework to choose one\n',
    );
  });

  it('follows bundler resolution: extensionless relative imports', () => {
    const root = makeApp({
      tsconfig: { compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', strict: true } },
    });
    expect(runCli(root, ['--yes']).code).toBe(0);
    const manager = readFileSync(join(root, 'session/core/manager.ts'), 'utf8');
    expect(manager).toContain("from './cookie'");
    expect(manager).not.toMatch(/from '\.\/[a-z-]+\.js'/);
  });
});

describe('--install', { timeout: 60_000 }, () => {
  /** A stand-in package manager on PATH that records where and how it ran. */
  function fakePackageManager(name: string, exitCode: number): { bin: string; log: string } {
    const bin = mkdtempSync(join(tmpdir(), 'fake-pm-'));
    const log = join(bin, 'calls.log');
    writeFileSync(join(bin, name), `#!/bin/sh\necho "$(pwd) $*" >> ${log}\nexit ${exitCode}\n`, { mode: 0o755 });
    return { bin, log };
  }

  function runWithPath(cwd: string, args: string[], bin: string) {
    const env = { ...process.env, CI: 'true', PATH: `${bin}${delimiter}${process.env['PATH'] ?? ''}` };
    return spawnSync(process.execPath, [join(repoRoot, 'bin/create-session-layer.js'), ...args], {
      cwd,
      env,
      encoding: 'utf8',
    });
  }

  it("runs the detected package manager's install at the workspace root", () => {
    const workspace = makeApp({
      packageJson: { name: 'mono', private: true, workspaces: ['packages/*'], packageManager: 'pnpm@9.12.0' },
      files: {
        'packages/api/package.json': JSON.stringify({
          name: 'api',
          type: 'module',
          dependencies: { express: '^5.1.0' },
        }),
      },
    });
    const { bin, log } = fakePackageManager('pnpm', 0);
    const result = runWithPath(join(workspace, 'packages/api'), ['--yes', '--store', 'dir', '--install'], bin);
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe(`${workspace} install\n`);
    expect(result.stdout).not.toMatch(/install: +pnpm install/);
  });

  it('a failing install is exit 1 with one line, after the layer was written', () => {
    const root = makeApp({ files: { 'yarn.lock': '' } });
    const { bin } = fakePackageManager('yarn', 3);
    const result = runWithPath(root, ['--yes', '--store', 'dir', '--install'], bin);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'create-session-layer: E_INSTALL: yarn install failed (exit code 3); the session layer itself was written\n',
    );
    expect(existsSync(join(root, 'session/index.ts'))).toBe(true);
  });
});
