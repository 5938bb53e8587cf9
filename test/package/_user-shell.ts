/**
 * Running commands the way a user's shell does, in apps outside the repository: `sh -c` with an
 * environment free of what `npm test` adds (npm's script variables, this repository's
 * node_modules/.bin on PATH), so an app finds only what it installed itself.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { repoRoot, type CliResult } from '../helpers/apps.js';

/** The environment of a user's terminal in CI: none of npm's per-script variables or this repo's binaries. */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/.test(key) || key === 'INIT_CWD' || key === 'NODE_PATH') continue;
    env[key] =
      key === 'PATH'
        ? value
            ?.split(delimiter)
            .filter((entry) => !entry.startsWith(repoRoot))
            .join(delimiter)
        : value;
  }
  return {
    ...env,
    CI: 'true',
    // npx asks "Ok to proceed?" before installing a package it does not have; a user answers yes.
    npm_config_yes: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    // Package metadata already in npm's cache is used without asking the registry again: less waiting.
    npm_config_prefer_offline: 'true',
    ...extra,
  };
}

/** Runs one shell command line; its process group is killed if it outlives `timeoutMs`. */
export function sh(command: string, cwd: string, timeoutMs = 180_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], {
      cwd,
      env: userEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`\`${command}\` in ${cwd} did not finish within ${timeoutMs} ms:\n${stdout}${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like sh, and fails with the command's output unless it exits 0. */
export async function shOk(command: string, cwd: string, timeoutMs?: number): Promise<CliResult> {
  const result = await sh(command, cwd, timeoutMs);
  if (result.code !== 0)
    throw new Error(`\`${command}\` in ${cwd} exited ${result.code}:\n${result.stdout}${result.stderr}`);
  return result;
}

/**
 * A copy of this repository as a fresh clone after `npm ci` has it: the files git tracks or would
 * add (so uncommitted work is included), none of the build output, and node_modules linked.
 * Packing from it never writes into the repository and never ships a stale file from dist/.
 */
export function cloneWorkingTree(): string {
  const clone = join(tempFolder('session-clone-'), 'create-session-layer');
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  for (const path of listed.split('\0')) {
    // A tracked file deleted in the working tree is not part of it.
    if (path === '' || !existsSync(join(repoRoot, path))) continue;
    mkdirSync(dirname(join(clone, path)), { recursive: true });
    cpSync(join(repoRoot, path), join(clone, path));
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(clone, 'node_modules'), 'dir');
  return clone;
}

/** A new app folder outside the repository with only a package.json (Express) and, for TypeScript, a strict tsconfig. */
export function userApp(language: 'ts' | 'js'): string {
  const root = tempFolder(`session-user-${language}-`);
  const packageJson = { name: 'user-app', private: true, type: 'module', dependencies: { express: '^5.1.0' } };
  writeFileSync(join(root, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  if (language === 'ts') {
    const tsconfig = readFileSync(join(repoRoot, 'test', 'fixtures', 'temp-app-tsconfig.json'), 'utf8');
    writeFileSync(join(root, 'tsconfig.json'), tsconfig);
  }
  return root;
}

/** The commands of the README's fenced `sh` blocks, one per `&&`-joined part, without their comments. */
export function readmeCommands(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '')
    .flatMap((line) => line.split('&&').map((part) => part.trim()));
}

const created: string[] = [];

/** A new folder in the OS temp dir, removed by removeTempFolders. */
export function tempFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  created.push(folder);
  return folder;
}

/**
 * Removes the folders tempFolder made (apps with their node_modules run to about 100 MB each), and
 * the installs npx kept in its cache for tarballs inside them: npx keys its cache by the tarball's
 * path, new on every run, so each would stay behind for good.
 */
export async function removeTempFolders(): Promise<void> {
  const cache = (await shOk('npm config get cache', tmpdir())).stdout.trim();
  const npx = join(cache, '_npx');
  for (const entry of existsSync(npx) ? readdirSync(npx) : []) {
    const manifest = join(npx, entry, 'package.json');
    if (!existsSync(manifest)) continue;
    const packages = (JSON.parse(readFileSync(manifest, 'utf8')) as { _npx?: { packages?: string[] } })._npx?.packages;
    if (packages?.some((spec) => created.some((folder) => spec.startsWith(`${folder}/`))))
      rmSync(join(npx, entry), { recursive: true, force: true });
  }
  for (const folder of created.splice(0)) rmSync(folder, { recursive: true, force: true });
}

/**
 * Whether the npm registry answers. The app tests install from it (express, typescript, the
 * generator's own dependencies); under CI its absence fails the run, elsewhere it skips loudly.
 */
export async function requireRegistry(): Promise<boolean> {
  const ping = await sh('npm ping --fetch-retries=0 --fetch-timeout=15000', tmpdir(), 30_000);
  if (ping.code === 0) return true;
  const message = `[test] the npm registry does not answer (npm ping: ${ping.stderr.trim().split('\n').at(-1)})`;
  if (process.env['CI']) throw new Error(message);
  console.warn(`\n${'!'.repeat(80)}\n${message}\nthe packed-install tests are SKIPPED\n${'!'.repeat(80)}\n`);
  return false;
}
