/** Shared by the store outage tests: timing a failing call, waiting for counts to settle, binaries. */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

// The stores' default timeout is 1 s, so a call must fail within about 2 s.
export const FAIL_WITHIN_MS = 2_000;
// Recovery takes well under a second (the tests print it); the margin is for a loaded machine.
export const RECOVER_WITHIN_MS = 10_000;

/** A count once it has held still for 200 ms: connections closed just before are gone by then. */
export async function settled(read: () => Promise<number>): Promise<number> {
  let value = await read();
  for (let same = 0, i = 0; same < 4 && i < 40; i++) {
    await sleep(50);
    const next = await read();
    same = next === value ? same + 1 : 0;
    value = next;
  }
  return value;
}

/** Whether `command <versionFlag>` runs; under CI a missing binary fails the outage test instead. */
export function spawnable(command: string, versionFlag: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, [versionFlag], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

/**
 * Runs a call that should fail; resolves its error and how long it took, less the longest stall
 * of this process's event loop meanwhile: a loaded machine fires every timer late, and that is
 * not the store waiting.
 */
export async function failure(call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const stalls = monitorEventLoopDelay({ resolution: 10 });
  stalls.enable();
  const started = Date.now();
  const error = await call().then(
    () => undefined,
    (reason: unknown) => reason,
  );
  stalls.disable();
  return { error, ms: Date.now() - started - Math.max(0, stalls.max / 1e6 - 10) };
}

/**
 * Freezes a process with SIGSTOP and resolves once the kernel reports it stopped: signal
 * delivery is asynchronous, and a server still answering for a few ms would make a
 * "frozen server" test pass or fail by chance.
 */
export async function freeze(pid: number): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  for (let i = 0; i < 200; i++) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // The state is the field after the parenthesised command name: T = stopped.
    if (/\)\s+T\s/.test(stat)) return;
    await sleep(5);
  }
  throw new Error(`process ${pid} did not stop after SIGSTOP`);
}
