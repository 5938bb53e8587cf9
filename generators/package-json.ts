import type { PackageJson } from './detect.js';

export interface Additions {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

/**
 * Adds missing packages to package.json text. A package the app already lists (in either
 * section) keeps its range: we never rewrite a version the app pinned. Indentation and the
 * trailing newline of the original file are kept.
 */
export function addPackages(
  text: string,
  packageJson: PackageJson,
  additions: Additions,
): { text: string; added: string[] } {
  const present = { ...packageJson.dependencies, ...packageJson.devDependencies };
  const next: PackageJson = { ...packageJson };
  const added: string[] = [];
  for (const section of ['dependencies', 'devDependencies'] as const) {
    const missing = Object.entries(additions[section]).filter(([name]) => !(name in present));
    if (missing.length === 0) continue;
    const merged = { ...next[section] };
    for (const [name, range] of missing) {
      merged[name] = range;
      added.push(`${name}@${range}`);
    }
    next[section] = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
  }
  if (added.length === 0) return { text, added };
  const indent = /^[ \t]+(?=")/m.exec(text)?.[0] ?? '  ';
  return { text: JSON.stringify(next, null, indent) + (text.endsWith('\n') ? '\n' : ''), added };
}
