import type { TargetApp } from '../app/detect.js';
import type { Plan } from '../layer/plan.js';
import { generatorVersion } from '../paths.js';
import type { ActionResult } from '../plop/generator.js';
import type { LayerAnswers } from '../plop/answers.js';
import type { CliFlags } from './args.js';
import { painter } from './colors.js';
import { fileDiff } from './report.js';
import type { RunSummary } from './summary.js';

/** The --json report of a run: one object for tools, with what the text report says and each action's own result. */
export function jsonReport(run: {
  flags: CliFlags;
  target: TargetApp;
  answers: LayerAnswers;
  plan: Plan;
  actions: readonly ActionResult[];
  summary: RunSummary;
  exitCode: number;
  failure?: { code: string; error: string; files: readonly string[] } | undefined;
}): object {
  const { flags, target, answers, plan, actions, summary, exitCode, failure } = run;
  return {
    ok: exitCode === 0,
    exitCode,
    ...(failure ?? {}),
    command: flags.command,
    dryRun: flags.dryRun,
    generatorVersion,
    upToDate: plan.isNoOp,
    layer: {
      framework: answers.framework,
      language: answers.language,
      stores: answers.stores,
      dir: answers.dir,
      example: answers.example,
    },
    defaultStore: { name: summary.defaultStore.store?.name ?? null, url: summary.defaultStore.url ?? null },
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
    actions,
    packages: { added: plan.packagesAdded },
    notes: plan.notes,
    nextSteps: summary.steps,
    ...(summary.changelog ? { changelog: summary.changelog } : {}),
  };
}
