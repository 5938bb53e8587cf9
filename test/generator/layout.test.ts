/**
 * generators/ stays readable as it grows: grouped by job in folders, no two files with one name,
 * and no import cycles (a module graph a reader can follow from cli.ts down).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/apps.js';

const generators = join(repoRoot, 'generators');

function sources(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(folder, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(folder, entry.name)]
        : [],
  );
}

/** Each file's relative imports inside generators/ (type-only ones too: they are part of the graph a reader follows). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(generators)) {
    const specifiers = [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)];
    const targets = specifiers
      .map((match) => normalize(join(dirname(file), match[1]!.replace(/\.js$/, '.ts'))))
      .filter((target) => target.startsWith(generators));
    graph.set(file, targets);
  }
  return graph;
}

describe('generators/ layout', () => {
  it('has no two files with the same name', () => {
    const names = sources(generators).map((file) => file.slice(file.lastIndexOf('/') + 1));
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it('has no import cycles', () => {
    const graph = importGraph();
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, path: string[]) => {
      state.set(file, 'visiting');
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'visiting')
          cycles.push([...path.slice(path.indexOf(next)), next].map((f) => relative(generators, f)).join(' → '));
        else if (!state.has(next)) visit(next, [...path, next]);
      }
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file, [file]);
    expect(cycles).toEqual([]);
  });
});
