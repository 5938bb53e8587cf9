#!/usr/bin/env node
/**
 * `npm run bench`: the generated session layer against what users would pick instead.
 *
 *   npm run bench                        3 rounds × 10 s per row and workload, then the scaling runs
 *   npm run bench -- --quick             1 round × 1 s (CI smoke run; also BENCH_QUICK=1)
 *   npm run bench -- --rows 'ours|peer:express-session\+memory'   only rows whose id matches
 *   npm run bench -- --tree A=. --tree B=../other-checkout   our rows from both trees, side by side
 *   options: --rounds N  --duration S  --workloads REGEX (by name: rmw, read, new, conn-rmw,
 *            conn-read, pool-rmw, pool-read, login-read)  --pool N (sessions in the pool: 10,000; 500 quick)
 *            --all-combos (every framework × store of ours, not the spanning set of lib/rows.mjs)
 *            --skip-http  --skip-scale  --no-services  --write  --no-write
 *
 * Every row is its own server process on 127.0.0.1 driven by autocannon in another process
 * (10 connections), on one hot session, one session per connection, a pool of sessions in
 * rotation, and new visitors. Rows run interleaved: round 1 measures every row, then round 2 every row...,
 * and each row's median is reported, so slow phases of a noisy two-core machine hit all rows
 * alike and the ratios stay fair. A full run prepends its table to bench/RESULTS.md (a quick one
 * only with --write). Exit code 1 when a row fails to start, answers anything but 2xx, or a
 * scaling run fails; every failure is named at the end.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { get } from './lib/client.mjs';
import { freePort, groupCpuMs, run, spawnTracked, stopAll, stopChild, waitHealthy } from './lib/proc.mjs';
import { buildRows, ceilings, comparisons, ourStoreUrl, oursOfTrees, roundOrder, treePairs } from './lib/rows.mjs';
import { describeTree, parseTrees } from './lib/trees.mjs';
import {
  countsIncrements,
  runsOn,
  sessionsFor,
  sessionsKeptProblem,
  sumOfCounts,
  workloads as allWorkloads,
} from './lib/workloads.mjs';
import { benchDatabase, postgresUrl } from './peers/common.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repo = join(benchDir, '..');
const cli = join(repo, 'bin', 'create-session-layer.js');
const resultsFile = join(benchDir, 'RESULTS.md');
/** Every session library signs its cookie; ours gets the same secret so it signs too. */
const secret = 'bench-secret-of-at-least-32-characters-long';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rows: { type: 'string' },
    tree: { type: 'string', multiple: true },
    workloads: { type: 'string' },
    pool: { type: 'string' },
    rounds: { type: 'string' },
    'all-combos': { type: 'boolean', default: false },
    duration: { type: 'string' },
    'skip-http': { type: 'boolean', default: false },
    'skip-scale': { type: 'boolean', default: false },
    'no-services': { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log(
    readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('*/')[0]
      .replace(/^#!.*\n\/\*\*\n?/, '')
      .replace(/^ \* ?/gm, ''),
  );
  process.exit(0);
}
const quick = opts.quick || process.env.BENCH_QUICK === '1';
const rounds = Number(opts.rounds ?? (quick ? 1 : 3));
const duration = Number(opts.duration ?? (quick ? 1 : 10));
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) usage('--rounds must be a whole number from 1 to 20');
if (!(duration >= 0.5 && duration <= 120)) usage('--duration must be 0.5 to 120 seconds');
/**
 * Sessions in each row's pool: 10,000, more than ours keeps in any cache of recent sessions, so
 * the pool shows what a request costs when nothing about its session is remembered. A smoke run
 * makes do with 500 (which do fit those caches): it checks the harness, not the numbers.
 */
const poolSize = Number(opts.pool ?? (quick ? 500 : 10_000));
/**
 * Creating a pool stops after this long, with the sessions made by then: a row whose store slows
 * down as it fills (FerretDB scans its table on each upsert) would otherwise spend many minutes
 * on each pool. Rows with a smaller pool are marked in the table.
 */
const poolSeconds = quick ? 10 : 60;
if (!Number.isInteger(poolSize) || poolSize < 10 || poolSize > 100_000)
  usage('--pool must be a whole number from 10 to 100000');
const regexOption = (name) => {
  try {
    return opts[name] === undefined ? undefined : new RegExp(opts[name]);
  } catch (error) {
    usage(`--${name} is not a valid regular expression: ${error.message}`);
  }
};
const rowFilter = regexOption('rows');
const workloadFilter = regexOption('workloads');
const workloads = allWorkloads.filter((workload) => !workloadFilter || workloadFilter.test(workload.name));
if (workloads.length === 0) usage(`no workload name matches /${workloadFilter.source}/`);
let trees = [];
try {
  trees = parseTrees(opts.tree ?? [], process.cwd());
} catch (error) {
  usage(error.message);
}
/** One warm-up pass before round 1 (JIT, connection pools, first table writes); none in a smoke run. */
const warmupSeconds = quick ? 0 : 1;
const connections = 10;
const scaleSeconds = quick ? 0.5 : 3;
/** A smoke run skips the 100k fill of the dir store (most of a minute through the store API). */
const scaleSizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
/** Generator timings are medians of this many runs (one each in a smoke run). */
const generatorRuns = quick ? 1 : 5;
const writeResults = (!quick || opts.write) && !opts['no-write'];

const failures = [];
let stopping = false;
const fail = (where, message) => {
  if (stopping) return; // after SIGINT every step fails; those are not findings
  const text = String(message?.message ?? message).trim();
  failures.push({ where, message: text });
  console.error(`[bench] FAILED ${where}: ${text.split('\n').slice(0, 12).join('\n    ')}`);
};
const log = (text) => console.log(`[bench] ${text}`);

function usage(message) {
  console.error(`bench: ${message} (see npm run bench -- --help)`);
  process.exit(2);
}

/** The tsconfig of every temp app the bench generates into: the one the tests' temp apps get. */
const APP_TSCONFIG = readFileSync(join(repo, 'test', 'fixtures', 'temp-app-tsconfig.json'), 'utf8');

// ---------------------------------------------------------------- set-up

let tempRoot;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.error(`\n[bench] ${signal}: stopping every process it started`);
    await stopAll({ final: true });
    dropBackendsDirectly();
    if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
    process.exit(130);
  });
}

function ensureInstalled() {
  if (!existsSync(join(repo, 'node_modules', 'tsx', 'dist', 'cli.mjs'))) {
    console.error('bench: the repo has no node_modules; run `npm ci` at the repo root first');
    process.exit(2);
  }
  if (!existsSync(join(benchDir, 'node_modules'))) {
    // The peers live in bench/package.json (its own lockfile), never in the root package.json.
    log('installing the bench dependencies: npm ci --prefix bench');
    const result = spawnSync('npm', ['ci', '--prefix', benchDir, '--no-audit', '--no-fund'], {
      cwd: repo,
      stdio: 'inherit',
    });
    if (result.status !== 0) {
      console.error('bench: npm ci --prefix bench failed');
      process.exit(2);
    }
  }
}

/** Newest modification time of the .ts files below `path`. */
function newestSource(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestSource(join(path, name)));
  return newest;
}

/**
 * The CLI runs from dist/: rebuild it when generators/ or the manifest changed since the last
 * build (in `root`, this checkout or a --tree).
 */
async function ensureBuilt(root) {
  const built = join(root, 'dist', 'generators', 'cli.js');
  const newest = Math.max(newestSource(join(root, 'generators')), newestSource(join(root, 'runtime', 'manifest.ts')));
  if (existsSync(built) && statSync(built).mtimeMs >= newest) return;
  log(`${root}: dist/ is older than generators/ or runtime/manifest.ts: npm run build`);
  const result = await run('npm', ['run', 'build'], { cwd: root, timeoutMs: 300_000 });
  if (result.code !== 0)
    fail(`build ${root}`, `npm run build failed; generated rows use the old build\n${result.output.slice(-2000)}`);
}

async function startServices() {
  const names = ['redis', 'mariadb', 'postgres', 'memcached', 'ferretdb'].filter((name) =>
    existsSync(join(repo, 'scripts', 'services', `${name}.sh`)),
  );
  log(`starting test servers if needed: bash scripts/services.sh ${names.join(' ')}`);
  const result = await run('bash', [join(repo, 'scripts', 'services.sh'), ...names], { cwd: repo, timeoutMs: 900_000 });
  for (const line of result.output.trim().split('\n')) log(`  ${line}`);
  if (result.code !== 0) log('  some servers did not start: their rows will fail');
}

/** runtime/manifest.ts of `root` (this checkout or a --tree) as plain data. */
async function readManifest(root) {
  const result = await run(
    process.execPath,
    [join(repo, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(benchDir, 'lib', 'print-manifest.mjs'), root],
    { cwd: repo, timeoutMs: 60_000 },
  );
  const line = result.output
    .trim()
    .split('\n')
    .reverse()
    .find((text) => text.startsWith('{'));
  if (result.code !== 0 || !line) {
    console.error(`bench: could not read ${root}/runtime/manifest.ts:\n${result.output}`);
    process.exit(2);
  }
  return JSON.parse(line);
}

/** After SIGINT no child may start, so the namespaces are dropped from this process. */
function dropBackendsDirectly() {
  spawnSync(process.execPath, [join(benchDir, 'lib', 'backends.mjs'), 'drop'], {
    cwd: benchDir,
    timeout: 30_000,
    stdio: 'ignore',
  });
}

async function resetBackends(action) {
  const result = await run(process.execPath, [join(benchDir, 'lib', 'backends.mjs'), action], {
    cwd: benchDir,
    timeoutMs: 60_000,
  });
  const line = result.output
    .trim()
    .split('\n')
    .reverse()
    .find((text) => text.startsWith('{'));
  return line ? JSON.parse(line) : { all: result.output.trim() };
}

// ---------------------------------------------------------------- versions

function firstLine(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0 && !result.stdout) return undefined;
  return `${result.stdout}${result.stderr}`.trim().split('\n')[0];
}

function ferretdbBinary() {
  const gopath = firstLine('go', ['env', 'GOPATH']);
  const cache = join(process.env.XDG_CACHE_HOME || join(process.env.HOME || '/root', '.cache'), 'session-layer');
  const cached = existsSync(cache)
    ? readdirSync(cache)
        .filter((name) => name.startsWith('ferretdb-'))
        .map((name) => join(cache, name, 'ferretdb'))
    : [];
  // The same search order as scripts/services/ferretdb.sh; a binary that panics on --version is skipped.
  for (const candidate of ['ferretdb', ...(gopath ? [join(gopath, 'bin', 'ferretdb')] : []), ...cached]) {
    const line = firstLine(candidate, ['--version']);
    if (line?.startsWith('version:')) return line.replace('version:', '').trim();
  }
  return 'not found';
}

function serverVersions() {
  const redis = firstLine('redis-server', ['--version'])?.match(/v=(\S+)/)?.[1];
  const mariadb = firstLine('mariadb', ['--version'])?.match(/Distrib ([^,\s]+?)(?:-MariaDB)?,/)?.[1];
  const memcached = firstLine('memcached', ['-V'])?.replace(/^memcached\s*/, '');
  const postgres = firstLine('psql', ['--version'])?.match(/\(PostgreSQL\) (\S+)/)?.[1];
  return {
    redis: redis ?? 'not found',
    mariadb: mariadb ?? 'not found',
    postgres: postgres ?? 'not found',
    memcached: memcached ?? 'not found',
    ferretdb: ferretdbBinary(),
  };
}

function peerVersions() {
  const { dependencies } = JSON.parse(readFileSync(join(benchDir, 'package.json'), 'utf8'));
  return Object.keys(dependencies).map((name) => {
    const path = join(benchDir, 'node_modules', name, 'package.json');
    return `${name} ${existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')).version : '?'}`;
  });
}

// ---------------------------------------------------------------- rows

/**
 * A temp app outside the repo, as test/helpers/apps.ts makes them, with the layer generated into
 * it by the CLI of the row's tree (this checkout unless --tree), whose node_modules it borrows.
 */
async function generateApp(row, folder) {
  const root = row.tree?.root ?? repo;
  const app = join(folder, 'app');
  mkdirSync(app, { recursive: true });
  const packageJson = {
    name: 'bench-app',
    private: true,
    type: 'module',
    dependencies: { ...row.manifestFramework.dependencies },
  };
  writeFileSync(join(app, 'package.json'), JSON.stringify(packageJson, null, 2) + '\n');
  writeFileSync(join(app, 'tsconfig.json'), APP_TSCONFIG);
  symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'), 'dir');
  const result = await run(
    process.execPath,
    [
      join(root, 'bin', 'create-session-layer.js'),
      '--yes',
      '--framework',
      row.framework,
      '--store',
      row.store,
      '--example',
      '--cwd',
      app,
    ],
    { cwd: app, env: { CI: 'true' }, timeoutMs: 120_000 },
  );
  if (result.code !== 0) throw new Error(`generation failed (exit ${result.code}):\n${result.output.slice(-2000)}`);
  if (!existsSync(join(app, 'session-example.ts'))) throw new Error('generation wrote no session-example.ts');
  return app;
}

async function startRow(row) {
  const port = await freePort();
  row.url = `http://127.0.0.1:${port}`;
  const folder = join(tempRoot, row.id.replace(/[^a-z0-9]+/gi, '-'));
  mkdirSync(folder, { recursive: true });
  row.folder = folder;
  const env = { PORT: String(port), NODE_ENV: 'production' };
  if (row.kind === 'ours') {
    const app = await generateApp(row, folder);
    row.storeUrl = ourStoreUrl(row.manifestStore, row.namespace, folder);
    // SESSION_REGENERATE=0: a periodic new id would replace the cookie the load generator reuses.
    Object.assign(env, { SESSION_STORE: row.storeUrl, SESSION_REGENERATE: '0', SESSION_SECRET: secret });
    row.child = spawnTracked(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'session-example.ts'], {
      cwd: app,
      env,
    });
  } else {
    Object.assign(env, row.env, { BENCH_NAMESPACE: row.id, BENCH_SECRET: secret, BENCH_DIR: join(folder, 'data') });
    row.child = spawnTracked(process.execPath, [join(benchDir, 'peers', row.script)], { cwd: benchDir, env });
  }
  await waitHealthy(row.child, row.url);
  // The row must really have sessions: a first /count sets a cookie, and that cookie finds the
  // session again. Otherwise "read-only" would silently measure a visitor without a session.
  if (row.kind === 'bare') return;
  const first = await get(`${row.url}/count`);
  if (first.status !== 200) throw new Error(`GET /count answered ${first.status}: ${JSON.stringify(first.body)}`);
  if (!first.cookie) throw new Error('GET /count set no cookie');
  if (row.kind === 'limit') return;
  const again = await get(`${row.url}/session`, first.cookie);
  if (again.status !== 200 || again.body?.data?.count !== 1) {
    throw new Error(
      `GET /session with the cookie from GET /count answered ${again.status} ${JSON.stringify(again.body)}; expected {"data":{"count":1}}`,
    );
  }
}

async function load(options) {
  const result = await run(process.execPath, [join(benchDir, 'lib', 'load.mjs'), JSON.stringify(options)], {
    cwd: benchDir,
    timeoutMs: (options.duration + 60) * 1000,
  });
  const line = result.output
    .trim()
    .split('\n')
    .reverse()
    .find((text) => text.startsWith('{'));
  if (result.code !== 0 || !line)
    throw new Error(`autocannon exited with ${result.code ?? result.signal}: ${result.output.slice(-1000)}`);
  return JSON.parse(line);
}

/** Seconds spent on each workload (by name), over every row and round. */
const workloadSeconds = {};
/** Each pool created: row id, seconds, sessions (reported with the run). */
const poolCreations = [];
const onPool = (row, seconds, count) => {
  poolCreations.push({ id: row.id, seconds, count });
  const stopped = count < poolSize ? `; stopped at the ${poolSeconds} s limit` : '';
  log(`  pool for ${row.id}: ${fmt(count)} sessions in ${seconds.toFixed(1)} s (${fmt(count / seconds)}/s${stopped})`);
};

/** One measurement of one row, on the sessions its workload needs (lib/workloads.mjs). */
async function measure(row, workload, seconds) {
  const sessions = await sessionsFor(row, workload, { connections, poolSize, poolSeconds, onPool });
  const counted = countsIncrements(row, workload);
  const before = counted ? await sumOfCounts(row, sessions.cookies) : undefined;
  const cpuBefore = groupCpuMs(row.child.pid);
  const result = await load({
    url: row.url + workload.path,
    duration: seconds,
    connections,
    cookie: sessions.cookie,
    cookiesFile: sessions.cookiesFile,
  });
  const cpuAfter = groupCpuMs(row.child.pid);
  // The server's own CPU per answered request: it moves much less than req/s when the load
  // generator or a store server takes the cores for a while (see README, "Reading the ratios").
  if (cpuBefore !== undefined && cpuAfter !== undefined && result.completed > 0)
    result.cpuUs = ((cpuAfter - cpuBefore) * 1000) / result.completed;
  if (counted && result.ok2xx > 0) {
    // Lost updates: increments the server acknowledged (2xx) but the sessions do not show (the
    // reads before and after add one each per session). Up to `connections` requests still in
    // flight when autocannon stops may land after its count, so a small surplus is possible
    // and reads as 0.
    const after = await sumOfCounts(row, sessions.cookies);
    result.lost = Math.max(0, 1 - (after - before - sessions.cookies.length) / result.ok2xx);
  }
  result.sessions = sessions.cookies.length;
  result.keptProblem = await sessionsKeptProblem(row, workload, sessions.cookies, result);
  return result;
}

async function checkResult(row, workload, result, label) {
  const problems = [];
  if (result.non2xx > 0)
    problems.push(
      `${result.non2xx} non-2xx answers (${Object.entries(result.statusCodes ?? {})
        .map(([code, { count }]) => `${code}×${count}`)
        .join(', ')})`,
    );
  if (result.errors > 0) problems.push(`${result.errors} errors (${result.timeouts} timeouts)`);
  if (result.keptProblem) problems.push(result.keptProblem);
  if (result.completed === 0 && problems.length === 0) {
    // Nothing finished within a short run, but nothing failed either: a slow row (each request
    // slower than the run), or a hung one. One unhurried request tells which.
    const probe = await get(`${row.url}${workload.path}`).catch((error) => ({ status: error.name }));
    if (probe.status >= 200 && probe.status < 300) {
      result.slow = true;
      log(
        `  ${row.id} ${workload.name}: no request finished within ${duration} s; the row answers, so it is slow, not failing`,
      );
    } else problems.push(`no answer within the run, then ${probe.status} to a single request`);
  }
  if (problems.length > 0) {
    row.failed = true;
    fail(`${row.id} ${workload.name} ${label}`, `${problems.join('; ')}\n${row.child?.output().slice(-1500) ?? ''}`);
  }
}

async function runHttp(rows) {
  // Three at a time: generating an app and starting tsx takes seconds, mostly waiting.
  let next = 0;
  const starter = async () => {
    while (next < rows.length) {
      const row = rows[next++];
      const started = Date.now();
      try {
        await startRow(row);
        log(`started ${row.id} on ${row.url} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (error) {
        row.failed = true;
        row.startError = true;
        fail(`${row.id} start`, `${error.message}\n${row.child?.output().slice(-2000) ?? ''}`);
        await stopChild(row.child);
      }
    }
  };
  await Promise.all([starter(), starter(), starter()]);
  const active = rows.filter((row) => !row.startError); // table order, whatever order they started in
  const alive = (row) => {
    if (!row.child.exited()) return true;
    if (!row.dead) {
      row.dead = true;
      row.failed = true;
      fail(
        `${row.id}`,
        `server exited with ${row.child.exitCode ?? row.child.signalCode}\n${row.child.output().slice(-2000)}`,
      );
    }
    return false;
  };
  const perMeasure = duration + 0.7;
  const estimate = active.length * workloads.length * (rounds * perMeasure + (warmupSeconds ? warmupSeconds + 0.7 : 0));
  log(
    `${active.length} rows × ${workloads.length} workloads × ${rounds} round(s) × ${duration} s: about ${Math.ceil(estimate / 60)} min, plus creating the sessions`,
  );
  /** Wall time of each workload over every row and round, creating its sessions included. */
  const timed = async (workload, work) => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      workloadSeconds[workload.name] = (workloadSeconds[workload.name] ?? 0) + (performance.now() - start) / 1000;
    }
  };

  if (warmupSeconds > 0) {
    log(`warm-up: ${warmupSeconds} s per row and workload`);
    for (const workload of workloads) {
      for (const row of active.filter((row) => runsOn(row, workload) && alive(row))) {
        try {
          await timed(workload, async () =>
            checkResult(row, workload, await measure(row, workload, warmupSeconds), 'warm-up'),
          );
        } catch (error) {
          row.failed = true;
          fail(`${row.id} ${workload.name} warm-up`, `${error.message}\n${row.child.output().slice(-1500)}`);
        }
      }
    }
  }
  for (let round = 1; round <= rounds; round++) {
    for (const workload of workloads) {
      for (const row of roundOrder(active, round).filter((row) => runsOn(row, workload) && alive(row))) {
        try {
          const result = await timed(workload, () => measure(row, workload, duration));
          await checkResult(row, workload, result, `round ${round}`);
          (row.results[workload.name] ??= []).push(result);
          const lost = result.lost === undefined ? '' : `  lost ${(result.lost * 100).toFixed(1)}%`;
          const cpu = result.cpuUs === undefined ? '' : `  cpu ${fmt(result.cpuUs)} µs/req`;
          log(
            `round ${round}/${rounds} ${workload.name.padEnd(9)} ${row.id.padEnd(36)} ${fmt(result.rps).padStart(8)} req/s  p99 ${result.p99} ms${cpu}${lost}`,
          );
        } catch (error) {
          row.failed = true;
          fail(`${row.id} ${workload.name} round ${round}`, `${error.message}\n${row.child.output().slice(-1500)}`);
        }
      }
    }
  }
  for (const row of active) alive(row); // a row that died in the last measurement is reported too
  await Promise.all(active.map((row) => stopChild(row.child)));
}

// ---------------------------------------------------------------- scaling

async function tsxJson(script, args, nodeArgs = []) {
  const result = await run(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', join(benchDir, 'scale', script), ...args],
    { cwd: repo, timeoutMs: 900_000 },
  );
  const lines = result.output
    .trim()
    .split('\n')
    .filter((text) => text.startsWith('{'))
    .map((text) => JSON.parse(text));
  if (result.code !== 0)
    throw new Error(`${script} exited with ${result.code ?? result.signal}:\n${result.output.slice(-2000)}`);
  return lines;
}

/** The SQL stores' deleteExpired over 100k expired rows (scale/<script>), each in the bench's own database. */
const sweeps = [
  { store: 'mysql', title: 'MySQL (MariaDB)', script: 'mysql-expire.mjs', database: benchDatabase },
  { store: 'postgres', title: 'PostgreSQL', script: 'postgres-expire.mjs', database: postgresUrl },
];

async function runScale(manifest) {
  const scale = { files: [], sweeps: [], memory: [], generator: undefined };
  const has = (name) => manifest.stores.some((store) => store.name === name);
  for (const kind of ['dir', 'file']) {
    if (!has(kind)) continue;
    log(`scaling: ${kind} store get+write with ${scaleSizes.map((size) => `${size / 1000}k`).join(', ')} sessions`);
    const folder = mkdtempSync(join(tempRoot, `scale-${kind}-`));
    try {
      scale.files.push(...(await tsxJson('files.mjs', [kind, folder, String(scaleSeconds), scaleSizes.join(',')])));
    } catch (error) {
      fail(`scaling ${kind}`, error);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }
  for (const sweep of sweeps) {
    if (!existsSync(join(repo, 'runtime', 'stores', `${sweep.store}.ts`))) {
      scale.sweeps.push({ ...sweep, missing: true });
      continue;
    }
    log(`scaling: ${sweep.store} deleteExpired over 100k expired rows`);
    try {
      const [figures] = await tsxJson(sweep.script, ['100000', sweep.database]);
      scale.sweeps.push({ ...sweep, ...figures });
    } catch (error) {
      fail(`scaling ${sweep.store} deleteExpired`, error);
    }
  }
  for (const which of ['ours', 'express-session']) {
    log(`scaling: heap of 100k sessions in the memory store (${which})`);
    try {
      scale.memory.push(...(await tsxJson('memory.mjs', [which, '100000', benchDir], ['--expose-gc'])));
    } catch (error) {
      fail(`scaling memory (${which})`, error);
    }
  }
  try {
    scale.generator = await timeGenerator(manifest);
  } catch (error) {
    fail('scaling generator', error);
  }
  return scale;
}

/** Wall time of the CLI (a whole process, as a user runs it): first generation and a no-op re-run. */
async function timeGenerator(manifest) {
  const framework = manifest.frameworks[0];
  const store = manifest.stores.find((entry) => entry.name === 'dir') ?? manifest.stores[0];
  log(
    `scaling: generator (${framework.name} + ${store.name}), ${generatorRuns} first run(s) and ${generatorRuns} no-op re-run(s)`,
  );
  const args = ['--yes', '--framework', framework.name, '--store', store.name, '--example'];
  const firsts = [];
  const reruns = [];
  let app;
  const timed = async (target) => {
    const start = performance.now();
    const result = await run(process.execPath, [cli, ...args, '--cwd', target], {
      cwd: target,
      env: { CI: 'true' },
      timeoutMs: 120_000,
    });
    if (result.code !== 0) throw new Error(`generator exited with ${result.code}:\n${result.output.slice(-1500)}`);
    return performance.now() - start;
  };
  for (let i = 0; i < generatorRuns; i++) {
    app = join(mkdtempSync(join(tempRoot, 'gen-')), 'app');
    await generateAppShell(app, framework);
    firsts.push(await timed(app));
  }
  for (let i = 0; i < generatorRuns; i++) reruns.push(await timed(app));
  return {
    framework: framework.name,
    store: store.name,
    runs: generatorRuns,
    firstMs: median(firsts),
    rerunMs: median(reruns),
  };
}

async function generateAppShell(app, framework) {
  mkdirSync(app, { recursive: true });
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      { name: 'bench-app', private: true, type: 'module', dependencies: { ...framework.dependencies } },
      null,
      2,
    ) + '\n',
  );
  writeFileSync(join(app, 'tsconfig.json'), APP_TSCONFIG);
  symlinkSync(join(repo, 'node_modules'), join(app, 'node_modules'), 'dir');
}

// ---------------------------------------------------------------- report

function median(values) {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function fmt(value, digits = 0) {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const rpsOf = (row, workload) => median((row.results[workload] ?? []).map((result) => result.rps));
const cpuOf = (row, workload) => median((row.results[workload] ?? []).map((result) => result.cpuUs));
const lostOf = (row, workload) => median((row.results[workload] ?? []).map((result) => result.lost));
const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? '—' : `${(a / b).toFixed(2)}×`);
/** The cells `valueOf(top) ÷ valueOf(bottom)` of each workload, for one line of a ratio table. */
const ratioCells = (valueOf, top, bottom) =>
  workloads.map((workload) => ratio(valueOf(top, workload.name), valueOf(bottom, workload.name))).join(' | ');
/** A table header: the `first` columns, one right-aligned column per workload, then the `last` ones. */
const tableHeader = (first, last = []) => [
  `| ${[...first, ...workloads.map((workload) => workload.column), ...last].join(' | ')} |`,
  `| ${[...first.map(() => '---'), ...workloads.map(() => '---:'), ...last.map(() => '---:')].join(' | ')} |`,
];

function report({ started, finished, machine, rows, scale }) {
  const out = [];
  const when = started.toISOString().replace('T', ' ').slice(0, 16);
  const mode = quick ? 'quick' : 'full';
  const filter = rowFilter ? `, rows matching /${rowFilter.source}/` : '';
  const scope = opts['skip-http']
    ? 'scaling and generator only'
    : `${rounds} round(s) × ${duration} s per row and workload${filter}`;
  out.push(`## ${when} UTC — ${mode} run: ${scope}`, '');
  out.push(`- Date: ${started.toISOString()} (took ${((finished - started) / 60_000).toFixed(1)} min)`);
  out.push(
    `- Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memory} GiB, ${machine.os}; load average ${machine.loadStart} at start, ${loadavg()[0].toFixed(2)} at end`,
  );
  out.push(
    `- Node ${process.version}; servers: redis-server ${machine.servers.redis}, MariaDB ${machine.servers.mariadb}, PostgreSQL ${machine.servers.postgres}, memcached ${machine.servers.memcached}, FerretDB ${machine.servers.ferretdb} (SQLite backend, standing in for MongoDB)`,
  );
  out.push(`- Bench packages: ${machine.peers.join(', ')}`);
  out.push(
    `- Load: autocannon, ${connections} connections, its own process; every row its own server process. Sessions are created through each row's own GET /count before the measurement: one per measurement (one session), ${connections} per measurement (per connection), ${fmt(poolSize)} per pool (a pool serves a row's measurements for up to 10 minutes; creating one stops after ${poolSeconds} s). Median of the rounds.`,
  );
  if (trees.length > 0)
    out.push(
      `- Our rows come from these trees: ${trees.map((tree) => `**${tree.label}** = ${tree.root} (${tree.description})`).join('; ')}`,
    );
  out.push('');
  if (rows.length > 0) {
    out.push('### Requests per second', '');
    out.push(
      `Workloads: **read-modify-write** \`GET /count\` (increments a counter in the session) and **read-only** \`GET /session\` on one session shared by all ${connections} connections; **new visitor** \`GET /count\` without a cookie (each request creates and stores a session); **per connection**: the same two routes, each connection on a session of its own; **pool**: the same two routes over ${fmt(poolSize)} sessions in rotation, each request on a different session's cookie (each connection goes through its own share of the pool). **Lost**: the share of acknowledged read-modify-write requests whose increment is missing from the sessions afterwards, on one session (${connections} concurrent requests on it) and per connection (none concurrent, so anything above 0 means a write that landed after its answer or a cookie the row did not honour). No row serializes the requests of a session: the peers and limit rows write the whole session last-writer-wins; ours merges concurrent writes key by key, which keeps changes to different keys but not two increments of the same key. 0 (none finished) marks a row slower than one request per run; (pool of N) a row whose pool creation ran out of time at N sessions.`,
      '',
    );
    const losts = workloads.filter((workload) => workload.lost);
    out.push(
      ...tableHeader(
        ['row'],
        losts.map((workload) => workload.lost),
      ),
    );
    for (const row of rows) {
      const cells = workloads.map((workload) => {
        const results = row.results[workload.name] ?? [];
        const value = fmt(rpsOf(row, workload.name));
        if (results.length > 0 && results.every((result) => result.slow)) return '0 (none finished)';
        const smallest = Math.min(...results.map((result) => result.sessions));
        return workload.sessions === 'pool' && smallest < poolSize ? `${value} (pool of ${fmt(smallest)})` : value;
      });
      const lost = losts.map((workload) => {
        const value = lostOf(row, workload.name);
        return value === undefined ? '—' : `${(value * 100).toFixed(1)}%`;
      });
      const status = row.startError ? ' **(failed to start)**' : row.failed ? ' **(errors, see below)**' : '';
      out.push(`| ${row.label}${status} | ${[...cells, ...lost].join(' | ')} |`);
    }
    out.push('');
    out.push('### Ratios (ours ÷ the other row; above 1× means ours is faster)', '');
    out.push(...tableHeader(['ours', 'against']));
    for (const { ours, other } of comparisons(rows))
      out.push(`| ${ours.label} | ${other.label} | ${ratioCells(rpsOf, ours, other)} |`);
    out.push('');
    if (rows.some((row) => workloads.some((workload) => cpuOf(row, workload.name) !== undefined))) {
      out.push('### Server CPU per request', '');
      out.push(
        "Microseconds of CPU (user + system) the row's server process used per answered request, median of the rounds. It leaves out the store server's work and the time spent waiting on it, so it is not the whole cost; but it moves less than req/s on a shared two-core machine, where the load generator and the store servers take turns on the same cores. The second table divides the other row's CPU per request by ours, for the same pairs as the ratios above (above 1× means ours uses less).",
        '',
      );
      out.push(...tableHeader(['row']));
      for (const row of rows)
        out.push(`| ${row.label} | ${workloads.map((workload) => fmt(cpuOf(row, workload.name))).join(' | ')} |`);
      out.push('');
      out.push(...tableHeader(['ours', 'against']));
      for (const { ours, other } of comparisons(rows))
        out.push(`| ${ours.label} | ${other.label} | ${ratioCells(cpuOf, other, ours)} |`);
      out.push('');
    }
    const pairs = treePairs(rows);
    if (pairs.length > 0) {
      out.push('### Trees (the first tree ÷ each other tree; above 1× means the first is faster or uses less CPU)', '');
      out.push(...tableHeader(['row', 'against', 'by']));
      for (const { first, other } of pairs) {
        out.push(`| ${first.label} | ${other.label} | req/s | ${ratioCells(rpsOf, first, other)} |`);
        out.push(`| ${first.label} | ${other.label} | CPU per request | ${ratioCells(cpuOf, other, first)} |`);
      }
      out.push('');
    }
    const ceilingRows = ceilings(rows).filter(({ limit, peer }) => limit.results && peer.results);
    if (ceilingRows.length > 0) {
      out.push('### Headroom (limit ÷ peer: the most any session layer could gain over the peer here)', '');
      out.push(...tableHeader(['limit', 'peer']));
      for (const { limit, peer } of ceilingRows)
        out.push(`| ${limit.label} | ${peer.label} | ${ratioCells(rpsOf, limit, peer)} |`);
      out.push('');
    }
    out.push(...loggedInCosts(rows));
    out.push(...sessionCosts());
  }
  if (scale) {
    out.push('### Scaling', '');
    if (scale.files.length > 0) {
      out.push(
        'Embedded stores, one get + conditional write at a time on random existing sessions (store API under tsx):',
        '',
      );
      out.push('| store | sessions present | ops/s | ms per op |', '| --- | ---: | ---: | ---: |');
      for (const entry of scale.files)
        out.push(
          `| ${entry.store} | ${fmt(entry.sessions)} | ${fmt(entry.opsPerSecond, entry.opsPerSecond < 10 ? 2 : 0)} | ${fmt(entry.msPerOp, 2)} |`,
        );
      out.push('');
    }
    for (const m of scale.sweeps) {
      if (m.missing) out.push(`- ${m.title} deleteExpired over 100k expired rows: n/a: store not present`);
      else
        out.push(
          `- ${m.title} deleteExpired over ${fmt(m.rows)} expired rows: removed ${fmt(m.removed)} in ${fmt(m.totalMs / 1000, 2)} s, ${m.statements} DELETE statements, longest ${fmt(m.longestMs)} ms, median ${fmt(m.medianMs)} ms${m.left ? `; ${fmt(m.left)} rows LEFT` : ''}`,
        );
    }
    for (const entry of scale.memory) {
      const who =
        entry.which === 'ours'
          ? 'ours (runtime/stores/memory.ts, records with IP and User-Agent)'
          : 'express-session MemoryStore (for comparison)';
      out.push(
        `- Memory store, ${fmt(entry.sessions)} sessions, heapUsed delta after GC: ${fmt(entry.heapBytes / 1048576, 1)} MiB (${fmt(entry.bytesPerSession)} bytes per session) — ${who}`,
      );
    }
    if (scale.generator) {
      const g = scale.generator;
      out.push(
        `- Generator (${g.framework} + ${g.store}, whole CLI process): first generation ${fmt(g.firstMs)} ms, no-op re-run ${fmt(g.rerunMs)} ms (${g.runs === 1 ? 'one run each' : `medians of ${g.runs}`})`,
      );
    }
    out.push('');
  }
  if (failures.length > 0) {
    out.push('### Failures', '');
    for (const { where, message } of failures) out.push(`- ${where}: ${message.split('\n')[0]}`);
    out.push('');
  }
  return out.join('\n');
}

const wallTime = (seconds) => (seconds < 120 ? `${fmt(seconds)} s` : `${fmt(seconds / 60, 1)} min`);

/** How long creating the pools and running each workload took: the cost of each workload. */
/**
 * What being logged in costs a read-only request of ours: the same reads on sessions of one user
 * each (POST /login) against anonymous ones, one session per connection either way. A logged-in
 * session is served only while its user's list still holds it, one more store read per request.
 */
function loggedInCosts(rows) {
  const ours = rows.filter((row) => row.kind === 'ours' && rpsOf(row, 'login-read') !== undefined);
  if (ours.length === 0) return [];
  const out = ['### Logged in, read-only (ours)', ''];
  out.push(
    "`GET /session` with one session per connection, anonymous (the per-connection read column) and logged in through `POST /login` (each connection a user of its own). A logged-in request also reads its user's list of sessions, to refuse a session revoked from another device.",
    '',
  );
  out.push(
    '| row | anonymous req/s | logged in req/s | logged in ÷ anonymous | anonymous CPU µs/req | logged in CPU µs/req | CPU added |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const row of ours) {
    const [plain, login] = [rpsOf(row, 'conn-read'), rpsOf(row, 'login-read')];
    const [plainCpu, loginCpu] = [cpuOf(row, 'conn-read'), cpuOf(row, 'login-read')];
    const added = plainCpu === undefined || loginCpu === undefined ? '—' : `${fmt(loginCpu - plainCpu)} µs`;
    out.push(
      `| ${row.label} | ${fmt(plain)} | ${fmt(login)} | ${ratio(login, plain)} | ${fmt(plainCpu)} | ${fmt(loginCpu)} | ${added} |`,
    );
  }
  out.push('');
  return out;
}

function sessionCosts() {
  const out = ['### Time', ''];
  const spent = workloads.filter((workload) => workloadSeconds[workload.name] !== undefined);
  if (spent.length > 0)
    out.push(
      `- Wall time per workload over every row and round, creating its sessions and the checks included: ${spent.map((workload) => `${workload.column} ${wallTime(workloadSeconds[workload.name])}`).join(', ')}`,
    );
  if (poolCreations.length > 0) {
    const total = poolCreations.reduce((sum, entry) => sum + entry.seconds, 0);
    const slowest = poolCreations.reduce((a, b) => (b.seconds > a.seconds ? b : a));
    out.push(
      `- Pools: ${poolCreations.length} created (up to ${fmt(poolSize)} sessions each, ${connections} keep-alive connections at once, through each row's GET /count) in ${wallTime(total)} in all; median ${fmt(median(poolCreations.map((entry) => entry.seconds)), 1)} s per pool, slowest ${slowest.id} ${fmt(slowest.seconds, 1)} s (${fmt(slowest.count)} sessions)`,
    );
  }
  out.push('');
  return out.length > 3 ? out : [];
}

const RESULTS_HEADER = `# Benchmark results

Written by \`npm run bench\` (bench/run.mjs; how it measures: bench/README.md). The newest run comes
first; older runs stay below it. Rows: **ours** is the generated layer (its example server, made
by the CLI in a temp app); **peers** are the session libraries users would pick instead, on the
same routes; **bare** is the framework with no session at all; **limit** is the bare framework
doing the same store round trips inline with no session library (the floor for that backend).
`;

function writeResultsFile(section) {
  let previous = '';
  if (existsSync(resultsFile)) {
    const text = readFileSync(resultsFile, 'utf8');
    const firstRun = text.indexOf('\n## ');
    previous = firstRun === -1 ? '' : text.slice(firstRun + 1);
  }
  writeFileSync(resultsFile, `${RESULTS_HEADER}\n${section}\n${previous ? `\n${previous.replace(/\n*$/, '\n')}` : ''}`);
}

// ---------------------------------------------------------------- main

const started = new Date();
const loadStart = loadavg()[0].toFixed(2);
ensureInstalled();
tempRoot = mkdtempSync(join(tmpdir(), 'session-bench-'));
let rows = [];
let scale;
try {
  await ensureBuilt(repo);
  for (const tree of trees) {
    await ensureBuilt(tree.root);
    tree.manifest = await readManifest(tree.root);
    tree.description = describeTree(tree.root);
    log(`tree ${tree.label}: ${tree.root} (${tree.description})`);
  }
  if (!opts['no-services']) await startServices();
  const manifest = await readManifest(repo);
  log(
    `manifest: frameworks ${manifest.frameworks.map((f) => f.name).join(', ')}; stores ${manifest.stores.map((s) => s.name).join(', ')}`,
  );
  const backends = await resetBackends('reset');
  for (const [name, state] of Object.entries(backends))
    if (state !== 'ok') log(`${name}: ${state} (its rows will fail)`);
  if (!opts['skip-http']) {
    const allCombos = opts['all-combos'];
    const built = buildRows(manifest, { allCombos });
    // With --tree, our rows come from the trees (this checkout only when it is one of them).
    const candidates =
      trees.length > 0 ? [...oursOfTrees(trees, { allCombos }), ...built.filter((row) => row.kind !== 'ours')] : built;
    rows = candidates.filter((row) => !rowFilter || rowFilter.test(row.id));
    for (const row of rows) row.results = {};
    if (rows.length === 0) fail('rows', `no row id matches /${rowFilter?.source}/`);
    else await runHttp(rows);
  }
  if (!opts['skip-scale']) scale = await runScale(manifest);
} finally {
  await stopAll();
  const dropped = await resetBackends('drop').catch((error) => ({ all: error.message }));
  for (const [name, state] of Object.entries(dropped)) if (state !== 'ok') log(`cleanup ${name}: ${state}`);
  rmSync(tempRoot, { recursive: true, force: true });
}

const machine = {
  cores: cpus().length,
  cpu: cpus()[0]?.model?.trim() ?? 'unknown CPU',
  memory: Math.round(totalmem() / 1024 ** 3),
  os: `${platform()} ${release()}`,
  loadStart,
  servers: serverVersions(),
  peers: peerVersions(),
};
const section = report({ started, finished: new Date(), machine, rows, scale });
console.log(`\n${section}`);
if (writeResults) {
  writeResultsFile(section);
  log(`prepended to ${resultsFile}`);
} else log(`not written to bench/RESULTS.md (${quick ? 'quick run; pass --write to record it' : '--no-write'})`);
if (failures.length > 0) {
  console.error(`\n[bench] ${failures.length} failure(s):`);
  for (const { where, message } of failures) console.error(`  - ${where}: ${message.split('\n')[0]}`);
  process.exitCode = 1;
}
