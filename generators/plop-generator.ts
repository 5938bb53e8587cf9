import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import nodePlop, { type ActionType, type CustomActionConfig, type NodePlopAPI, type PromptQuestion } from 'node-plop';
import { findFramework, findStore, frameworks, stores, typescriptDevDependencies, type FrameworkEntry, type StoreEntry } from '../runtime/manifest.js';
import type { TargetApp } from './detect.js';
import { addPackages } from './package-json.js';
import { hashText, type Plan } from './plan.js';
import { generatorVersion, runtimePath, templatePath } from './paths.js';
import { format } from './transforms/format.js';
import { vendorSource } from './transforms/index.js';

/** The answers that decide what gets written. */
export interface LayerAnswers {
  framework: string;
  stores: string[];
  /** Module folder relative to the app root, forward slashes. */
  dir: string;
  /** Example server file relative to the app root, or undefined for none. */
  example: string | undefined;
}

/** Passed to every action next to the answers: where to plan, and facts about the app. */
interface ActionData extends LayerAnswers {
  target: TargetApp;
  plan: Plan;
}

export const MANIFEST_FILE = 'session-layer.json';

/** The layer manifest written next to the module: what was generated, for safe re-runs. */
export interface LayerManifest {
  generator: 'create-session-layer';
  version: string;
  framework: string;
  stores: string[];
  files: Record<string, string>;
}

/**
 * The plop generator: prompts for whatever the flags left open, and custom actions that plan
 * files in memory (nothing touches the disk until the whole plan is committed).
 */
export async function createPlop(): Promise<NodePlopAPI> {
  const plop = await nodePlop('', { force: false, destBasePath: undefined });
  plop.setActionType('vendor', (data, config) => vendorAction(data as ActionData, config));
  plop.setActionType('render', (data, config) => renderAction(plop, data as ActionData, config));
  plop.setActionType('package-json', (data) => packageJsonAction(data as ActionData));
  plop.setActionType('layer-manifest', (data) => manifestAction(data as ActionData));
  return plop;
}

/** Questions for the answers the flags did not give. */
export function promptsFor(missing: ReadonlyArray<keyof LayerAnswers>, target: TargetApp, defaultDir: string): PromptQuestion[] {
  const questions: PromptQuestion[] = [];
  if (missing.includes('framework')) {
    questions.push({
      type: 'list',
      name: 'framework',
      message: 'Web framework',
      choices: frameworks.map((f) => ({ name: f.title, value: f.name })),
      default: target.detectedFramework,
    });
  }
  if (missing.includes('stores')) {
    questions.push({
      type: 'checkbox',
      name: 'stores',
      message: 'Session stores (the first is the default)',
      choices: stores.map((s) => ({ name: s.title, value: s.name, checked: s.name === 'dir' })),
      validate: (chosen: readonly string[]) => chosen.length > 0 || 'Pick at least one store',
    });
  }
  if (missing.includes('dir')) {
    questions.push({ type: 'input', name: 'dir', message: 'Folder for the session module', default: defaultDir });
  }
  return questions;
}

/** Plans every file for `answers` into `plan` by running the plop actions. */
export async function planLayer(plop: NodePlopAPI, target: TargetApp, plan: Plan, answers: LayerAnswers): Promise<void> {
  const framework = required(findFramework(answers.framework), 'framework', answers.framework);
  const chosen = answers.stores.map((name) => required(findStore(name), 'store', name));
  plop.setPartial('usage', readFileSync(templatePath(`usage/${framework.name}.md.hbs`), 'utf8'));
  const generator = plop.setGenerator('session-layer', { description: 'Server-side sessions', prompts: [], actions: actionsFor(framework, chosen, answers) });
  const data: ActionData = { ...answers, target, plan };
  const { failures } = await generator.runActions(data);
  const failure = failures[0];
  if (failure) throw new Error(`${failure.type} ${failure.path}: ${failure.error}`);
}

function actionsFor(framework: FrameworkEntry, chosen: readonly StoreEntry[], answers: LayerAnswers): ActionType[] {
  const sources = new Set([...coreFiles(), ...chosen.flatMap((store) => [...store.helpers, store.file]), framework.file]);
  const actions: ActionType[] = [...sources].map((source) => ({ type: 'vendor', source }));
  actions.push(render('index.ts.hbs', `${answers.dir}/index.ts`), render('README.md.hbs', `${answers.dir}/README.md`));
  if (answers.example) actions.push(render(`example/${framework.name}.ts.hbs`, answers.example));
  actions.push({ type: 'package-json' }, { type: 'layer-manifest' });
  return actions;
}

function render(templateName: string, target: string): CustomActionConfig<'render'> {
  return { type: 'render', templateName, target };
}

function coreFiles(): string[] {
  return readdirSync(runtimePath('core'))
    .filter((name) => name.endsWith('.ts'))
    .sort()
    .map((name) => `core/${name}`);
}

async function vendorAction(data: ActionData, config: CustomActionConfig<string>): Promise<string> {
  const source = String(config['source']);
  const target = `${data.dir}/${source}`;
  const text = readFileSync(runtimePath(source), 'utf8');
  const context = { root: data.target.root, version: generatorVersion, importSuffix: data.target.importSuffix };
  const planned = data.plan.addGenerated(target, await vendorSource(context, `runtime/${source}`, text, target));
  return `${planned.change} ${target}`;
}

async function renderAction(plop: NodePlopAPI, data: ActionData, config: CustomActionConfig<string>): Promise<string> {
  const target = String(config['target']);
  const rendered = plop.renderString(readFileSync(templatePath(String(config['templateName'])), 'utf8'), templateData(data));
  const content = target.endsWith('.ts') ? await format(data.target.root, target, rendered) : rendered;
  const planned = data.plan.addGenerated(target, content);
  return `${planned.change} ${target}`;
}

function packageJsonAction(data: ActionData): string {
  const framework = required(findFramework(data.framework), 'framework', data.framework);
  const chosen = data.stores.map((name) => required(findStore(name), 'store', name));
  const additions = {
    dependencies: Object.assign({}, framework.dependencies, ...chosen.map((store) => store.dependencies)) as Record<string, string>,
    devDependencies: Object.assign(
      {},
      typescriptDevDependencies,
      framework.devDependencies,
      ...chosen.map((store) => store.devDependencies),
      data.example ? { tsx: '^4.19.0' } : {},
    ) as Record<string, string>,
  };
  const { text, added } = addPackages(data.target.packageJsonText, data.target.packageJson, additions);
  data.plan.addEdit('package.json', text);
  return added.length > 0 ? `package.json: add ${added.join(', ')}` : 'package.json: nothing to add';
}

function manifestAction(data: ActionData): string {
  const files: Record<string, string> = {};
  for (const file of data.plan.files) {
    if (file.path !== 'package.json' && file.change !== 'kept-yours') files[file.path] = hashText(file.content);
  }
  const manifest: LayerManifest = { generator: 'create-session-layer', version: generatorVersion, framework: data.framework, stores: data.stores, files };
  const target = `${data.dir}/${MANIFEST_FILE}`;
  data.plan.addGenerated(target, `${JSON.stringify(manifest, null, 2)}\n`);
  return `manifest ${target}`;
}

function templateData(data: ActionData): Record<string, unknown> {
  const framework = required(findFramework(data.framework), 'framework', data.framework);
  const chosen = data.stores.map((name) => required(findStore(name), 'store', name));
  const suffix = data.target.importSuffix;
  const fromRoot = (data.example ? posix.relative(posix.dirname(data.example), data.dir) : data.dir) || '.';
  return {
    version: generatorVersion,
    suffix,
    framework,
    stores: chosen,
    defaultStore: chosen[0],
    storePackages: chosen.flatMap((store) => Object.keys(store.dependencies)),
    exampleFile: data.example,
    moduleImport: `${fromRoot.startsWith('.') ? '' : './'}${fromRoot}/index${suffix}`,
  };
}

function required<T>(entry: T | undefined, kind: string, name: string): T {
  if (entry === undefined) throw new Error(`unknown ${kind} "${name}"`);
  return entry;
}
