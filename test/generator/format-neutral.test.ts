/**
 * An app without a prettier config gets the vendored TypeScript files unformatted (see format()):
 * the runtime sources are written in the FALLBACK style, and the transforms on the way (the
 * header, import suffixes) must keep them in it. This proves it for every runtime source and every
 * import-suffix style. If it fails after a runtime edit, format that runtime file with the
 * repository's prettier config (`npx prettier --write runtime/<file>`).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { FALLBACK } from '../../generators/transforms/format.js';
import { vendorSource } from '../../generators/transforms/index.js';
import { repoRoot } from '../helpers/apps.js';

const sources = ['core', 'stores', 'frameworks'].flatMap((folder) =>
  readdirSync(join(repoRoot, 'runtime', folder))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => `${folder}/${name}`),
);

describe('vendored TypeScript in an app without a prettier config', () => {
  const root = mkdtempSync(join(tmpdir(), 'session-format-neutral-'));

  it('is an app prettier finds no config for, so format() skips the vendored files', async () => {
    await prettier.clearConfigCache();
    expect(await prettier.resolveConfig(join(root, 'src/session/core/manager.ts'), { editorconfig: true })).toBeNull();
  });

  it.each(['.js', ''] as const)('is exactly what prettier prints in our style (import suffix "%s")', async (suffix) => {
    expect(sources.length).toBeGreaterThan(20);
    for (const source of sources) {
      const text = readFileSync(join(repoRoot, 'runtime', source), 'utf8');
      const context = { root, version: '1.2.3', importSuffix: suffix, output: 'ts' as const };
      const [file] = await vendorSource(context, `runtime/${source}`, text, `src/session/${source}`);
      const formatted = await prettier.format(file!.text, { ...FALLBACK, filepath: join(root, file!.path) });
      expect(file!.text, `runtime/${source} is not in the FALLBACK style once vendored`).toBe(formatted);
    }
  });
});
