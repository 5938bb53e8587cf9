import type { TargetApp } from '../../app/detect.js';
import type { LayerBases } from '../../layer/bases.js';
import type { ExistingLayer } from '../../layer/existing-layer.js';
import type { Plan, PlannedFile } from '../../layer/plan.js';
import { reconcile, type EditPolicy, type ReconcileContext } from '../../layer/reconcile.js';
import { format } from '../../transforms/format.js';
import type { Selection } from '../answers.js';
import type { RenderString } from '../templates.js';

/*
 * What the plop actions share: the data plop passes each of them, and how a generated file is
 * planned against what the app has.
 */

/** How this run relates to what is already in the app. */
export interface RunContext {
  target: TargetApp;
  plan: Plan;
  layer: ExistingLayer | undefined;
  /** Where the texts of the layer's last run come from (git, or generating them again). */
  bases: LayerBases | undefined;
  policy: EditPolicy;
  /** Plan the layer's own files only, not package.json, .gitignore or the manifest: to learn what the generator writes. */
  filesOnly?: boolean | undefined;
}

/** Passed to every action by plop: the selection, where to plan, facts about the app, the template renderer. */
export interface ActionData extends Selection, RunContext {
  render: RenderString;
}

/** How reconcile() treats the user's edits in this run, and how it reaches the plan and the app's style. */
export function reconcileContext(data: ActionData): ReconcileContext {
  return {
    policy: data.policy,
    exists: (path) => data.plan.exists(path),
    formatLikeApp: (path, text) => format(data.target.root, path, text),
  };
}

/** Plans a generated file against what the app has: created, updated, kept, merged, or in the way. */
export async function planGenerated(data: ActionData, path: string, generated: string): Promise<PlannedFile> {
  const recordedHash = data.layer?.manifest.files[path];
  const base = async () => data.bases?.get(path);
  return data.plan.add(
    await reconcile({ path, generated, disk: data.plan.read(path), recordedHash, base }, reconcileContext(data)),
  );
}
