import { inMemoryFile } from './_in-memory.js';
import { addHeader } from './add-header.js';
import { format } from './format.js';
import { rewriteImports } from './rewrite-imports.js';

export interface VendorContext {
  root: string;
  version: string;
  importSuffix: '.js' | '';
}

/**
 * The declared transforms from a runtime source to the file an app receives, in order:
 * rewrite relative imports for the app's module resolution, add the vendored-file header,
 * format with the app's prettier config. Edits happen in an in-memory ts-morph project;
 * nothing is saved to disk here.
 */
export async function vendorSource(
  context: VendorContext,
  origin: string,
  source: string,
  target: string,
): Promise<string> {
  const file = inMemoryFile(target, source);
  rewriteImports(file, context.importSuffix);
  addHeader(file, origin, context.version);
  return format(context.root, target, file.getFullText());
}
