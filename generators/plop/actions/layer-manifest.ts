import { posix, relative, sep } from 'node:path';
import { fingerprintKey, hashInputs, sha256, type Fingerprint } from '../../layer/fingerprint.js';
import { LEGACY_BASE_FILE, MANIFEST_FILE, type LayerManifest } from '../../layer/existing-layer.js';
import { generatorVersion } from '../../paths.js';
import { blobId } from '../../layer/plan.js';
import type { ActionData } from './context.js';

/**
 * The manifest, for the next run: what was asked, how the app's settings shaped the code, and the
 * git blob id of every text generated (never the texts themselves: see bases.ts).
 */
export async function manifestAction(data: ActionData): Promise<string> {
  const files: Record<string, string> = {};
  for (const file of data.plan.files) {
    if (file.base !== undefined) {
      files[file.path] = blobId(file.base);
    } else if (file.baseHash !== undefined) {
      files[file.path] = file.baseHash;
    }
  }
  // An update that leaves conflicts records them: every later run checks them before anything else.
  const conflicts = data.plan.files.filter((file) => file.change === 'conflict').map((file) => file.path);
  const manifest: LayerManifest = {
    generator: 'create-session-layer',
    version: generatorVersion,
    framework: data.framework,
    language: data.language === 'js' ? 'js' : undefined,
    stores: data.stores,
    example: data.example,
    module: { importSuffix: data.target.importSuffix, format: data.target.moduleFormat },
    files,
    conflicts: conflicts.length > 0 ? conflicts : undefined,
    fingerprint: await fingerprintOf(data, Object.keys(files)),
  };
  data.plan.addEdit(`${data.dir}/${MANIFEST_FILE}`, `${JSON.stringify(manifest, null, 2)}\n`);
  // The compressed copies older layers kept beside the manifest are not needed any more.
  const legacy = `${data.dir}/${LEGACY_BASE_FILE}`;
  const old = data.plan.read(legacy);
  if (old !== undefined)
    data.plan.add({
      path: legacy,
      change: 'deleted',
      before: old,
      after: undefined,
      companions: [],
      note: 'bases now come from git',
    });
  return `manifest ${data.dir}/${MANIFEST_FILE}`;
}

/** The fingerprint of this run's output: package.json as this run leaves it, the tsconfig chain as TypeScript read it. */
async function fingerprintOf(data: ActionData, layerFiles: readonly string[]): Promise<Fingerprint> {
  const { root, configFiles } = data.target;
  const tsconfigs =
    configFiles.length > 0
      ? configFiles.map((path) => relative(root, path).split(sep).join(posix.sep))
      : ['tsconfig.json'];
  const packageJson =
    data.plan.files.find((file) => file.path === 'package.json')?.after ?? data.target.packageJsonText;
  return {
    key: await fingerprintKey(root, data, layerFiles),
    inputs: { 'package.json': sha256(packageJson), ...hashInputs(root, tsconfigs) },
  };
}
