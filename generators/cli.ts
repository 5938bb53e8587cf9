import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_EXAMPLE_FILE, HELP, parseFlags, type CliFlags } from './args.js';
import { detectTarget, type TargetApp } from './detect.js';
import { UsageError } from './errors.js';
import { commitPlan, Plan } from './plan.js';
import { createPlop, MANIFEST_FILE, planLayer, promptsFor, type LayerAnswers, type LayerManifest } from './plop-generator.js';
import { generatorVersion } from './paths.js';

/** Runs the CLI and resolves the exit code: 0 done, 1 failed, 2 bad usage or edited files in the way. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const flags = parseFlags(argv);
    if (flags.help) {
      process.stdout.write(HELP);
      return 0;
    }
    return await run(flags);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`create-session-layer: ${message}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

async function run(flags: CliFlags): Promise<number> {
  const target = detectTarget(flags.cwd);
  const plop = await createPlop();
  const answers = await resolveAnswers(plop, flags, target);
  const plan = new Plan(target.root, recordedHashes(target.root, answers.dir));
  await planLayer(plop, target, plan, answers);

  for (const file of plan.files) process.stdout.write(`${flags.dryRun ? 'would ' : ''}${describe(file.change)} ${file.path}\n`);
  const kept = plan.files.filter((file) => file.change === 'kept-yours');
  if (!flags.dryRun) await commitPlan(plan);
  if (plan.writes.length === 0) process.stdout.write('The session layer is up to date.\n');
  if (kept.length > 0) {
    process.stderr.write(`create-session-layer: ${kept.length} file(s) were edited in your app and were left as they are: ${kept.map((f) => f.path).join(', ')}\n`);
  }
  if (flags.dryRun) return 0;
  const manager = packageManager(target);
  if (flags.install) {
    const result = spawnSync(manager, ['install'], { cwd: target.root, stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`${manager} install failed`);
  }
  printNextSteps(answers, manager, flags.install);
  return 0;
}

/** Flags first; prompts only for what is missing, and only when a person is there to answer. */
async function resolveAnswers(plop: Awaited<ReturnType<typeof createPlop>>, flags: CliFlags, target: TargetApp): Promise<LayerAnswers> {
  const defaultDir = target.hasSrc ? 'src/session' : 'session';
  const interactive = !flags.yes && !process.env.CI && process.stdin.isTTY === true && process.stdout.isTTY === true;
  const missing: Array<keyof LayerAnswers> = [];
  if (flags.framework === undefined) missing.push('framework');
  if (flags.stores.length === 0) missing.push('stores');
  if (flags.dir === undefined) missing.push('dir');

  let prompted: Partial<LayerAnswers> = {};
  if (interactive && missing.length > 0) {
    const generator = plop.setGenerator('questions', { description: 'questions', prompts: promptsFor(missing, target, defaultDir), actions: [] });
    prompted = (await generator.runPrompts()) as Partial<LayerAnswers>;
  }
  const framework = flags.framework ?? prompted.framework ?? target.detectedFramework;
  if (framework === undefined) throw new UsageError('no framework found in package.json; pass --framework');
  return {
    framework,
    stores: flags.stores.length > 0 ? flags.stores : (prompted.stores ?? ['dir']),
    dir: normalizeRelative(flags.dir ?? prompted.dir ?? defaultDir, '--dir'),
    example: flags.example === undefined ? undefined : normalizeRelative(flags.example || DEFAULT_EXAMPLE_FILE, '--example'),
  };
}

/** Paths inside the app only, as forward-slash relative paths. */
function normalizeRelative(path: string, flag: string): string {
  const clean = path.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  if (clean === '' || clean.startsWith('/') || clean.split('/').includes('..')) {
    throw new UsageError(`${flag} must be a path inside the app; got "${path}"`);
  }
  return clean;
}

function recordedHashes(root: string, dir: string): Record<string, string> {
  const path = join(root, dir, MANIFEST_FILE);
  if (!existsSync(path)) return {};
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as LayerManifest).files ?? {};
  } catch {
    throw new UsageError(`${path} is not valid JSON; fix or delete it`);
  }
}

function describe(change: string): string {
  return { create: 'create', update: 'update', unchanged: 'unchanged', 'kept-yours': 'keep (edited by you)' }[change] ?? change;
}

/** The `packageManager` field first, then lockfiles. */
function packageManager(target: TargetApp): string {
  const declared = target.packageJson['packageManager'];
  if (typeof declared === 'string') return declared.split('@')[0] || 'npm';
  const lockfiles: Array<[string, string]> = [['pnpm-lock.yaml', 'pnpm'], ['yarn.lock', 'yarn'], ['bun.lockb', 'bun'], ['bun.lock', 'bun']];
  return lockfiles.find(([file]) => existsSync(join(target.root, file)))?.[1] ?? 'npm';
}

function printNextSteps(answers: LayerAnswers, manager: string, installed: boolean): void {
  const steps = [
    `Session layer ${generatorVersion} for ${answers.framework} written to ${answers.dir}/ (read ${answers.dir}/README.md).`,
    'Next steps:',
    ...(installed ? [] : [`  ${manager} install`]),
    `  set SESSION_STORE (default: ${answers.stores[0]} store) and SESSION_SECRET (32+ characters) in your environment`,
    ...(answers.example ? [`  npx tsx ${answers.example}   # the example server on http://127.0.0.1:3000`] : []),
  ];
  process.stdout.write(`${steps.join('\n')}\n`);
}
