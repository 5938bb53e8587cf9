/**
 * A real browser against a generated example server: Debian's Chromium driven by playwright-core
 * (never a downloaded browser). Log in, reload, still logged in; log out, cookie gone — all in the
 * browser's own cookie jar.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, repoRoot, runCli } from '../helpers/apps.js';
import { startServer, type RunningServer } from '../helpers/http.js';

const executablePath = '/usr/bin/chromium';
const available = existsSync(executablePath);
if (!available) {
  const message = `[test] ${executablePath} is missing; install it with: apt-get install -y chromium`;
  if (process.env.CI) throw new Error(message);
  console.warn(`\n${message}\nbrowser tests are SKIPPED\n`);
}

describe.skipIf(!available)('a real browser keeps the session', () => {
  let browser: Browser;
  let server: RunningServer;

  beforeAll(async () => {
    const root = makeApp({ linkNodeModules: true });
    expect(runCli(root, ['--yes', '--framework', 'express', '--store', 'dir', '--example']).code).toBe(0);
    server = await startServer(root, [join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'session-example.ts'], {
      SESSION_STORE: `dir://${mkdtempSync(join(tmpdir(), 'browser-dir-'))}`,
      SESSION_SECRET: 'browser-test-secret-with-enough-symbols-0123',
    });
    browser = await chromium.launch({
      executablePath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('log in, reload, still logged in; log out, cookie gone', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const json = async () => JSON.parse((await page.textContent('body')) ?? '') as unknown;

    await page.goto(`${server.url}/session`);
    expect(await json()).toEqual({ data: {} });
    expect(await context.cookies()).toEqual([]);

    const login = await page.evaluate(async () => {
      const response = await fetch('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'ada' }),
      });
      return response.status;
    });
    expect(login).toBe(200);
    const cookies = await context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'session_id', httpOnly: true, sameSite: 'Lax', path: '/' });
    // HttpOnly: page scripts cannot see the session cookie.
    expect(await page.evaluate('document.cookie')).toBe('');

    await page.reload();
    expect(await json()).toEqual({ data: { user: 'ada' } });
    await page.goto(`${server.url}/count`);
    await page.reload();
    expect(await json()).toEqual({ count: 2 });

    const logout = await page.evaluate(async () => (await fetch('/session', { method: 'DELETE' })).status);
    expect(logout).toBe(204);
    expect(await context.cookies()).toEqual([]);
    await page.goto(`${server.url}/session`);
    expect(await json()).toEqual({ data: {} });
    await context.close();
  }, 60_000);
});
