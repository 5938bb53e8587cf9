import { readdirSync, readFileSync } from 'node:fs';
import nodePlop, { type ActionType, type CustomActionConfig, type NodePlopAPI, type PromptQuestion } from 'node-plop';
import { findFramework, findStore, frameworks, stores } from '../runtime/manifest.js';
import { required, templateData, type ActionData, type LayerAnswers, type RunContext } from './actions/context.js';
import { manifestAction } from './actions/layer-manifest.js';
import { packageJsonAction } from './actions/package-json.js';
import { retireAction } from './actions/retire.js';
import { renderAction, vendorAction } from './actions/vendor.js';
import { wireIndexAction } from './actions/wire-index.js';
import type { TargetApp } from './detect.js';
import { runtimePath, templatePath } from './paths.js';

export type { LayerAnswers, RunContext } from './actions/context.js';

/**
 * The plop generator: prompts for whatever the flags left open, and custom actions that plan
 * files in memory. Each action keeps plop's contract: it returns a one-line description and
 * throws on failure. Nothing touches the disk until the whole plan is committed.
 */
export async function createPlop(): Promise<NodePlopAPI> {
  const plop = await nodePlop('', { force: false, destBasePath: undefined });
  const actions: Record<string, Action> = {
    vendor: vendorAction,
    render: (data, config) => renderAction(plop, data, config),
    'wire-index': (data) => wireIndexAction(plop, data),
    retire: retireAction,
    'package-json': packageJsonAction,
    'layer-manifest': manifestAction,
  };
  for (const [name, action] of Object.entries(actions)) plop.setActionType(name, keepingErrors(action));
  return plop;
}

type Action = (data: ActionData, config: CustomActionConfig<string>) => string | Promise<string>;

/** Plop reports a failure as text; the thrown error itself is kept so the CLI can give its exit code. */
function keepingErrors(action: Action) {
  return async (data: object, config: CustomActionConfig<string>): Promise<string> => {
    try {
      return await action(data as ActionData, config);
    } catch (error) {
      (data as ActionData).thrown.push(error);
      throw error;
    }
  };
}

/** Questions for the answers the flags did not give. */
export function promptsFor(
  missing: ReadonlyArray<keyof LayerAnswers>,
  target: TargetApp,
  defaultDir: string,
): PromptQuestion[] {
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

/** Plans every file for `answers` into `context.plan` by running the plop actions. */
export async function planLayer(plop: NodePlopAPI, answers: LayerAnswers, context: RunContext): Promise<void> {
  const framework = required(findFramework(answers.framework), 'framework', answers.framework);
  const chosen = answers.stores.map((name) => required(findStore(name), 'store', name));
  plop.setPartial('usage', readFileSync(templatePath(`usage/${framework.name}.md.hbs`), 'utf8'));
  const sources = new Set([
    ...coreFiles(),
    ...chosen.flatMap((store) => [...store.helpers, store.file]),
    framework.file,
  ]);
  const actions: ActionType[] = [...sources].map((source) => ({ type: 'vendor', source }));
  actions.push({ type: 'wire-index' }, render('README.md.hbs', `${answers.dir}/README.md`));
  if (answers.example) actions.push(render(`example/${framework.name}.ts.hbs`, answers.example));
  actions.push({ type: 'retire' }, { type: 'package-json' }, { type: 'layer-manifest' });

  const generator = plop.setGenerator('session-layer', { description: 'Server-side sessions', prompts: [], actions });
  const data: ActionData = { ...answers, ...context, thrown: [] };
  const { failures } = await generator.runActions(data);
  const failure = failures[0];
  if (failure) throw data.thrown[0] ?? new Error(`${failure.type} ${failure.path}: ${failure.error}`);
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

/** The framework's usage snippet (templates/usage/<framework>.md.hbs), for the closing next steps. */
export function renderUsage(plop: NodePlopAPI, answers: LayerAnswers, target: TargetApp): string {
  return plop.renderString(
    readFileSync(templatePath(`usage/${answers.framework}.md.hbs`), 'utf8'),
    templateData(answers, target),
  );
}
