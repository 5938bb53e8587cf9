import { readdirSync } from 'node:fs';
import type { CustomActionConfig, CustomActionFunction, PlopGenerator, PromptQuestion } from 'node-plop';
import type { TargetApp } from '../app/detect.js';
import { GeneratorError } from '../errors.js';
import { Plan } from '../layer/plan.js';
import { runtimePath } from '../paths.js';
import type { ActionData, RunContext } from './actions/context.js';
import { exampleAction } from './actions/example.js';
import { gitignoreAction } from './actions/gitignore.js';
import { manifestAction } from './actions/layer-manifest.js';
import { packageJsonAction } from './actions/package-json.js';
import { retireAction } from './actions/retire.js';
import { renderAction } from './actions/render.js';
import { vendorAction } from './actions/vendor.js';
import { wireIndexAction } from './actions/wire-index.js';
import { resolveSelection, type Selection } from './answers.js';
import { codePath, renderTemplate, renderUsage, templateRenderer } from './templates.js';

/*
 * The plop generator. node-plop carries it: the prompts for whatever the flags left open, and
 * custom action types that each plan files of the layer into the one in-memory Plan (vendor a
 * runtime source, render a template, wire index.ts, retire what the layer no longer has, add
 * packages, ignore session data, record the manifest). Each action keeps plop's contract: it takes
 * the answers and its config, returns a one-line description and throws on failure, and plop's
 * runner stops at the first failure. Nothing touches the disk until the whole plan is committed.
 */

type Action = (data: ActionData, config: CustomActionConfig<string>) => string | Promise<string>;

const ACTION_TYPES: Readonly<Record<string, Action>> = {
  vendor: vendorAction,
  render: renderAction,
  example: exampleAction,
  'wire-index': wireIndexAction,
  retire: retireAction,
  'package-json': packageJsonAction,
  gitignore: gitignoreAction,
  'layer-manifest': manifestAction,
};

/** One action's own result, as plop's runner reports it. */
export interface ActionResult {
  type: string;
  description: string;
}

/** plop's runner keeps only a failed action's message; the error itself (with its code) is kept here. */
const thrown = new WeakMap<object, unknown>();

/** node-plop (and inquirer with it) with the session layer's action types and generator. */
export async function sessionLayerGenerator(prompts: PromptQuestion[] = []): Promise<PlopGenerator> {
  const { default: nodePlop } = await import('node-plop');
  const plop = await nodePlop('', { force: false, destBasePath: undefined });
  for (const [type, action] of Object.entries(ACTION_TYPES)) {
    const keepingErrors: CustomActionFunction = async (answers, config) => {
      try {
        return await action(answers as ActionData, config);
      } catch (error) {
        if (!thrown.has(answers)) thrown.set(answers, error);
        throw error;
      }
    };
    plop.setActionType(type, keepingErrors);
  }
  return plop.setGenerator('session-layer', {
    description: 'server-side sessions as source code the app owns',
    prompts,
    actions: (data) => actionsFor(data as ActionData),
  });
}

/**
 * Plans every file of the selection into `context.plan` with the generator's actions, and returns
 * each action's result. A failed action's own error is rethrown, so its code reaches the user.
 */
export async function planLayer(
  generator: PlopGenerator,
  selection: Selection,
  context: RunContext,
): Promise<ActionResult[]> {
  const render = templateRenderer({ usage: await renderUsage(selection, context.target) });
  const data: ActionData = { ...selection, ...context, render };
  const { changes, failures } = await generator.runActions(data);
  if (failures.length > 0) {
    const error = thrown.get(data);
    throw error ?? new GeneratorError('E_INTERNAL', `${failures[0]?.type} failed: ${String(failures[0]?.error)}`, 1);
  }
  return changes.map((change) => ({ type: change.type, description: change.path }));
}

/** The actions of one run, in order: every file of the layer, then what is decided from all of them. */
function actionsFor(data: ActionData): Array<CustomActionConfig<string>> {
  const { frameworkEntry: framework, storeEntries: stores, dir, example } = data;
  const sources = new Set([
    ...coreFiles(),
    ...stores.flatMap((store) => [...store.helpers, store.file]),
    ...framework.helpers,
    framework.file,
  ]);
  return [
    ...[...sources].map((source) => ({ type: 'vendor', source })),
    { type: 'wire-index' },
    { type: 'render', templateName: 'README.md.hbs', target: `${dir}/README.md` },
    ...(example ? [{ type: 'example', target: example }] : []),
    ...(data.filesOnly
      ? []
      : [{ type: 'retire' }, { type: 'package-json' }, { type: 'gitignore' }, { type: 'layer-manifest' }]),
  ];
}

/** Every core file: the core is the library every store and glue builds on. */
function coreFiles(): string[] {
  return readdirSync(runtimePath('core'))
    .filter((name) => name.endsWith('.ts'))
    .sort()
    .map((name) => `core/${name}`);
}

/**
 * What this generator writes for a selection in an app with these settings, as if the app had
 * none of it yet: the texts of a layer's last run when this is the version that ran it (see
 * bases.ts). index.ts is rendered once and then has stores wired in: every split of the stores
 * between the first render and later additions is a candidate.
 */
export async function regenerateLayer(selection: Selection, target: TargetApp): Promise<Map<string, string[]>> {
  const plan = new Plan(target.root, { blank: true });
  await planLayer(await sessionLayerGenerator(), selection, {
    target,
    plan,
    layer: undefined,
    bases: undefined,
    policy: 'stop',
    filesOnly: true,
  });
  const texts = new Map<string, string[]>();
  for (const file of plan.files) if (file.base !== undefined) texts.set(file.path, [file.base]);
  const index = codePath(selection.language, `${selection.dir}/index.ts`);
  const { rewireIndex } = await import('../transforms/rewire-index.js');
  const importSuffix = selection.language === 'js' ? '.js' : target.importSuffix;
  for (let first = 1; first < selection.stores.length; first++) {
    const earlier = resolveSelection({ ...selection, stores: selection.stores.slice(0, first) }, []);
    const render = templateRenderer({ usage: await renderUsage(earlier, target) });
    const rendered = await renderTemplate(earlier, target, render, 'index.ts.hbs', index);
    const later = selection.storeEntries.slice(first);
    texts.get(index)?.push(rewireIndex(index, rendered, { add: later, remove: [], importSuffix }).text);
  }
  return texts;
}
