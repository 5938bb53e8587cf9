import { readFileSync } from 'node:fs';
import type { CustomActionConfig } from 'node-plop';
import { generatorVersion, runtimePath } from '../../paths.js';
import { vendorSource } from '../../transforms/index.js';
import { outputKind } from '../templates.js';
import { planGenerated, type ActionData } from './context.js';

/**
 * Vendors one runtime source: the declared transforms, then reconciled with what the app has.
 * In a JavaScript layer a source may give two files (the code and its type augmentations).
 */
export async function vendorAction(data: ActionData, config: CustomActionConfig<string>): Promise<string> {
  const source = String(config['source']);
  return planVendored(data, source, readFileSync(runtimePath(source), 'utf8'), `${data.dir}/${source}`);
}

/** Plans `text`, from runtime/`source`, as the app's `target`: the transforms, then reconciled. */
export async function planVendored(data: ActionData, source: string, text: string, target: string): Promise<string> {
  const context = {
    root: data.target.root,
    version: generatorVersion,
    importSuffix: data.target.importSuffix,
    output: outputKind(data.language, data.target),
  };
  const changes: string[] = [];
  for (const file of await vendorSource(context, `runtime/${source}`, text, target)) {
    const planned = await planGenerated(data, file.path, file.text);
    changes.push(`${planned.change} ${file.path}`);
  }
  return changes.join(', ');
}
