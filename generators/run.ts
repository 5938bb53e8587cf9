import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findStore, type StoreEntry } from '../runtime/manifest.js';
import { DEFAULT_EXAMPLE_FILE, type CliFlags } from './args.js';
import { changelogSince, changelogStep, changelogText, type Changelog } from './changelog.js';
import type { CliIo } from './cli.js';
import { painter, useColor } from './colors.js';
import { commitPlan } from './commit.js';
import { detectTarget, type TargetApp } from './detect.js';
import { EditedFilesError, UsageError } from './errors.js';
import { findLayer, type ExistingLayer } from './layer.js';
import { nextSteps, type NextSteps } from './next-steps.js';
import { installCommand } from './package-manager.js';
import { generatorVersion } from './paths.js';
import { Plan } from './plan.js';
import { askQuestions, planLayer, renderUsage, type LayerAnswers } from './plop-generator.js';
import { fileDiff, fileLine, nextStepsText } from './report.js';
import { forgetStyles } from './transforms/format.js';

/**
 * One run of the generator: detect the app, find the layer already there, settle the answers
 * (the layer's own, plus and minus the flags, or prompts on a first run), plan every file in
 * memory, stop if edited files are in the way, then commit the plan all at once and report.
 */
export async function run(flags: CliFlags, io: CliIo): Promise<number> {
  const detected = detectTarget(flags.cwd);
  const dirFlag = flags.dir === undefined ? undefined : normalizeRelative(flags.dir, '--dir');
  const layer = findLayer(detected.root, dirFlag);
  const target = inLanguage(detected, layerLanguage(flags, layer));
  if (layer === undefined && flags.command === 'update') {
    throw new UsageError(
      `no session layer to update in ${target.root} (no session-layer.json); run create-session-layer first`,
    );
  }
  if (layer === undefined && flags.removeStores.length > 0) {
    throw new UsageError(`no session layer in ${target.root} to remove a store from`);
  }

  await forgetStyles();
  const plan = new Plan(target.root);
  const answers = layer
    ? answersFromLayer(flags, target, layer, plan)
    : await answersForNewLayer(flags, target, io, dirFlag);
  const before = layer?.manifest.stores ?? [];
  const added = answers.stores.filter((name) => !before.includes(name)).map(storeEntry);
  const removed = before.filter((name) => !answers.stores.includes(name)).map(storeEntry);
  if (layer && removed.length > 0) await refuseRemovingTheDefault(plan, answers.dir, removed);
  if (target.language === 'ts' && target.moduleFormat === 'commonjs' && target.verbatimModuleSyntax) {
    plan.notes.push(
      'your tsconfig compiles .ts files as CommonJS with verbatimModuleSyntax on, which forbids the import/export syntax the vendored files use: turn verbatimModuleSyntax off, or make the app ESM',
    );
  }
  const policy = flags.command === 'update' ? 'merge' : flags.force ? 'force' : 'stop';
  await planLayer(answers, { target, plan, layer, policy, added, removed });

  const paint = painter(!flags.json && useColor(io.stdout, io.env));
  const blocked = plan.blocked;
  if (blocked.length > 0) {
    // A dry run still shows every file; a real run names only the files in the way.
    const shown = flags.dryRun ? plan.files : blocked;
    if (!flags.json) for (const file of shown) io.stdout.write(`${fileLine(file, flags.dryRun, paint)}\n`);
    const paths = blocked.map((file) => file.path);
    throw new EditedFilesError(
      `${paths.length} file(s) you edited would be overwritten by a new version: ${paths.join(', ')}. ` +
        'Nothing was written. Run `create-session-layer update` to merge your edits into the new version, ' +
        'or add --force to overwrite them (your versions are kept as <file>.orig)',
      paths,
    );
  }

  if (!flags.dryRun) await commitPlan(plan);
  if (flags.install && !flags.dryRun) install(target);
  const conflicts = plan.files.filter((file) => file.change === 'conflict');
  const readme = plan.files.find((file) => file.path === `${answers.dir}/README.md`);
  const steps = nextSteps(
    target,
    readme?.base ?? readme?.after ?? '',
    await renderUsage(answers, target),
    answers.example,
    flags.install,
    answers.language,
  );
  const changes = layer && changelogSince(layer.manifest.version, generatorVersion);
  if (changes) steps.changelog = changelogStep(changes);
  const exitCode = conflicts.length > 0 ? 1 : 0;

  if (flags.json)
    io.stdout.write(`${JSON.stringify(jsonReport(flags, target, answers, plan, steps, exitCode, changes), null, 2)}\n`);
  else printReport(io, flags, plan, steps, conflicts.length, paint, changes);
  return exitCode;
}

/** A re-run: the layer's own framework, folder and stores, plus and minus what the flags say. */
function answersFromLayer(flags: CliFlags, target: TargetApp, layer: ExistingLayer, plan: Plan): LayerAnswers {
  const { manifest, dir } = layer;
  if (flags.framework !== undefined && flags.framework !== manifest.framework) {
    throw new UsageError(
      `the layer in ${dir}/ is for ${manifest.framework}, not ${flags.framework}: a layer has one framework. Drop --framework, or generate a second layer with --dir`,
    );
  }
  for (const name of manifest.stores) {
    if (findStore(name) === undefined)
      throw new UsageError(
        `${dir}/session-layer.json lists the store "${name}", which this version of create-session-layer does not know; use a newer one`,
      );
  }
  for (const name of flags.removeStores.filter((store) => !manifest.stores.includes(store))) {
    plan.notes.push(`the ${name} store is not in the layer; nothing to remove`);
  }
  const stores = [...new Set([...manifest.stores, ...flags.stores])].filter(
    (name) => !flags.removeStores.includes(name),
  );
  if (stores.length === 0)
    throw new UsageError('--remove-store would leave the layer without a store; a layer needs at least one');
  const remembered =
    manifest.example !== undefined && existsSync(join(target.root, manifest.example)) ? manifest.example : undefined;
  const example = flags.example === undefined ? remembered : exampleFile(flags.example, target.language);
  return { framework: manifest.framework, language: target.language, stores, dir, example };
}

/** A first run: flags first; prompts only for what is missing, and only when a person is there to answer. */
async function answersForNewLayer(
  flags: CliFlags,
  target: TargetApp,
  io: CliIo,
  dirFlag: string | undefined,
): Promise<LayerAnswers> {
  const defaultDir = target.hasSrc ? 'src/session' : 'session';
  const missing: Array<keyof LayerAnswers> = [];
  if (flags.framework === undefined) missing.push('framework');
  if (flags.stores.length === 0) missing.push('stores');
  if (dirFlag === undefined) missing.push('dir');

  let prompted: Partial<LayerAnswers> = {};
  if (io.interactive && !flags.yes && !flags.json && missing.length > 0)
    prompted = await askQuestions(missing, target, defaultDir);
  const framework = flags.framework ?? prompted.framework ?? target.detectedFramework;
  if (framework === undefined) throw new UsageError('no framework found in package.json; pass --framework');
  return {
    framework,
    language: target.language,
    stores: flags.stores.length > 0 ? flags.stores : (prompted.stores ?? ['dir']),
    dir: dirFlag ?? normalizeRelative(prompted.dir ?? defaultDir, '--dir'),
    example: flags.example === undefined ? undefined : exampleFile(flags.example, target.language),
  };
}

/**
 * The language a run writes: an existing layer keeps its own (a manifest without one is
 * TypeScript); a new one follows --lang, else the app (a tsconfig.json means TypeScript).
 */
function layerLanguage(flags: CliFlags, layer: ExistingLayer | undefined): 'ts' | 'js' | undefined {
  if (layer === undefined) return flags.lang;
  const language = layer.manifest.language ?? 'ts';
  if (flags.lang !== undefined && flags.lang !== language)
    throw new UsageError(
      `the layer in ${layer.dir}/ is ${language === 'js' ? 'JavaScript' : 'TypeScript'}: drop --lang ${flags.lang}, or generate a second layer with --dir`,
    );
  return language;
}

/** JavaScript is run by node as it is: imports always carry `.js`, and package.json `type` decides ESM or CommonJS. */
function inLanguage(target: TargetApp, language: 'ts' | 'js' | undefined): TargetApp {
  const chosen = language ?? target.language;
  if (chosen === 'ts') return { ...target, language: chosen };
  const moduleFormat = target.packageJson.type === 'module' ? 'esm' : 'commonjs';
  return { ...target, language: chosen, importSuffix: '.js', moduleFormat };
}

/** The example server's path: the default name in the layer's language; a JavaScript layer's must be a .js file. */
function exampleFile(flag: string, language: 'ts' | 'js'): string {
  const path = normalizeRelative(flag || DEFAULT_EXAMPLE_FILE, '--example');
  if (language === 'ts') return path;
  if (path === DEFAULT_EXAMPLE_FILE) return path.replace(/\.ts$/, '.js');
  if (!path.endsWith('.js')) throw new UsageError(`--example must name a .js file in a JavaScript app; got "${flag}"`);
  return path;
}

/** index.ts falls back to `defaultStoreUrl` when SESSION_STORE is unset; removing that store would break start-up. */
async function refuseRemovingTheDefault(plan: Plan, dir: string, removed: readonly StoreEntry[]): Promise<void> {
  // Imported here: it parses index.ts with ts-morph, which a run that removes no store never loads.
  const { defaultStoreScheme } = await import('./wire-index.js');
  const path = plan.read(`${dir}/index.js`) !== undefined ? `${dir}/index.js` : `${dir}/index.ts`;
  const text = plan.read(path);
  const scheme = text === undefined ? undefined : defaultStoreScheme(path, text);
  const store = removed.find((entry) => scheme !== undefined && entry.schemes.includes(scheme));
  if (store)
    throw new UsageError(
      `the ${store.name} store is the default (defaultStoreUrl in ${path}); point defaultStoreUrl at another store first`,
    );
}

function storeEntry(name: string): StoreEntry {
  const store = findStore(name);
  if (store === undefined) throw new UsageError(`unknown store "${name}"`);
  return store;
}

/** Paths inside the app only, as forward-slash relative paths. */
function normalizeRelative(path: string, flag: string): string {
  const clean = path.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  if (clean === '' || clean.startsWith('/') || /^[a-z]:/i.test(clean) || clean.split('/').includes('..')) {
    throw new UsageError(`${flag} must be a path inside the app; got "${path}"`);
  }
  return clean;
}

function install(target: TargetApp): void {
  const [command, ...args] = installCommand(target.packageManager.name);
  const result = spawnSync(command!, args, { cwd: target.packageManager.installRoot, stdio: 'inherit' });
  if (result.error !== undefined) throw new Error(`could not run ${command}: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`${command} install failed (exit code ${result.status}); the session layer itself was written`);
}

function printReport(
  io: CliIo,
  flags: CliFlags,
  plan: Plan,
  steps: NextSteps,
  conflicts: number,
  paint: ReturnType<typeof painter>,
  changes: Changelog | undefined,
): void {
  const out = (text: string) => io.stdout.write(text);
  if (flags.dryRun) out(paint('bold', 'Dry run: nothing was written.\n'));
  if (changes) out(changelogText(changes, paint));
  for (const file of plan.files) {
    out(`${fileLine(file, flags.dryRun, paint)}\n`);
    if (flags.diff) {
      const diff = fileDiff(file, paint);
      if (diff !== '') out(`${diff}\n`);
    }
  }
  for (const note of plan.notes) out(`${paint('yellow', 'note')}: ${note}\n`);
  if (plan.packagesAdded.length > 0)
    out(`package.json: ${flags.dryRun ? 'would add' : 'added'} ${plan.packagesAdded.join(', ')}\n`);
  if (plan.isNoOp) out('The session layer is up to date.\n');
  if (conflicts > 0) {
    io.stderr.write(
      `create-session-layer: ${conflicts} file(s) have conflicts to resolve (marked <<<<<<< yours / >>>>>>> generator, or a <file>.new beside them); exit code 1\n`,
    );
  }
  if (!plan.isNoOp && !flags.dryRun) out(nextStepsText(steps, paint));
}

function jsonReport(
  flags: CliFlags,
  target: TargetApp,
  answers: LayerAnswers,
  plan: Plan,
  steps: NextSteps,
  exitCode: number,
  changes: Changelog | undefined,
): object {
  return {
    ok: exitCode === 0,
    exitCode,
    command: flags.command,
    dryRun: flags.dryRun,
    generatorVersion,
    upToDate: plan.isNoOp,
    layer: answers,
    app: {
      root: target.root,
      language: target.language,
      moduleFormat: target.moduleFormat,
      importSuffix: target.importSuffix,
      packageManager: target.packageManager.name,
      workspaceRoot: target.workspaceRoot ?? null,
    },
    files: plan.files.map((file) => ({
      path: file.path,
      change: file.change,
      ...(file.note ? { note: file.note } : {}),
      ...(file.companions.length > 0 ? { companions: file.companions.map((companion) => companion.path) } : {}),
      ...(flags.diff ? { diff: fileDiff(file, painter(false)) } : {}),
    })),
    packages: { added: plan.packagesAdded },
    notes: plan.notes,
    nextSteps: steps,
    ...(changes ? { changelog: changes } : {}),
  };
}
