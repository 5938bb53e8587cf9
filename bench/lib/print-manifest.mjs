// Prints the stores and frameworks runtime/manifest.ts lists, as JSON. Run with tsx (it imports
// TypeScript), so the bench's row list follows the manifest as stores and frameworks are added.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const repo = process.argv[2];
const { stores, frameworks } = await import(pathToFileURL(join(repo, 'runtime', 'manifest.ts')).href);
process.stdout.write(
  JSON.stringify({
    stores: stores.map(({ name, title, file, defaultUrl }) => ({ name, title, file, defaultUrl })),
    frameworks: frameworks.map(({ name, title, file, dependencies }) => ({ name, title, file, dependencies })),
  }) + '\n',
);
