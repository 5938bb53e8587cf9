import { relative, resolve } from 'node:path';
import type { StoreEntry } from '../../runtime/manifest.js';
import { findEntryFile } from '../app/entry-file.js';
import type { TargetApp } from '../app/detect.js';
import { storeForUrl } from '../layer/default-store.js';
import type { Plan } from '../layer/plan.js';
import type { Selection } from '../plop/answers.js';
import { codePath, exampleCommand, renderUsage } from '../plop/templates.js';
import { generatorVersion } from '../paths.js';
import { changelogSince, changelogStep, type Changelog } from './changelog.js';
import { nextSteps, type NextSteps } from './next-steps.js';

export type StepName = 'changelog' | 'install' | 'env' | 'usage' | 'sweep' | 'example';

/** What a run tells the user after its files: the default store and the next steps, each path as seen from the shell. */
export interface RunSummary {
  steps: NextSteps;
  /**
   * The steps the text output shows (--json has them all). A first run shows them all; a re-run
   * only what it made new (packages to install, a store to sweep, an example to try).
   */
  show: ReadonlySet<StepName>;
  /** The store index.ts falls back to (undefined when defaultStoreUrl is the user's own code), and its URL. */
  defaultStore: { store: StoreEntry | undefined; url: string | undefined };
  /** index.ts as seen from the shell. */
  index: string;
  /** The generator version that wrote the layer before this run (undefined on a first run): what an update moved from. */
  previousVersion: string | undefined;
  /** The CHANGELOG.md entries between the layer's version and this one, when the run moves the layer forward. */
  changelog: Changelog | undefined;
}

export async function summarize(
  selection: Selection,
  target: TargetApp,
  plan: Plan,
  run: { shellCwd: string; previousVersion: string | undefined; installed: boolean },
): Promise<RunSummary> {
  const index = codePath(selection.language, `${selection.dir}/index.ts`);
  const readme = plan.files.find((file) => file.path === `${selection.dir}/README.md`);
  const usageFile = findEntryFile(target.root, target.packageJson['main'], selection.language, [
    selection.dir,
    ...(selection.example ? [selection.example] : []),
  ]);
  const steps = nextSteps({
    target,
    shellCwd: run.shellCwd,
    readme: readme?.base ?? readme?.after ?? '',
    usage: await renderUsage(selection, target, usageFile),
    usageFile,
    index,
    example: selection.example === undefined ? undefined : exampleCommand(selection.language, selection.example),
    needsInstall: plan.packagesAdded.length > 0 && !run.installed,
    sweptStores: selection.storeEntries.filter((store) => !store.nativeExpiry).map((store) => store.name),
  });
  const created = (path: string | undefined) =>
    plan.files.some((file) => file.path === path && file.change === 'created');
  const show = new Set<StepName>(
    run.previousVersion === undefined
      ? ['install', 'env', 'usage', 'sweep', 'example']
      : [
          'install',
          ...(selection.added.some((store) => !store.nativeExpiry) ? (['sweep'] as const) : []),
          ...(created(selection.example) ? (['example'] as const) : []),
        ],
  );
  const changelog =
    run.previousVersion === undefined ? undefined : changelogSince(run.previousVersion, generatorVersion);
  if (changelog) {
    steps.changelog = changelogStep(changelog);
    show.add('changelog');
  }
  const url = plan.defaultStoreUrl;
  return {
    steps,
    show,
    defaultStore: { store: url === undefined ? undefined : storeForUrl(url, selection.storeEntries), url },
    index: relative(run.shellCwd, resolve(target.root, index)) || index,
    previousVersion: run.previousVersion,
    changelog,
  };
}
