import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { UsageError } from '../errors.js';
import type { Fingerprint } from './fingerprint.js';
import { isVersion } from './versions.js';

export const MANIFEST_FILE = 'session-layer.json';

/** The layer manifest written next to the module: what was generated, for safe re-runs. */
export interface LayerManifest {
  generator: 'create-session-layer';
  /** The generator version that last wrote the layer. */
  version: string;
  framework: string;
  /** `js` for JavaScript with JSDoc types; absent for TypeScript (layers written before JavaScript existed). */
  language?: 'js' | undefined;
  /** The layer's stores; the first is the default. */
  stores: string[];
  /** The example server, relative to the app root, when there is one. */
  example?: string | undefined;
  /** How the app's settings shaped the code (see ModuleFacts): lets the layer be generated again as it was. */
  module?: { importSuffix: '.js' | ''; format: 'esm' | 'commonjs' } | undefined;
  /** Path (relative to the app root) → git blob id of the text the generator produced for it (see bases.ts). */
  files: Record<string, string>;
  /** What shaped those files (see fingerprint.ts); lets an identical re-run stop early. */
  fingerprint?: Fingerprint | undefined;
  /** Files the last `update` left with conflicts to resolve (see conflicts.ts); absent when there are none. */
  conflicts?: string[] | undefined;
}

/** A layer already in the app: the state a re-run starts from. */
export interface ExistingLayer {
  /** Relative to the app root, forward slashes. */
  dir: string;
  manifest: LayerManifest;
  /** The manifest file's text, to tell our rendering of it from a hand-edited one. */
  manifestText: string;
}

/** What the layer kept its merge bases in before session-layer.json recorded git blob ids; deleted by the next run. */
export const LEGACY_BASE_FILE = 'session-layer.base.json';

const USUAL_DIRS = ['src/session', 'session'];
const SKIPPED = new Set(['node_modules', 'dist', 'build', 'coverage', 'out']);
const SEARCH_DEPTH = 4;

/**
 * Finds the layer to re-run on: `--dir` when given, else src/session/ or session/, else any
 * session-layer.json within a few levels of the app (the layer may live anywhere). A `--dir`
 * without a layer while one exists elsewhere is refused, so a re-run never starts a second layer.
 */
export function findLayer(root: string, dirFlag: string | undefined): ExistingLayer | undefined {
  if (dirFlag !== undefined) {
    if (existsSync(join(root, dirFlag, MANIFEST_FILE))) return readLayer(root, dirFlag);
    const elsewhere = searchManifests(root);
    if (elsewhere.length > 0) {
      throw new UsageError(
        `--dir ${dirFlag} has no session layer, but ${elsewhere.join(', ')} has one; pass --dir ${elsewhere[0]} to change it`,
      );
    }
    return undefined;
  }
  const usual = USUAL_DIRS.find((dir) => existsSync(join(root, dir, MANIFEST_FILE)));
  if (usual !== undefined) return readLayer(root, usual);
  const found = searchManifests(root);
  if (found.length > 1)
    throw new UsageError(`found several session layers (${found.join(', ')}); pass --dir to choose one`);
  return found[0] === undefined ? undefined : readLayer(root, found[0]);
}

function readLayer(root: string, dir: string): ExistingLayer {
  const manifestPath = join(root, dir, MANIFEST_FILE);
  const manifestText = readFileSync(manifestPath, 'utf8');
  return { dir, manifest: parseManifest(manifestPath, manifestText), manifestText };
}

function parseManifest(path: string, text: string): LayerManifest {
  let value: Partial<LayerManifest>;
  try {
    value = JSON.parse(text) as Partial<LayerManifest>;
  } catch {
    throw new UsageError(`${path} is not valid JSON; fix or delete it`, 'E_APP');
  }
  const valid =
    value.generator === 'create-session-layer' &&
    typeof value.version === 'string' &&
    isVersion(value.version) &&
    typeof value.framework === 'string' &&
    Array.isArray(value.stores) &&
    value.stores.every((store) => typeof store === 'string') &&
    (value.language === undefined || value.language === 'js') &&
    (value.module === undefined ||
      ((value.module.importSuffix === '.js' || value.module.importSuffix === '') &&
        (value.module.format === 'esm' || value.module.format === 'commonjs'))) &&
    typeof value.files === 'object' &&
    value.files !== null &&
    (value.conflicts === undefined ||
      (Array.isArray(value.conflicts) && value.conflicts.every((path) => typeof path === 'string')));
  if (!valid) throw new UsageError(`${path} is not a create-session-layer manifest; fix or delete it`, 'E_APP');
  // Re-runs replace and delete the files a manifest lists: never anything outside the app.
  const outside = [
    ...Object.keys(value.files ?? {}),
    ...(value.conflicts ?? []),
    ...(value.example === undefined ? [] : [value.example]),
  ].find(
    (file) =>
      typeof file !== 'string' || file.startsWith('/') || /^[a-z]:/i.test(file) || file.split(/[\\/]/).includes('..'),
  );
  if (outside !== undefined)
    throw new UsageError(`${path} lists ${JSON.stringify(outside)}, outside the app; fix or delete it`, 'E_APP');
  return value as LayerManifest;
}

/** Folders (relative, forward slashes) holding a session-layer.json, a few levels deep, skipping dependencies and output. */
function searchManifests(root: string): string[] {
  const found: string[] = [];
  const walk = (folder: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((entry) => entry.isFile() && entry.name === MANIFEST_FILE))
      found.push(relative(root, folder).split(sep).join(posix.sep));
    if (depth === SEARCH_DEPTH) return;
    for (const entry of entries) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && !SKIPPED.has(entry.name))
        walk(join(folder, entry.name), depth + 1);
    }
  };
  walk(root, 0);
  return found.filter((dir) => dir !== '').sort();
}
