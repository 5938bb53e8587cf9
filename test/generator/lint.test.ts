/**
 * Generated layers pass the linters apps use with no finding: ESLint with typescript-eslint's
 * type-checked strict and stylistic presets, and Biome's recommended rules (test/helpers/lint.ts
 * sets both up as an app would). Each language form is one folder of five apps, one per framework,
 * linted in one run: one app has every store, so every vendored file, each example server and the
 * emitted index are linted as TypeScript, as JavaScript ES modules and as JavaScript CommonJS.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frameworks, stores } from '../../runtime/manifest.js';
import { repoRoot, strictCompilerOptions } from '../helpers/apps.js';
import { formatFindings, lintApp, writeJsconfig, writeLintConfigs, type LintLanguage } from '../helpers/lint.js';
import { generateOk } from './_cli.js';

/** The framework whose app gets every store, per form, so the stores meet more than one framework. */
const allStoresOn: Record<LintLanguage, string> = { ts: 'express', 'js-esm': 'koa', 'js-commonjs': 'hono' };

/**
 * The TypeScript app with every store has the strictest options an app might set (the matrix's);
 * the others plain `strict`, as most apps have. A check can be needed under one and redundant under
 * the other: an index access is possibly undefined only with noUncheckedIndexedAccess.
 */
const plainStrict = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  noEmit: true,
  types: ['node'],
};

/**
 * A file the app wrote with one finding per linter, linted with the layers: both linters ran on
 * this form with their types (the floating promise is only found with type information).
 */
const canary = 'Promise.resolve(1);\ndebugger;\n';
const canaryRules = ['@typescript-eslint/no-floating-promises', 'lint/suspicious/noDebugger', 'no-debugger'];

describe.each(['ts', 'js-esm', 'js-commonjs'] as const)('%s layers', (language) => {
  it('have no ESLint (typescript-eslint strict, type-checked) and no Biome finding', async () => {
    const root = mkdtempSync(join(tmpdir(), `session-lint-${language}-`));
    symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
    const extension = language === 'ts' ? 'ts' : 'js';
    const paths: string[] = [];
    for (const framework of frameworks) {
      const app = join(root, framework.name);
      mkdirSync(app);
      const packageJson = {
        name: framework.name,
        private: true,
        ...(language === 'js-commonjs' ? {} : { type: 'module' }),
      };
      writeFileSync(join(app, 'package.json'), JSON.stringify(packageJson, null, 2) + '\n');
      const everyStore = framework.name === allStoresOn[language];
      if (language === 'ts') {
        const compilerOptions = everyStore ? strictCompilerOptions : plainStrict;
        writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions }, null, 2) + '\n');
      }
      const storeNames = everyStore ? stores.map((store) => store.name).join(',') : 'memory';
      await generateOk(app, ['--yes', '--framework', framework.name, '--store', storeNames, '--example']);
      if (language !== 'ts') writeJsconfig(app);
      paths.push(join(framework.name, 'session'), join(framework.name, `session-example.${extension}`));
    }
    const canaryPath = join(frameworks[0]!.name, `canary.${extension}`);
    writeFileSync(join(root, canaryPath), canary);
    writeLintConfigs(root, language);

    const findings = await lintApp(root, [...paths, canaryPath]);
    expect(formatFindings(findings.filter((finding) => finding.file !== canaryPath))).toBe('');
    expect(findings.map((finding) => finding.rule).sort()).toEqual(canaryRules);
  }, 240_000);
});
