/**
 * A vendored file the user edited is theirs: a run that would overwrite it stops (exit 2, nothing
 * written) unless --force, which keeps their version as <file>.orig. A reformat is not an edit.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { hashTree, makeApp } from '../helpers/apps.js';
import { generate, generateOk } from './_cli.js';

const MANAGER = 'session/core/manager.ts';
const bundler = {
  compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, types: ['node'] },
};

/** The app moves to bundler resolution: the generator now emits extensionless imports, a new version of every vendored file. */
function switchToBundler(root: string): void {
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify(bundler, null, 2));
}

function editManager(root: string): string {
  const edited = `${readFileSync(join(root, MANAGER), 'utf8')}\n// our local change\n`;
  writeFileSync(join(root, MANAGER), edited);
  return edited;
}

describe('local edits are never lost', () => {
  it('an edited file the generator has nothing new for is kept, and the run goes on', async () => {
    const root = makeApp();
    await generateOk(root, ['--yes', '--store', 'dir']);
    const edited = editManager(root);
    const result = await generateOk(root, ['--store', 'memory']);
    expect(result.stdout).toMatch(/^kept-yours +session\/core\/manager\.ts$/m);
    expect(readFileSync(join(root, MANAGER), 'utf8')).toBe(edited);
    expect(existsSync(join(root, 'session/stores/memory.ts'))).toBe(true);
  });

  it('an edited file the generator would overwrite stops the run: exit 2, the file listed, nothing written', async () => {
    const root = makeApp();
    await generateOk(root, ['--yes', '--store', 'dir']);
    editManager(root);
    switchToBundler(root);
    const tree = hashTree(root);
    const result = await generate(root, ['--store', 'memory']);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^edited +session\/core\/manager\.ts/m);
    expect(result.stderr).toMatch(
      /1 file\(s\) you edited would be overwritten by a new version: session\/core\/manager\.ts\. Nothing was written\./,
    );
    // Each hint repeats the request, so pasting it does what was asked.
    expect(result.stderr).toMatch(/^create-session-layer: E_EDITED: /);
    expect(result.stderr).toContain('npx create-session-layer update --store memory;');
    expect(result.stderr).toContain('npx create-session-layer --store memory --force');
    expect(hashTree(root)).toEqual(tree);
    const json = await generate(root, ['--store', 'memory', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, exitCode: 2, code: 'E_EDITED', files: [MANAGER] });
    const dry = await generate(root, ['--store', 'memory', '--dry-run']);
    expect(dry.code).toBe(2);
    expect(dry.stdout).toMatch(/^edited +session\/core\/manager\.ts/m);
    expect(dry.stdout).toMatch(/^would create +session\/stores\/memory\.ts$/m);
    expect(hashTree(root)).toEqual(tree);
    const hinted = await generateOk(root, ['update', '--store', 'memory']);
    expect(hinted.stdout).toMatch(/^created +session\/stores\/memory\.ts$/m);
    expect(hinted.stdout).toMatch(/^merged +session\/core\/manager\.ts$/m);
  });

  it("--force overwrites it, keeping the user's version beside it as <file>.orig and saying where", async () => {
    const root = makeApp();
    await generateOk(root, ['--yes', '--store', 'dir']);
    const edited = editManager(root);
    switchToBundler(root);
    const result = await generateOk(root, ['--force']);
    expect(result.stdout).toMatch(
      /^overwritten +session\/core\/manager\.ts +\(your version saved as session\/core\/manager\.ts\.orig\)$/m,
    );
    expect(readFileSync(join(root, `${MANAGER}.orig`), 'utf8')).toBe(edited);
    expect(readFileSync(join(root, MANAGER), 'utf8')).not.toContain('our local change');
    expect(readFileSync(join(root, MANAGER), 'utf8')).toContain("from './cookie'");
    // A second forced overwrite never clobbers the first backup.
    const again = editManager(root);
    writeFileSync(
      join(root, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', strict: true, noEmit: true } }),
    );
    const second = await generateOk(root, ['--force']);
    expect(second.stdout).toContain('manager.ts.orig.1');
    expect(readFileSync(join(root, `${MANAGER}.orig`), 'utf8')).toBe(edited);
    expect(readFileSync(join(root, `${MANAGER}.orig.1`), 'utf8')).toBe(again);
  });

  it('a file reformatted with another prettier config is not an edit', async () => {
    const root = makeApp();
    await generateOk(root, ['--yes', '--store', 'dir']);
    const original = readFileSync(join(root, MANAGER), 'utf8');
    const reformatted = await prettier.format(original, {
      parser: 'typescript',
      semi: false,
      tabWidth: 4,
      printWidth: 80,
      singleQuote: false,
      trailingComma: 'none',
      objectWrap: 'preserve',
    });
    expect(reformatted).not.toBe(original);
    writeFileSync(join(root, MANAGER), reformatted);

    const same = await generateOk(root, ['--store', 'memory', '--verbose']);
    expect(same.stdout).toMatch(
      /^unchanged +session\/core\/manager\.ts +\(formatting differs; the code is the same\)$/m,
    );
    expect(readFileSync(join(root, MANAGER), 'utf8')).toBe(reformatted);

    // When the generator does have a new version, the reformatted file is replaced like an unedited one.
    switchToBundler(root);
    const updated = await generateOk(root, []);
    expect(updated.stdout).toMatch(/^updated +session\/core\/manager\.ts$/m);
  });

  it("a file of the app's own where the layer would go is never overwritten (exit 2)", async () => {
    const root = makeApp({ files: { 'session/core/cookie.ts': 'export const mine = true;\n' } });
    const result = await generate(root, ['--yes', '--store', 'dir']);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /^edited +session\/core\/cookie\.ts +\(exists and was not written by create-session-layer\)$/m,
    );
    expect(existsSync(join(root, 'session/core/manager.ts'))).toBe(false);
  });
});
