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
  const text = readFileSync(runtimePath(source), 'utf8');
  const context = {
    root: data.target.root,
    version: generatorVersion,
    importSuffix: data.target.importSuffix,
    output: outputKind(data.language, data.target),
  };
  const changes: string[] = [];
  for (const file of await vendorSource(context, `runtime/${source}`, text, `${data.dir}/${source}`)) {
    const planned = await planGenerated(data, file.path, file.text);
    changes.push(`${planned.change} ${file.path}`);
  }
  return changes.join(', ');
}
