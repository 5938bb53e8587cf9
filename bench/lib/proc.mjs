// Child processes of the bench: every one is tracked, started in its own process group (so a
// server started through tsx, which runs the script in a second node process, is stopped as a
// whole by its group leader's PID) and stopped by PID at the end or on SIGINT/SIGTERM.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const children = new Set();
const watchdog = pathToFileURL(new URL('./watchdog.mjs', import.meta.url).pathname).href;

/** Keeps at most this much of a child's output: enough to show why it failed, bounded memory. */
const OUTPUT_LIMIT = 64 * 1024;

export function childEnv(extra = {}) {
  const nodeOptions = [process.env.NODE_OPTIONS, `--import=${watchdog}`].filter(Boolean).join(' ');
  return { ...process.env, ...extra, NODE_OPTIONS: nodeOptions, BENCH_PARENT_PID: String(process.pid) };
}

let shuttingDown = false;

/** Spawns a tracked child; `output()` returns the tail of its stdout+stderr. */
export function spawnTracked(command, args, { cwd, env = {}, stdin = 'ignore' } = {}) {
  // After SIGINT the main flow may still be between two steps; it must not start anything new.
  if (shuttingDown) throw new Error('the bench is stopping');
  const child = spawn(command, args, { cwd, env: childEnv(env), stdio: [stdin, 'pipe', 'pipe'], detached: true });
  let output = '';
  const keep = (chunk) => {
    output += chunk.toString();
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.output = () => output;
  child.exited = () => child.exitCode !== null || child.signalCode !== null;
  child.done = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return child;
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** SIGTERM to the child's process group, SIGKILL after 3 s if it is still there. */
export async function stopChild(child) {
  if (!child || child.exited()) {
    if (child) killGroup(child, 'SIGKILL'); // a tsx grandchild may outlive its exited parent
    return;
  }
  killGroup(child, 'SIGTERM');
  await Promise.race([child.done, sleep(3_000)]);
  killGroup(child, 'SIGKILL');
}

/** Stops every tracked child; with `final`, nothing can be started afterwards. */
export async function stopAll({ final = false } = {}) {
  if (final) shuttingDown = true;
  await Promise.all([...children].map((child) => stopChild(child)));
}

/** Runs a command to completion (tracked, so SIGINT stops it too). */
export async function run(command, args, options = {}) {
  const child = spawnTracked(command, args, options);
  const timeoutMs = options.timeoutMs ?? 600_000;
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), timeoutMs);
  const { code, signal } = await child.done;
  clearTimeout(timer);
  return { code, signal, output: child.output() };
}

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Waits until GET /health answers 2xx; fails early when the process exits. */
export async function waitHealthy(child, url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exited()) throw new Error(`exited with ${child.exitCode ?? child.signalCode} before answering`);
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`no answer on ${url}/health within ${timeoutMs} ms`);
}

/** Kernel clock ticks per second, the unit of CPU times in /proc/<pid>/stat. */
let ticksPerSecond;

/**
 * CPU time (user + system, ms) used so far by the live processes of the process group `pgid`: a
 * row's server and, for a server run through tsx, its second node process. Undefined where
 * /proc is missing (not Linux). The kernel counts in clock ticks (10 ms at the usual 100 Hz), so
 * read it over seconds of load, not single requests.
 */
export function groupCpuMs(pgid) {
  let pids;
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  ticksPerSecond ??= clockTicks();
  let ticks = 0;
  for (const pid of pids) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited since the listing
    }
    // "pid (comm) state ppid pgrp ... utime stime ...": comm may hold spaces and parentheses, so
    // the fields are counted from the last ')'. After it: state, ppid, pgrp (2), ..., utime (11), stime (12).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / ticksPerSecond;
}

/** USER_HZ from getconf; 100, the value on every common Linux build, when getconf is missing. */
function clockTicks() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}
