import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { detectTarget, type TargetApp } from './app/detect.js';
import { normalizeRelative } from './app/inside-app.js';
import { installCommand } from './app/package-manager.js';
import type { CliFlags } from './cli/args.js';
import { painter, useColor } from './cli/colors.js';
import type { CliIo } from './cli/io.js';
import { jsonReport } from './cli/json-report.js';
import { fileLine, printRun } from './cli/report.js';
import { requestCommand } from './cli/request.js';
import { summarize } from './cli/summary.js';
import { GeneratorError, UsageError } from './errors.js';
import { LayerBases } from './layer/bases.js';
import { commitPlan } from './layer/commit.js';
import { describeConflicts, unresolvedConflicts } from './layer/conflicts.js';
import { findLayer, type ExistingLayer } from './layer/existing-layer.js';
import { Plan, type PlannedFile } from './layer/plan.js';
import { compareVersions } from './layer/versions.js';
import { generatorVersion } from './paths.js';
import {
  answersForNewLayer,
  answersFromLayer,
  defaultDir,
  exampleFile,
  inLayerLanguage,
  openQuestions,
  resolveSelection,
  type LayerAnswers,
} from './plop/answers.js';
import { planLayer, regenerateLayer, sessionLayerGenerator } from './plop/generator.js';
import { promptsFor, type PromptAnswers } from './plop/prompts.js';
import { forgetStyles } from './transforms/format.js';

/**
 * One run of the generator, in order:
 * 1. read the app (package.json, tsconfig, package manager) and the layer already in it;
 * 2. refuse what must not happen: a layer from a newer generator, conflicts still open;
 * 3. settle the answers (the layer's own plus and minus the flags, or flags and prompts on a first
 *    run) and resolve them into registry entries, once;
 * 4. let the plop generator's actions plan every file into one in-memory Plan;
 * 5. stop if files the user edited are in the way; else commit the plan all or nothing;
 * 6. report (text or --json) and exit 1 while conflicts are left to resolve.
 */
export async function run(flags: CliFlags, io: CliIo): Promise<number> {
  const detected = detectTarget(resolve(io.cwd, flags.cwd));
  const dirFlag = flags.dir === undefined ? undefined : normalizeRelative(flags.dir, '--dir');
  const layer = findLayer(detected.root, dirFlag);
  const target = inLayerLanguage(detected, flags, layer);
  if (layer === undefined && flags.command === 'update')
    throw new UsageError(
      `no session layer to update in ${target.root} (no session-layer.json); run create-session-layer first`,
    );
  if (layer === undefined && flags.removeStores.length > 0)
    throw new UsageError(`no session layer in ${target.root} to remove a store from`);

  await forgetStyles();
  const plan = new Plan(target.root);
  if (layer) {
    refuseDowngrade(flags, layer);
    if (!flags.force) refuseOpenConflicts(flags, layer, plan);
    // Reaching here with conflicts on record means the user resolved them: say so; the new manifest drops them.
    if (layer.manifest.conflicts !== undefined && !flags.force)
      plan.notes.push(`the conflicts in ${layer.manifest.conflicts.join(', ')} are resolved`);
  }
  if (target.language === 'ts' && target.moduleFormat === 'commonjs' && target.verbatimModuleSyntax)
    plan.notes.push(
      'your tsconfig compiles .ts files as CommonJS with verbatimModuleSyntax on, which forbids the import/export syntax the vendored files use: turn verbatimModuleSyntax off, or make the app ESM',
    );

  // The generator carries the prompts, when a person is there to answer what the flags left open.
  const questions =
    layer === undefined && io.interactive && !flags.yes && !flags.json ? openQuestions(flags, dirFlag) : [];
  const generator = await sessionLayerGenerator(
    promptsFor(questions, target, { dir: defaultDir(target), example: exampleFile('', target.language) }),
  );
  const prompted: Partial<PromptAnswers> = questions.length > 0 ? await generator.runPrompts() : {};
  const answers = layer
    ? answersFromLayer(flags, target, layer, plan.notes)
    : answersForNewLayer(flags, target, dirFlag, prompted);
  const selection = resolveSelection(answers, layer?.manifest.stores ?? []);
  const policy = flags.command === 'update' ? 'merge' : flags.force ? 'force' : 'stop';
  const bases = layer === undefined ? undefined : layerBases(target, layer);
  const actions = await planLayer(generator, selection, { target, plan, layer, bases, policy });

  const paint = painter(!flags.json && useColor(io.stdout, io.env));
  if (plan.blocked.length > 0) {
    // A dry run still shows every file; a real run names only the files in the way.
    const shown = flags.dryRun ? plan.files : plan.blocked;
    if (!flags.json) for (const file of shown) io.stdout.write(`${fileLine(file, flags.dryRun, paint)}\n`);
    throw editedFilesError(flags, plan.blocked, layer === undefined ? answers : undefined);
  }
  if (!flags.dryRun) await commitPlan(plan);
  if (flags.install && !flags.dryRun) install(target);

  const summary = await summarize(selection, target, plan, {
    shellCwd: io.cwd,
    previousVersion: layer?.manifest.version,
    installed: flags.install,
  });
  const conflicts = plan.files.filter((file) => file.change === 'conflict');
  const exitCode = conflicts.length > 0 ? 1 : 0;
  const failure =
    conflicts.length > 0
      ? { code: 'E_CONFLICT', error: conflictsLeft(flags, conflicts), files: conflicts.map((file) => file.path) }
      : undefined;
  if (flags.json) {
    const report = jsonReport({ flags, target, answers, plan, actions, summary, exitCode, failure });
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    printRun(io, flags, plan, summary, paint);
    if (failure) io.stderr.write(`create-session-layer: ${failure.code}: ${failure.error}\n`);
  }
  return exitCode;
}

/** Files the user edited are in the way of a plain run: the two commands that go on, each repeating the request. */
function editedFilesError(
  flags: CliFlags,
  blocked: readonly PlannedFile[],
  firstRun: LayerAnswers | undefined,
): GeneratorError {
  const paths = blocked.map((file) => file.path);
  const request = firstRun === undefined ? {} : { answers: firstRun };
  const merge =
    firstRun === undefined
      ? `To merge your edits into the new version: ${requestCommand(flags, { ...request, command: 'update' })}; to overwrite`
      : 'Move them out of the way, or to overwrite';
  return new GeneratorError(
    'E_EDITED',
    `${paths.length} file(s) you edited would be overwritten by a new version: ${paths.join(', ')}. ` +
      `Nothing was written. ${merge} them (yours kept as <file>.orig): ${requestCommand(flags, { ...request, command: 'generate', force: true })}`,
    2,
    paths,
  );
}

function conflictsLeft(flags: CliFlags, conflicts: readonly PlannedFile[]): string {
  const paths = conflicts.map((file) => file.path).join(', ');
  if (flags.dryRun) return `${conflicts.length} file(s) would have conflicts to resolve: ${paths}; nothing was written`;
  return (
    `${conflicts.length} file(s) have conflicts to resolve: ${paths} ` +
    "(marked <<<<<<< yours / ======= / >>>>>>> generator, or the generator's version beside it as <file>.new); " +
    `resolve them, then run ${requestCommand(flags, { command: 'update' })} again; until then every run exits 1`
  );
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

/**
 * Where the texts of the layer's last run come from: git, else this generator writing the layer
 * again as recorded (its answers and module settings), when it is the version that wrote it.
 */
function layerBases(target: TargetApp, layer: ExistingLayer): LayerBases {
  const { manifest } = layer;
  const recorded = (): LayerAnswers => ({
    framework: manifest.framework,
    language: manifest.language ?? 'ts',
    stores: manifest.stores,
    dir: layer.dir,
    example: manifest.example,
  });
  const asRecorded: TargetApp = {
    ...target,
    importSuffix: manifest.module?.importSuffix ?? target.importSuffix,
    moduleFormat: manifest.module?.format ?? target.moduleFormat,
  };
  const regenerate =
    manifest.version === generatorVersion
      ? () => regenerateLayer(resolveSelection(recorded(), []), asRecorded)
      : undefined;
  return new LayerBases(target.root, manifest.files, regenerate);
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
