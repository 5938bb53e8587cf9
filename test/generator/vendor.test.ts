/**
 * Each vendored file equals its runtime source after the declared transforms only: header added,
 * relative import suffixes adapted, formatting. Strip the header, put the suffixes back and
 * format both sides the same way: nothing else may differ.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { makeApp, repoRoot } from '../helpers/apps.js';
import { generateOk } from './_cli.js';

// objectWrap 'collapse' undoes the one layout choice prettier otherwise keeps from its input.
const STYLE: prettier.Options = { parser: 'typescript', printWidth: 100, singleQuote: false, objectWrap: 'collapse' };

async function normalize(text: string): Promise<string> {
  return prettier.format(text, STYLE);
}

describe('vendored files', () => {
  it.each([
    ['NodeNext', { module: 'NodeNext', moduleResolution: 'NodeNext' }, (text: string) => text],
    [
      'Bundler',
      { module: 'ESNext', moduleResolution: 'Bundler' },
      (text: string) => text.replace(/from (['"])(\.{1,2}\/[^'"]+?)\1/g, 'from $1$2.js$1'),
    ],
  ])(
    'equal their runtime sources after the declared transforms (%s)',
    async (_name, compilerOptions, restoreSuffixes) => {
      // The app's own prettier style differs from ours on purpose: formatting must be the only other change.
      const root = makeApp({
        tsconfig: { compilerOptions },
        files: { '.prettierrc.json': '{ "semi": false, "tabWidth": 4 }\n' },
      });
      await generateOk(root, ['--yes', '--store', 'memory,file,dir']);
      const manifest = JSON.parse(readFileSync(join(root, 'session/session-layer.json'), 'utf8')) as {
        files: Record<string, string>;
      };
      const vendored = Object.keys(manifest.files).filter((path) => /^session\/(core|stores|frameworks)\//.test(path));
      expect(vendored.length).toBeGreaterThan(10);
      for (const path of vendored) {
        const emitted = readFileSync(join(root, path), 'utf8');
        const [first, second, ...rest] = emitted.split('\n');
        expect(first).toMatch(/^\/\/ Vendored by create-session-layer \d+\.\d+\.\d+ from runtime\//);
        expect(second).toMatch(/^\/\/ This file is yours now/);
        expect(emitted).not.toMatch(/^import .*;$/m); // the app's prettier config (no semicolons) was applied
        const source = readFileSync(join(repoRoot, 'runtime', path.replace(/^session\//, '')), 'utf8');
        expect(await normalize(restoreSuffixes(rest.join('\n'))), path).toBe(await normalize(source));
      }
    },
    60_000,
  );
});
