import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ts } from 'ts-morph';
import { frameworks } from '../runtime/manifest.js';
import { UsageError } from './errors.js';

/** What the generator needs to know about the app it writes into. */
export interface TargetApp {
  root: string;
  packageJsonText: string;
  packageJson: PackageJson;
  /** Import suffix the app's module resolution wants for relative imports. */
  importSuffix: '.js' | '';
  hasSrc: boolean;
  /** The framework found among the app's dependencies, if exactly one is. */
  detectedFramework: string | undefined;
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
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`${root} is not a folder`);
  const packagePath = join(root, 'package.json');
  if (!existsSync(packagePath)) throw new UsageError(`${root} is not a Node project (no package.json); run npm init first`);
  const packageJsonText = readFileSync(packagePath, 'utf8');
  let packageJson: PackageJson;
  try {
    packageJson = JSON.parse(packageJsonText) as PackageJson;
  } catch (error) {
    throw new UsageError(`${packagePath} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof packageJson !== 'object' || packageJson === null || Array.isArray(packageJson)) {
    throw new UsageError(`${packagePath} is not a package.json object`);
  }
  const installed = { ...packageJson.dependencies, ...packageJson.devDependencies };
  const found = frameworks.filter((framework) => framework.detect.some((name) => name in installed));
  return {
    root,
    packageJsonText,
    packageJson,
    importSuffix: importSuffixFor(root),
    hasSrc: existsSync(join(root, 'src')),
    detectedFramework: found.length === 1 ? found[0]?.name : undefined,
  };
}

/**
 * Node16/NodeNext resolution needs `.js` on relative imports; bundler and classic resolution
 * read extensionless ones. `extends` chains are followed by the TypeScript parser itself.
 */
function importSuffixFor(root: string): '.js' | '' {
  const configPath = join(root, 'tsconfig.json');
  if (!existsSync(configPath)) return '.js';
  const diagnostics: ts.Diagnostic[] = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => diagnostics.push(diagnostic),
  });
  if (!parsed || diagnostics.length > 0) {
    const message = diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')).join('; ');
    throw new UsageError(`cannot read ${configPath}: ${message || 'unknown error'}`);
  }
  const { module, moduleResolution } = parsed.options;
  const nodeResolution = [ts.ModuleResolutionKind.Node16, ts.ModuleResolutionKind.NodeNext];
  if (moduleResolution !== undefined) return nodeResolution.includes(moduleResolution) ? '.js' : '';
  // module node16 / node18 / node20 / nodenext imply node resolution.
  return module !== undefined && module >= ts.ModuleKind.Node16 && module <= ts.ModuleKind.NodeNext ? '.js' : '';
}
