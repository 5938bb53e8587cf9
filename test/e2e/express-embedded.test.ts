/**
 * End to end, as a user would: generate Express × each embedded store into a temp app outside
 * the repo, type-check it strictly with TypeScript 7 and 5, start the example server and drive
 * its HTTP contract over real HTTP.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeApp, repoRoot, runCli, strictCompilerOptions, typeCheck } from '../helpers/apps.js';
import { driveExampleContract, driveFailingStore } from '../helpers/example-contract.js';
import { startServer } from '../helpers/http.js';

const tsx = join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');

const storeUrls: Record<string, () => string> = {
  memory: () => 'memory://',
  file: () => `file://${mkdtempSync(join(tmpdir(), 'e2e-file-'))}/sessions.json`,
  dir: () => `dir://${mkdtempSync(join(tmpdir(), 'e2e-dir-'))}`,
};

describe.each(Object.keys(storeUrls))('express × %s, generated', (store) => {
  const root = makeApp({ linkNodeModules: true, tsconfig: { compilerOptions: strictCompilerOptions } });

  it('generates and type-checks with TypeScript 7 and 5', () => {
    const generated = runCli(root, ['--yes', '--framework', 'express', '--store', store, '--example']);
    expect(generated.code, generated.stderr).toBe(0);
    for (const compiler of ['typescript', 'typescript5'] as const) {
      const result = typeCheck(root, compiler);
      expect(result.code, `${compiler}: ${result.stdout}${result.stderr}`).toBe(0);
    }
  }, 60_000);

  it.each([
    ['unsigned', {}],
    ['signed', { SESSION_SECRET: 'an-example-secret-of-at-least-32-characters' }],
  ])(
    'serves the example contract (%s cookies)',
    async (_mode, env: Record<string, string>) => {
      const server = await startServer(root, [tsx, 'session-example.ts'], {
        SESSION_STORE: storeUrls[store]!(),
        ...env,
      });
      try {
        await driveExampleContract(server.url, { cookieName: 'session_id', signed: 'SESSION_SECRET' in env });
      } finally {
        await server.stop();
      }
    },
    60_000,
  );

  it('regenerates the id on the SESSION_REGENERATE timer, forwards the old id for SESSION_ROTATE_GRACE, honours SESSION_COOKIE', async () => {
    const server = await startServer(root, [tsx, 'session-example.ts'], {
      SESSION_STORE: storeUrls[store]!(),
      SESSION_REGENERATE: '1',
      SESSION_ROTATE_GRACE: '1',
      SESSION_COOKIE: 'sid',
    });
    try {
      const { CookieClient } = await import('../helpers/http.js');
      const client = new CookieClient(server.url);
      await client.request('PATCH', '/session', { kept: true });
      const first = client.jar.get('sid');
      expect(first).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect((await client.request('GET', '/session')).body).toEqual({ data: { kept: true } });
      expect(client.jar.get('sid')).not.toBe(first);
      // Within the grace window a request still carrying the old id reaches the session, unrenamed.
      const inFlight = await new CookieClient(server.url).request('GET', '/session', undefined, `sid=${first}`);
      expect(inFlight.body).toEqual({ data: { kept: true } });
      expect(inFlight.setCookies).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const stale = await new CookieClient(server.url).request('GET', '/session', undefined, `sid=${first}`);
      expect(stale.body).toEqual({ data: {} });
    } finally {
      await server.stop();
    }
  }, 60_000);
});

it('express × dir whose folder cannot be created answers 500 and logs why, never 200', async () => {
  const root = makeApp({ linkNodeModules: true, tsconfig: { compilerOptions: strictCompilerOptions } });
  expect(runCli(root, ['--yes', '--framework', 'express', '--store', 'dir', '--example']).code).toBe(0);
  const server = await startServer(root, [tsx, 'session-example.ts'], {
    SESSION_STORE: 'dir:///etc/hostname/sessions',
  });
  try {
    await driveFailingStore(server.url, { status: 500, log: server.output });
  } finally {
    await server.stop();
  }
}, 60_000);
