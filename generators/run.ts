import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { findStore, type StoreEntry } from '../runtime/manifest.js';
import { exampleCommand } from './actions/context.js';
import { DEFAULT_EXAMPLE_FILE, type CliFlags } from './args.js';
import type { CliIo } from './cli.js';
import { painter, useColor, type Paint } from './colors.js';
import { commitPlan } from './commit.js';
import { describeConflicts, unresolvedConflicts } from './conflicts.js';
import { detectTarget, type TargetApp } from './detect.js';
import { findEntryFile } from './entry-file.js';
import { GeneratorError, UsageError } from './errors.js';
import { findLayer, type ExistingLayer } from './layer.js';
import { nextSteps, type NextSteps } from './next-steps.js';
import { installCommand } from './package-manager.js';
import { generatorVersion } from './paths.js';
import { Plan, type PlannedFile } from './plan.js';
import { LayerBases } from './bases.js';
import {
  askQuestions,
  planLayer,
  regenerateLayer,
  renderUsage,
  type LayerAnswers,
  type PromptAnswers,
  type Question,
} from './plop-generator.js';
import { defaultStoreLines, fileDiff, fileLine, fileLines, nextStepsText, type StepName } from './report.js';
import { requestCommand } from './request.js';
import { forgetStyles } from './transforms/format.js';
import { compareVersions } from './versions.js';

/**
 * One run of the generator: detect the app, find the layer already there, refuse what must not
 * happen (a newer layer, conflicts still open), settle the answers (the layer's own, plus and
 * minus the flags, or prompts on a first run), plan every file in memory, stop if edited files are
 * in the way, then commit the plan all at once and report.
 */
export async function run(flags: CliFlags, io: CliIo): Promise<number> {
  const detected = detectTarget(resolve(io.cwd, flags.cwd));
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
  if (layer) {
    refuseDowngrade(flags, layer);
    if (!flags.force) refuseOpenConflicts(flags, layer, plan);
  }
  // Reaching here with conflicts on record means the user resolved them: say so; the new manifest drops them.
  if (layer?.manifest.conflicts !== undefined && !flags.force)
    plan.notes.push(`the conflicts in ${layer.manifest.conflicts.join(', ')} are resolved`);
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
  const bases = layer === undefined ? undefined : layerBases(target, layer);
  await planLayer(answers, { target, plan, layer, bases, policy, added, removed });

  const paint = painter(!flags.json && useColor(io.stdout, io.env));
  const blocked = plan.blocked;
  if (blocked.length > 0) {
    // A dry run still shows every file; a real run names only the files in the way.
    const shown = flags.dryRun ? plan.files : blocked;
    if (!flags.json) for (const file of shown) io.stdout.write(`${fileLine(file, flags.dryRun, paint)}\n`);
    const paths = blocked.map((file) => file.path);
    const request = layer ? {} : { answers };
    const merge = layer
      ? `To merge your edits into the new version: ${requestCommand(flags, { ...request, command: 'update' })}; to overwrite`
      : 'Move them out of the way, or to overwrite';
    throw new GeneratorError(
      'E_EDITED',
      `${paths.length} file(s) you edited would be overwritten by a new version: ${paths.join(', ')}. ` +
        `Nothing was written. ${merge} them (yours kept as <file>.orig): ${requestCommand(flags, { ...request, command: 'generate', force: true })}`,
      2,
      paths,
    );
  }

  if (!flags.dryRun) await commitPlan(plan);
  if (flags.install && !flags.dryRun) install(target);
  const conflicts = plan.files.filter((file) => file.change === 'conflict');
  const report = await closingReport(flags, io, target, answers, plan, layer, added);
  if (flags.json) {
    const failure =
      conflicts.length > 0
        ? {
            code: 'E_CONFLICT',
            error: conflictMessage(flags, conflicts),
            conflicts: conflicts.map((file) => file.path),
          }
        : {};
    io.stdout.write(
      `${JSON.stringify({ ...jsonReport(flags, target, answers, plan, report, conflicts.length > 0 ? 1 : 0), ...failure }, null, 2)}\n`,
    );
  } else {
    printReport(io, flags, plan, report, paint);
    if (conflicts.length > 0)
      io.stderr.write(`create-session-layer: E_CONFLICT: ${conflictMessage(flags, conflicts)}\n`);
  }
  return conflicts.length > 0 ? 1 : 0;
}

function conflictMessage(flags: CliFlags, conflicts: readonly PlannedFile[]): string {
  return (
    `${conflicts.length} file(s) have conflicts to resolve: ${conflicts.map((file) => file.path).join(', ')} ` +
    "(marked <<<<<<< yours / ======= / >>>>>>> generator, or the generator's version beside it as <file>.new); " +
    `resolve them, then run ${requestCommand(flags, { command: 'update' })} again; until then every run exits 1`
  );
}

/**
 * Where the texts of the layer's last run come from: git, else this generator writing the layer
 * again as recorded (its answers and module settings), when it is the version that wrote it.
 */
function layerBases(target: TargetApp, layer: ExistingLayer): LayerBases {
  const { manifest } = layer;
  const regenerate =
    manifest.version === generatorVersion
      ? () =>
          regenerateLayer(
            {
              framework: manifest.framework,
              language: manifest.language ?? 'ts',
              stores: manifest.stores,
              dir: layer.dir,
              example: manifest.example,
            },
            {
              ...target,
              importSuffix: manifest.module?.importSuffix ?? target.importSuffix,
              moduleFormat: manifest.module?.format ?? target.moduleFormat,
            },
          )
      : undefined;
  return new LayerBases(target.root, manifest.files, regenerate);
}

/** An older generator never rewrites what a newer one wrote, unless told to with --force. */
function refuseDowngrade(flags: CliFlags, layer: ExistingLayer): void {
  const { version } = layer.manifest;
  if (flags.force || compareVersions(version, generatorVersion) <= 0) return;
  throw new UsageError(
    `the layer in ${layer.dir}/ was written by create-session-layer ${version}, newer than this one (${generatorVersion}); ` +
      `nothing was written. Run the newer one: ${requestCommand(flags, { version })}, ` +
      `or rewrite the layer with ${generatorVersion}: ${requestCommand(flags, { command: 'generate', force: true })}`,
    'E_DOWNGRADE',
  );
}

/** Conflicts an earlier update left are state: no run goes on (or says "up to date") until they are resolved. */
function refuseOpenConflicts(flags: CliFlags, layer: ExistingLayer, plan: Plan): void {
  const open = unresolvedConflicts(Object.keys(layer.manifest.files), layer.manifest.conflicts ?? [], (path) =>
    plan.read(path),
  );
  if (open.length === 0) return;
  throw new GeneratorError(
    'E_CONFLICT',
    `${open.length} file(s) still have conflicts from the last update: ${describeConflicts(open)}. Nothing was written. ` +
      'Resolve each (keep what you want between <<<<<<< yours / ======= / >>>>>>> generator and remove the markers; ' +
      `merge a <file>.new into its file, then delete it), then run ${requestCommand(flags)} again`,
    1,
    open.map((conflict) => conflict.path),
  );
}

/** What the run tells the user after the files: the default store and the next steps, each path as seen from the shell. */
async function closingReport(
  flags: CliFlags,
  io: CliIo,
  target: TargetApp,
  answers: LayerAnswers,
  plan: Plan,
  layer: ExistingLayer | undefined,
  added: readonly StoreEntry[],
): Promise<ClosingReport> {
  const index = `${answers.dir}/${answers.language === 'js' ? 'index.js' : 'index.ts'}`;
  const readme = plan.files.find((file) => file.path === `${answers.dir}/README.md`);
  const usageFile = findEntryFile(target.root, target.packageJson['main'], answers.language, [
    answers.dir,
    ...(answers.example ? [answers.example] : []),
  ]);
  const chosen = answers.stores.map(storeEntry);
  const steps = nextSteps({
    target,
    shellCwd: io.cwd,
    readme: readme?.base ?? readme?.after ?? '',
    usage: await renderUsage(answers, target, usageFile),
    usageFile,
    index,
    example: answers.example === undefined ? undefined : exampleCommand(answers.language, answers.example),
    needsInstall: plan.packagesAdded.length > 0 && !flags.install,
    sweptStores: chosen.filter((store) => !store.nativeExpiry).map((store) => store.name),
  });
  const fromShell = relative(io.cwd, resolve(target.root, index)) || index;
  const created = (path: string | undefined) =>
    plan.files.some((file) => file.path === path && file.change === 'created');
  const show = new Set<StepName>(
    layer === undefined
      ? ['install', 'env', 'usage', 'sweep', 'example']
      : [
          'install',
          ...(added.some((store) => !store.nativeExpiry) ? (['sweep'] as const) : []),
          ...(created(answers.example) ? (['example'] as const) : []),
        ],
  );
  return { steps, show, defaultStore: await defaultStoreOf(plan, index, chosen), index: fromShell };
}

interface ClosingReport {
  steps: NextSteps;
  /** The steps the text output shows (--json has them all). */
  show: ReadonlySet<StepName>;
  defaultStore: { store: StoreEntry | undefined; url: string | undefined };
  /** index.ts as seen from the shell. */
  index: string;
}

/**
 * The store index.ts falls back to: the layer's first store while index.ts says what the generator
 * wrote, else what its `defaultStoreUrl` names (the user may have changed it).
 */
async function defaultStoreOf(
  plan: Plan,
  index: string,
  chosen: readonly StoreEntry[],
): Promise<{ store: StoreEntry | undefined; url: string | undefined }> {
  const file = plan.files.find((planned) => planned.path === index);
  const text = file?.after;
  if (text === undefined || text === file?.base) return { store: chosen[0], url: chosen[0]?.defaultUrl };
  // Imported here: it parses index.ts with ts-morph, which only a hand-edited index.ts needs.
  const { defaultStoreUrl, urlScheme } = await import('./wire-index.js');
  const url = defaultStoreUrl(index, text);
  const scheme = url === undefined ? undefined : urlScheme(url);
  return { store: chosen.find((store) => scheme !== undefined && store.schemes.includes(scheme)), url };
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
  const defaultExample = exampleFile('', target.language);
  const missing: Question[] = [];
  if (flags.framework === undefined) missing.push('framework');
  if (flags.stores.length === 0) missing.push('stores');
  if (dirFlag === undefined) missing.push('dir');
  if (flags.example === undefined) missing.push('example');

  let prompted: Partial<PromptAnswers> = {};
  if (io.interactive && !flags.yes && !flags.json && missing.length > 0) {
    const checkDir = (dir: string) => {
      try {
        normalizeRelative(dir, 'the folder');
        return true;
      } catch (error) {
        return (error as Error).message;
      }
    };
    prompted = await askQuestions(missing, target, { dir: defaultDir, example: defaultExample, checkDir });
  }
  const framework = flags.framework ?? prompted.framework ?? target.detectedFramework;
  if (framework === undefined) {
    const found = target.installedFrameworks;
    throw new UsageError(
      found.length > 1
        ? `package.json lists several frameworks (${found.join(', ')}); pass --framework to choose one`
        : 'no framework found in package.json; pass --framework',
    );
  }
  // The default store goes first: the layer's first store is the one index.ts falls back to.
  const picked = flags.stores.length > 0 ? flags.stores : (prompted.stores ?? ['dir']);
  const preferred = prompted.defaultStore ?? picked[0]!;
  const example =
    flags.example === undefined
      ? prompted.example
        ? defaultExample
        : undefined
      : exampleFile(flags.example, target.language);
  return {
    framework,
    language: target.language,
    stores: [preferred, ...picked.filter((name) => name !== preferred)],
    dir: dirFlag ?? normalizeRelative(prompted.dir ?? defaultDir, '--dir'),
    example,
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
  const { defaultStoreUrl, urlScheme } = await import('./wire-index.js');
  const path = plan.read(`${dir}/index.js`) !== undefined ? `${dir}/index.js` : `${dir}/index.ts`;
  const text = plan.read(path);
  const url = text === undefined ? undefined : defaultStoreUrl(path, text);
  const scheme = url === undefined ? undefined : urlScheme(url);
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
  if (result.error !== undefined)
    throw new GeneratorError(
      'E_INSTALL',
      `could not run ${command}: ${result.error.message}; the session layer itself was written`,
      1,
    );
  if (result.status !== 0)
    throw new GeneratorError(
      'E_INSTALL',
      `${command} install failed (exit code ${result.status}); the session layer itself was written`,
      1,
    );
}

function printReport(io: CliIo, flags: CliFlags, plan: Plan, report: ClosingReport, paint: Paint): void {
  const lines: string[] = [];
  if (flags.dryRun) lines.push(paint('bold', 'Dry run: nothing was written.'));
  lines.push(...fileLines(plan.files, flags, paint));
  for (const note of plan.notes) lines.push(`${paint('yellow', 'note')}: ${note}`);
  if (plan.packagesAdded.length > 0)
    lines.push(`package.json: ${flags.dryRun ? 'would add' : 'added'} ${plan.packagesAdded.join(', ')}`);
  lines.push(...defaultStoreLines(report.defaultStore.store, report.defaultStore.url, report.index, paint));
  if (plan.isNoOp) lines.push('The session layer is up to date.');
  io.stdout.write(`${lines.join('\n')}\n`);
  if (!plan.isNoOp && !flags.dryRun) io.stdout.write(nextStepsText(report.steps, report.show, paint));
}

function jsonReport(
  flags: CliFlags,
  target: TargetApp,
  answers: LayerAnswers,
  plan: Plan,
  report: ClosingReport,
  exitCode: number,
): object {
  return {
    ok: exitCode === 0,
    exitCode,
    command: flags.command,
    dryRun: flags.dryRun,
    generatorVersion,
    upToDate: plan.isNoOp,
    layer: answers,
    defaultStore: { name: report.defaultStore.store?.name ?? null, url: report.defaultStore.url ?? null },
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
    nextSteps: report.steps,
  };
}
