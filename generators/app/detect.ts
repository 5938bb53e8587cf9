import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { frameworks } from '../../runtime/manifest.js';
import { UsageError } from '../errors.js';
import { detectPackageManager, findWorkspaceRoot, type PackageManagerFacts } from './package-manager.js';
import { readModuleFacts, type ModuleFacts } from './tsconfig.js';

/** What the generator needs to know about the app it writes into. */
export interface TargetApp extends ModuleFacts {
  root: string;
  packageJsonText: string;
  packageJson: PackageJson;
  hasSrc: boolean;
  /** What the app is written in, as far as files tell: a tsconfig.json means TypeScript. */
  language: 'ts' | 'js';
  /** The frameworks found among the app's dependencies, in manifest order. */
  installedFrameworks: string[];
  /** The framework found among the app's dependencies, if exactly one is. */
  detectedFramework: string | undefined;
  /** The monorepo root when the app is a workspace package. */
  workspaceRoot: string | undefined;
  packageManager: PackageManagerFacts;
}

export interface PackageJson {
  name?: string;
  type?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
}

export function detectTarget(cwd: string): TargetApp {
  const root = resolve(cwd);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`${root} is not a folder`, 'E_APP');
  const packagePath = join(root, 'package.json');
  if (!existsSync(packagePath))
    throw new UsageError(`${root} is not a Node project (no package.json); run npm init first`, 'E_APP');
  const packageJsonText = readFileSync(packagePath, 'utf8');
  let packageJson: PackageJson;
  try {
    packageJson = JSON.parse(packageJsonText) as PackageJson;
  } catch (error) {
    throw new UsageError(`${packagePath} is not valid JSON: ${(error as Error).message}`, 'E_APP');
  }
  if (typeof packageJson !== 'object' || packageJson === null || Array.isArray(packageJson)) {
    throw new UsageError(`${packagePath} is not a package.json object`, 'E_APP');
  }
  const installed = { ...packageJson.dependencies, ...packageJson.devDependencies };
  const found = frameworks.filter((framework) => framework.detect.some((name) => name in installed));
  const workspaceRoot = findWorkspaceRoot(root);
  return {
    root,
    packageJsonText,
    packageJson,
    ...readModuleFacts(root, packageJson.type),
    hasSrc: existsSync(join(root, 'src')),
    language: existsSync(join(root, 'tsconfig.json')) ? 'ts' : 'js',
    installedFrameworks: found.map((framework) => framework.name),
    detectedFramework: found.length === 1 ? found[0]?.name : undefined,
    workspaceRoot,
    packageManager: detectPackageManager(root, workspaceRoot),
  };
}
