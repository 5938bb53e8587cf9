import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

export interface PackageManagerFacts {
  name: PackageManager;
  /** Where installs run: the workspace root for a package inside a monorepo, else the app itself. */
  installRoot: string;
  /** Where the name came from, for the output (`packageManager field`, `pnpm-lock.yaml`, `default`). */
  source: string;
}

const LOCKFILES: ReadonlyArray<readonly [string, PackageManager]> = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
];

/**
 * The workspace root holding `appRoot`, if it is a package in a monorepo: the nearest folder
 * above with pnpm-workspace.yaml or a package.json declaring `workspaces`. Dependencies still go
 * into the app's own package.json; only installs (and hoisted node_modules) live at the root.
 */
export function findWorkspaceRoot(appRoot: string): string | undefined {
  for (let folder = dirname(appRoot); folder !== dirname(folder); folder = dirname(folder)) {
    if (existsSync(join(folder, 'pnpm-workspace.yaml'))) return folder;
    const manifest = readJson(join(folder, 'package.json'));
    if (manifest !== undefined && 'workspaces' in manifest) return folder;
  }
  return undefined;
}

/**
 * The app's package manager: the `packageManager` field first (the app's, then the workspace
 * root's), then lockfiles (the app's folder, then the workspace root), else npm.
 */
export function detectPackageManager(appRoot: string, workspaceRoot: string | undefined): PackageManagerFacts {
  const folders = workspaceRoot === undefined ? [appRoot] : [appRoot, workspaceRoot];
  const installRoot = workspaceRoot ?? appRoot;
  for (const folder of folders) {
    const declared = readJson(join(folder, 'package.json'))?.['packageManager'];
    const name = typeof declared === 'string' ? /^(npm|pnpm|yarn|bun)@/.exec(declared)?.[1] : undefined;
    if (name !== undefined) return { name: name as PackageManager, installRoot, source: 'packageManager field' };
  }
  for (const folder of folders) {
    const found = LOCKFILES.find(([file]) => existsSync(join(folder, file)));
    if (found) return { name: found[1], installRoot, source: found[0] };
  }
  return { name: 'npm', installRoot, source: 'default' };
}

/** The command line that installs what package.json lists. */
export function installCommand(manager: PackageManager): string[] {
  return manager === 'yarn' ? ['yarn', 'install'] : [manager, 'install'];
}

function readJson(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
