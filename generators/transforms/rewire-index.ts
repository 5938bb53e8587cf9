import type { SourceFile } from 'ts-morph';
import { Node } from '../ts-morph.js';
import type { StoreEntry } from '../../runtime/manifest.js';
import { inMemoryFile } from './_in-memory.js';
import { addStoreFactory } from './add-store-factory.js';
import { addStoreImport } from './add-store-import.js';
import { removeStoreFactories } from './remove-store-factory.js';
import { removeStoreImport } from './remove-store-import.js';

export interface StoreWiring {
  add: readonly StoreEntry[];
  remove: readonly StoreEntry[];
  importSuffix: '.js' | '';
}

/**
 * Edits index.ts in place of regenerating it: the file is the user's (options, comments, their own
 * code), so adding or removing a store is a few targeted ts-morph edits on an in-memory copy and
 * every other byte stays as it was. Removals run first, so an import is only dropped once no
 * entry uses it. Returns the new text, lines worth telling the user, and
 * the default store URL as the file names it.
 */
export function rewireIndex(
  path: string,
  text: string,
  wiring: StoreWiring,
): { text: string; notes: string[]; defaultStoreUrl: string | undefined } {
  const file = inMemoryFile(path, text);
  const notes: string[] = [];
  const defaultStoreUrl = defaultStoreUrlOf(file);
  for (const store of wiring.remove) {
    removeStoreFactories(file, store.schemes);
    if (removeStoreImport(file, store.factory, `./${store.file.replace(/\.ts$/, '')}`) === 'still-used') {
      notes.push(`${path} still uses ${store.factory} outside the stores object; its import stays`);
    }
  }
  for (const store of wiring.add) {
    addStoreImport(file, store.factory, `./${store.file.replace(/\.ts$/, '')}${wiring.importSuffix}`);
    for (const scheme of store.schemes) addStoreFactory(file, scheme, store.factory);
  }
  return { text: file.getFullText(), notes, defaultStoreUrl };
}

/** index.ts's `defaultStoreUrl` when it is a plain string (`'dir:.sessions'`), else undefined (the user's own code). */
function defaultStoreUrlOf(file: SourceFile): string | undefined {
  const initializer = file.getVariableDeclaration('defaultStoreUrl')?.getInitializer();
  return initializer !== undefined && Node.isStringLiteral(initializer) ? initializer.getLiteralValue() : undefined;
}
