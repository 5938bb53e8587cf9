/**
 * The layer records the generator version that wrote it; an older generator never rewrites a newer
 * layer (exit 2, E_DOWNGRADE, naming both versions) unless --force.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatorVersion } from '../../generators/paths.js';
import { compareVersions } from '../../generators/layer/versions.js';
import { hashTree, makeApp } from '../helpers/apps.js';
import { generate, generateOk } from './_cli.js';

const MANIFEST = 'session/session-layer.json';

/** A layer as a newer generator would have left it: the same files, a higher version on record. */
async function layerFromVersion(version: string): Promise<string> {
  const root = makeApp();
  await generateOk(root, ['--yes', '--store', 'dir']);
  const manifest = JSON.parse(readFileSync(join(root, MANIFEST), 'utf8'));
  writeFileSync(join(root, MANIFEST), `${JSON.stringify({ ...manifest, version }, null, 2)}\n`);
  return root;
}

describe('generator versions', () => {
  it('an older generator refuses to rewrite a newer layer: exit 2, both versions named, nothing written', async () => {
    const root = await layerFromVersion('99.0.0');
    const tree = hashTree(root);
    for (const args of [['update'], ['--store', 'memory'], []]) {
      const result = await generate(root, args);
      expect(result.code, args.join(' ')).toBe(2);
      const request = args.includes('--store') ? ' --store memory' : '';
      expect(result.stderr).toBe(
        `create-session-layer: E_DOWNGRADE: the layer in session/ was written by create-session-layer 99.0.0, newer than this one (${generatorVersion}); nothing was written. ` +
          `Run the newer one: npx create-session-layer@99.0.0${args[0] === 'update' ? ' update' : ''}${request}, ` +
          `or rewrite the layer with ${generatorVersion}: npx create-session-layer${request} --force\n`,
      );
      expect(hashTree(root)).toEqual(tree);
    }
    const json = JSON.parse((await generate(root, ['update', '--json'])).stdout);
    expect(json).toMatchObject({ ok: false, exitCode: 2, code: 'E_DOWNGRADE' });
  });

  it('--force rewrites it with this version', async () => {
    const root = await layerFromVersion('99.0.0');
    await generateOk(root, ['--force']);
    expect(JSON.parse(readFileSync(join(root, MANIFEST), 'utf8')).version).toBe(generatorVersion);
  });

  it('an older layer is brought up to this version', async () => {
    const root = await layerFromVersion('0.0.1');
    await generateOk(root, ['update']);
    expect(JSON.parse(readFileSync(join(root, MANIFEST), 'utf8')).version).toBe(generatorVersion);
  });

  it('a manifest whose version is not a version is refused as unreadable', async () => {
    const root = await layerFromVersion('latest');
    const result = await generate(root, ['update']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/E_APP: .*session-layer\.json is not a create-session-layer manifest/);
  });

  it('orders versions as semver does', () => {
    const ordered = [
      '0.1.0',
      '0.1.1',
      '0.2.0-alpha',
      '0.2.0-alpha.2',
      '0.2.0-alpha.10',
      '0.2.0-beta',
      '0.2.0',
      '0.10.0',
      '1.0.0',
    ];
    for (const [i, version] of ordered.entries()) {
      expect(compareVersions(version, version)).toBe(0);
      for (const later of ordered.slice(i + 1)) {
        expect(compareVersions(version, later), `${version} < ${later}`).toBeLessThan(0);
        expect(compareVersions(later, version), `${later} > ${version}`).toBeGreaterThan(0);
      }
    }
  });
});
