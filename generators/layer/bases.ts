import { spawnSync } from 'node:child_process';
import { matchesRecorded } from './plan.js';

/** Candidate texts per path: what generating the layer again gives (several where its history may differ). */
export type Regenerate = () => Promise<ReadonlyMap<string, readonly string[]>>;

/**
 * The texts the generator wrote last time: the base `update` merges the user's edits against, and
 * how a reformatted file is told from an edited one. None of them is stored in the app:
 * session-layer.json records each text's git blob id, and the text comes back
 *  1. from the app's git repository (the layer as committed when it was generated, or any commit
 *     of a file the user had not edited), else
 *  2. by generating the layer again from the recorded answers and module settings, when this
 *     generator is the version that wrote it,
 * each checked against the recorded id. A file neither gives back has no base: `update` then leaves
 * the generator's version beside the user's as `<file>.new`.
 *
 * Both lookups run at most once per run, and only when a file the user edited needs its base.
 */
export class LayerBases {
  private fromGit: ReadonlyMap<string, string> | undefined;
  private regenerated: Promise<ReadonlyMap<string, readonly string[]>> | undefined;

  constructor(
    private readonly root: string,
    private readonly recorded: Readonly<Record<string, string>>,
    private readonly regenerate: Regenerate | undefined,
  ) {}

  async get(path: string): Promise<string | undefined> {
    const id = this.recorded[path];
    if (id === undefined) return undefined;
    this.fromGit ??= readBlobs(this.root, Object.values(this.recorded));
    const committed = this.fromGit.get(id);
    if (committed !== undefined) return committed;
    if (this.regenerate === undefined) return undefined;
    // A failure to regenerate only costs the merge: that file gets its <file>.new.
    this.regenerated ??= this.regenerate().catch(() => new Map<string, readonly string[]>());
    return (await this.regenerated).get(path)?.find((text) => matchesRecorded(text, id));
  }
}

/**
 * The blobs git has for these ids, read with one `git cat-file --batch`. Empty when the app is not
 * in a git repository, git is missing, or it has none of them.
 */
export function readBlobs(root: string, ids: readonly string[]): ReadonlyMap<string, string> {
  const wanted = [...new Set(ids.filter((id) => /^[0-9a-f]{40}$/.test(id)))];
  const blobs = new Map<string, string>();
  if (wanted.length === 0) return blobs;
  const result = spawnSync('git', ['cat-file', '--batch'], {
    cwd: root,
    input: `${wanted.join('\n')}\n`,
    stdio: ['pipe', 'pipe', 'ignore'],
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0 || !Buffer.isBuffer(result.stdout)) return blobs;
  // Each answer is "<id> <type> <size>\n<content>\n", or "<id> missing\n".
  const out = result.stdout;
  let at = 0;
  while (at < out.length) {
    const end = out.indexOf(0x0a, at);
    if (end === -1) break;
    const [id, type, size] = out.subarray(at, end).toString('utf8').split(' ');
    at = end + 1;
    if (id === undefined || type === 'missing' || size === undefined) continue;
    if (type === 'blob') blobs.set(id, out.subarray(at, at + Number(size)).toString('utf8'));
    at += Number(size) + 1;
  }
  return blobs;
}
