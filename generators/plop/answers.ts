import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findFramework, findStore, type FrameworkEntry, type StoreEntry } from '../../runtime/manifest.js';
import type { TargetApp } from '../app/detect.js';
import type { CliFlags } from '../cli/args.js';
import { DEFAULT_EXAMPLE_FILE } from '../cli/args.js';
import { normalizeRelative } from '../app/inside-app.js';
import { UsageError } from '../errors.js';
import type { ExistingLayer } from '../layer/existing-layer.js';
import type { PromptAnswers, Question } from './prompts.js';

/** The answers that decide what gets written, by name: what the manifest records and --json shows. */
export interface LayerAnswers {
  framework: string;
  /** TypeScript, or JavaScript with JSDoc types (ESM or CommonJS as the app's package.json says). */
  language: 'ts' | 'js';
  /** The layer's stores after this run; the first is the default. */
  stores: string[];
  /** Module folder relative to the app root, forward slashes. */
  dir: string;
  /** Example server file relative to the app root, or undefined for none. */
  example: string | undefined;
}

/**
 * The answers with their registry entries, looked up once: everything after this point (the
 * actions, the templates, the report) reads the entries it carries.
 */
export interface Selection extends LayerAnswers {
  frameworkEntry: FrameworkEntry;
  /** The layer's stores after this run, the default first. */
  storeEntries: StoreEntry[];
  /** Stores this run adds to, or removes from, an existing layer (all of them on a first run). */
  added: StoreEntry[];
  removed: StoreEntry[];
}

export function resolveSelection(answers: LayerAnswers, previousStores: readonly string[]): Selection {
  const store = (name: string) => {
    const entry = findStore(name);
    if (entry === undefined) throw new UsageError(`unknown store "${name}"`);
    return entry;
  };
  const frameworkEntry = findFramework(answers.framework);
  if (frameworkEntry === undefined) throw new UsageError(`unknown framework "${answers.framework}"`);
  return {
    ...answers,
    frameworkEntry,
    storeEntries: answers.stores.map(store),
    added: answers.stores.filter((name) => !previousStores.includes(name)).map(store),
    removed: previousStores.filter((name) => !answers.stores.includes(name)).map(store),
  };
}

/** A re-run: the layer's own framework, folder and stores, plus and minus what the flags say. */
export function answersFromLayer(
  flags: CliFlags,
  target: TargetApp,
  layer: ExistingLayer,
  notes: string[],
): LayerAnswers {
  const { manifest, dir } = layer;
  if (flags.framework !== undefined && flags.framework !== manifest.framework) {
    throw new UsageError(
      `the layer in ${dir}/ is for ${manifest.framework}, not ${flags.framework}: a layer has one framework. Drop --framework, or generate a second layer with --dir`,
    );
  }
  for (const name of manifest.stores) {
    if (findStore(name) === undefined)
      throw new UsageError(
        `${dir}/session-layer.json lists the store "${name}", which this version of create-session-layer does not know; use a newer one`,
      );
  }
  for (const name of flags.removeStores.filter((store) => !manifest.stores.includes(store))) {
    notes.push(`the ${name} store is not in the layer; nothing to remove`);
  }
  const stores = [...new Set([...manifest.stores, ...flags.stores])].filter(
    (name) => !flags.removeStores.includes(name),
  );
  if (stores.length === 0)
    throw new UsageError('--remove-store would leave the layer without a store; a layer needs at least one');
  const remembered =
    manifest.example !== undefined && existsSync(join(target.root, manifest.example)) ? manifest.example : undefined;
  const example = flags.example === undefined ? remembered : exampleFile(flags.example, target.language);
  return { framework: manifest.framework, language: target.language, stores, dir, example };
}

/** The questions a first run would ask, for the answers the flags left open. */
export function openQuestions(flags: CliFlags, dirFlag: string | undefined): Question[] {
  const missing: Question[] = [];
  if (flags.framework === undefined) missing.push('framework');
  if (flags.stores.length === 0) missing.push('stores');
  if (dirFlag === undefined) missing.push('dir');
  if (flags.example === undefined) missing.push('example');
  return missing;
}

/** A first run: flags first, then what a person answered, then the defaults. */
export function answersForNewLayer(
  flags: CliFlags,
  target: TargetApp,
  dirFlag: string | undefined,
  prompted: Partial<PromptAnswers>,
): LayerAnswers {
  const framework = flags.framework ?? prompted.framework ?? target.detectedFramework;
  if (framework === undefined) {
    const found = target.installedFrameworks;
    throw new UsageError(
      found.length > 1
        ? `package.json lists several frameworks (${found.join(', ')}); pass --framework to choose one`
        : 'no framework found in package.json; pass --framework',
    );
  }
  // The default store goes first: the layer's first store is the one index.ts falls back to.
  const picked = flags.stores.length > 0 ? flags.stores : (prompted.stores ?? ['dir']);
  const preferred = prompted.defaultStore ?? picked[0]!;
  const example =
    flags.example === undefined
      ? prompted.example
        ? exampleFile('', target.language)
        : undefined
      : exampleFile(flags.example, target.language);
  return {
    framework,
    language: target.language,
    stores: [preferred, ...picked.filter((name) => name !== preferred)],
    dir: dirFlag ?? normalizeRelative(prompted.dir ?? defaultDir(target), '--dir'),
    example,
  };
}

export function defaultDir(target: TargetApp): string {
  return target.hasSrc ? 'src/session' : 'session';
}

/**
 * The language a run writes: an existing layer keeps its own (a manifest without one is
 * TypeScript); a new one follows --lang, else the app (a tsconfig.json means TypeScript).
 * JavaScript is run by node as it is: imports always carry `.js`, and package.json `type`
 * decides ESM or CommonJS.
 */
export function inLayerLanguage(target: TargetApp, flags: CliFlags, layer: ExistingLayer | undefined): TargetApp {
  const recorded = layer === undefined ? undefined : (layer.manifest.language ?? 'ts');
  if (layer !== undefined && flags.lang !== undefined && flags.lang !== recorded)
    throw new UsageError(
      `the layer in ${layer.dir}/ is ${recorded === 'js' ? 'JavaScript' : 'TypeScript'}: drop --lang ${flags.lang}, or generate a second layer with --dir`,
    );
  const chosen = recorded ?? flags.lang ?? target.language;
  if (chosen === 'ts') return { ...target, language: chosen };
  const moduleFormat = target.packageJson.type === 'module' ? 'esm' : 'commonjs';
  return { ...target, language: chosen, importSuffix: '.js', moduleFormat };
}

/** The example server's path: the default name in the layer's language; a JavaScript layer's must be a .js file. */
export function exampleFile(flag: string, language: 'ts' | 'js'): string {
  const path = normalizeRelative(flag || DEFAULT_EXAMPLE_FILE, '--example');
  if (language === 'ts') return path;
  if (path === DEFAULT_EXAMPLE_FILE) return path.replace(/\.ts$/, '.js');
  if (!path.endsWith('.js')) throw new UsageError(`--example must name a .js file in a JavaScript app; got "${flag}"`);
  return path;
}
