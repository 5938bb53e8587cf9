import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding runtime/ and templates/: the package root, found from this file whether it
 * runs as TypeScript source (generators/) or compiled (dist/generators/).
 */
export const packageRoot: string = (() => {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'runtime', 'manifest.ts'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error('create-session-layer: cannot find its runtime/ folder');
    folder = parent;
  }
  return folder;
})();

export const generatorVersion: string = (
  JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }
).version;

export function runtimePath(relative: string): string {
  return join(packageRoot, 'runtime', relative);
}

export function templatePath(relative: string): string {
  return join(packageRoot, 'templates', relative);
}
