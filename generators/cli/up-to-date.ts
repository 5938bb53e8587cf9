import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { findStore } from '../../runtime/manifest.js';
import type { CliFlags } from './args.js';
import type { CliIo } from './io.js';
import { painter, useColor } from './colors.js';
import { fingerprintKey, hashInputs } from '../layer/fingerprint.js';
import { findLayer, LEGACY_BASE_FILE, MANIFEST_FILE } from '../layer/existing-layer.js';
import { matchesRecorded } from '../layer/plan.js';
import { generatorVersion } from '../paths.js';
import { defaultStoreLines, fileLines } from './report.js';

/** The app's file is the text the manifest recorded. */
function matchesFile(root: string, path: string, recorded: string): boolean {
  const absolute = join(root, path);
  return existsSync(absolute) && matchesRecorded(readFileSync(absolute, 'utf8'), recorded);
}

/**
 * The fast path of a re-run that changes nothing: the layer is exactly as the last run wrote it
 * (every file and the manifest), it asks for nothing new, no conflict is on record, and the
 * fingerprint of what shapes the output matches. Then it reports "up to date" without loading ts-morph or node-plop or
 * formatting any file. Returns false whenever the full run must decide (anything edited, any
 * change asked for, --json or --install); it never writes.
 */
export async function reportIfUpToDate(flags: CliFlags, io: CliIo): Promise<boolean> {
  if (flags.json || flags.install || flags.removeStores.length > 0) return false;
  const root = resolve(io.cwd, flags.cwd);
  if (!existsSync(join(root, 'package.json'))) return false;
  const dirFlag = flags.dir?.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  let layer;
  try {
    layer = findLayer(root, dirFlag);
  } catch {
    return false; // the full run reports it
  }
  const manifest = layer?.manifest;
  if (layer === undefined || manifest?.fingerprint === undefined || manifest.version !== generatorVersion) return false;
  if (layer.manifestText !== `${JSON.stringify(manifest, null, 2)}\n`) return false;
  // Conflicts on record: the full run checks whether they were resolved.
  if (manifest.conflicts !== undefined) return false;
  if (flags.framework !== undefined && flags.framework !== manifest.framework) return false;
  const language: 'ts' | 'js' = manifest.language ?? 'ts';
  if (flags.lang !== undefined && flags.lang !== language) return false;
  if (flags.stores.some((store) => !manifest.stores.includes(store))) return false;
  if (flags.example !== undefined && flags.example !== manifest.example) return false;
  if (manifest.example !== undefined && !existsSync(join(root, manifest.example))) return false;

  const paths = Object.keys(manifest.files);
  // Every file exactly as the generator wrote it (a leftover base file from older layers is the full run's to delete).
  if (existsSync(join(root, layer.dir, LEGACY_BASE_FILE))) return false;
  if (paths.some((path) => !matchesFile(root, path, manifest.files[path]!))) return false;
  const { inputs, key } = manifest.fingerprint;
  if (Object.entries(hashInputs(root, Object.keys(inputs))).some(([path, hash]) => hash !== inputs[path])) return false;
  const answers = {
    framework: manifest.framework,
    language,
    stores: manifest.stores,
    dir: layer.dir,
    example: manifest.example,
  };
  if ((await fingerprintKey(root, answers, paths)) !== key) return false;

  const paint = painter(useColor(io.stdout, io.env));
  const index = `${layer.dir}/${language === 'js' ? 'index.js' : 'index.ts'}`;
  const files = [...paths, 'package.json', `${layer.dir}/${MANIFEST_FILE}`].map((path) => ({
    path,
    change: 'unchanged' as const,
    before: undefined,
    after: undefined,
    companions: [],
  }));
  // index.ts is as the generator wrote it, so its default store is the layer's first.
  const store = findStore(manifest.stores[0] ?? '');
  const lines = [
    ...(flags.dryRun ? [paint('bold', 'Dry run: nothing was written.')] : []),
    ...fileLines(files, flags, paint),
    ...defaultStoreLines(store, store?.defaultUrl, relative(io.cwd, join(root, index)) || index, paint),
    'The session layer is up to date.',
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
  return true;
}
