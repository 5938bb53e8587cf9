/** Temp apps for generator tests, and running the built CLI against them as a user would. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(repoRoot, 'bin', 'create-session-layer.js');

/** The strictest compiler options an app might use; generated code must pass them. */
export const strictCompilerOptions = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noImplicitReturns: true,
  noImplicitOverride: true,
  verbatimModuleSyntax: true,
  noEmit: true,
  skipLibCheck: true,
  types: ['node'],
};

export interface AppOptions {
  packageJson?: Record<string, unknown>;
  tsconfig?: Record<string, unknown> | undefined;
  /** Link this repo's node_modules so the app can type-check and run without an install. */
  linkNodeModules?: boolean;
  files?: Record<string, string>;
}

/** A fresh app folder outside the repo. */
export function makeApp(options: AppOptions = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'session-app-'));
  const packageJson = options.packageJson ?? {
    name: 'app',
    private: true,
    type: 'module',
    dependencies: { express: '^5.1.0' },
  };
  writeFileSync(join(root, 'package.json'), JSON.stringify(packageJson, null, 2) + '\n');
  const tsconfig = 'tsconfig' in options ? options.tsconfig : defaultTsconfig();
  if (tsconfig) writeFileSync(join(root, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2) + '\n');
  for (const [path, text] of Object.entries(options.files ?? {})) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  if (options.linkNodeModules) symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (npm run build first) non-interactively, as CI would. */
export function runCli(cwd: string, args: readonly string[]): CliResult {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Path → SHA-256 of every file below `root` (node_modules excluded), to prove what a run changed. */
export function hashTree(root: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      if (name === 'node_modules') continue;
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else hashes[relative(root, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(root);
  return hashes;
}

/** Runs a TypeScript compiler (`typescript` is 7.x, `typescript5` is 5.x) on the app's tsconfig. */
export function typeCheck(root: string, compiler: 'typescript' | 'typescript5'): CliResult {
  const tsc = join(repoRoot, 'node_modules', compiler, 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', root], { cwd: root, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The compiler flags of a strict checkJs run, as a JavaScript app would type-check the layer. */
export const checkJsOptions: readonly string[] = [
  '--allowJs',
  '--checkJs',
  '--noEmit',
  '--strict',
  '--noImplicitReturns',
  '--target',
  'es2022',
  '--module',
  'nodenext',
  '--moduleResolution',
  'nodenext',
  '--types',
  'node',
  '--skipLibCheck',
];

/** Strict checkJs over the given files (and what they import), as a JavaScript app would run it. */
export function checkJs(root: string, files: readonly string[], compiler: 'typescript' | 'typescript5'): CliResult {
  const tsc = join(repoRoot, 'node_modules', compiler, 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, ...checkJsOptions, ...files], { cwd: root, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * The errors of a checkJs run that count. TypeScript 7 does not take a class destructured from
 * require() as a JSDoc type (TS2749, "refers to a value"); TypeScript 5 does. Any other error counts.
 */
export function checkJsErrors(
  result: CliResult,
  moduleFormat: 'esm' | 'commonjs',
  compiler: 'typescript' | 'typescript5',
): string[] {
  const known = moduleFormat === 'commonjs' && compiler === 'typescript' ? /error TS2749: / : /$^/;
  return result.stdout.split('\n').filter((line) => /error TS\d+/.test(line) && !known.test(line));
}

/**
 * A copy of test/fixtures/<name> in a fresh temp folder outside the repo (the generator never
 * writes into the fixtures themselves). With linkNodeModules, this repo's node_modules is linked
 * at the copy's root: for a workspace fixture that is the hoisted node_modules of the monorepo.
 */
export function copyFixture(name: string, options: { linkNodeModules?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), `session-fixture-${name}-`));
  cpSync(join(repoRoot, 'test', 'fixtures', name), root, { recursive: true });
  if (options.linkNodeModules) symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

/** The tsconfig a temp app gets unless a test says otherwise (shared with bench/ and scripts/). */
function defaultTsconfig(): object {
  return JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'temp-app-tsconfig.json'), 'utf8')) as object;
}
