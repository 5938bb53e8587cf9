/**
 * The prompts under a real terminal: the built CLI runs in a tmux pane (a real pseudo-terminal),
 * the test reads the screen and answers with keystrokes, as a person would. Every key waits for
 * the text it answers to be on the screen first, so a slow machine only makes the test slower.
 * If prompting breaks (no prompt, a prompt that ignores keys, answers that do not reach the
 * generator) a wait times out or the generated layer is wrong.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { makeApp, repoRoot } from '../helpers/apps.js';

const cli = join(repoRoot, 'bin', 'create-session-layer.js');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
/** Generous: the first prompt appears once node has started, which takes seconds on a loaded machine. */
const WAIT_MS = 60_000;

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** One CLI run in a detached tmux session on a server of its own (its own socket), so nothing else is touched. */
class Terminal {
  readonly folder = mkdtempSync(join(tmpdir(), 'session-tty-'));
  private readonly socket = join(this.folder, 'tmux.sock');
  private readonly exitFile = join(this.folder, 'exit-code');
  /** The pane's shell (it runs the CLI, then sleeps so the last screen can still be read) and the tmux server. */
  readonly pids: number[] = [];

  /** Starts `node bin/create-session-layer.js <args>` in `cwd` with `env` exported (`undefined` unsets a variable). */
  start(cwd: string, args: readonly string[], env: Record<string, string | undefined>): void {
    const exports = Object.entries(env)
      .map(([name, value]) => (value === undefined ? `unset ${name};` : `export ${name}=${quote(value)};`))
      .join(' ');
    const command = `${exports} ${quote(process.execPath)} ${quote(cli)} ${args.map(quote).join(' ')}; echo $? > ${quote(this.exitFile)}; exec sleep 600`;
    const started = this.tmux([
      'new-session',
      '-d',
      '-s',
      'cli',
      '-x',
      '160',
      '-y',
      '50',
      '-c',
      cwd,
      '-P',
      '-F',
      '#{pane_pid} #{pid}',
      command,
    ]);
    this.pids.push(...started.trim().split(' ').map(Number));
  }

  /** The screen and its scrollback, wrapped lines joined. */
  screen(): string {
    return this.tmux(['capture-pane', '-p', '-J', '-S', '-500', '-t', 'cli']);
  }

  async waitForScreen(pattern: RegExp): Promise<string> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const screen = this.screen();
      if (pattern.test(screen)) return screen;
      if (this.exited() || Date.now() > deadline)
        throw new Error(
          `${pattern} never appeared on the terminal (exit code ${this.exitCode() ?? 'none yet'}):\n${screen}`,
        );
      await sleep(100);
    }
  }

  /** tmux key names (`Down`, `Space`, `Enter`), or literal text with `{ literal: true }`. */
  keys(keys: readonly string[], options: { literal?: boolean } = {}): void {
    this.tmux(['send-keys', '-t', 'cli', ...(options.literal ? ['-l'] : []), ...keys]);
  }

  /** Waits for the CLI to exit; fails at once if `never` appears on the screen first. */
  async waitForExit(never?: RegExp): Promise<number> {
    const deadline = Date.now() + WAIT_MS * 2;
    while (!this.exited()) {
      const screen = this.screen();
      if (never?.test(screen)) throw new Error(`${never} appeared on the terminal:\n${screen}`);
      if (Date.now() > deadline) throw new Error(`the CLI did not exit; the terminal shows:\n${screen}`);
      await sleep(100);
    }
    return this.exitCode()!;
  }

  /** Ends the pane's shell and the tmux server, by their process ids, and removes the folder. */
  close(): void {
    for (const pid of this.pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.folder, { recursive: true, force: true });
  }

  private exited(): boolean {
    return existsSync(this.exitFile) && readFileSync(this.exitFile, 'utf8').trim() !== '';
  }

  private exitCode(): number | undefined {
    return this.exited() ? Number(readFileSync(this.exitFile, 'utf8').trim()) : undefined;
  }

  private tmux(args: readonly string[]): string {
    const result = spawnSync('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`tmux ${args[0]} failed: ${result.stderr}`);
    return result.stdout;
  }
}

describe.skipIf(!hasTmux)('prompts under a real terminal (tmux)', { timeout: 240_000 }, () => {
  let terminal: Terminal | undefined;
  afterEach(() => {
    terminal?.close();
    terminal = undefined;
  });

  it('asks for the framework, the stores, the default store, the folder (again when invalid) and the example', async () => {
    const root = makeApp(); // express in package.json: the framework question starts on it
    terminal = new Terminal();
    terminal.start(root, [], { CI: undefined });

    await terminal.waitForScreen(/Web framework/);
    await terminal.waitForScreen(/❯ Express \(in package\.json\)/);
    terminal.keys(['Down', 'Down']);
    await terminal.waitForScreen(/❯ Koa/);
    terminal.keys(['Enter']);

    // Directory is checked to begin with and the cursor is on the first store.
    await terminal.waitForScreen(/Session stores/);
    await terminal.waitForScreen(/❯◯ Memory/);
    terminal.keys(['Space']);
    await terminal.waitForScreen(/❯◉ Memory/);
    terminal.keys(['Down', 'Down', 'Down', 'Down', 'Down', 'Down']);
    await terminal.waitForScreen(/❯◯ Redis/);
    terminal.keys(['Space']);
    await terminal.waitForScreen(/❯◉ Redis/);
    terminal.keys(['Enter']);

    // Picked in list order (memory, dir, redis); the default is asked, and memory is never the suggestion.
    await terminal.waitForScreen(/Default store \(used when SESSION_STORE is not set\)/);
    await terminal.waitForScreen(/❯ Directory/);
    terminal.keys(['Down']);
    await terminal.waitForScreen(/❯ Redis/);
    terminal.keys(['Enter']);

    // A folder outside the app is asked again, not the end of the run.
    await terminal.waitForScreen(/Folder for the session module \(session\)/);
    terminal.keys(['../outside'], { literal: true });
    terminal.keys(['Enter']);
    await terminal.waitForScreen(/must be a path inside the app/);
    terminal.keys(Array.from({ length: '../outside'.length }, () => 'BSpace'));
    terminal.keys(['lib/session'], { literal: true });
    await terminal.waitForScreen(/Folder for the session module lib\/session/);
    terminal.keys(['Enter']);

    await terminal.waitForScreen(/Also write an example server \(session-example\.ts\)\?/);
    terminal.keys(['y', 'Enter']);

    const code = await terminal.waitForExit();
    const screen = terminal.screen();
    expect(code, screen).toBe(0);
    expect(screen).toMatch(/Default store: redis:\/\/127\.0\.0\.1:6379, used when SESSION_STORE is not set/);
    expect(screen).toMatch(/Next steps/);
    const manifest = JSON.parse(readFileSync(join(root, 'lib/session/session-layer.json'), 'utf8'));
    expect(manifest).toMatchObject({
      framework: 'koa',
      stores: ['redis', 'memory', 'dir'],
      example: 'session-example.ts',
    });
    expect(readFileSync(join(root, 'lib/session/index.ts'), 'utf8')).toContain(
      "export const defaultStoreUrl = 'redis://127.0.0.1:6379';",
    );
    for (const file of ['index.ts', 'frameworks/koa.ts', 'stores/memory.ts', 'stores/dir.ts', 'stores/redis.ts'])
      expect(existsSync(join(root, 'lib/session', file)), file).toBe(true);
    expect(existsSync(join(root, 'session-example.ts'))).toBe(true);
    expect(existsSync(join(root, 'session')), 'the default folder was not used').toBe(false);
    const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(Object.keys(packageJson.dependencies)).toEqual(expect.arrayContaining(['koa', 'ioredis']));
  });

  it('with two frameworks in package.json, lists them first and preselects neither over the other', async () => {
    const root = makeApp({
      packageJson: { name: 'two', private: true, type: 'module', dependencies: { fastify: '^5.0.0', koa: '^3.0.0' } },
    });
    terminal = new Terminal();
    terminal.start(root, ['--store', 'memory', '--dir', 'session'], { CI: undefined });
    const screen = await terminal.waitForScreen(/Web framework \(package\.json lists Fastify and Koa\)/);
    expect(screen).not.toMatch(/❯ Express/);
    await terminal.waitForScreen(/❯ Fastify \(in package\.json\) *\n +Koa \(in package\.json\) *\n +Express/);
    terminal.keys(['Down', 'Enter']);
    await terminal.waitForScreen(/Also write an example server/);
    terminal.keys(['Enter']);
    expect(await terminal.waitForExit()).toBe(0);
    expect(JSON.parse(readFileSync(join(root, 'session/session-layer.json'), 'utf8'))).toMatchObject({
      framework: 'koa',
      stores: ['memory'],
    });
  });

  it('with CI set never prompts, even at a terminal: a missing answer is exit code 2', async () => {
    const root = makeApp({ packageJson: { name: 'bare', private: true, type: 'module' } }); // no framework to detect
    terminal = new Terminal();
    terminal.start(root, [], { CI: '1' });

    const prompt = /Web framework|Session stores|Folder for the session module/;
    const code = await terminal.waitForExit(prompt);
    const screen = terminal.screen();
    expect(code, screen).toBe(2);
    expect(screen).toMatch(/no framework found in package\.json; pass --framework/);
    expect(screen).not.toMatch(prompt);
    expect(existsSync(join(root, 'session'))).toBe(false);
  });
});
