/**
 * One home for every default: the session options' defaults live in SESSION_DEFAULTS
 * (runtime/core/options.ts) and the stores' URL forms in runtime/manifest.ts. The layer takes its
 * defaults from there, and the emitted README, the generator's --help and the @default tags of
 * SessionOptions must show the same, as must this project's README and SECURITY.md: a value written
 * down anywhere else, and then left behind, fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectTarget } from '../../generators/app/detect.js';
import { HELP } from '../../generators/cli/args.js';
import { defaultMarkdown, defaultsByPath, defaultText } from '../../generators/defaults.js';
import { templatePath } from '../../generators/paths.js';
import { resolveSelection } from '../../generators/plop/answers.js';
import { templateData, templateRenderer } from '../../generators/plop/templates.js';
import { parseDuration } from '../../runtime/core/duration.js';
import { resolveOptions, SESSION_DEFAULTS } from '../../runtime/core/options.js';
import { stores } from '../../runtime/manifest.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { makeApp, repoRoot } from '../helpers/apps.js';

const defaults = defaultsByPath();

/** The README a layer with every store gets. */
function readme(): string {
  const root = makeApp();
  const selection = resolveSelection(
    {
      framework: 'express',
      language: 'ts',
      stores: stores.map((store) => store.name),
      dir: 'src/session',
      example: undefined,
    },
    [],
  );
  const template = readFileSync(templatePath('README.md.hbs'), 'utf8');
  return templateRenderer({ usage: '' })(template, templateData(selection, detectTarget(root)));
}

describe('defaults have one home', () => {
  it('the layer fills in SESSION_DEFAULTS for every option left out', () => {
    const resolved = resolveOptions({ store: memoryStore() });
    expect(resolved.maxAge).toBe(parseDuration('maxAge', SESSION_DEFAULTS.maxAge));
    expect(resolved.absoluteTimeout).toBeUndefined();
    expect(SESSION_DEFAULTS.absoluteTimeout).toBe(false);
    expect(resolved.regenerateEvery).toBe(parseDuration('regenerateEvery', SESSION_DEFAULTS.regenerateEvery));
    expect(resolved.rotateGrace).toBe(parseDuration('rotateGrace', SESSION_DEFAULTS.rotateGrace));
    expect(resolved.storeTimeout).toBe(parseDuration('storeTimeout', SESSION_DEFAULTS.storeTimeout));
    expect(resolved.onStoreError).toBe(SESSION_DEFAULTS.onStoreError);
    expect(resolved.secrets).toEqual([]);
    expect(SESSION_DEFAULTS.secret).toBeUndefined();
    expect(resolved.cookie).toEqual({
      name: SESSION_DEFAULTS.cookie.name,
      path: SESSION_DEFAULTS.cookie.path,
      domain: SESSION_DEFAULTS.cookie.domain,
      sameSite: 'Lax',
      httpOnly: true,
    });
    expect(SESSION_DEFAULTS.cookie.sameSite).toBe('lax');
    expect(resolved.secure).toBe(SESSION_DEFAULTS.cookie.secure);
    expect(SESSION_DEFAULTS.cookie.hostPrefix).toBe(false);
    expect([resolved.bindIp, resolved.bindUserAgent]).toEqual([false, false]);
    expect(SESSION_DEFAULTS.bind).toEqual([]);
    expect(resolved.maxSize).toBe(SESSION_DEFAULTS.maxSize);
    expect(resolved.logger).toBe(SESSION_DEFAULTS.logger);
  });

  it.each([
    ['the emitted README', readme],
    ["this project's README", () => readFileSync(join(repoRoot, 'README.md'), 'utf8')],
  ])("%s's settings table shows each option's default, and lists every option that has one", (_name, text) => {
    const rows = text()
      .split('\n')
      .map((line) => /^\| (?:`SESSION_[A-Z_]+`)? ?\| `([a-zA-Z.]+)` \| ([^|]+) \|/.exec(line))
      .filter((match) => match !== null)
      .map((match) => [match[1]!, match[2]!.trim()] as const);
    const shown = new Map(rows.filter(([option]) => option !== 'store'));
    expect([...shown.keys()].sort()).toEqual([...defaults.keys()].sort());
    for (const [path, value] of defaults) expect(shown.get(path), path).toBe(defaultMarkdown(value));
  });

  it("the README shows every store's URL forms from the manifest", () => {
    const text = readme();
    for (const store of stores) {
      const line = text.split('\n').find((entry) => entry.startsWith(`- ${store.title}: `));
      expect(line, store.name).toBeDefined();
      for (const form of store.urlForms) expect(line).toContain(`\`${form}\``);
      expect(line).toContain(store.urlNotes);
    }
  });

  it('--help shows the defaults of SESSION_DEFAULTS and every store with its URL forms', () => {
    const section = (title: string) => {
      const start = HELP.indexOf(`\n${title}`);
      expect(start, title).toBeGreaterThan(0);
      return HELP.slice(start + 1, HELP.indexOf('\n\n', start + 1));
    };
    const pairs = [...section('Session defaults').matchAll(/(?<=\s)([a-zA-Z.]+)=(\S+)/g)];
    expect(pairs.map((pair) => pair[1])).toEqual(expect.arrayContaining(['maxAge', 'regenerateEvery', 'cookie.name']));
    for (const [, path, shown] of pairs) {
      expect(defaults.has(path!), `${path} is an option`).toBe(true);
      expect(shown, path).toBe(defaultText(defaults.get(path!)));
    }
    const urls = section('Store URLs').split('\n').slice(1);
    for (const store of stores) {
      const first = urls.findIndex((line) => line.startsWith(`  ${store.name} `));
      expect(first, store.name).toBeGreaterThanOrEqual(0);
      const shownForms = urls
        .slice(first, first + store.urlForms.length)
        .map((line) => line.trim().split(/\s+/).at(-1));
      expect(shownForms, store.name).toEqual(store.urlForms);
    }
  });

  it('SECURITY.md states the defaults of SESSION_DEFAULTS', () => {
    const text = readFileSync(join(repoRoot, 'SECURITY.md'), 'utf8');
    const stated = [...text.matchAll(/`(\w+)`, default (\d+) s\b/g)];
    expect(stated.length).toBeGreaterThan(0);
    for (const [, option, seconds] of stated) expect(String(defaults.get(option!)), option).toBe(seconds);
  });

  it("SessionOptions' @default tags agree with SESSION_DEFAULTS", () => {
    const source = readFileSync(join(repoRoot, 'runtime', 'core', 'options.ts'), 'utf8');
    const body = source.slice(
      source.indexOf('export interface SessionOptions'),
      source.indexOf('export interface ResolvedOptions'),
    );
    const tagged = new Map<string, string>();
    let pending: string | undefined;
    for (const line of body.split('\n')) {
      const tag = /@default (\S+)/.exec(line);
      if (tag) pending = tag[1];
      const property = /^( +)(\w+)\?:/.exec(line);
      if (property && pending !== undefined) {
        tagged.set(property[1]!.length > 2 ? `cookie.${property[2]}` : property[2]!, pending);
        pending = undefined;
      }
    }
    const expected = new Map(
      [...defaults].map(([path, value]) => [
        path,
        value === console ? 'console' : value === undefined ? 'undefined' : JSON.stringify(value),
      ]),
    );
    expect(Object.fromEntries(tagged)).toEqual(Object.fromEntries(expected));
  });
});
