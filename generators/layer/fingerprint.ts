import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot, generatorVersion } from '../paths.js';

/**
 * Everything that shapes the layer's files, recorded by the run that wrote them. When a re-run
 * finds the same fingerprint and every file exactly as recorded, the output would be identical,
 * so it can say "up to date" without loading ts-morph, node-plop or formatting a single file.
 * Anything it does not cover makes a mismatch, and the full run decides.
 */
export interface Fingerprint {
  /** Hash of the generator (version, its code, runtime sources, templates), the answers and the app's prettier style. */
  key: string;
  /** App files the output depends on (package.json, the tsconfig chain), relative to the app root → hash, or null when absent. */
  inputs: Record<string, string | null>;
}

export interface FingerprintAnswers {
  framework: string;
  language: 'ts' | 'js';
  stores: readonly string[];
  dir: string;
  example: string | undefined;
}

export const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** Hashes of every file below the folders, by path: the generator's own code and what it vendors and renders. */
function digestOfFolders(folders: readonly string[]): string {
  const hash = createHash('sha256');
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(`${relative(packageRoot, path)}\0${sha256(readFileSync(path))}\n`);
    }
  };
  for (const folder of folders) if (existsSync(folder)) walk(folder);
  return hash.digest('hex');
}

let generatorDigest: string | undefined;

/** The generator's code (compiled or source, wherever this file runs from), runtime/ and templates/. */
function generatorInputs(): string {
  generatorDigest ??= digestOfFolders([
    // generators/ (or dist/generators/), this file being in its layer/ folder.
    dirname(dirname(fileURLToPath(import.meta.url))),
    join(packageRoot, 'runtime'),
    join(packageRoot, 'templates'),
  ]);
  return generatorDigest;
}

/** The app's prettier style for each generated file (configs, overrides, .editorconfig), as prettier resolves it. */
async function prettierStyle(root: string, paths: readonly string[]): Promise<string> {
  const prettier = await import('prettier');
  // prettier caches what it found per folder; a long-lived process (an editor, a test run) must see today's files.
  await prettier.clearConfigCache();
  const styles = await Promise.all(
    paths.map(
      async (path) =>
        `${path}\0${JSON.stringify(await prettier.resolveConfig(join(root, path), { editorconfig: true }))}`,
    ),
  );
  return styles.join('\n');
}

export async function fingerprintKey(
  root: string,
  answers: FingerprintAnswers,
  layerFiles: readonly string[],
): Promise<string> {
  const { framework, language, stores, dir, example } = answers;
  const formatted = layerFiles.filter((path) => /\.[jt]s$/.test(path));
  return sha256(
    JSON.stringify([
      generatorVersion,
      generatorInputs(),
      { framework, language, stores, dir, example: example ?? null },
      await prettierStyle(root, formatted),
    ]),
  );
}

/** Hashes of the given app files as they are on disk now (null for a missing one). */
export function hashInputs(root: string, paths: readonly string[]): Record<string, string | null> {
  const inputs: Record<string, string | null> = {};
  for (const path of paths) {
    const absolute = resolve(root, path);
    inputs[path] = existsSync(absolute) ? sha256(readFileSync(absolute)) : null;
  }
  return inputs;
}
