import { readFileSync } from 'node:fs';
import type { CustomActionConfig } from 'node-plop';
import { generatorVersion, runtimePath } from '../../paths.js';
import { vendorSource } from '../../transforms/index.js';
import { wireExample } from '../../transforms/wire-example.js';
import { outputKind } from '../templates.js';
import { planGenerated, type ActionData } from './context.js';

/**
 * Vendors the framework's example server (runtime/examples/) to the file `--example` named: wired
 * to the layer's index (see wireExample), then the transforms of every vendored source.
 */
export async function exampleAction(data: ActionData, config: CustomActionConfig<string>): Promise<string> {
  const target = String(config['target']);
  const { example: source, exportName } = data.frameworkEntry;
  const wired = await wireExample(readFileSync(runtimePath(source), 'utf8'), {
    source,
    example: target,
    dir: data.dir,
    glue: exportName,
  });
  const context = {
    root: data.target.root,
    version: generatorVersion,
    importSuffix: data.target.importSuffix,
    output: outputKind(data.language, data.target),
  };
  const changes: string[] = [];
  for (const file of await vendorSource(context, `runtime/${source}`, wired, target)) {
    const planned = await planGenerated(data, file.path, file.text);
    changes.push(`${planned.change} ${file.path}`);
  }
  return changes.join(', ');
}
