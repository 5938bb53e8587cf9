import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import Handlebars from 'handlebars';
import type { TargetApp } from '../app/detect.js';
import { defaultsForTemplates } from '../defaults.js';
import { defaultUrlNote } from '../layer/default-store.js';
import { generatorVersion, templatePath } from '../paths.js';
import { format } from '../transforms/format.js';
import { convertSource, type OutputKind } from '../transforms/index.js';
import type { LayerAnswers, Selection } from './answers.js';

/*
 * The wiring that varies per app (index.ts, the README, the usage snippet) is
 * rendered from templates/ with Handlebars, with its default options as plop's renderString uses
 * them. Code templates are TypeScript: a JavaScript layer gets them through the same conversion as
 * the runtime sources, so there are no JavaScript copies.
 */

/** Renders a Handlebars template with its data. */
export type RenderString = (template: string, data: Record<string, unknown>) => string;

/**
 * A Handlebars instance of its own, with partials that are already rendered text: inserted as
 * they are, never parsed as templates again.
 */
export function templateRenderer(partials: Readonly<Record<string, string>>): RenderString {
  const handlebars = Handlebars.create();
  for (const [name, text] of Object.entries(partials)) handlebars.registerPartial(name, () => text);
  return (template, data) => handlebars.compile(template)(data);
}

/** What the layer's code files are written as. */
export function outputKind(language: LayerAnswers['language'], target: TargetApp): OutputKind {
  return language === 'ts' ? 'ts' : target.moduleFormat === 'esm' ? 'esm' : 'commonjs';
}

/** A code file of the layer as it is named in the app: `index.ts`, or `index.js` in a JavaScript layer. */
export function codePath(language: LayerAnswers['language'], path: string): string {
  return language === 'js' ? path.replace(/\.ts$/, '.js') : path;
}

/** How to start the example server from the app root: plain node runs JavaScript, tsx runs TypeScript. */
export function exampleCommand(language: LayerAnswers['language'], example: string): string {
  return language === 'js' ? `node ${example}` : `npx tsx ${example}`;
}

/** Renders a template for the layer; code is converted to the layer's language and formatted in the app's style. */
export async function renderTemplate(
  selection: Selection,
  target: TargetApp,
  render: RenderString,
  templateName: string,
  path: string,
): Promise<string> {
  const rendered = render(readFileSync(templatePath(templateName), 'utf8'), templateData(selection, target));
  if (!templateName.endsWith('.ts.hbs')) return rendered;
  const [code] = await convertSource(outputKind(selection.language, target), rendered, path);
  return format(target.root, path, code!.text);
}

/**
 * What the templates see. `importFrom` is the file the snippets' import is written for, relative
 * to the app root: the example server by default, else a file at the root.
 */
export function templateData(
  selection: Selection,
  target: TargetApp,
  importFrom: string | undefined = selection.example,
): Record<string, unknown> {
  const { frameworkEntry: framework, storeEntries: stores, language, dir } = selection;
  const defaultStore = stores[0]!;
  const suffix = language === 'js' ? '.js' : target.importSuffix;
  const fromRoot = (importFrom ? posix.relative(posix.dirname(importFrom), dir) : dir) || '.';
  return {
    version: generatorVersion,
    suffix,
    framework,
    stores,
    // Imports in the order of their paths, as import sorters (Biome's, ESLint's) want them.
    storeImports: [...stores].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    defaultStore,
    // Memory's title already says it all.
    defaultStoreNote: defaultStore.name === 'memory' ? undefined : defaultUrlNote(defaultStore),
    sweptStores: stores
      .filter((store) => !store.nativeExpiry)
      .map((store) => store.name)
      .join(', '),
    storePackages: stores.flatMap((store) => Object.keys(store.dependencies)),
    // Every option's default, from runtime/core/options.ts.
    defaults: defaultsForTemplates(),
    ext: language === 'js' ? '.js' : '.ts',
    moduleImport: `${fromRoot.startsWith('.') ? '' : './'}${fromRoot}/index${suffix}`,
    // CommonJS (and TypeScript compiled to it) has no top-level await.
    topLevelAwait: target.moduleFormat === 'esm',
  };
}

/**
 * The framework's usage snippet (templates/usage/<framework>.md.hbs) in the layer's language, for
 * the README and the closing next steps. A JavaScript layer's code block goes through the same
 * conversion as the code templates (JSDoc types, and `require` where the app is CommonJS).
 */
export async function renderUsage(
  selection: Selection,
  target: TargetApp,
  importFrom: string | undefined = selection.example,
): Promise<string> {
  const markdown = templateRenderer({})(
    readFileSync(templatePath(`usage/${selection.framework}.md.hbs`), 'utf8'),
    templateData(selection, target, importFrom),
  );
  if (selection.language === 'ts') return markdown;
  const block = /```ts\n([\s\S]*?)```/.exec(markdown);
  if (block === null) throw new Error(`usage/${selection.framework}.md.hbs has no \`\`\`ts code block`);
  const [code] = await convertSource(outputKind(selection.language, target), block[1]!, 'usage.ts');
  return markdown.replace(block[0], () => `\`\`\`js\n${code!.text}\`\`\``);
}
