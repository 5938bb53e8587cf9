/** A small index.ts in the shape the template renders, for the wiring transform tests. */
import { inMemoryFile } from '../../../generators/transforms/_in-memory.js';
import type { SourceFile } from 'ts-morph';

export const INDEX = `import { createSessionManager } from './core/manager.js';
import type { StoreFactories } from './core/store.js';
import { dirStore } from './stores/dir.js';

/** The stores this app has. */
export const stores: StoreFactories = {
  'dir:': (url) => dirStore({ url }), // my comment
};

export const sessions = createSessionManager({ store: stores['dir:']!('dir://') });
`;

/** An in-memory source file: the transforms never touch the disk. */
export function sourceFile(text: string): SourceFile {
  return inMemoryFile('index.ts', text);
}
