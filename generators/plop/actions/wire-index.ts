import { UsageError } from '../../errors.js';
import { storeForUrl } from '../../layer/default-store.js';
import { blobId, matchesRecorded, type PlannedFile } from '../../layer/plan.js';
import { reconcile } from '../../layer/reconcile.js';
import { codePath, renderTemplate } from '../templates.js';
import { planGenerated, reconcileContext, type ActionData } from './context.js';

/**
 * index.ts is rendered once; afterwards it is the user's wiring, and a re-run only edits it
 * (add or remove a store) with ts-morph, never regenerating it. The same edits are applied to
 * its recorded base, so the base stays "what the generator would have written" and `update` can
 * merge template changes into the user's version three-way. The action also says which store
 * index.ts falls back to (its defaultStoreUrl), and refuses to remove that one.
 */
export async function wireIndexAction(data: ActionData): Promise<string> {
  const path = codePath(data.language, `${data.dir}/index.ts`);
  const disk = data.plan.read(path);
  if (data.layer === undefined || disk === undefined) {
    const planned = await planGenerated(data, path, await renderIndex(data, path));
    data.plan.defaultStoreUrl = data.storeEntries[0]?.defaultUrl;
    return `${planned.change} ${path}`;
  }
  // Imported here: it edits index.ts with ts-morph, which a first run (rendering index.ts) never loads.
  const { rewireIndex } = await import('../../transforms/rewire-index.js');
  const importSuffix = data.language === 'js' ? '.js' : data.target.importSuffix;
  const wiring = { add: data.added, remove: data.removed, importSuffix };
  const rewire = (text: string) => {
    try {
      return rewireIndex(path, text, wiring);
    } catch (error) {
      const manual = data.added.map((store) => `'${store.schemes[0]}': (url) => ${store.factory}({ url })`).join(', ');
      throw new UsageError(
        `cannot edit ${path}: ${(error as Error).message}; wire the store by hand (${manual}) or restore the \`stores\` object`,
      );
    }
  };
  const edited = rewire(disk);
  // index.ts falls back to defaultStoreUrl when SESSION_STORE is unset: removing that store would break start-up.
  const defaultRemoved =
    edited.defaultStoreUrl === undefined ? undefined : storeForUrl(edited.defaultStoreUrl, data.removed);
  if (defaultRemoved)
    throw new UsageError(
      `the ${defaultRemoved.name} store is the default (defaultStoreUrl in ${path}); point defaultStoreUrl at another store first`,
    );
  data.plan.defaultStoreUrl = edited.defaultStoreUrl;
  data.plan.notes.push(...edited.notes);
  const recordedHash = data.layer.manifest.files[path];
  const unedited = recordedHash !== undefined && matchesRecorded(disk, recordedHash);
  const oldBase = unedited ? disk : await data.bases?.get(path);
  const base = oldBase === undefined ? undefined : rewire(oldBase).text;

  let planned: PlannedFile;
  if (data.policy === 'merge') {
    const layerFile = {
      path,
      generated: await renderIndex(data, path),
      disk: edited.text,
      recordedHash: base === undefined ? recordedHash : blobId(base),
      base: async () => base,
    };
    const merged = await reconcile(layerFile, reconcileContext(data));
    const ourEditOnly = edited.text !== disk && (merged.change === 'unchanged' || merged.change === 'kept-yours');
    planned = { ...merged, before: disk, change: ourEditOnly ? 'updated' : merged.change };
  } else {
    const change = edited.text === disk ? 'unchanged' : 'updated';
    planned = {
      path,
      change,
      before: disk,
      after: edited.text,
      companions: [],
      base,
      baseHash: base === undefined ? recordedHash : undefined,
    };
  }
  data.plan.add(planned);
  return `${planned.change} ${path}`;
}

function renderIndex(data: ActionData, path: string): Promise<string> {
  return renderTemplate(data, data.target, data.render, 'index.ts.hbs', path);
}
