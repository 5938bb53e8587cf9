import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { findFramework, findStore, type StoreEntry } from '../../runtime/manifest.js';
import { defaultUrlNote } from '../default-store.js';
import type { TargetApp } from '../detect.js';
import type { LayerBases } from '../bases.js';
import type { ExistingLayer } from '../layer.js';
import { generatorVersion, templatePath } from '../paths.js';
import type { Plan, PlannedFile } from '../plan.js';
import { reconcile, type EditPolicy, type ReconcileContext } from '../reconcile.js';
import { format } from '../transforms/format.js';
import { convertSource, type OutputKind } from '../transforms/index.js';

/*
 * What the plop actions share: the data plop passes each of them, and the two ways a file of the
 * layer is produced (vendored from runtime/ or rendered from templates/) before it is reconciled
 * with what the app has.
 */

/** The answers that decide what gets written. */
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

/** How this run relates to what is already in the app. */
export interface RunContext {
  target: TargetApp;
  plan: Plan;
  layer: ExistingLayer | undefined;
  /** Where the texts of the layer's last run come from (git, or generating them again). */
  bases: LayerBases | undefined;
  policy: EditPolicy;
  /** Stores this run adds to, or removes from, an existing layer. */
  added: StoreEntry[];
  removed: StoreEntry[];
}

/** Renders a Handlebars template with its data. */
export type RenderString = (template: string, data: Record<string, unknown>) => string;

/** Passed to every action: the answers, where to plan, and facts about the app. */
export interface ActionData extends LayerAnswers, RunContext {
  /** The layer's stores after this run, as manifest entries, the default first. */
  chosen: StoreEntry[];
  render: RenderString;
}

/** How reconcile() treats the user's edits in this run, and how it reaches the plan and the app's style. */
export function reconcileContext(data: ActionData): ReconcileContext {
  return {
    policy: data.policy,
    exists: (path) => data.plan.exists(path),
    formatLikeApp: (path, text) => format(data.target.root, path, text),
  };
}

/** Plans a generated file against what the app has: created, updated, kept, merged, or in the way. */
export async function planGenerated(data: ActionData, path: string, generated: string): Promise<PlannedFile> {
  const recordedHash = data.layer?.manifest.files[path];
  const base = async () => data.bases?.get(path);
  return data.plan.add(
    await reconcile({ path, generated, disk: data.plan.read(path), recordedHash, base }, reconcileContext(data)),
  );
}

/** What the layer's code files are written as. */
export function outputKind(language: LayerAnswers['language'], target: TargetApp): OutputKind {
  return language === 'ts' ? 'ts' : target.moduleFormat === 'esm' ? 'esm' : 'commonjs';
}

/** A code file of the layer as it is named in the app: `index.ts`, or `index.js` in a JavaScript layer. */
export function codePath(language: LayerAnswers['language'], path: string): string {
  return language === 'js' ? path.replace(/\.ts$/, '.js') : path;
}

/**
 * Renders a template with the layer's data. Code templates are TypeScript: a JavaScript layer gets
 * them through the same conversion as the runtime sources. Code is formatted in the app's style.
 */
export async function renderTemplate(
  data: LayerAnswers & { target: TargetApp; render: RenderString },
  templateName: string,
  target: string,
): Promise<string> {
  const rendered = data.render(readFileSync(templatePath(templateName), 'utf8'), templateData(data, data.target));
  if (!templateName.endsWith('.ts.hbs')) return rendered;
  const [code] = await convertSource(outputKind(data.language, data.target), rendered, target);
  return format(data.target.root, target, code!.text);
}

/**
 * What the templates see. `importFrom` is the file the snippets' import is written for, relative
 * to the app root: the example server by default, else a file at the root.
 */
export function templateData(
  data: LayerAnswers,
  target: TargetApp,
  importFrom: string | undefined = data.example,
): Record<string, unknown> {
  const framework = required(findFramework(data.framework), 'framework', data.framework);
  const chosen = data.stores.map((name) => required(findStore(name), 'store', name));
  const defaultStore = chosen[0]!;
  const suffix = data.language === 'js' ? '.js' : target.importSuffix;
  const fromRoot = (importFrom ? posix.relative(posix.dirname(importFrom), data.dir) : data.dir) || '.';
  return {
    version: generatorVersion,
    suffix,
    framework,
    stores: chosen,
    defaultStore,
    // Memory's title already says it all.
    defaultStoreNote: defaultStore.name === 'memory' ? undefined : defaultUrlNote(defaultStore),
    sweptStores: chosen
      .filter((store) => !store.nativeExpiry)
      .map((store) => store.name)
      .join(', '),
    storePackages: chosen.flatMap((store) => Object.keys(store.dependencies)),
    exampleFile: data.example,
    ext: data.language === 'js' ? '.js' : '.ts',
    runExample: data.example === undefined ? undefined : exampleCommand(data.language, data.example),
    moduleImport: `${fromRoot.startsWith('.') ? '' : './'}${fromRoot}/index${suffix}`,
    // CommonJS (and TypeScript compiled to it) has no top-level await.
    topLevelAwait: target.moduleFormat === 'esm',
  };
}

/** How to start the example server: plain node runs JavaScript, tsx runs TypeScript. */
export function exampleCommand(language: LayerAnswers['language'], example: string): string {
  return language === 'js' ? `node ${example}` : `npx tsx ${example}`;
}

export function required<T>(entry: T | undefined, kind: string, name: string): T {
  if (entry === undefined) throw new Error(`unknown ${kind} "${name}"`);
  return entry;
}
