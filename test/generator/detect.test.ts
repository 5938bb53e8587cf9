import { describe, expect, it } from 'vitest';
import { detectPackageManager, findWorkspaceRoot } from '../../generators/app/package-manager.js';
import { readModuleFacts } from '../../generators/app/tsconfig.js';
import { makeApp } from '../helpers/apps.js';
import { join } from 'node:path';

describe('module facts from tsconfig', () => {
  it.each([
    ['NodeNext + type module', { module: 'NodeNext' }, 'module', { importSuffix: '.js', moduleFormat: 'esm' }],
    ['NodeNext without type', { module: 'NodeNext' }, undefined, { importSuffix: '.js', moduleFormat: 'commonjs' }],
    ['commonjs', { module: 'commonjs' }, undefined, { importSuffix: '', moduleFormat: 'commonjs' }],
    [
      'commonjs + node10 (removed in TS 7, still read)',
      { module: 'commonjs', moduleResolution: 'node10' },
      undefined,
      { importSuffix: '', moduleFormat: 'commonjs' },
    ],
    [
      'ESNext + Bundler',
      { module: 'ESNext', moduleResolution: 'Bundler' },
      undefined,
      { importSuffix: '', moduleFormat: 'esm' },
    ],
    ['Preserve', { module: 'Preserve' }, 'module', { importSuffix: '', moduleFormat: 'esm' }],
  ])('%s', (_name, compilerOptions, type, expected) => {
    const root = makeApp({ tsconfig: { compilerOptions } });
    expect(readModuleFacts(root, type)).toMatchObject(expected);
  });

  it('follows an extends chain (file, then file) and sees verbatimModuleSyntax', () => {
    const root = makeApp({
      tsconfig: { extends: './config/app.json' },
      files: {
        'config/app.json': JSON.stringify({ extends: './base.json', compilerOptions: { verbatimModuleSyntax: true } }),
        'config/base.json': JSON.stringify({ compilerOptions: { module: 'Node16' } }),
      },
    });
    expect(readModuleFacts(root, undefined)).toEqual({
      importSuffix: '.js',
      moduleFormat: 'commonjs',
      verbatimModuleSyntax: true,
      configFiles: [join(root, 'tsconfig.json'), join(root, 'config/app.json'), join(root, 'config/base.json')],
    });
  });

  it('without a tsconfig: .js suffixes, format from package.json', () => {
    expect(readModuleFacts(makeApp({ tsconfig: undefined }), 'module')).toEqual({
      importSuffix: '.js',
      moduleFormat: 'esm',
      verbatimModuleSyntax: false,
      configFiles: [],
    });
  });
});

describe('package manager', () => {
  it('takes the packageManager field before any lockfile', () => {
    const root = makeApp({ packageJson: { name: 'a', packageManager: 'yarn@4.5.0' }, files: { 'pnpm-lock.yaml': '' } });
    expect(detectPackageManager(root, undefined)).toEqual({
      name: 'yarn',
      installRoot: root,
      source: 'packageManager field',
    });
  });

  it.each([
    ['pnpm-lock.yaml', 'pnpm'],
    ['yarn.lock', 'yarn'],
    ['bun.lock', 'bun'],
    ['bun.lockb', 'bun'],
    ['package-lock.json', 'npm'],
  ])('reads %s', (lockfile, name) => {
    expect(detectPackageManager(makeApp({ files: { [lockfile]: '' } }), undefined).name).toBe(name);
  });

  it('defaults to npm', () => {
    expect(detectPackageManager(makeApp(), undefined)).toMatchObject({ name: 'npm', source: 'default' });
  });

  it('in a workspace package: finds the root (pnpm-workspace.yaml or workspaces), its lockfile, and installs there', () => {
    const pnpm = makeApp({
      files: {
        'pnpm-workspace.yaml': "packages: ['packages/*']\n",
        'pnpm-lock.yaml': '',
        'packages/api/package.json': '{}',
      },
    });
    const app = join(pnpm, 'packages/api');
    expect(findWorkspaceRoot(app)).toBe(pnpm);
    expect(detectPackageManager(app, pnpm)).toEqual({ name: 'pnpm', installRoot: pnpm, source: 'pnpm-lock.yaml' });
    const npm = makeApp({
      packageJson: { name: 'mono', workspaces: ['apps/*'] },
      files: { 'apps/web/package.json': '{}' },
    });
    expect(findWorkspaceRoot(join(npm, 'apps/web'))).toBe(npm);
  });
});
