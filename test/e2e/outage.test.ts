/**
 * Store outages seen over HTTP, as a user of a generated app would see them: an Express app is
 * generated for Redis, Memcached, MariaDB and PostgreSQL, its example server is started against a real
 * server, clients drive GET /count with their cookies in a loop, and the store goes away in the
 * middle of the traffic:
 *
 * - Redis and Memcached: a PRIVATE server on a spare loopback port, SIGKILLed by PID and later
 *   restarted on the same port (empty: these keep sessions in memory only);
 * - MariaDB and PostgreSQL: the shared server must keep running, so the app talks to it through
 *   a TCP relay on a spare port, and the outage is the relay closing and cutting every connection, then
 *   reopening on the same port (the data survives: the session must be the same afterwards).
 *
 * During the outage every request must answer 503 with a JSON {"error": "..."} body (the first
 * within 2 s of the kill), never a 200 with an empty session; the example server must not crash;
 * and service must come back by itself once the store is back. Each store prints a summary line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool } from 'mysql2/promise';
import { Pool } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { makeApp, repoRoot, runCli } from '../helpers/apps.js';
import { CookieClient, freePort, startServer, type RunningServer } from '../helpers/http.js';
import { isListening, postgresTestUrl, requireServer, serverUrl } from '../helpers/servers.js';

const tsx = join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
/** Browsers driving traffic at once, each with its own session. */
const CLIENTS = 4;
/** Pause between one client's requests. */
const PAUSE_MS = 25;
/** Traffic before the kill, and how long the store stays away. */
const STEADY_MS = 1_000;
const OUTAGE_MS = 4_000;
/** The brief's bound: the first 503 within 2 s of the kill. */
const FIRST_503_WITHIN_MS = 2_000;
/** Recovery takes about a second (the summary prints it); the margin is for a loaded machine. */
const RECOVER_WITHIN_MS = 15_000;

/**
 * Whether `command` can run. Like requireServer: under CI a missing binary fails the run;
 * elsewhere the store's test is skipped, loudly, naming what installs it.
 */
async function requireBinary(command: string, versionArgs: string[], install: string): Promise<boolean> {
  const runs = await new Promise<boolean>((resolve) => {
    const child = spawn(command, versionArgs, { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
  if (runs) return true;
  const message = `[test] ${command} is not installed; install and start it with: ${install}`;
  if (process.env.CI) throw new Error(message);
  console.warn(`\n${'!'.repeat(80)}\n${message}\nits outage test is SKIPPED\n${'!'.repeat(80)}\n`);
  return false;
}

const hasRedis = await requireBinary('redis-server', ['--version'], 'bash scripts/services.sh redis');
const hasMemcached = await requireBinary('memcached', ['-V'], 'bash scripts/services.sh memcached');
const mysqlUrl = serverUrl('SESSION_TEST_MYSQL_URL', 'mysql://root@127.0.0.1:3306/test');
const hasMysql = await requireServer('MariaDB/MySQL', mysqlUrl, 3306, 'bash scripts/services.sh mariadb');
const postgresUrl = postgresTestUrl;
const hasPostgres = await requireServer('PostgreSQL', postgresUrl, 5432, 'bash scripts/services.sh postgres');

/** Every process this file starts, stopped by PID in afterAll (whatever a failed test left). */
const processes = new Set<ChildProcess>();
const servers = new Set<RunningServer>();
const cleanups: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const server of servers) await server.stop();
  for (const child of processes) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      process.kill(child.pid!, 'SIGKILL');
      await exited;
    }
  }
  for (const cleanup of cleanups) await cleanup();
});

/** A store backend the test can take away and bring back. */
interface Backend {
  /** SESSION_STORE for the example server. */
  url: string;
  /** Whether sessions survive the outage (a database) or not (an in-memory server restarted empty). */
  keepsData: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A private server process on `port`, started and SIGKILLed by PID. */
function privateServer(command: string, args: string[], port: number, url: string): Backend {
  let child: ChildProcess | undefined;
  return {
    url,
    keepsData: false,
    async start() {
      const started = spawn(command, args, { stdio: 'ignore' });
      processes.add(started);
      child = started;
      for (let i = 0; !(await isListening('127.0.0.1', port, 200)); i++) {
        if (started.exitCode !== null) throw new Error(`${command} exited with ${started.exitCode}`);
        if (i > 200) throw new Error(`${command} did not listen on ${port}`);
        await sleep(25);
      }
    },
    async stop() {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = once(running, 'exit');
      process.kill(running.pid!, 'SIGKILL');
      await exited;
    },
  };
}

/**
 * A TCP relay on a fixed port in front of a shared database server. Stopping it closes the listener
 * (new connections are refused, as by a stopped server) and destroys every open connection (as
 * a server going down does); starting it listens on the same port again.
 */
function relayBackend(upstreamHost: string, upstreamPort: number, port: number, url: string): Backend {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  };
  const backend: Backend = {
    url,
    keepsData: true,
    async start() {
      server = createServer((client) => {
        const upstream = connect({ host: upstreamHost, port: upstreamPort });
        track(client);
        track(upstream);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
    },
    async stop() {
      const closing = server;
      server = undefined;
      if (!closing) return;
      const closed = new Promise((resolve) => closing.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
  cleanups.push(() => backend.stop());
  return backend;
}

interface Sample {
  client: number;
  sentAt: number;
  doneAt: number;
  /** HTTP status, or 0 when the request failed outright (connection refused or reset). */
  status: number;
  body: unknown;
  /** The cookie the client sent, and whether the response set a new one. */
  cookieSent: string | undefined;
  newCookie: boolean;
  error?: string;
}

interface Timeline {
  samples: Sample[];
  killAt: number;
  killedAt: number;
  restartAt: number;
  restartedAt: number;
}

/** Clients keep requesting GET /count while the backend is stopped and started again. */
async function driveThroughOutage(url: string, backend: Backend): Promise<Timeline> {
  const samples: Sample[] = [];
  const clients = Array.from({ length: CLIENTS }, () => new CookieClient(url));
  let stop = false;
  const loops = clients.map(async (client, index) => {
    while (!stop) {
      const cookieSent = client.jar.get('session_id');
      const sentAt = Date.now();
      try {
        const reply = await client.request('GET', '/count');
        samples.push({
          client: index,
          sentAt,
          doneAt: Date.now(),
          status: reply.status,
          body: reply.body,
          cookieSent,
          newCookie: client.jar.get('session_id') !== cookieSent,
        });
      } catch (error) {
        samples.push({
          client: index,
          sentAt,
          doneAt: Date.now(),
          status: 0,
          body: undefined,
          cookieSent,
          newCookie: false,
          error: String(error),
        });
      }
      await sleep(PAUSE_MS);
    }
  });

  await sleep(STEADY_MS);
  const killAt = Date.now();
  await backend.stop();
  const killedAt = Date.now();
  await sleep(OUTAGE_MS);
  const restartAt = Date.now();
  await backend.start();
  const restartedAt = Date.now();
  // Until every client has been served again after the restart (or the bound runs out).
  const servedAgain = () =>
    clients.every((_, index) => samples.some((s) => s.client === index && s.sentAt >= restartedAt && s.status === 200));
  while (!servedAgain() && Date.now() - restartedAt < RECOVER_WITHIN_MS) await sleep(50);
  await sleep(300); // a few more requests on the recovered store
  stop = true;
  await Promise.all(loops);
  samples.sort((a, b) => a.sentAt - b.sentAt);
  return { samples, killAt, killedAt, restartAt, restartedAt };
}

/** The timeline judged: the summary figures, and every rule a response broke. */
function judge(store: string, backend: Backend, timeline: Timeline) {
  const { samples, killAt, killedAt, restartAt, restartedAt } = timeline;
  const problems: string[] = [];
  const describeSample = (s: Sample) =>
    `client ${s.client} sent +${s.sentAt - killAt} ms (rel. to kill): ${s.status} ${JSON.stringify(s.body) ?? s.error}`;

  // Sent after the store was gone and answered before it was back: these must all be 503s.
  const during = samples.filter((s) => s.sentAt >= killedAt && s.doneAt <= restartAt);
  // Every request sent from the kill to the restart, for the summary. One sent before the server
  // had exited, or still waiting for the store when it came back, may be served (200).
  const sentInOutage = samples.filter((s) => s.sentAt >= killAt && s.sentAt < restartAt);
  const is503 = (s: Sample) =>
    s.status === 503 && typeof (s.body as { error?: unknown } | undefined)?.error === 'string';
  for (const s of during) if (!is503(s)) problems.push(`during the outage, not a 503 {"error"}: ${describeSample(s)}`);
  // Whatever the moment, the only answers are a session (200) or a 503 with a JSON error.
  for (const s of samples)
    if (s.status !== 200 && !is503(s)) problems.push(`neither 200 nor 503 {"error"}: ${describeSample(s)}`);

  // Every 200 carries the client's session: the count goes on from the last one seen. A reset to
  // 1 (with a new cookie) is allowed only after an in-memory server came back empty. A write
  // that reached the store but whose answer was cut counts too, so the count may skip ahead.
  for (let client = 0; client < CLIENTS; client++) {
    let last = 0;
    for (const s of samples.filter((x) => x.client === client && x.status === 200)) {
      const count = (s.body as { count?: unknown }).count;
      const resetAllowed = !backend.keepsData && s.sentAt >= restartAt && count === 1 && s.newCookie;
      const steady = s.doneAt < killAt;
      if (typeof count !== 'number') problems.push(`a 200 without a count: ${describeSample(s)}`);
      else if (resetAllowed) last = 1;
      else if (steady ? count !== last + 1 : count <= last)
        problems.push(`a 200 that is not the client's session (last count ${last}): ${describeSample(s)}`);
      else last = count;
    }
  }
  if (backend.keepsData) {
    // The database kept the sessions: the clients' cookies never changed.
    for (const s of samples)
      if (s.status === 200 && s.newCookie && s.cookieSent !== undefined)
        problems.push(`a new cookie after the outage: ${describeSample(s)}`);
  }

  const first503 = samples.filter((s) => s.doneAt >= killAt && is503(s)).sort((a, b) => a.doneAt - b.doneAt)[0];
  const firstBack = samples
    .filter((s) => s.sentAt >= restartedAt && s.status === 200)
    .sort((a, b) => a.doneAt - b.doneAt)[0];
  const statuses = new Map<string, number>();
  for (const s of sentInOutage.filter((x) => !is503(x))) {
    const label = s.status === 0 ? 'failed' : String(s.status);
    statuses.set(label, (statuses.get(label) ?? 0) + 1);
  }
  const figures = {
    requests: samples.length,
    sentInOutage: sentInOutage.length,
    answered503: sentInOutage.filter(is503).length,
    other: sentInOutage.length - sentInOutage.filter(is503).length,
    otherStatuses: [...statuses].map(([status, n]) => `${n}× ${status}`).join(', ') || 'none',
    first503Ms: first503 ? first503.doneAt - killAt : undefined,
    recoveryMs: firstBack ? firstBack.doneAt - restartAt : undefined,
    strictlyDuring: during.length,
  };
  console.info(
    `[outage ${store}] ${figures.sentInOutage} requests sent during the ${OUTAGE_MS / 1000} s outage: ` +
      `${figures.answered503} answered 503 {"error"}, ${figures.other} otherwise (${figures.otherStatuses}; ` +
      `a 200 is allowed only for a request in flight at the kill or the restart); first 503 ${figures.first503Ms ?? 'never'} ms after the kill; ` +
      `200s again ${figures.recoveryMs ?? 'never'} ms after the restart; ${figures.requests} requests in all; ` +
      `${problems.length} problems`,
  );
  return { figures, problems };
}

/** Generates the Express app for `store` with its example server. */
function generateApp(store: string): string {
  const root = makeApp({ linkNodeModules: true });
  // fs.rm removes the node_modules link itself, never the repo's node_modules it points to.
  cleanups.push(async () => rmSync(root, { recursive: true, force: true }));
  const generated = runCli(root, ['--yes', '--framework', 'express', '--store', store, '--example']);
  expect(generated.code, generated.stderr).toBe(0);
  return root;
}

async function outageTest(store: string, backend: Backend): Promise<void> {
  const root = generateApp(store);
  await backend.start();
  const server = await startServer(root, [tsx, 'session-example.ts'], { SESSION_STORE: backend.url });
  servers.add(server);
  try {
    const timeline = await driveThroughOutage(server.url, backend);
    const { figures, problems } = judge(store, backend, timeline);

    // Nothing crashed: the example server is the same process, still answering.
    expect(server.process.exitCode, server.output()).toBeNull();
    expect(server.process.signalCode, server.output()).toBeNull();
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(server.output()).not.toMatch(/unhandled|uncaught/i);

    expect(problems).toEqual([]);
    // The test saw an outage at all: requests were answered while the store was away.
    expect(figures.strictlyDuring).toBeGreaterThanOrEqual(CLIENTS);
    expect(figures.first503Ms).toBeDefined();
    expect(figures.first503Ms!).toBeLessThan(FIRST_503_WITHIN_MS);
    expect(figures.recoveryMs).toBeDefined();
    expect(figures.recoveryMs!).toBeLessThan(RECOVER_WITHIN_MS);
  } finally {
    await server.stop();
    servers.delete(server);
    await backend.stop();
  }
}

describe.skipIf(!hasRedis)('express × redis: the Redis server dies mid-traffic', () => {
  it('answers 503 {"error"} while it is down, never crashes, and serves again once it is back', async () => {
    const port = await freePort();
    const backend = privateServer(
      'redis-server',
      ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'],
      port,
      `redis://127.0.0.1:${port}`,
    );
    await outageTest('redis', backend);
  }, 90_000);
});

describe.skipIf(!hasMemcached)('express × memcached: the memcached server dies mid-traffic', () => {
  it('answers 503 {"error"} while it is down, never crashes, and serves again once it is back', async () => {
    const port = await freePort();
    const backend = privateServer(
      'memcached',
      ['-p', String(port), '-U', '0', '-l', '127.0.0.1', '-u', 'root'],
      port,
      `memcached://127.0.0.1:${port}`,
    );
    await outageTest('memcached', backend);
  }, 90_000);
});

describe.skipIf(!hasMysql)('express × mysql: MariaDB becomes unreachable mid-traffic (relay cut)', () => {
  it('answers 503 {"error"} while it is cut off, never crashes, and serves the same sessions once it is back', async () => {
    const upstream = new URL(mysqlUrl);
    const table = `sessions_outage_${randomBytes(4).toString('hex')}`;
    const port = await freePort();
    const via = new URL(mysqlUrl);
    via.hostname = '127.0.0.1';
    via.port = String(port);
    via.searchParams.set('table', table);
    const backend = relayBackend(upstream.hostname, Number(upstream.port || 3306), port, via.href);
    cleanups.push(async () => {
      const admin = createPool({ uri: mysqlUrl.replace(/^mariadb:/, 'mysql:'), connectionLimit: 1 });
      await admin.query(`DROP TABLE IF EXISTS \`${table}\``);
      await admin.end();
    });
    await outageTest('mysql', backend);
  }, 90_000);
});

describe.skipIf(!hasPostgres)('express × postgres: PostgreSQL becomes unreachable mid-traffic (relay cut)', () => {
  it('answers 503 {"error"} while it is cut off, never crashes, and serves the same sessions once it is back', async () => {
    const upstream = new URL(postgresUrl);
    const table = `sessions_outage_${randomBytes(4).toString('hex')}`;
    const port = await freePort();
    const via = new URL(postgresUrl);
    via.hostname = '127.0.0.1';
    via.port = String(port);
    via.searchParams.set('table', table);
    const backend = relayBackend(upstream.hostname, Number(upstream.port || 5432), port, via.href);
    cleanups.push(async () => {
      const admin = new Pool({ connectionString: postgresUrl, max: 1 });
      await admin.query(`DROP TABLE IF EXISTS "${table}"`);
      await admin.end();
    });
    await outageTest('postgres', backend);
  }, 90_000);
});
