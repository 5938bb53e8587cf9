/**
 * `create-session-layer update`: unedited files are replaced by the generator's current version;
 * an edited one is merged three-way against the base it was generated from (from git, or generated
 * again by this version). Conflicts are marked
 * inline (or the generator's version is left beside the file as <file>.new): never lost, exit 1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entriesBetween, parseChangelog } from '../../generators/cli/changelog.js';
import { generatorVersion } from '../../generators/paths.js';
import { hashTree, makeApp, repoRoot } from '../helpers/apps.js';
import { generate, generateOk } from './_cli.js';

const MANAGER = 'session/core/manager.ts';
const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');

/** A new generator output for every vendored file: the app moves to bundler resolution (extensionless imports). */
function switchToBundler(root: string): void {
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, types: ['node'] },
    }),
  );
}

/** Pretends another generator version wrote the layer: this one cannot generate its texts again. */
function writtenBy(root: string, version: string): void {
  const path = join(root, 'session/session-layer.json');
  writeFileSync(
    path,
    `${JSON.stringify({ ...JSON.parse(read(root, 'session/session-layer.json')), version }, null, 2)}\n`,
  );
}

function git(root: string, ...args: string[]): void {
  const result = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
}

/** A layer whose manager.ts the user edited on a line the generator's next version changes too. */
async function conflictingLayer(): Promise<string> {
  const root = await layer();
  writeFileSync(join(root, MANAGER), read(root, MANAGER).replace("from './cookie.js';", "from './cookie.js'; // ours"));
  switchToBundler(root);
  return root;
}

async function layer(): Promise<string> {
  const root = makeApp();
  await generateOk(root, ['--yes', '--store', 'dir']);
  return root;
}

// Each case generates a layer and updates it, some twice: slow on a loaded machine, never wrong for it.
/** The line of index.ts that reads the environment; a hand edit adds an option after it. */
const SPREAD = '...optionsFromEnv(process.env, stores, defaultStoreUrl),';

describe('update', { timeout: 60_000 }, () => {
  // No git here: the base is this version generating the layer again, as recorded.
  it("merges an edit that does not overlap the generator's change, and replaces unedited files", async () => {
    const root = await layer();
    writeFileSync(join(root, MANAGER), `${read(root, MANAGER)}\nexport const ourHelper = 1; // ours\n`);
    switchToBundler(root);
    const result = await generateOk(root, ['update']);
    expect(result.stdout).toMatch(/^merged +session\/core\/manager\.ts$/m);
    expect(result.stdout).toMatch(/^updated +session\/core\/registry\.ts$/m);
    const merged = read(root, MANAGER);
    expect(merged).toContain('export const ourHelper = 1; // ours');
    expect(merged).toContain("from './cookie'");
    expect(merged).not.toContain("from './cookie.js'");
    expect(merged).not.toContain('<<<<<<<');
    // The merged file is the user's again: a further run keeps it.
    const again = await generateOk(root, ['update']);
    expect(again.stdout).toContain('The session layer is up to date.');
  });

  it('marks a conflicting edit inline, keeps both versions, and exits 1', async () => {
    const root = await layer();
    const original = read(root, MANAGER);
    const ours = original.replace("from './cookie.js';", "from './cookie.js'; // pinned by us");
    expect(ours).not.toBe(original);
    writeFileSync(join(root, MANAGER), ours);
    switchToBundler(root);
    const result = await generate(root, ['update']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^conflict +session\/core\/manager\.ts +\(1 conflict\(s\) marked inline/m);
    expect(result.stderr).toMatch(/1 file\(s\) have conflicts to resolve/);
    const text = read(root, MANAGER);
    const conflict = /<<<<<<< yours\n([\s\S]*?)\n=======\n([\s\S]*?)\n>>>>>>> generator\n/.exec(text);
    expect(conflict?.[1]).toContain("from './cookie.js'; // pinned by us");
    expect(conflict?.[2]).toContain("from './cookie';");
    // Outside the marked region the generator's changes went in: taking its side gives exactly its version.
    const fresh = makeApp({ tsconfig: undefined });
    switchToBundler(fresh);
    await generateOk(fresh, ['--yes', '--store', 'dir']);
    expect(text.replace(conflict?.[0] ?? '', `${conflict?.[2]}\n`)).toBe(read(fresh, MANAGER));
  });

  it('remembers the conflicts it left: every run exits 1 naming them, writes nothing, until they are resolved', async () => {
    const root = await conflictingLayer();
    expect((await generate(root, ['update'])).code).toBe(1);
    expect(JSON.parse(read(root, 'session/session-layer.json')).conflicts).toEqual([MANAGER]);
    const tree = hashTree(root);

    for (const args of [['update'], ['--store', 'memory'], []]) {
      const again = await generate(root, args);
      expect(again.code, args.join(' ')).toBe(1);
      expect(again.stdout).not.toContain('up to date');
      expect(again.stderr).toMatch(
        /^create-session-layer: E_CONFLICT: 1 file\(s\) still have conflicts from the last update: session\/core\/manager\.ts\. Nothing was written\./,
      );
      expect(hashTree(root)).toEqual(tree);
    }
    const json = await generate(root, ['update', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, exitCode: 1, code: 'E_CONFLICT', files: [MANAGER] });

    // Resolved (the user keeps their side): the next run records it and is clean from then on.
    writeFileSync(
      join(root, MANAGER),
      read(root, MANAGER).replace(/<<<<<<< yours\n([\s\S]*?)\n=======\n[\s\S]*?\n>>>>>>> generator\n/, '$1\n'),
    );
    const resolved = await generateOk(root, ['update']);
    expect(resolved.stdout).toContain('note: the conflicts in session/core/manager.ts are resolved');
    expect(JSON.parse(read(root, 'session/session-layer.json')).conflicts).toBeUndefined();
    expect((await generateOk(root, ['update'])).stdout).toContain('The session layer is up to date.');
  });

  it('update --dry-run says which files would conflict, exits 1, and records nothing', async () => {
    const root = await conflictingLayer();
    const tree = hashTree(root);
    const dry = await generate(root, ['update', '--dry-run']);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toMatch(/^would conflict +session\/core\/manager\.ts/m);
    expect(dry.stderr).toBe(
      'create-session-layer: E_CONFLICT: 1 file(s) would have conflicts to resolve: session/core/manager.ts; nothing was written\n',
    );
    expect(hashTree(root)).toEqual(tree);
  });

  it('update --store and update --remove-store carry out the request while merging', async () => {
    const root = await layer();
    writeFileSync(join(root, MANAGER), `${read(root, MANAGER)}// ours\n`);
    switchToBundler(root);
    const added = await generateOk(root, ['update', '--store', 'redis']);
    expect(added.stdout).toMatch(/^merged +session\/core\/manager\.ts$/m);
    expect(added.stdout).toMatch(/^created +session\/stores\/redis\.ts$/m);
    expect(read(root, 'session/index.ts')).toContain("'redis:': (url) => redisStore({ url })");
    const removed = await generateOk(root, ['update', '--remove-store', 'redis']);
    expect(removed.stdout).toMatch(/^deleted +session\/stores\/redis\.ts$/m);
    expect(read(root, 'session/index.ts')).not.toContain('redisStore');
    expect(read(root, MANAGER)).toContain('// ours');
  });

  it("merges the template's changes into a hand-edited index.ts", async () => {
    const root = await layer();
    const edited = read(root, 'session/index.ts').replace(SPREAD, `${SPREAD}\n  cookie: { name: 'our_sid' },`);
    writeFileSync(join(root, 'session/index.ts'), edited);
    switchToBundler(root);
    const result = await generateOk(root, ['update', '--store', 'memory']);
    expect(result.stdout).toMatch(/^merged +session\/index\.ts$/m);
    const merged = read(root, 'session/index.ts');
    expect(merged).toContain("cookie: { name: 'our_sid' },");
    expect(merged).toContain("import { memoryStore } from './stores/memory';");
    expect(merged).toContain("from './core/manager';");
  });

  it('generates the base of an index.ts whose stores were wired in one by one', async () => {
    const root = await layer();
    await generateOk(root, ['--store', 'memory']);
    await generateOk(root, ['--store', 'file']);
    writeFileSync(
      join(root, 'session/index.ts'),
      read(root, 'session/index.ts').replace(SPREAD, `${SPREAD}\n  cookie: { name: 'our_sid' },`),
    );
    switchToBundler(root);
    const result = await generateOk(root, ['update']);
    expect(result.stdout).toMatch(/^merged +session\/index\.ts$/m);
    const merged = read(root, 'session/index.ts');
    expect(merged).toContain("cookie: { name: 'our_sid' },");
    expect(merged).toContain("import { fileStore } from './stores/file';");
  });

  it("without a base in git or from this version, leaves the generator's version beside the file as <file>.new", async () => {
    const root = await layer();
    writtenBy(root, '0.0.1'); // another version wrote it, and the app is not a git repository
    const ours = `${read(root, MANAGER)}// ours\n`;
    writeFileSync(join(root, MANAGER), ours);
    switchToBundler(root);
    const result = await generate(root, ['update']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^conflict +session\/core\/manager\.ts +\(.*session\/core\/manager\.ts\.new\)$/m);
    expect(read(root, MANAGER)).toBe(ours);
    expect(read(root, `${MANAGER}.new`)).toContain("from './cookie'");
    // The .new beside the file is an open conflict until the user deletes it.
    const open = await generate(root, ['update']);
    expect(open.code).toBe(1);
    expect(open.stderr).toMatch(/E_CONFLICT: .*session\/core\/manager\.ts \(with session\/core\/manager\.ts\.new\)/);
    rmSync(join(root, `${MANAGER}.new`));
    expect((await generateOk(root, ['update'])).stdout).toContain('are resolved');
  });

  it('finds the base in git: the layer as committed, when another version wrote it', async () => {
    const root = await layer();
    writtenBy(root, '0.0.1');
    git(root, 'init', '-q');
    git(root, 'add', '.');
    git(root, 'commit', '-q', '-m', 'session layer');
    writeFileSync(join(root, MANAGER), `${read(root, MANAGER)}export const ourHelper = 1; // ours\n`);
    switchToBundler(root);
    const result = await generateOk(root, ['update']);
    expect(result.stdout).toMatch(/^merged +session\/core\/manager\.ts$/m);
    expect(read(root, MANAGER)).toContain('export const ourHelper = 1; // ours');
    expect(read(root, MANAGER)).toContain("from './cookie'");
  });

  it('records git blob ids, small and readable, and keeps no copy of the texts in the app', async () => {
    const root = await layer();
    const manifest = JSON.parse(read(root, 'session/session-layer.json'));
    expect(Object.values(manifest.files).every((id) => /^[0-9a-f]{40}$/.test(String(id)))).toBe(true);
    expect(manifest.module).toEqual({ importSuffix: '.js', format: 'esm' });
    const hashed = spawnSync('git', ['hash-object', MANAGER], { cwd: root, encoding: 'utf8' });
    expect(hashed.stdout.trim()).toBe(manifest.files[MANAGER]);
    expect(readdirSync(join(root, 'session')).sort()).toEqual([
      'README.md',
      'core',
      'frameworks',
      'index.ts',
      'session-layer.json',
      'stores',
    ]);
    expect(Buffer.byteLength(read(root, 'session/session-layer.json'))).toBeLessThan(4096);
  });

  it("deletes an older layer's session-layer.base.json", async () => {
    const root = await layer();
    writeFileSync(join(root, 'session/session-layer.base.json'), '{"encoding":"gzip+base64","files":{}}\n');
    const result = await generateOk(root, ['update']);
    expect(result.stdout).toMatch(/^deleted +session\/session-layer\.base\.json +\(bases now come from git\)$/m);
    expect(existsSync(join(root, 'session/session-layer.base.json'))).toBe(false);
  });

  it('from a layer written by 0.1.0, prints the CHANGELOG.md entries since then before the files, and names them in the next steps and --json', async () => {
    const root = await layer();
    // The manifest's version is the one update reads; the files stay as this version wrote them.
    const manifestPath = join(root, 'session/session-layer.json');
    writeFileSync(
      manifestPath,
      read(root, 'session/session-layer.json').replace(/"version": "[^"]+"/, '"version": "0.1.0"'),
    );
    const since = entriesBetween(parseChangelog(read(repoRoot, 'CHANGELOG.md')), '0.1.0', generatorVersion);
    expect(since.map((entry) => entry.version)).toContain('0.2.0');

    const json = JSON.parse((await generateOk(root, ['update', '--dry-run', '--json'])).stdout);
    expect(json.changelog).toEqual({ from: '0.1.0', to: generatorVersion, entries: since });
    expect(json.nextSteps.changelog).toMatch(
      /^review what changed since 0\.1\.0 before you commit the update: CHANGELOG\.md 0\.2\.0/,
    );

    const { stdout } = await generateOk(root, ['update']);
    const heading = `What changed from create-session-layer 0.1.0 to ${generatorVersion} (CHANGELOG.md):`;
    // A heading line per entry, marked when the entry has security fixes.
    expect(stdout.startsWith(`${heading}\n\n  ${since[0]!.version} (${since[0]!.date})`)).toBe(true);
    for (const entry of since) expect(stdout).toContain(entry.text.split('\n')[0]);
    expect(stdout).not.toMatch(/^ {2}0\.1\.0/m);
    expect(stdout.indexOf(heading)).toBeLessThan(stdout.search(/^updated +session\/session-layer\.json$/m));
    expect(stdout).toMatch(/^Next steps:\n {2}1\. review what changed since 0\.1\.0 before you commit the update/m);
    expect(JSON.parse(read(root, 'session/session-layer.json')).version).toBe(generatorVersion);
    // Once the layer is at this version, there is nothing more to read.
    expect((await generateOk(root, ['update'])).stdout).not.toContain('What changed');
  });

  it('is a no-op on an up-to-date layer, and an error without one (exit 2)', async () => {
    const root = await layer();
    const tree = hashTree(root);
    expect((await generateOk(root, ['update'])).stdout).toContain('The session layer is up to date.');
    expect(hashTree(root)).toEqual(tree);
    const empty = makeApp();
    const none = await generate(empty, ['update']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no session layer to update/);
  });
});
