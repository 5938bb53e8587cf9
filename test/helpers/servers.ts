/**
 * Finding the real servers the store tests run against. URLs come from the environment with
 * loopback defaults. A server that does not answer fails the run under CI (CI=true) and is
 * skipped loudly elsewhere, naming the command that starts it.
 */
import { connect } from 'node:net';

export function serverUrl(envName: string, fallback: string): string {
  return process.env[envName] || fallback;
}

/** The PostgreSQL database the tests own: its user and database are made by scripts/services/postgres.sh. */
export const postgresTestUrl = serverUrl(
  'SESSION_TEST_POSTGRES_URL',
  'postgres://session_layer:session_layer@127.0.0.1:5432/session_test',
);

/** Whether something accepts TCP connections at `host:port` within a second. */
export function isListening(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Resolves true when the server behind `url` (host and port taken from it) is reachable.
 * Under CI an unreachable server throws, so the run fails instead of silently skipping.
 */
export async function requireServer(
  name: string,
  url: string,
  defaultPort: number,
  startCommand: string,
): Promise<boolean> {
  // The first host of the authority; `new URL` cannot parse host lists (a:1,b:2).
  const authority = url.replace(/^[a-z+]+:\/\//i, '').split(/[/?#]/)[0] ?? '';
  const first = authority.slice(authority.lastIndexOf('@') + 1).split(',')[0] ?? '';
  const parsed = new URL(`tcp://${first}`);
  const host = (parsed.hostname || '127.0.0.1').replace(/^\[|\]$/g, '');
  const port = Number(parsed.port || defaultPort);
  if (await isListening(host, port)) return true;
  const message = `[test] ${name} is not reachable at ${host}:${port}; start it with: ${startCommand}`;
  if (process.env.CI) throw new Error(message);
  console.warn(`\n${'!'.repeat(80)}\n${message}\n${name} tests are SKIPPED\n${'!'.repeat(80)}\n`);
  return false;
}
