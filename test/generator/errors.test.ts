/**
 * Every failure is one clear line on stderr, a non-zero exit code, and an app left exactly as it
 * was: not a Node project, an unreadable tsconfig, an unknown option, conflicting flags, a folder
 * we may not write to.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashTree, makeApp, repoRoot } from '../helpers/apps.js';
import { generate, generateOk } from './_cli.js';

async function expectOneLineFailure(
  root: string,
  args: readonly string[],
  code: number,
  message: RegExp,
): Promise<void> {
  const before = hashTree(root);
  const result = await generate(root, args);
  expect(result.code, result.stdout).toBe(code);
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(hashTree(root)).toEqual(before);
}

describe('failures', () => {
  it.each([
    [
      'a tsconfig that is not an object',
      '[]',
      /cannot read .*tsconfig\.json: The root value of a 'tsconfig\.json' file must be an object/,
    ],
    [
      'a tsconfig extending a missing file',
      '{ "extends": "./base.json" }',
      /cannot read .*tsconfig\.json: Cannot read file '.*base\.json'/,
    ],
  ])('%s is exit 2', async (_name, tsconfig, message) => {
    const root = makeApp({ tsconfig: undefined, files: { 'tsconfig.json': tsconfig } });
    await expectOneLineFailure(root, ['--yes', '--store', 'dir'], 2, message);
  });

  it('reads TypeScript 7-removed options (moduleResolution node10) without failing, and never writes them', async () => {
    const tsconfig = JSON.stringify({
      compilerOptions: { module: 'commonjs', moduleResolution: 'node10', strict: true },
    });
    const root = makeApp({ tsconfig: undefined, files: { 'tsconfig.json': tsconfig } });
    const result = await generateOk(root, ['--yes', '--store', 'dir', '--json']);
    expect(JSON.parse(result.stdout).app).toMatchObject({ moduleFormat: 'commonjs', importSuffix: '' });
    expect(readdirSync(root)).toContain('tsconfig.json');
    expect(JSON.parse(result.stdout).files.map((file: { path: string }) => file.path)).not.toContain('tsconfig.json');
  });

  it.each([
    [['--bogus'], /unknown option --bogus \(see --help\)/],
    [['--stroe', 'dir'], /unknown option --stroe; did you mean --store\? \(see --help\)/],
    [['install'], /unknown command "install"; the only command is "update"/],
    [['--store', ''], /--store needs a store name; got an empty one/],
    [['--store', 'dir,'], /--store needs a store name/],
    [['--example='], /--example needs a value/],
    [['--store', 'memory', '--remove-store', 'memory'], /--store memory and --remove-store memory conflict/],
    [['--dry-run', '--install'], /--dry-run and --install conflict/],
    [['update', '--force'], /update merges your edits and --force overwrites them/],
    [['--remove-store', 'dir'], /no session layer in .* to remove a store from/],
  ])('%j is a one-line usage error (exit 2), never silently corrected', async (args, message) => {
    await expectOneLineFailure(makeApp(), ['--yes', ...args], 2, message);
  });

  it('a folder it may not write to: one line, exit 1, every file already moved is put back', async () => {
    const root = makeApp();
    await generateOk(root, ['--yes', '--store', 'dir']);
    // stores/ stays writable, session/ does not: memory.ts lands, then index.ts cannot be replaced.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      for (const path of [root, join(root, 'session/stores')]) chownSync(path, 65534, 65534);
      chmodSync(root, 0o755);
    }
    chmodSync(join(root, 'session'), 0o555);
    const before = hashTree(root);
    try {
      const result = spawnSync(
        process.execPath,
        [join(repoRoot, 'bin/create-session-layer.js'), '--store', 'memory', '--cwd', root],
        {
          encoding: 'utf8',
          env: { ...process.env, CI: 'true' },
          ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
        },
      );
      expect(result.status, result.stdout).toBe(1);
      expect(result.stderr).toMatch(
        /^create-session-layer: E_WRITE: could not write the app \(EACCES: permission denied.*\); nothing was changed\n$/,
      );
      expect(hashTree(root)).toEqual(before);
    } finally {
      chmodSync(join(root, 'session'), 0o755);
    }
  });

  it('a folder that is not a Node project (exit 2)', async () => {
    const root = makeApp();
    writeFileSync(join(root, 'package.json'), '{ not json');
    await expectOneLineFailure(root, ['--yes'], 2, /package\.json is not valid JSON/);
  });
});
