import { describe, expect, it } from 'vitest';
import { blobId } from '../../generators/layer/plan.js';
import { reconcile, type EditPolicy, type LayerFile } from '../../generators/layer/reconcile.js';

const BASE = 'export const a = 1;\nexport const b = 2;\nexport const c = 3;\nexport const d = 4;\n';
const NEW = BASE.replace('d = 4', 'd = 40');
const EDITED = BASE.replace('a = 1', 'a = 100');

function file(disk: string | undefined, generated = NEW, base: string | undefined = BASE): LayerFile {
  const recordedHash = base === undefined ? undefined : blobId(base);
  return { path: 'x.ts', generated, disk, recordedHash, base: async () => base };
}

function decide(layerFile: LayerFile, policy: EditPolicy = 'stop', taken: string[] = []) {
  return reconcile(layerFile, {
    policy,
    exists: (path) => taken.includes(path),
    formatLikeApp: async (_path, text) => text,
  });
}

describe('reconcile', () => {
  it.each([
    ['a missing file is created', file(undefined), 'created', NEW],
    ['the same text is unchanged', file(NEW), 'unchanged', NEW],
    ['an unedited file is updated', file(BASE), 'updated', NEW],
    [
      "a reformat of the new version is unchanged, in the user's layout",
      file(NEW.replace(/;/g, '')),
      'unchanged',
      NEW.replace(/;/g, ''),
    ],
    ['a reformat of the old version is updated', file(BASE.replace(/\n/g, ' ').trim() + '\n'), 'updated', NEW],
    ['an edit with nothing new from the generator is kept', file(EDITED, BASE), 'kept-yours', EDITED],
  ])('%s', async (_name, layerFile, change, after) => {
    const planned = await decide(layerFile);
    expect(planned).toMatchObject({ change, after });
    expect(planned.blocked).toBeFalsy();
  });

  it('an edit the generator would overwrite blocks a plain run and plans nothing', async () => {
    expect(await decide(file(EDITED))).toMatchObject({ change: 'conflict', blocked: true, after: EDITED });
  });

  it("--force overwrites, with the user's version as a free <file>.orig", async () => {
    const planned = await decide(file(EDITED), 'force', ['x.ts.orig']);
    expect(planned).toMatchObject({
      change: 'overwritten',
      after: NEW,
      companions: [{ path: 'x.ts.orig.1', content: EDITED }],
    });
  });

  it('update merges three-way, or marks conflicts inline', async () => {
    expect(await decide(file(EDITED), 'merge')).toMatchObject({
      change: 'merged',
      after: NEW.replace('a = 1', 'a = 100'),
      base: NEW,
    });
    const clash = await decide(file(BASE.replace('d = 4', 'd = 5')), 'merge');
    expect(clash.change).toBe('conflict');
    expect(clash.after).toContain(
      '<<<<<<< yours\nexport const d = 5;\n=======\nexport const d = 40;\n>>>>>>> generator',
    );
  });

  it("update without a base leaves the generator's version beside the file", async () => {
    const planned = await decide({ ...file(EDITED), base: async () => undefined }, 'merge');
    expect(planned).toMatchObject({
      change: 'conflict',
      after: EDITED,
      companions: [{ path: 'x.ts.new', content: NEW }],
    });
  });
});
