import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ts as TypeScript } from 'ts-morph';
import { UsageError } from '../errors.js';
import { ts } from './typescript.js';

/** What the app's TypeScript settings decide about the code we emit. */
export interface ModuleFacts {
  /** Suffix for relative imports: Node16/NodeNext resolution needs `.js`, bundler and CommonJS resolution take none. */
  importSuffix: '.js' | '';
  /** Whether the app's .ts files are ES modules or CommonJS once compiled. */
  moduleFormat: 'esm' | 'commonjs';
  /** verbatimModuleSyntax forbids `import` syntax in CommonJS files; the vendored code uses it. */
  verbatimModuleSyntax: boolean;
  /** tsconfig.json and every file its `extends` chain read (absolute paths): inputs of the output. */
  configFiles: string[];
}

/**
 * Config errors that leave us unable to know the app's settings: syntax errors, a file in the
 * `extends` chain that cannot be read or found, a root that is not an object. Anything else
 * (options this TypeScript does not know, deprecations such as `moduleResolution: node10`, which
 * TypeScript 7 removed, or "no inputs") is the app's business: we read what we need and go on.
 */
const FATAL_CONFIG_ERRORS = new Set([5012, 5057, 5058, 5081, 5083, 5092, 6053, 18001]);

/**
 * Reads the app's tsconfig.json with TypeScript's own parser, which follows `extends` chains
 * (relative files and packages) exactly as the compiler does. We only read it, never write it.
 */
export function readModuleFacts(root: string, packageType: string | undefined): ModuleFacts {
  const packageFormat = packageType === 'module' ? 'esm' : 'commonjs';
  const configPath = join(root, 'tsconfig.json');
  if (!existsSync(configPath))
    return { importSuffix: '.js', moduleFormat: packageFormat, verbatimModuleSyntax: false, configFiles: [] };
  const unrecoverable: TypeScript.Diagnostic[] = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => unrecoverable.push(diagnostic),
    },
  );
  const fatal = [
    ...unrecoverable,
    ...(parsed?.errors ?? []).filter((error) => error.code < 2000 || FATAL_CONFIG_ERRORS.has(error.code)),
  ];
  if (parsed === undefined || fatal.length > 0) {
    const message = fatal.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')).join('; ');
    throw new UsageError(`cannot read ${configPath}: ${message || 'unknown error'}`, 'E_APP');
  }
  const { module, moduleResolution, verbatimModuleSyntax } = parsed.options;
  return {
    importSuffix: importSuffixFor(module, moduleResolution),
    moduleFormat: moduleFormatFor(module, packageFormat),
    verbatimModuleSyntax: verbatimModuleSyntax === true,
    configFiles: [
      configPath,
      ...((parsed.options['configFile'] as TypeScript.TsConfigSourceFile | undefined)?.extendedSourceFiles ?? []),
    ],
  };
}

function isNodeModule(module: TypeScript.ModuleKind | undefined): boolean {
  // node16, node18, node20 and nodenext.
  return module !== undefined && module >= ts.ModuleKind.Node16 && module <= ts.ModuleKind.NodeNext;
}

function importSuffixFor(
  module: TypeScript.ModuleKind | undefined,
  resolution: TypeScript.ModuleResolutionKind | undefined,
): '.js' | '' {
  if (resolution !== undefined)
    return resolution === ts.ModuleResolutionKind.Node16 || resolution === ts.ModuleResolutionKind.NodeNext
      ? '.js'
      : '';
  return isNodeModule(module) ? '.js' : '';
}

/** Node-style modules follow package.json `type`; `commonjs` (and amd/umd/system) is CommonJS; es20xx/esnext/preserve are ESM. */
function moduleFormatFor(
  module: TypeScript.ModuleKind | undefined,
  packageFormat: 'esm' | 'commonjs',
): 'esm' | 'commonjs' {
  if (module === undefined || isNodeModule(module)) return packageFormat;
  if (
    module === ts.ModuleKind.CommonJS ||
    module === ts.ModuleKind.AMD ||
    module === ts.ModuleKind.UMD ||
    module === ts.ModuleKind.System
  )
    return 'commonjs';
  return 'esm';
}
