// `--tree LABEL=PATH`: our rows generated from other checkouts of the repo (a git worktree at
// another commit, or a copy with one mechanism taken out), each labelled, measured in the same
// run as everything else. Each tree uses its own CLI, runtime/ and node_modules, so a tree whose
// files or manifest differ generates its own layout.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const LABEL = /^[A-Za-z0-9_]{1,16}$/;

/** `["A=.", "B=../x"]` → `[{ label, root }]`; throws a message naming the bad value. */
export function parseTrees(values, cwd) {
  const trees = [];
  for (const value of values) {
    const [label, ...rest] = value.split('=');
    const path = rest.join('=');
    if (!LABEL.test(label) || !path)
      throw new Error(`--tree ${value}: expected LABEL=PATH, LABEL of letters, digits or _ (at most 16)`);
    if (trees.some((tree) => tree.label === label)) throw new Error(`--tree ${label} is given twice`);
    const root = resolve(cwd, path);
    for (const needed of ['runtime/manifest.ts', 'bin/create-session-layer.js'])
      if (!existsSync(join(root, needed)))
        throw new Error(`--tree ${value}: ${root} has no ${needed}; not a checkout of this repo`);
    if (!existsSync(join(root, 'node_modules', 'tsx')))
      throw new Error(`--tree ${value}: ${root} has no node_modules; run \`npm ci\` there first`);
    trees.push({ label, root });
  }
  return trees;
}

/** "b2f5b37", plus the files changed since that commit when the tree has uncommitted changes. */
export function describeTree(root) {
  const git = (...args) => spawnSync('git', ['-C', root, ...args], { encoding: 'utf8', timeout: 10_000 }).stdout ?? '';
  const commit = git('rev-parse', '--short', 'HEAD').trim() || 'no git commit';
  const changed = git('status', '--porcelain', '--untracked-files=no')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(3));
  if (changed.length === 0) return commit;
  const shown = changed.slice(0, 5).join(', ') + (changed.length > 5 ? `, and ${changed.length - 5} more` : '');
  return `${commit} + uncommitted changes to ${shown}`;
}
