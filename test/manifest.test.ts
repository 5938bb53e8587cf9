/**
 * Keeps runtime/manifest.ts true: every listed file exists, every store and glue on disk is
 * listed, and each vendored file imports only what the architecture allows (core: node:
 * built-ins; a store: its client; glue: its framework).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frameworks, stores } from '../runtime/manifest.js';
import { repoRoot } from './helpers/apps.js';

const runtime = join(repoRoot, 'runtime');

function importsOf(file: string): string[] {
  const text = readFileSync(join(runtime, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)].map((match) => match[1]!);
}

const packageOf = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;

describe('runtime manifest', () => {
  it('lists every store and framework file on disk, and nothing else', () => {
    const onDisk = (folder: string) =>
      readdirSync(join(runtime, folder))
        .filter((name) => name.endsWith('.ts') && !name.startsWith('_'))
        .map((name) => `${folder}/${name}`)
        .sort();
    expect(stores.map((store) => store.file).sort()).toEqual(onDisk('stores'));
    expect(frameworks.map((framework) => framework.file).sort()).toEqual(onDisk('frameworks'));
  });

  it('core imports only node: built-ins and other core files', () => {
    for (const name of readdirSync(join(runtime, 'core'))) {
      for (const specifier of importsOf(`core/${name}`)) {
        expect(
          specifier.startsWith('node:') || /^\.\/[a-z-]+\.js$/.test(specifier),
          `${name} imports ${specifier}`,
        ).toBe(true);
      }
    }
  });

  /**
   * A store's or glue's file and helpers import only node: built-ins, core, the entry's own
   * helpers (`./_name.js`) and its packages, and the manifest lists exactly the helpers imported:
   * an app gets no file that nothing imports.
   */
  function expectImports(
    folder: string,
    files: readonly string[],
    helpers: readonly string[],
    packages: readonly string[],
  ) {
    const helpersImported = new Set<string>();
    for (const file of files) {
      for (const specifier of importsOf(file)) {
        const helper = /^\.\/(_[a-z-]+)\.js$/.exec(specifier)?.[1];
        if (helper !== undefined) helpersImported.add(`${folder}/${helper}.ts`);
        const ok =
          specifier.startsWith('node:') ||
          specifier.startsWith('../core/') ||
          helper !== undefined ||
          packages.includes(packageOf(specifier));
        expect(ok, `${file} imports ${specifier}`).toBe(true);
      }
    }
    expect([...helpersImported].sort()).toEqual([...helpers].sort());
  }

  it.each(stores.map((store) => [store.name, store] as const))(
    'store %s imports only core, its helpers and its client',
    (_name, store) => {
      expectImports('stores', [store.file, ...store.helpers], store.helpers, Object.keys(store.dependencies));
      expect(readFileSync(join(runtime, store.file), 'utf8')).toContain(`export function ${store.factory}(`);
    },
  );

  it.each(frameworks.map((framework) => [framework.name, framework] as const))(
    'glue %s imports only core, its declared helpers and its framework',
    (_name, framework) => {
      const packages = [
        ...Object.keys(framework.dependencies),
        ...Object.keys(framework.devDependencies).map((name) => name.replace(/^@types\//, '')),
      ];
      expectImports('frameworks', [framework.file, ...framework.helpers], framework.helpers, packages);
      expect(readFileSync(join(runtime, framework.file), 'utf8')).toContain(`export function ${framework.factory}(`);
    },
  );

  it.each(stores.map((store) => [store.name, store] as const))(
    'store %s declares nativeExpiry as its deleteExpired behaves',
    (_name, store) => {
      // A store whose backend expires records itself has nothing to sweep: its deleteExpired resolves undefined.
      const source = readFileSync(join(runtime, store.file), 'utf8');
      expect(/deleteExpired: \(\) => Promise\.resolve\(undefined\)/.test(source), `${store.file} deleteExpired`).toBe(
        store.nativeExpiry,
      );
    },
  );

  it.each([...stores, ...frameworks].map((entry) => [entry.file, entry] as const))(
    '%s declares exactly the helpers it imports (and they import)',
    (_file, entry) => {
      // The generator vendors the file, its declared helpers and core/: an undeclared helper would be missing in the app.
      const helpers = new Set<string>();
      const follow = (file: string) => {
        for (const specifier of importsOf(file).filter((s) => /^\.\/_[a-z-]+\.js$/.test(s))) {
          const helper = join(dirname(file), specifier.replace(/\.js$/, '.ts'));
          if (!helpers.has(helper)) {
            helpers.add(helper);
            follow(helper);
          }
        }
      };
      follow(entry.file);
      expect([...helpers].sort()).toEqual([...entry.helpers].sort());
    },
  );

  it("lists each framework's example, and every example on disk belongs to a framework", () => {
    expect(frameworks.map((framework) => framework.example).sort()).toEqual(
      readdirSync(join(runtime, 'examples'))
        .filter((name) => name.endsWith('.ts'))
        .map((name) => `examples/${name}`)
        .sort(),
    );
  });

  it.each(frameworks.map((framework) => [framework.name, framework] as const))(
    'example %s imports only node: built-ins, core, its own glue and its framework, and exports exampleApp and serveExample',
    (_name, framework) => {
      // The generator points the example's relative imports into the app's layer folder: any other
      // file would be missing there. Types only from the glue: the app's copy gets the glue from index.ts.
      const packages = [
        ...Object.keys(framework.dependencies),
        ...Object.keys(framework.devDependencies).map((name) => name.replace(/^@types\//, '')),
      ];
      const glue = `../${framework.file.replace(/\.ts$/, '.js')}`;
      for (const specifier of importsOf(framework.example)) {
        const ok =
          specifier.startsWith('node:') ||
          /^\.\.\/core\/[a-z-]+\.js$/.test(specifier) ||
          specifier === glue ||
          packages.includes(packageOf(specifier));
        expect(ok, `${framework.example} imports ${specifier}`).toBe(true);
      }
      const source = readFileSync(join(runtime, framework.example), 'utf8');
      expect(source).toMatch(/^export function exampleApp\(\s*sessions: SessionManager,/m);
      expect(source).toMatch(/^export function serveExample\(\s*sessions: SessionManager,/m);
      expect(source, 'the app gets sessions from the layer').not.toMatch(/^import .*\bsessions\b.* from /m);
    },
  );

  it.each(stores.map((store) => [store.name, store] as const))(
    'store %s shows a URL form for each of its schemes, and only its schemes',
    (_name, store) => {
      const schemes = store.urlForms.map((form) => /^([a-z][a-z0-9+]*:)/.exec(form)?.[1]);
      for (const scheme of schemes) expect(store.schemes, `${store.name} URL form scheme ${scheme}`).toContain(scheme);
      expect([...new Set(schemes)].sort()).toEqual([...store.schemes].sort());
      expect(store.schemes).toContain(/^([a-z][a-z0-9+]*:)/.exec(store.defaultUrl)?.[1]);
    },
  );

  it('every store helper exists and every package in the manifest is installed here for the tests', () => {
    const installed = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    const ours = { ...installed.dependencies, ...installed.devDependencies };
    for (const entry of [...stores, ...frameworks]) {
      for (const name of [...Object.keys(entry.dependencies), ...Object.keys(entry.devDependencies)])
        expect(ours[name], name).toBeDefined();
    }
    for (const entry of [...stores, ...frameworks])
      for (const helper of entry.helpers) expect(() => readFileSync(join(runtime, helper))).not.toThrow();
  });
});
