import { readdirSync, readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { CustomActionConfig, PromptQuestion } from 'node-plop';
import { findFramework, findStore, frameworks, stores } from '../runtime/manifest.js';
import {
  codePath,
  outputKind,
  renderTemplate,
  required,
  templateData,
  type ActionData,
  type LayerAnswers,
  type RenderString,
  type RunContext,
} from './actions/context.js';
import { gitignoreAction } from './actions/gitignore.js';
import { manifestAction } from './actions/layer-manifest.js';
import { packageJsonAction } from './actions/package-json.js';
import { retireAction } from './actions/retire.js';
import { renderAction, vendorAction } from './actions/vendor.js';
import { wireIndexAction } from './actions/wire-index.js';
import type { TargetApp } from './detect.js';
import { Plan } from './plan.js';
import { runtimePath, templatePath } from './paths.js';
import { convertSource } from './transforms/index.js';

export type { LayerAnswers, RunContext } from './actions/context.js';

/**
 * The plop generator: prompts for whatever the flags left open, and custom actions that plan
 * files in memory. Each action keeps plop's contract: it takes the answers and its action config,
 * returns a one-line description and throws on failure. Nothing touches the disk until the whole
 * plan is committed.
 *
 * node-plop loads inquirer with it, a few hundred milliseconds, so it is imported only when a
 * person is asked something. The actions, which every run needs, run here in order and the first
 * failure stops the run, as plop's runner does; templates render with Handlebars and its default
 * options, as plop's renderString does.
 */
type Action = (data: ActionData, config: CustomActionConfig<string>) => string | Promise<string>;

const ACTIONS: Readonly<Record<string, Action>> = {
  vendor: vendorAction,
  render: renderAction,
  'wire-index': wireIndexAction,
  retire: retireAction,
  'package-json': packageJsonAction,
  gitignore: gitignoreAction,
  'layer-manifest': manifestAction,
};

/** What a person may be asked: the answers, plus which chosen store is the default and whether to write the example. */
export interface PromptAnswers {
  framework: string;
  stores: string[];
  defaultStore: string;
  dir: string;
  example: boolean;
}

export type Question = 'framework' | 'stores' | 'dir' | 'example';

/** Asks a person for the answers the flags did not give. */
export async function askQuestions(
  missing: readonly Question[],
  target: TargetApp,
  defaults: { dir: string; example: string; checkDir: (dir: string) => string | true },
): Promise<Partial<PromptAnswers>> {
  const { default: nodePlop } = await import('node-plop');
  const plop = await nodePlop('', { force: false, destBasePath: undefined });
  const generator = plop.setGenerator('questions', {
    description: 'questions',
    prompts: promptsFor(missing, target, defaults),
    actions: [],
  });
  return (await generator.runPrompts()) as Partial<PromptAnswers>;
}

/**
 * Questions for the answers the flags did not give. Every answer is checked where it is typed, so
 * a bad one is asked again rather than ending the run.
 */
export function promptsFor(
  missing: readonly Question[],
  target: TargetApp,
  defaults: { dir: string; example: string; checkDir: (dir: string) => string | true },
): PromptQuestion[] {
  const questions: PromptQuestion[] = [];
  if (missing.includes('framework')) {
    // The frameworks package.json lists come first; the cursor starts on one only when it is the only one.
    const installed = frameworks.filter((f) => target.installedFrameworks.includes(f.name));
    const others = frameworks.filter((f) => !target.installedFrameworks.includes(f.name));
    questions.push({
      type: 'list',
      name: 'framework',
      message:
        installed.length > 1
          ? `Web framework (package.json lists ${installed.map((f) => f.title).join(' and ')})`
          : 'Web framework',
      choices: [
        ...installed.map((f) => ({ name: `${f.title} (in package.json)`, value: f.name })),
        ...others.map((f) => ({ name: f.title, value: f.name })),
      ],
      default: target.detectedFramework,
    });
  }
  if (missing.includes('stores')) {
    questions.push(
      {
        type: 'checkbox',
        name: 'stores',
        message: 'Session stores (space picks, enter confirms)',
        choices: stores.map((s) => ({ name: s.title, value: s.name, checked: s.name === 'dir' })),
        validate: (chosen: readonly string[]) => chosen.length > 0 || 'Pick at least one store',
      },
      {
        type: 'list',
        name: 'defaultStore',
        message: 'Default store (used when SESSION_STORE is not set)',
        when: (answers) => picked(answers).length > 1,
        choices: (answers) => picked(answers).map((name) => ({ name: findStore(name)?.title ?? name, value: name })),
        // Memory keeps nothing across restarts: never the suggestion when another store was picked.
        default: (answers: Record<string, unknown>) => picked(answers).find((name) => name !== 'memory'),
      },
    );
  }
  if (missing.includes('dir')) {
    questions.push({
      type: 'input',
      name: 'dir',
      message: 'Folder for the session module',
      default: defaults.dir,
      validate: (dir: string) => defaults.checkDir(dir),
    });
  }
  if (missing.includes('example')) {
    questions.push({
      type: 'confirm',
      name: 'example',
      message: `Also write an example server (${defaults.example})?`,
      default: false,
    });
  }
  return questions;
}

/**
 * What this generator writes for `answers` in an app with these settings, as if the app had none
 * of it yet: the texts of a layer's last run when this is the version that ran it (see bases.ts).
 * index.ts is rendered once and then has stores wired in: every split of the stores between the
 * first render and later additions is a candidate.
 */
export async function regenerateLayer(answers: LayerAnswers, target: TargetApp): Promise<Map<string, string[]>> {
  const plan = new Plan(target.root, { blank: true });
  const context = { target, plan, layer: undefined, bases: undefined, policy: 'stop' as const, added: [], removed: [] };
  await planLayer(answers, context);
  const texts = new Map<string, string[]>();
  for (const file of plan.files) if (file.base !== undefined) texts.set(file.path, [file.base]);
  const index = codePath(answers.language, `${answers.dir}/index.ts`);
  const { rewireIndex } = await import('./wire-index.js');
  const importSuffix = answers.language === 'js' ? '.js' : target.importSuffix;
  for (let first = 1; first < answers.stores.length; first++) {
    const earlier = { ...answers, stores: answers.stores.slice(0, first) };
    const render = templateRenderer({ usage: await renderUsage(earlier, target) });
    const rendered = await renderTemplate({ ...earlier, target, render }, 'index.ts.hbs', index);
    const later = answers.stores.slice(first).map((name) => required(findStore(name), 'store', name));
    texts.get(index)?.push(rewireIndex(index, rendered, { add: later, remove: [], importSuffix }).text);
  }
  return texts;
}

/** The stores checked so far, from inquirer's answers object. */
function picked(answers: Record<string, unknown>): string[] {
  return Array.isArray(answers['stores']) ? answers['stores'].filter((name) => typeof name === 'string') : [];
}

/** Plans every file for `answers` into `context.plan` by running the actions. */
export async function planLayer(answers: LayerAnswers, context: RunContext): Promise<void> {
  const framework = required(findFramework(answers.framework), 'framework', answers.framework);
  const chosen = answers.stores.map((name) => required(findStore(name), 'store', name));
  const render = templateRenderer({ usage: await renderUsage(answers, context.target) });
  const sources = new Set([
    ...coreFiles(),
    ...chosen.flatMap((store) => [...store.helpers, store.file]),
    framework.file,
  ]);
  const actions: Array<CustomActionConfig<string>> = [...sources].map((source) => ({ type: 'vendor', source }));
  actions.push({ type: 'wire-index' }, renderConfig('README.md.hbs', `${answers.dir}/README.md`));
  if (answers.example) actions.push(renderConfig(`example/${framework.name}.ts.hbs`, answers.example));
  actions.push({ type: 'retire' }, { type: 'package-json' }, { type: 'gitignore' }, { type: 'layer-manifest' });

  const data: ActionData = { ...answers, ...context, chosen, render };
  for (const config of actions) await required(ACTIONS[config.type], 'action', config.type)(data, config);
}

function renderConfig(templateName: string, target: string): CustomActionConfig<'render'> {
  return { type: 'render', templateName, target };
}

function coreFiles(): string[] {
  return readdirSync(runtimePath('core'))
    .filter((name) => name.endsWith('.ts'))
    .sort()
    .map((name) => `core/${name}`);
}

/**
 * Handlebars as plop's renderString uses it (default options), in an instance of its own, with
 * partials that are already rendered text: inserted as they are, never parsed as templates again.
 */
function templateRenderer(partials: Readonly<Record<string, string>>): RenderString {
  const handlebars = Handlebars.create();
  for (const [name, text] of Object.entries(partials)) handlebars.registerPartial(name, () => text);
  return (template, data) => handlebars.compile(template)(data);
}

/**
 * The framework's usage snippet (templates/usage/<framework>.md.hbs) in the layer's language, for
 * the README and the closing next steps. The templates are TypeScript: a JavaScript layer's code
 * block goes through the same conversion as the code templates (JSDoc types, and `require` where
 * the app is CommonJS), so there are no JavaScript copies of the snippets.
 */
export async function renderUsage(
  answers: LayerAnswers,
  target: TargetApp,
  importFrom: string | undefined = answers.example,
): Promise<string> {
  const markdown = templateRenderer({})(
    readFileSync(templatePath(`usage/${answers.framework}.md.hbs`), 'utf8'),
    templateData(answers, target, importFrom),
  );
  if (answers.language === 'ts') return markdown;
  const block = /```ts\n([\s\S]*?)```/.exec(markdown);
  if (block === null) throw new Error(`usage/${answers.framework}.md.hbs has no \`\`\`ts code block`);
  const [code] = await convertSource(outputKind(answers.language, target), block[1]!, 'usage.ts');
  return markdown.replace(block[0], () => `\`\`\`js\n${code!.text}\`\`\``);
}
