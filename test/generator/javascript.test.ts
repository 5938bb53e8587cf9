/**
 * JavaScript apps (no tsconfig.json) get JavaScript with JSDoc types, as ES modules or CommonJS as
 * package.json `type` says, converted from the same runtime sources and templates: the fixtures
 * are generated into, run with plain node (the example server over real HTTP), checked with
 * strict checkJs by TypeScript 7 and 5, re-run (zero changes), and edited by add/remove-store.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stores } from '../../runtime/manifest.js';
import { checkJs, checkJsErrors, copyFixture, hashTree, makeApp } from '../helpers/apps.js';
import { driveExampleContract } from '../helpers/example-contract.js';
import { CookieClient, startServer } from '../helpers/http.js';
import { generate, generateOk } from './_cli.js';

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Strict checkJs by TypeScript 7 and 5 finds no error (but the one known TypeScript 7 limitation). */
function expectCheckJsClean(app: string, files: readonly string[], moduleFormat: 'esm' | 'commonjs'): void {
  for (const compiler of ['typescript', 'typescript5'] as const) {
    const check = checkJs(app, files, compiler);
    const errors = checkJsErrors(check, moduleFormat, compiler);
    expect(errors, `${compiler}: ${check.stdout}${check.stderr}`).toEqual([]);
    if (!/error TS\d+/.test(check.stdout)) expect(check.code, check.stderr).toBe(0);
  }
}

describe.each([
  ['js-esm', 'esm', /^import \{ createSessionManager \} from '\.\/core\/manager\.js';$/m],
  ['js-commonjs', 'commonjs', /^const \{ createSessionManager \} = require\('\.\/core\/manager\.js'\);$/m],
] as const)('JavaScript fixture %s', (fixture, moduleFormat, managerImport) => {
  it('gets JavaScript with JSDoc types that node runs, strict checkJs passes, a re-run changes nothing', async () => {
    const app = copyFixture(fixture, { linkNodeModules: true });
    const packageJson = readFileSync(join(app, 'package.json'), 'utf8');
    const result = await generateOk(app, ['--yes', '--store', 'memory,dir', '--example', '--json']);
    const report = JSON.parse(result.stdout);
    expect(report.app).toMatchObject({ language: 'js', moduleFormat, importSuffix: '.js' });
    expect(report.nextSteps.example).toBe('node session-example.js');
    expect(report.packages.added).toEqual([]); // express is there; no @types, no tsx for JavaScript
    expect(readFileSync(join(app, 'package.json'), 'utf8')).toBe(packageJson);

    const layer = join(app, 'src/session');
    const code = filesUnder(layer).filter((path) => /\.[jt]s$/.test(path));
    expect(code.filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'))).toEqual([]);
    expect(code.map((path) => relative(layer, path))).toEqual(
      expect.arrayContaining(['index.js', 'core/manager.js', 'stores/dir.js', 'frameworks/express.js']),
    );
    const index = readFileSync(join(layer, 'index.js'), 'utf8');
    expect(index).toMatch(managerImport);
    expect(index).toContain('@type {StoreFactories}');
    const session = readFileSync(join(layer, 'core/session.js'), 'utf8');
    expect(session).toMatch(/^\/\/ Vendored by create-session-layer/);
    expect(session).toContain('@template {SessionData} [Data=SessionData]');
    const readme = readFileSync(join(layer, 'README.md'), 'utf8');
    expect(readme).toContain('`index.js` reads these');
    // The usage snippet (README and next steps) is in the app's module syntax.
    const usageImport =
      moduleFormat === 'esm'
        ? "import { sessionMiddleware } from './src/session/index.js';"
        : "const { sessionMiddleware } = require('./src/session/index.js');";
    expect(readme).toContain(
      `\`\`\`js\n${moduleFormat === 'esm' ? 'import express from' : 'const express = require('}`,
    );
    expect(readme).toContain(usageImport);
    // The next steps write the import for the app's entry file, src/app.js.
    expect(report.nextSteps.usageFile).toBe('src/app.js');
    expect(report.nextSteps.usage).toContain(usageImport.replace('./src/session/', './session/'));
    expect(report.nextSteps.usage.join('\n')).not.toMatch(moduleFormat === 'esm' ? /require\(/ : /^import /m);
    const manifest = JSON.parse(readFileSync(join(layer, 'session-layer.json'), 'utf8'));
    expect(manifest.language).toBe('js');
    expect(manifest.example).toBe('session-example.js');

    // Plain node runs the example server: the session persists across requests.
    const server = await startServer(app, ['session-example.js'], { SESSION_STORE: 'memory://' });
    try {
      const client = new CookieClient(server.url);
      expect((await client.request('GET', '/count')).body).toEqual({ count: 1 });
      expect((await client.request('GET', '/count')).body).toEqual({ count: 2 });
      await driveExampleContract(server.url, { cookieName: 'session_id', signed: false });
    } finally {
      await server.stop();
    }

    const files = ['session-example.js', 'src/app.js', ...code.map((path) => relative(app, path))];
    expectCheckJsClean(app, files, moduleFormat);

    const tree = hashTree(app);
    expect((await generateOk(app, [])).stdout).toContain('up to date');
    expect((await generateOk(app, ['--store', 'memory', '--example'])).stdout).toContain('up to date');
    expect(hashTree(app)).toEqual(tree);
  }, 180_000);

  it('every store passes strict checkJs (a layer with all of them)', async () => {
    const app = copyFixture(fixture, { linkNodeModules: true });
    await generateOk(app, ['--yes', '--store', stores.map((store) => store.name).join(','), '--example']);
    const layer = join(app, 'src/session');
    const code = filesUnder(layer).filter((path) => path.endsWith('.js'));
    expect(code.map((path) => relative(layer, path))).toEqual(
      expect.arrayContaining(stores.map((store) => store.file.replace(/\.ts$/, '.js'))),
    );
    expectCheckJsClean(app, ['session-example.js', ...code.map((path) => relative(app, path))], moduleFormat);
  }, 180_000);

  it('adds and removes a store by editing index.js in its own module syntax', async () => {
    const app = copyFixture(fixture, { linkNodeModules: true });
    await generateOk(app, ['--yes', '--store', 'dir']);
    const before = readFileSync(join(app, 'src/session/index.js'), 'utf8');

    const added = await generateOk(app, ['--store', 'redis']);
    expect(added.stdout).toMatch(/^created +src\/session\/stores\/redis\.js$/m);
    const after = readFileSync(join(app, 'src/session/index.js'), 'utf8');
    const inserted = after.split('\n').filter((line) => !before.split('\n').includes(line));
    expect(inserted).toEqual([
      moduleFormat === 'esm'
        ? "import { redisStore } from './stores/redis.js';"
        : "const { redisStore } = require('./stores/redis.js');",
      "  'redis:': (url) => redisStore({ url }),",
      "  'rediss:': (url) => redisStore({ url }),",
      "  'redis+cluster:': (url) => redisStore({ url }),",
      "  'rediss+cluster:': (url) => redisStore({ url }),",
      "  'redis+sentinel:': (url) => redisStore({ url }),",
    ]);
    const packageJson = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
    expect(packageJson.dependencies.ioredis).toBe('^6.0.0');
    expect(packageJson.devDependencies).toBeUndefined();

    await generateOk(app, ['--remove-store', 'redis']);
    expect(readFileSync(join(app, 'src/session/index.js'), 'utf8')).toBe(before);
  }, 120_000);
});

describe('--lang', () => {
  it('ts writes TypeScript into an app without a tsconfig; js writes JavaScript into one with it', async () => {
    const tsInJs = makeApp({ tsconfig: undefined });
    await generateOk(tsInJs, ['--yes', '--store', 'memory', '--lang', 'ts']);
    expect(statSync(join(tsInJs, 'session/index.ts')).isFile()).toBe(true);

    const jsInTs = makeApp();
    const result = await generateOk(jsInTs, ['--yes', '--store', 'memory', '--lang', 'js', '--json']);
    expect(JSON.parse(result.stdout).app).toMatchObject({ language: 'js', moduleFormat: 'esm' });
    expect(statSync(join(jsInTs, 'session/index.js')).isFile()).toBe(true);
  });

  it('refuses an unknown language, and a language other than the layer’s, with exit code 2', async () => {
    const app = makeApp({ tsconfig: undefined });
    const unknown = await generate(app, ['--yes', '--lang', 'coffee']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown language "coffee"');

    await generateOk(app, ['--yes', '--store', 'memory']);
    const other = await generate(app, ['--lang', 'ts']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('is JavaScript');
  });

  it('an example in a JavaScript app must be a .js file', async () => {
    const app = makeApp({ tsconfig: undefined });
    const result = await generate(app, ['--yes', '--store', 'memory', '--example', 'server.ts']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('must name a .js file');
  });
});
