/**
 * `create-session-layer update`: unedited files are replaced by the generator's current version;
 * an edited one is merged three-way against the base it was generated from. Conflicts are marked
 * inline (or the generator's version is left beside the file as <file>.new): never lost, exit 1.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entriesBetween, parseChangelog } from '../../generators/changelog.js';
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

async function layer(): Promise<string> {
  const root = makeApp();
  await generateOk(root, ['--yes', '--store', 'dir']);
  return root;
}

describe('update', () => {
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

  it("merges the template's changes into a hand-edited index.ts", async () => {
    const root = await layer();
    const spread = '...optionsFromEnv(process.env, stores, defaultStoreUrl),';
    const edited = read(root, 'session/index.ts').replace(spread, `${spread}\n  cookie: { name: 'our_sid' },`);
    writeFileSync(join(root, 'session/index.ts'), edited);
    switchToBundler(root);
    const result = await generateOk(root, ['update', '--store', 'memory']);
    expect(result.stdout).toMatch(/^merged +session\/index\.ts$/m);
    const merged = read(root, 'session/index.ts');
    expect(merged).toContain("cookie: { name: 'our_sid' },");
    expect(merged).toContain("import { memoryStore } from './stores/memory';");
    expect(merged).toContain("from './core/manager';");
  });

  it("without a recorded base (a layer from before the base file), leaves the generator's version beside the file as <file>.new", async () => {
    const root = await layer();
    rmSync(join(root, 'session/session-layer.base.json'));
    const ours = `${read(root, MANAGER)}// ours\n`;
    writeFileSync(join(root, MANAGER), ours);
    switchToBundler(root);
    const result = await generate(root, ['update']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^conflict +session\/core\/manager\.ts +\(.*session\/core\/manager\.ts\.new\)$/m);
    expect(read(root, MANAGER)).toBe(ours);
    expect(read(root, `${MANAGER}.new`)).toContain("from './cookie'");
    expect(existsSync(join(root, 'session/session-layer.base.json'))).toBe(true);
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
