import { typescriptDevDependencies } from '../../../runtime/manifest.js';
import { addPackages } from '../../app/add-packages.js';
import type { ActionData } from './context.js';

/**
 * Adds what the layer needs to the app's own package.json (never a workspace root's), keeping
 * every range the app already lists. A removed store's packages stay: other code may use them.
 */
export function packageJsonAction(data: ActionData): string {
  const { frameworkEntry: framework, storeEntries: chosen } = data;
  const additions = {
    dependencies: Object.assign({}, framework.dependencies, ...chosen.map((store) => store.dependencies)) as Record<
      string,
      string
    >,
    // A JavaScript layer needs none of the TypeScript tooling (types, tsx): node runs it as it is.
    devDependencies:
      data.language === 'js'
        ? {}
        : (Object.assign(
            {},
            typescriptDevDependencies,
            framework.devDependencies,
            ...chosen.map((store) => store.devDependencies),
            data.example ? { tsx: '^4.19.0' } : {},
          ) as Record<string, string>),
  };
  const { text, added } = addPackages(data.target.packageJsonText, data.target.packageJson, additions);
  data.plan.addEdit('package.json', text);
  data.plan.packagesAdded.push(...added);
  const listed = { ...data.target.packageJson.dependencies, ...data.target.packageJson.devDependencies };
  for (const store of data.removed) {
    for (const name of Object.keys({ ...store.dependencies, ...store.devDependencies }).filter(
      (name) => name in listed,
    )) {
      data.plan.notes.push(`kept ${name} in package.json: other code may use it; remove it yourself if nothing does`);
    }
  }
  return added.length > 0 ? `package.json: add ${added.join(', ')}` : 'package.json: nothing to add';
}
