/**
 * `npm run matrix`: every framework × store from runtime/manifest.ts, as a user gets it. For each
 * pair: generate into a temp app (sharing this repo's node_modules, so nothing is installed per
 * pair), type-check strictly with TypeScript 7 and 5, start the example server on the real store,
 * drive the HTTP contract with a cookie-keeping client, then check that a dead store answers 503.
 * Prints a framework × store table (pass/fail and seconds) and exits non-zero on any failure.
 *
 * Options: --only <regex> filters "framework×store" names; --jobs <n> pairs at once (default 2).
 * The store servers must run (bash scripts/services.sh).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { frameworks, stores } from '../runtime/manifest.js';
import { makeApp, repoRoot, runCli, strictCompilerOptions, typeCheck } from '../test/helpers/apps.js';
import { driveExampleContract, driveFailingStore } from '../test/helpers/example-contract.js';
import { startServer } from '../test/helpers/http.js';

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
  mongodb: (pair) => `mongodb://127.0.0.1:27017/matrix_${runId}_${pair.replace(/\W/g, '_')}`,
  memcached: () => process.env.SESSION_TEST_MEMCACHED_URL || 'memcached://127.0.0.1:11211',
};

/** A URL at which the store cannot work, to see the 503 path; memory cannot fail. */
const deadUrl: Record<string, string | undefined> = {
  memory: undefined,
  file: 'file:///etc/hostname/sessions.json',
  dir: 'dir:///etc/hostname/sessions',
  redis: 'redis://127.0.0.1:1',
  mysql: 'mysql://root@127.0.0.1:1/test',
  mongodb: 'mongodb://127.0.0.1:1/test',
  memcached: 'memcached://127.0.0.1:1',
};

interface Outcome {
  framework: string;
  store: string;
  ok: boolean;
  seconds: number;
  error?: string;
}

async function runPair(framework: string, store: string): Promise<Outcome> {
  const started = performance.now();
  const pair = `${framework}-${store}`;
  const finish = (error?: string): Outcome => ({
    framework,
    store,
    ok: error === undefined,
    seconds: (performance.now() - started) / 1000,
    ...(error === undefined ? {} : { error }),
  });
  try {
    const root = makeApp({
      linkNodeModules: true,
      tsconfig: { compilerOptions: strictCompilerOptions },
      packageJson: { name: pair, private: true, type: 'module' },
    });
    const generated = runCli(root, ['--yes', '--framework', framework, '--store', store, '--example']);
    if (generated.code !== 0) return finish(`generate: ${generated.stderr.trim()}`);
    for (const compiler of ['typescript', 'typescript5'] as const) {
      const checked = typeCheck(root, compiler);
      if (checked.code !== 0)
        return finish(`${compiler}: ${(checked.stdout + checked.stderr).trim().split('\n').slice(0, 5).join(' | ')}`);
    }
    const url = liveUrl[store];
    if (!url) return finish(`no live URL known for store "${store}" (add it to scripts/matrix.ts)`);
    const server = await startServer(root, [tsx, 'session-example.ts'], {
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
      const failing = await startServer(root, [tsx, 'session-example.ts'], { SESSION_STORE: dead });
      try {
        await driveFailingStore(failing.url);
      } finally {
        await failing.stop();
      }
    }
    return finish();
  } catch (error) {
    return finish((error as Error).message.split('\n')[0]);
  }
}

const pairs = frameworks
  .flatMap((f) => stores.map((s) => [f.name, s.name] as const))
  .filter(([f, s]) => !only || only.test(`${f}×${s}`));
const outcomes: Outcome[] = [];
const queue = [...pairs];
const matrixStarted = performance.now();
await Promise.all(
  Array.from({ length: jobs }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const outcome = await runPair(next[0], next[1]);
      outcomes.push(outcome);
      console.log(
        `${outcome.ok ? 'pass' : 'FAIL'} ${outcome.framework} × ${outcome.store} (${outcome.seconds.toFixed(1)} s)${outcome.error ? `: ${outcome.error}` : ''}`,
      );
    }
  }),
);

const storeNames = [...new Set(pairs.map(([, s]) => s))];
const frameworkNames = [...new Set(pairs.map(([f]) => f))];
const cell = (f: string, s: string) => {
  const outcome = outcomes.find((o) => o.framework === f && o.store === s);
  return outcome ? `${outcome.ok ? 'pass' : 'FAIL'} ${outcome.seconds.toFixed(1)}s` : '';
};
console.log(`\n| framework | ${storeNames.join(' | ')} |\n| --- |${storeNames.map(() => ' --- |').join('')}`);
for (const f of frameworkNames) console.log(`| ${f} | ${storeNames.map((s) => cell(f, s)).join(' | ')} |`);
const failed = outcomes.filter((o) => !o.ok).length;
console.log(
  `\nmatrix: ${outcomes.length - failed} passed, ${failed} failed in ${((performance.now() - matrixStarted) / 1000).toFixed(0)} s`,
);
process.exitCode = failed > 0 ? 1 : 0;
