/**
 * The linters apps run, set up in a generated temp app as the app would have them: ESLint with
 * @eslint/js's recommended rules and typescript-eslint's type-checked strict and stylistic presets,
 * and Biome's recommended rules (and its default import sorting) with its formatter off, as
 * formatting is prettier's. The generated layer must pass both with no finding.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './apps.js';

/** TypeScript, or a JavaScript app (JSDoc types, checked by checkJs) as ES modules or CommonJS. */
export type LintLanguage = 'ts' | 'js-esm' | 'js-commonjs';

export interface LintFinding {
  linter: 'eslint' | 'biome';
  file: string;
  line: number;
  rule: string;
  message: string;
}

/**
 * The app's eslint.config.mjs. A CommonJS app parses its .js files as CommonJS and loads its modules
 * with require(), so it turns off the one rule that forbids require() itself (typescript-eslint's
 * docs: not applicable to a project that uses CommonJS); every other rule stays on.
 */
function eslintConfig(language: LintLanguage): string {
  const commonJs =
    language === 'js-commonjs'
      ? `
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },`
      : '';
  return `import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },${commonJs}
);
`;
}

const biomeConfig = {
  formatter: { enabled: false },
  linter: { enabled: true, rules: { preset: 'recommended' } },
};

/**
 * A JavaScript app's jsconfig.json with the strict checkJs options it type-checks its JSDoc with
 * (checkJsOptions in apps.ts): the type-checked lint rules read their types from it.
 */
const jsconfig = {
  compilerOptions: {
    checkJs: true,
    strict: true,
    noImplicitReturns: true,
    target: 'es2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    types: ['node'],
    skipLibCheck: true,
    noEmit: true,
  },
};

/**
 * Writes eslint.config.mjs and biome.json into `root` (an app, or a folder of apps: both linters
 * apply them below). A JavaScript app also needs its jsconfig.json (writeJsconfig).
 */
export function writeLintConfigs(root: string, language: LintLanguage): void {
  writeFileSync(join(root, 'eslint.config.mjs'), eslintConfig(language));
  writeFileSync(join(root, 'biome.json'), JSON.stringify(biomeConfig, null, 2) + '\n');
}

/**
 * A JavaScript app's jsconfig.json, written after generating (the generator takes an app with a
 * tsconfig.json for a TypeScript one; a jsconfig.json does not change that).
 */
export function writeJsconfig(root: string): void {
  writeFileSync(join(root, 'jsconfig.json'), JSON.stringify(jsconfig, null, 2) + '\n');
}

interface EslintFileResult {
  filePath: string;
  messages: { ruleId: string | null; line: number; message: string }[];
}

interface BiomeReport {
  diagnostics: { category?: string; message: string; location?: { path?: string; start?: { line: number } } }[];
}

/**
 * Runs ESLint and then Biome (as writeLintConfigs set them up) on `paths` in `root`: the findings of
 * both. Asynchronous, so the matrix's other rows go on meanwhile.
 */
export async function lintApp(root: string, paths: readonly string[]): Promise<LintFinding[]> {
  return [...(await runEslint(root, paths)), ...(await runBiome(root, paths))];
}

/** Runs a Node script; its stdout. Exit 0 means no finding, 1 findings; anything else, the linter failed. */
function runLinter(name: string, root: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && error.code !== 1) reject(new Error(`${name} failed (${String(error.code)}): ${stderr}${stdout}`));
        else resolve(stdout);
      },
    );
  });
}

/**
 * ESLint as the app would run it. typescript-eslint needs TypeScript's JavaScript API, which this
 * repo's `typescript` (7) does not have; the preload hands it `typescript5`, as in an app that lints
 * with TypeScript 5 installed.
 */
async function runEslint(root: string, paths: readonly string[]): Promise<LintFinding[]> {
  const stdout = await runLinter('eslint', root, [
    '--require',
    join(repoRoot, 'test', 'helpers', 'typescript5-as-typescript.cjs'),
    join(repoRoot, 'node_modules', 'eslint', 'bin', 'eslint.js'),
    '--format',
    'json',
    ...paths,
  ]);
  return (JSON.parse(stdout) as EslintFileResult[]).flatMap((file) =>
    file.messages.map((message) => ({
      linter: 'eslint' as const,
      file: relative(root, file.filePath),
      line: message.line,
      rule: message.ruleId ?? 'eslint',
      message: message.message,
    })),
  );
}

async function runBiome(root: string, paths: readonly string[]): Promise<LintFinding[]> {
  const stdout = await runLinter('biome', root, [
    join(repoRoot, 'node_modules', '@biomejs', 'biome', 'bin', 'biome'),
    'check',
    '--reporter=json',
    '--max-diagnostics=none',
    ...paths,
  ]);
  return (JSON.parse(stdout) as BiomeReport).diagnostics.map((diagnostic) => ({
    linter: 'biome' as const,
    file: diagnostic.location?.path ?? '',
    line: diagnostic.location?.start?.line ?? 0,
    rule: diagnostic.category ?? 'biome',
    message: diagnostic.message,
  }));
}

/** One line per finding: `file:line linter rule: message`. */
export function formatFindings(findings: readonly LintFinding[]): string {
  return findings
    .map((f) => `${f.file}:${f.line} ${f.linter} ${f.rule}: ${f.message.replace(/\s+/g, ' ').trim()}`)
    .join('\n');
}
