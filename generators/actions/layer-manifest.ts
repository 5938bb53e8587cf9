import { posix, relative, sep } from 'node:path';
import { BASE_FILE, encodeBase } from '../base-file.js';
import { fingerprintKey, hashInputs, type Fingerprint } from '../fingerprint.js';
import { MANIFEST_FILE, type LayerManifest } from '../layer.js';
import { generatorVersion } from '../paths.js';
import { hashText } from '../plan.js';
import type { ActionData } from './context.js';

/** The manifest (hashes of what was generated) and the base file (the texts), for the next run. */
export async function manifestAction(data: ActionData): Promise<string> {
  const files: Record<string, string> = {};
  const texts = new Map<string, string>();
  for (const file of data.plan.files) {
    if (file.base !== undefined) {
      files[file.path] = hashText(file.base);
      texts.set(file.path, file.base);
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
    files,
    conflicts: conflicts.length > 0 ? conflicts : undefined,
    fingerprint: await fingerprintOf(data, Object.keys(files)),
  };
  data.plan.addEdit(`${data.dir}/${MANIFEST_FILE}`, `${JSON.stringify(manifest, null, 2)}\n`);
  data.plan.addEdit(`${data.dir}/${BASE_FILE}`, encodeBase(texts, data.layer?.baseFile));
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
    inputs: { 'package.json': hashText(packageJson), ...hashInputs(root, tsconfigs) },
  };
}
