#!/usr/bin/env node
/**
 * Wall time of the built CLI as a user runs it (a whole `node bin/create-session-layer.js`
 * process): the first generation into a fresh temp app, and a no-op re-run of the same command.
 * Each app is made as test/helpers/apps.ts makes them (package.json, tsconfig, this repo's
 * node_modules linked). Prints every run, the medians and the load average, since on a shared
 * machine the load moves the numbers more than anything else, and the CPU time of each process
 * (user + system, all its threads), which moves much less.
 *
 *   npm run build && node scripts/time-generate.mjs [--runs 5] [--cli <bin.js>] [-- <CLI flags>]
 *
 * Default flags: --yes --framework express --store dir. --cli times another build of the CLI
 * (another checkout's bin/create-session-layer.js), to compare before and after a change.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));

const argv = process.argv.slice(2);
const split = argv.indexOf('--');
const own = split === -1 ? argv : argv.slice(0, split);
const option = (name) => (own.includes(name) ? own[own.indexOf(name) + 1] : undefined);
const runs = Number(option('--runs') ?? 5);
const cli = option('--cli') ?? join(repo, 'bin', 'create-session-layer.js');
if (!Number.isInteger(runs) || runs < 1) {
  console.error('time-generate: --runs takes a positive whole number');
  process.exit(2);
}
const cliArgs = split === -1 ? ['--yes', '--framework', 'express', '--store', 'dir'] : argv.slice(split + 1);

function makeApp() {
  const root = mkdtempSync(join(tmpdir(), 'session-time-'));
  const packageJson = { name: 'app', private: true, type: 'module', dependencies: { express: '^5.1.0' } };
  writeFileSync(join(root, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  copyFileSync(join(repo, 'test', 'fixtures', 'temp-app-tsconfig.json'), join(root, 'tsconfig.json'));
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

// Preloaded into the CLI process: writes its CPU time to the file named by TIME_GENERATE_CPU when it exits.
const reportCpu = `data:text/javascript,${encodeURIComponent(
  "import { writeFileSync } from 'node:fs'; process.on('exit', () => { const { user, system } = process.cpuUsage(); writeFileSync(process.env.TIME_GENERATE_CPU, String((user + system) / 1000)); });",
)}`;
const cpuFile = join(mkdtempSync(join(tmpdir(), 'session-time-cpu-')), 'cpu');

function timed(app) {
  const start = performance.now();
  const result = spawnSync(process.execPath, ['--import', reportCpu, cli, ...cliArgs], {
    cwd: app,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', TIME_GENERATE_CPU: cpuFile },
  });
  const ms = performance.now() - start;
  if (result.status !== 0) {
    console.error(`time-generate: the CLI exited ${result.status}:\n${result.stderr}${result.stdout}`);
    process.exit(1);
  }
  return { ms, cpuMs: Number(readFileSync(cpuFile, 'utf8')), stdout: result.stdout };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const fmt = (ms) => `${Math.round(ms)} ms`;
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

console.log(
  `${cli}: node ${process.version}; CLI flags: ${cliArgs.join(' ')}; ${runs} run(s) each; load average ${load()}`,
);
const apps = [];
const firsts = [];
for (let i = 0; i < runs; i++) {
  const app = makeApp();
  apps.push(app);
  firsts.push(timed(app));
}
const reruns = [];
for (let i = 0; i < runs; i++) {
  const run = timed(apps[0]);
  if (!run.stdout.includes('up to date')) {
    console.error(`time-generate: the re-run was not a no-op:\n${run.stdout}`);
    process.exit(1);
  }
  reruns.push(run);
}
for (const folder of [...apps, join(cpuFile, '..')]) rmSync(folder, { recursive: true, force: true });

for (const [label, timings] of [
  ['first generation', firsts],
  ['no-op re-run    ', reruns],
]) {
  const wall = timings.map((run) => run.ms);
  const cpu = timings.map((run) => run.cpuMs);
  console.log(
    `${label}: median ${fmt(median(wall))} wall, ${fmt(median(cpu))} CPU  (wall: ${wall.map(fmt).join(', ')})`,
  );
}
console.log(`load average after: ${load()}`);
