import { sameCode } from '../../layer/normalize.js';
import { matchesRecorded } from '../../layer/plan.js';
import type { ActionData } from './context.js';

/**
 * Files the layer had and no longer has (a removed store, a file a newer generator dropped): an
 * unedited one is deleted; an edited one stays, no longer tracked, and the user is told.
 */
export async function retireAction(data: ActionData): Promise<string> {
  const planned = new Set(data.plan.files.map((file) => file.path));
  const retired: string[] = [];
  for (const [path, recordedHash] of Object.entries(data.layer?.manifest.files ?? {})) {
    const disk = data.plan.read(path);
    if (planned.has(path) || disk === undefined) continue;
    const unedited = matchesRecorded(disk, recordedHash) || (await reformatOfBase(data, path, disk));
    data.plan.add(
      unedited
        ? { path, change: 'deleted', before: disk, after: undefined, companions: [] }
        : {
            path,
            change: 'kept-yours',
            before: disk,
            after: disk,
            companions: [],
            note: 'edited by you and no longer used by the layer: delete it when you are done with it',
          },
    );
    retired.push(path);
  }
  for (const store of data.removed) {
    for (const helper of store.helpers) {
      const users = data.storeEntries.filter((store) => store.helpers.includes(helper)).map((store) => store.name);
      if (users.length > 0)
        data.plan.notes.push(
          `kept ${data.dir}/${helper}: the ${users.join(', ')} store${users.length > 1 ? 's' : ''} still use${users.length > 1 ? '' : 's'} it`,
        );
    }
  }
  return retired.length > 0 ? `retire ${retired.join(', ')}` : 'retire nothing';
}

/** The file is what the generator wrote last time, only reformatted. */
async function reformatOfBase(data: ActionData, path: string, disk: string): Promise<boolean> {
  const base = await data.bases?.get(path);
  return base !== undefined && (await sameCode(path, disk, base));
}
