import { readFileSync } from 'node:fs';
import type { CustomActionConfig } from 'node-plop';
import { runtimePath } from '../../paths.js';
import { wireExample } from '../../transforms/wire-example.js';
import type { ActionData } from './context.js';
import { planVendored } from './vendor.js';

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
  return planVendored(data, source, wired, target);
}
