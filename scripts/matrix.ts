/**
 * `npm run matrix`: every framework × store from runtime/manifest.ts, as a user gets it. For each
 * pair: generate into a temp app (sharing this repo's node_modules, so nothing is installed per
 * pair), type-check strictly with TypeScript 7 and 5, lint the layer and the example server with
 * ESLint (typescript-eslint strict, type-checked) and Biome as an app would (any finding fails the
 * row and is printed), start the example server on the real store,
 * drive the HTTP contract with a cookie-keeping client, then check that a dead store answers 503.
 * JavaScript output gets the same checks on fewer rows: every framework as a JavaScript app (no
 * tsconfig) in ES module form on the memory, dir and postgres stores and in CommonJS form on memory
 * and postgres, checked with strict checkJs and run with plain node. Prints a table per language
 * (pass/fail and seconds) and exits non-zero on any failure.
 *
 * Options: --only <regex> filters "framework×store" names (JavaScript rows: "framework×store js-esm",
 * "framework×store js-commonjs"); --jobs <n> pairs at once (default 2). The store servers must run
 * (bash scripts/services.sh).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { frameworks, stores } from '../runtime/manifest.js';
import {
  checkJs,
  checkJsErrors,
  makeApp,
  repoRoot,
  runCli,
  strictCompilerOptions,
  typeCheck,
} from '../test/helpers/apps.js';
import { formatFindings, lintApp, writeJsconfig, writeLintConfigs } from '../test/helpers/lint.js';
import { driveExampleContract, driveFailingStore } from '../test/helpers/example-contract.js';
import { startServer } from '../test/helpers/http.js';
import { postgresTestUrl } from '../test/helpers/servers.js';

const { values } = parseArgs({ options: { only: { type: 'string' }, jobs: { type: 'string', default: '2' } } });
const only = values.only ? new RegExp(values.only) : undefined;
const jobs = Math.max(1, Number(values.jobs) || 2);
const tsx = join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const runId = randomBytes(3).toString('hex');

/** A live URL for each store, isolated per pair (own folder, table, database or key prefix). */
const liveUrl: Record<string, (pair: string) => string> = {
  memory: () => 'memory://',
  file: () => `file://${mkdtempSync(join(tmpdir(), 'matrix-file-'))}/sessions.json`,
  dir: () => `dir://${mkdtempSync(join(tmpdir(), 'matrix-dir-'))}`,
  redis: (pair) => `${process.env.SESSION_TEST_REDIS_URL || 'redis://127.0.0.1:6379'}?prefix=matrix:${runId}:${pair}:`,
  mysql: (pair) =>
    `${process.env.SESSION_TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/test'}?table=matrix_${runId}_${pair.replace(/\W/g, '_')}`,
  postgres: (pair) => `${postgresTestUrl}?table=matrix_${runId}_${pair.replace(/\W/g, '_')}`,
  mongodb: (pair) => `mongodb://127.0.0.1:27017/matrix_${runId}_${pair.replace(/\W/g, '_')}`,
  memcached: () => process.env.SESSION_TEST_MEMCACHED_URL || 'memcached://127.0.0.1:11211',
};

/** A URL each store cannot work with: a server that is not there (503), or a folder that cannot be made (500); memory cannot fail. */
const deadUrl: Record<string, { url: string; misconfigured: boolean } | undefined> = {
  memory: undefined,
  file: { url: 'file:///etc/hostname/sessions.json', misconfigured: true },
  dir: { url: 'dir:///etc/hostname/sessions', misconfigured: true },
  redis: { url: 'redis://127.0.0.1:1', misconfigured: false },
  mysql: { url: 'mysql://root@127.0.0.1:1/test', misconfigured: false },
  postgres: { url: 'postgres://session_layer@127.0.0.1:1/session_test', misconfigured: false },
  mongodb: { url: 'mongodb://127.0.0.1:1/test', misconfigured: false },
  memcached: { url: 'memcached://127.0.0.1:1', misconfigured: false },
};

/** TypeScript (module per the strict tsconfig), or a JavaScript app as an ES module or CommonJS. */
type Language = 'ts' | 'js-esm' | 'js-commonjs';

/**
 * The stores each JavaScript form runs on, kept few for the matrix's time: memory, and in one form
 * dir, whose dead URL drives each framework glue's 503 path (CommonJS differs only in module syntax);
 * and postgres in both, whose client is a CommonJS package that each form loads its own way (pg's
 * ES module wrapper, or require).
 */
const JS_STORES: Record<Exclude<Language, 'ts'>, string[]> = {
  'js-esm': ['memory', 'dir', 'postgres'],
  'js-commonjs': ['memory', 'postgres'],
};

interface Row {
  framework: string;
  store: string;
  language: Language;
}

interface Outcome extends Row {
  ok: boolean;
  seconds: number;
  error?: string;
}

async function runPair({ framework, store, language }: Row): Promise<Outcome> {
  const started = performance.now();
  const pair = language === 'ts' ? `${framework}-${store}` : `${framework}-${store}-${language}`;
  const finish = (error?: string): Outcome => ({
    framework,
    store,
    language,
    ok: error === undefined,
    seconds: (performance.now() - started) / 1000,
    ...(error === undefined ? {} : { error }),
  });
  try {
    const root = makeApp({
      linkNodeModules: true,
      tsconfig: language === 'ts' ? { compilerOptions: strictCompilerOptions } : undefined,
      packageJson: { name: pair, private: true, ...(language === 'js-commonjs' ? {} : { type: 'module' }) },
    });
    const generated = runCli(root, ['--yes', '--framework', framework, '--store', store, '--example']);
    if (generated.code !== 0) return finish(`generate: ${generated.stderr.trim()}`);
    const exampleFile = language === 'ts' ? 'session-example.ts' : 'session-example.js';
    const example = language === 'ts' ? [tsx, exampleFile] : [exampleFile];
    const layerFiles = readdirSync(join(root, 'session'), { recursive: true, encoding: 'utf8' })
      .filter((path) => path.endsWith('.js'))
      .map((path) => join('session', path));
    for (const compiler of ['typescript', 'typescript5'] as const) {
      if (language === 'ts') {
        const checked = typeCheck(root, compiler);
        if (checked.code !== 0)
          return finish(`${compiler}: ${(checked.stdout + checked.stderr).trim().split('\n').slice(0, 5).join(' | ')}`);
      } else {
        const checked = checkJs(root, ['session-example.js', ...layerFiles], compiler);
        const errors = checkJsErrors(checked, language === 'js-esm' ? 'esm' : 'commonjs', compiler);
        if (errors.length > 0) return finish(`${compiler} checkJs: ${errors.slice(0, 5).join(' | ')}`);
      }
    }
    writeLintConfigs(root, language);
    if (language !== 'ts') writeJsconfig(root);
    const findings = await lintApp(root, ['session', exampleFile]);
    if (findings.length > 0) {
      lintFindings.push(`${label({ framework, store, language })}:\n${formatFindings(findings)}`);
      return finish(`lint: ${findings.length} finding(s), listed below the tables`);
    }
    const url = liveUrl[store];
    if (!url) return finish(`no live URL known for store "${store}" (add it to scripts/matrix.ts)`);
    const server = await startServer(root, example, {
      SESSION_STORE: url(pair),
      SESSION_SECRET: 'matrix-secret-that-is-at-least-32-characters',
    });
    try {
      await driveExampleContract(server.url, { cookieName: 'session_id', signed: true });
    } finally {
      await server.stop();
    }
    const dead = deadUrl[store];
    if (dead) {
      const failing = await startServer(root, example, { SESSION_STORE: dead.url });
      try {
        await driveFailingStore(
          failing.url,
          dead.misconfigured ? { status: 500, log: failing.output } : { status: 503 },
        );
      } finally {
        await failing.stop();
      }
    }
    return finish();
  } catch (error) {
    return finish((error as Error).message.split('\n')[0]);
  }
}

const label = (row: Row) => `${row.framework}×${row.store}${row.language === 'ts' ? '' : ` ${row.language}`}`;
const rows: Row[] = [
  ...frameworks.flatMap((f) => stores.map((s) => ({ framework: f.name, store: s.name, language: 'ts' as const }))),
  ...(['js-esm', 'js-commonjs'] as const).flatMap((language) =>
    frameworks.flatMap((f) => JS_STORES[language].map((store) => ({ framework: f.name, store, language }))),
  ),
].filter((row) => !only || only.test(label(row)));
const outcomes: Outcome[] = [];
/** Each failing row's lint findings, printed after the tables. */
const lintFindings: string[] = [];
const queue = [...rows];
const matrixStarted = performance.now();
await Promise.all(
  Array.from({ length: jobs }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const outcome = await runPair(next);
      outcomes.push(outcome);
      console.log(
        `${outcome.ok ? 'pass' : 'FAIL'} ${label(outcome).replace('×', ' × ')} (${outcome.seconds.toFixed(1)} s)${outcome.error ? `: ${outcome.error}` : ''}`,
      );
    }
  }),
);

for (const language of ['ts', 'js-esm', 'js-commonjs'] as const) {
  const shown = rows.filter((row) => row.language === language);
  if (shown.length === 0) continue;
  const storeNames = [...new Set(shown.map((row) => row.store))];
  const frameworkNames = [...new Set(shown.map((row) => row.framework))];
  const cell = (f: string, s: string) => {
    const outcome = outcomes.find((o) => o.framework === f && o.store === s && o.language === language);
    return outcome ? `${outcome.ok ? 'pass' : 'FAIL'} ${outcome.seconds.toFixed(1)}s` : '';
  };
  const title = { ts: 'TypeScript', 'js-esm': 'JavaScript, ES modules', 'js-commonjs': 'JavaScript, CommonJS' }[
    language
  ];
  console.log(
    `\n${title}\n\n| framework | ${storeNames.join(' | ')} |\n| --- |${storeNames.map(() => ' --- |').join('')}`,
  );
  for (const f of frameworkNames) console.log(`| ${f} | ${storeNames.map((s) => cell(f, s)).join(' | ')} |`);
}
if (lintFindings.length > 0) console.log(`\nLint findings\n\n${lintFindings.join('\n\n')}`);
const failed = outcomes.filter((o) => !o.ok).length;
console.log(
  `\nmatrix: ${outcomes.length - failed} passed, ${failed} failed in ${((performance.now() - matrixStarted) / 1000).toFixed(0)} s`,
);
process.exitCode = failed > 0 ? 1 : 0;
