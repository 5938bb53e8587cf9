import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';

const NAMES = ['server', 'app', 'index', 'main'];
const EXTENSIONS = { ts: ['.ts', '.mts', '.cts', '.js', '.mjs'], js: ['.js', '.mjs', '.cjs'] } as const;

/**
 * The file the app starts from, where the usage snippet's import will go, relative to the app
 * root: package.json `main` when it is a file that exists, else the usual names (server, app,
 * index, main) in src/, then at the root. Undefined when none is found; the snippet then imports
 * from the app root. Files of the layer and the example server are not the app's entry.
 */
export function findEntryFile(
  root: string,
  main: unknown,
  language: 'ts' | 'js',
  notEntries: readonly string[],
): string | undefined {
  const candidates: string[] = [];
  if (typeof main === 'string' && main.trim() !== '') candidates.push(posix.normalize(main.replace(/\\/g, '/')));
  for (const folder of ['src', '.'])
    for (const name of NAMES)
      for (const extension of EXTENSIONS[language]) candidates.push(posix.join(folder, `${name}${extension}`));
  return candidates.find(
    (path) =>
      !path.startsWith('../') &&
      !notEntries.some((excluded) => path === excluded || path.startsWith(`${excluded}/`)) &&
      existsSync(join(root, path)),
  );
}
