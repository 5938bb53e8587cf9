import { readFileSync } from 'node:fs';
import type { CustomActionConfig } from 'node-plop';
import { generatorVersion, runtimePath } from '../paths.js';
import { vendorSource } from '../transforms/index.js';
import { planGenerated, renderTemplate, type ActionData } from './context.js';

/** Vendors one runtime source: the declared transforms, then reconciled with what the app has. */
export async function vendorAction(data: ActionData, config: CustomActionConfig<string>): Promise<string> {
  const source = String(config['source']);
  const target = `${data.dir}/${source}`;
  const text = readFileSync(runtimePath(source), 'utf8');
  const context = { root: data.target.root, version: generatorVersion, importSuffix: data.target.importSuffix };
  const planned = await planGenerated(data, target, await vendorSource(context, `runtime/${source}`, text, target));
  return `${planned.change} ${target}`;
}

/** Renders a template (README, example server) and reconciles it with what the app has. */
export async function renderAction(data: ActionData, config: CustomActionConfig<string>): Promise<string> {
  const target = String(config['target']);
  const planned = await planGenerated(data, target, await renderTemplate(data, String(config['templateName']), target));
  return `${planned.change} ${target}`;
}
