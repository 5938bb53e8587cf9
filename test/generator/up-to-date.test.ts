/**
 * The fast path of an identical re-run: it answers from hashes alone, prints what the full run
 * prints, and hands over to the full run whenever anything that shapes the output moved.
 */
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../generators/cli/args.js';
import type { CliIo } from '../../generators/cli/io.js';
import { run } from '../../generators/run.js';
import { reportIfUpToDate } from '../../generators/cli/up-to-date.js';
import { makeApp } from '../helpers/apps.js';
import { generateOk } from './_cli.js';

function capture(): { io: CliIo; output: () => string } {
  let stdout = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: () => true },
    env: {},
    interactive: false,
    cwd: process.cwd(),
  };
  return { io, output: () => stdout };
}

const flags = (root: string, extra: string[] = []) => parseFlags([...extra, '--cwd', root]);

async function layerWithExtendsAndExample(): Promise<string> {
  const root = makeApp({
    tsconfig: { extends: './tsconfig.base.json' },
    files: { 'tsconfig.base.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', strict: true } }) },
  });
  await generateOk(root, ['--yes', '--store', 'dir,memory', '--example']);
  return root;
}

describe('the up-to-date fast path', () => {
  it('answers an identical re-run, printing exactly what the full run prints', async () => {
    const root = await layerWithExtendsAndExample();
    const fast = capture();
    expect(await reportIfUpToDate(flags(root, ['--store', 'memory']), fast.io)).toBe(true);
    const full = capture();
    expect(await run(flags(root, ['--store', 'memory']), full.io)).toBe(0);
    expect(fast.output()).toBe(full.output());
    expect(fast.output()).toContain('The session layer is up to date.');
  });

  it.each<[string, (root: string) => void, string[]?]>([
    ['a vendored file was edited', (root) => appendFileSync(join(root, 'session/core/manager.ts'), '// ours\n')],
    ['index.ts was edited', (root) => appendFileSync(join(root, 'session/index.ts'), '// ours\n')],
    [
      'tsconfig.json changed',
      (root) =>
        writeFileSync(
          join(root, 'tsconfig.json'),
          JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler' } }),
        ),
    ],
    [
      'a file in its extends chain changed',
      (root) =>
        writeFileSync(join(root, 'tsconfig.base.json'), JSON.stringify({ compilerOptions: { module: 'Preserve' } })),
    ],
    [
      'package.json changed',
      (root) => writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'app', type: 'module' })),
    ],
    ['a prettier config appeared', (root) => writeFileSync(join(root, '.prettierrc.json'), '{ "semi": false }')],
    [
      'an .editorconfig appeared',
      (root) => writeFileSync(join(root, '.editorconfig'), 'root = true\n[*]\nindent_style = tab\n'),
    ],
    [
      'the manifest was edited by hand',
      (root) =>
        writeFileSync(
          join(root, 'session/session-layer.json'),
          readFileSync(join(root, 'session/session-layer.json'), 'utf8').replace(/\n$/, '\n\n'),
        ),
    ],
    [
      "an older layer's base file is left to delete",
      (root) => writeFileSync(join(root, 'session/session-layer.base.json'), '{}'),
    ],
    ['the example was deleted', (root) => rmSync(join(root, 'session-example.ts'))],
    ['a new store is asked for', () => undefined, ['--store', 'file']],
    ['a store is to be removed', () => undefined, ['--remove-store', 'memory']],
    ['another framework is asked for', () => undefined, ['--framework', 'koa-like']],
    ['JSON is asked for', () => undefined, ['--json']],
  ])('hands over to the full run when %s', async (_name, change, extra = []) => {
    const root = await layerWithExtendsAndExample();
    change(root);
    const args = extra.includes('--framework') ? ['--store', 'dir'] : extra;
    const parsed = extra.includes('--framework') ? { ...flags(root, args), framework: 'koa-like' } : flags(root, args);
    expect(await reportIfUpToDate(parsed, capture().io)).toBe(false);
  });
});
