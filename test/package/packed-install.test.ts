/**
 * The package as a user gets it: `npm pack` in a clean copy of this repository, then apps outside
 * it that install only from that tarball and the npm registry (never this repository's
 * node_modules). Each app runs the CLI the ways the README shows, generates Express + dir,
 * type-checks, starts the example server and drives its contract over HTTP; one is TypeScript, one
 * JavaScript. A file missing from the tarball, or a dependency listed only as a devDependency,
 * fails here.
 *
 * Every command of the README's `sh` blocks is run here as written (paths in /path/to/… replaced),
 * and the last test checks that none was left out.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changelogSince } from '../../generators/cli/changelog.js';
import { checkJsOptions, repoRoot } from '../helpers/apps.js';
import { driveExampleContract } from '../helpers/example-contract.js';
import { freePort, startServer } from '../helpers/http.js';
import {
  cloneWorkingTree,
  readmeCommands,
  removeTempFolders,
  requireRegistry,
  shOk,
  tempFolder,
  userApp,
  userEnv,
} from './_user-shell.js';

const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
};
/** The compiler (and type packages) an app type-checks with, at the versions this repository tests with. */
const pinned = (...names: string[]) => names.map((name) => `${name}@${packageJson.devDependencies[name]}`).join(' ');

const readme = readmeCommands(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
const ran = new Set<string>();

/** A README command, exactly as written there; the last test checks every one was asked for. */
function fromReadme(command: string): string {
  expect(readme, 'the README has this command in an sh block').toContain(command);
  ran.add(command);
  return command;
}

const registry = await requireRegistry();

describe.runIf(registry)('the packed package', () => {
  let clone = '';
  let tarball = '';

  /** The README's placeholder paths, pointed at the clone, its tarball and an app. */
  const placed = (command: string, app = '') =>
    command
      .replace(/\/path\/to\/(create-session-layer-[^\s/]+\.tgz)/g, (_path, name: string) => {
        expect(name, "the README's tarball name is the one npm pack writes").toBe(basename(tarball));
        return tarball;
      })
      .replaceAll('/path/to/create-session-layer', clone)
      .replaceAll('/path/to/your/app', app);

  beforeAll(async () => {
    clone = cloneWorkingTree();
    // `prepare` builds dist/ in the clone on the way.
    await shOk(fromReadme('npm pack'), clone);
    tarball = join(clone, `create-session-layer-${packageJson.version}.tgz`);
  }, 180_000);
  afterAll(removeTempFolders, 60_000);

  it('holds what the CLI reads and nothing else', async () => {
    const listed = (await shOk(`tar -tzf ${tarball}`, clone)).stdout.trim().split('\n').sort();
    const tree = (folder: string): string[] =>
      readdirSync(join(clone, folder), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => `package/${join(entry.parentPath, entry.name).slice(clone.length + 1)}`);
    const expected = [
      ...['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'bin/create-session-layer.js'].map(
        (path) => `package/${path}`,
      ),
      ...tree('dist'),
      ...tree('runtime'),
      ...tree('templates'),
    ].sort();
    expect(listed).toEqual(expected);
    expect(listed).toContain('package/dist/generators/cli.js');
  });

  it('TypeScript app: npx --package <tarball>, Express + dir, update from 0.1.0, tsc, the example over HTTP', async () => {
    const app = userApp('ts');
    const fromTarball = fromReadme(
      `npx --package /path/to/create-session-layer-${packageJson.version}.tgz create-session-layer`,
    );
    await shOk(placed(fromTarball), app);
    expect(readLayer(app)).toMatchObject({ framework: 'express', stores: ['dir'] });

    const withExample = await shOk(`${placed(fromTarball)} --framework express --store dir --example --yes`, app);
    expect(withExample.stdout).toMatch(/^created +session-example\.ts$/m);

    // A layer recorded by 0.1.0: update shows what changed since, from the CHANGELOG.md in the tarball.
    const manifest = join(app, 'session', 'session-layer.json');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/"version": "[^"]+"/, '"version": "0.1.0"'));
    const update = await shOk(`${placed(fromTarball)} update`, app);
    expect(update.stdout).toContain(`What changed from create-session-layer 0.1.0 to ${packageJson.version}`);
    for (const entry of changelogSince('0.1.0', packageJson.version)?.entries ?? []) {
      expect(update.stdout).toContain(`\n  ${entry.version} (${entry.date})`);
      expect(update.stdout).toContain(`\n    ${entry.text.split('\n')[0]}\n`);
    }

    // The generator added @types/* and tsx to package.json; the app brings its own compiler.
    await shOk(`npm install --save-dev ${pinned('typescript')}`, app);
    await shOk('npx tsc -p .', app);
    await serveContract(app, [join(app, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'session-example.ts']);
  }, 300_000);

  it('JavaScript app: npm install <tarball>, the published commands, npm exec, checkJs, the example over HTTP', async () => {
    const app = userApp('js');
    await shOk(`npm install --save-dev ${tarball}`, app);
    // Once published, npx and npm init fetch the package; installed in the app, they run its copy the same way.
    await shOk(fromReadme('npx create-session-layer'), app);
    expect(readLayer(app)).toMatchObject({ framework: 'express', language: 'js', stores: ['dir'] });
    expect((await shOk(fromReadme('npm init session-layer'), app)).stdout).toContain(
      'The session layer is up to date.',
    );
    const flags = await shOk(
      fromReadme('npx create-session-layer --framework express --store dir --example --yes'),
      app,
    );
    expect(flags.stdout).toMatch(/^created +session-example\.js$/m);
    const added = await shOk('npm exec -- create-session-layer --store memory --yes', app);
    expect(added.stdout).toMatch(/^created +session\/stores\/memory\.js$/m);

    // A JavaScript layer adds no @types/*; checking it takes the compiler and Express' and Node's types.
    await shOk(`npm install --save-dev ${pinned('typescript', '@types/node', '@types/express')}`, app);
    const layerFiles = Object.keys(readLayer(app).files).filter((path) => path.endsWith('.js'));
    await shOk(`npx tsc ${checkJsOptions.join(' ')} session-example.js ${layerFiles.join(' ')}`, app);
    await serveContract(app, ['session-example.js']);
  }, 300_000);

  it('from a clone: node bin/create-session-layer.js --cwd <app>', async () => {
    const app = userApp('ts');
    const command = fromReadme(
      'node /path/to/create-session-layer/bin/create-session-layer.js --cwd /path/to/your/app',
    );
    await shOk(placed(command, app), tmpdir());
    expect(readLayer(app)).toMatchObject({ framework: 'express', stores: ['dir'], version: packageJson.version });
  });

  it('from a fresh clone: CI runs npm ci and npm test; npm run demo serves the demo app', async () => {
    const ci = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8');
    expect(ci).toMatch(new RegExp(`^${fromReadme('npm ci')}\\b`, 'm'));
    expect(ci).toMatch(new RegExp(`^${fromReadme('npm test')}$`, 'm'));
    fromReadme('npm run demo');
    await serveDemo(clone);
  }, 120_000);

  it('ran every command of the README', () => {
    expect(readme.filter((command) => !ran.has(command))).toEqual([]);
  });
});

function readLayer(app: string): { framework: string; stores: string[]; files: Record<string, string> } {
  return JSON.parse(readFileSync(join(app, 'session', 'session-layer.json'), 'utf8'));
}

/** Starts the app's example server with its own packages and drives the example contract. */
async function serveContract(app: string, args: string[]): Promise<void> {
  const sessions = tempFolder('session-user-dir-');
  const server = await startServer(app, args, { SESSION_STORE: `dir://${sessions}` });
  try {
    await driveExampleContract(server.url, { cookieName: 'session_id', signed: false });
  } finally {
    await server.stop();
  }
}

/** `npm run demo` in the clone, until GET /count answers; then its whole process group is stopped. */
async function serveDemo(clone: string): Promise<void> {
  const port = await freePort();
  const demo = spawn('npm', ['run', 'demo'], {
    cwd: clone,
    env: userEnv({ PORT: String(port) }),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  demo.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  demo.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      expect(demo.exitCode, output).toBeNull();
      const reply = await fetch(`http://127.0.0.1:${port}/count`).catch(() => undefined);
      if (reply?.ok) {
        expect(await reply.json()).toEqual({ count: 1 });
        expect(output).toContain(`curl -i -c /tmp/demo-jar -b /tmp/demo-jar http://127.0.0.1:${port}/count`);
        return;
      }
      if (Date.now() > deadline) throw new Error(`npm run demo did not serve /count within 90 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    if (demo.pid !== undefined && demo.exitCode === null) process.kill(-demo.pid, 'SIGTERM');
  }
}
