import { addHeader } from './add-header.js';
import { format } from './format.js';
import { rewriteImports } from './rewrite-imports.js';

export interface VendorContext {
  root: string;
  version: string;
  importSuffix: '.js' | '';
  /** TypeScript as written, or JavaScript with JSDoc types as an ES module or CommonJS. */
  output: OutputKind;
}

export type OutputKind = 'ts' | 'esm' | 'commonjs';

/** One file the app receives: a path relative to the app root and its text. */
export interface EmittedFile {
  path: string;
  text: string;
}

/**
 * The declared transforms from a runtime source to the file an app receives, in order:
 * rewrite relative imports for the app's module resolution, then for JavaScript apps turn the
 * types into JSDoc (and ES module syntax into CommonJS where the app is CommonJS), add the
 * vendored-file header, format with the app's prettier config. Syntax edits happen in an
 * in-memory ts-morph project; nothing is saved to disk here. A JavaScript file whose source
 * augments another module's types comes with a `.types.d.ts` file beside it.
 *
 * TypeScript output is the runtime source with formatting-neutral edits only, so it is still in
 * our style: an app without a prettier config gets it as it is (see format()). The transforms
 * that need a syntax tree are imported when a file needs one: ts-morph takes ~100 ms to load, and
 * a TypeScript app on Node16/NodeNext resolution needs none.
 */
export async function vendorSource(
  context: VendorContext,
  origin: string,
  source: string,
  target: string,
): Promise<EmittedFile[]> {
  const converted = await convertSource(context.output, source, target);
  const files: EmittedFile[] = [];
  const inFallbackStyle = context.output === 'ts';
  for (const { path, text } of converted) {
    const imports = context.output === 'ts' ? await rewriteImports(path, text, context.importSuffix) : text;
    const headed = addHeader(imports, origin, context.version);
    files.push({ path, text: await format(context.root, path, headed, { inFallbackStyle }) });
  }
  return files;
}

/**
 * TypeScript source as the app's language: itself for TypeScript apps, else JavaScript with JSDoc
 * types at `target` with `.js` (plus the declarations file when there are augmentations). The
 * templates (index.ts) and the example server go through here too, so there are no JavaScript copies.
 */
export async function convertSource(output: OutputKind, source: string, target: string): Promise<EmittedFile[]> {
  if (output === 'ts') return [{ path: target, text: source }];
  const [{ inMemoryFile }, { toJsDoc }, { toCommonJs }] = await Promise.all([
    import('./_in-memory.js'),
    import('./to-jsdoc.js'),
    import('./to-commonjs.js'),
  ]);
  const jsPath = javascriptPath(target);
  const base = jsPath.slice(jsPath.lastIndexOf('/') + 1).replace(/\.js$/, '');
  const declarationsName = `${base}.types.d.ts`;
  const { text, declarations } = toJsDoc(inMemoryFile(target.replace(/\.[cm]?js$/, '.ts'), source), declarationsName);
  const js = output === 'commonjs' ? toCommonJs(inMemoryFile(jsPath, text)) : text;
  const files = [{ path: jsPath, text: js }];
  if (declarations !== undefined)
    files.push({ path: `${jsPath.slice(0, jsPath.lastIndexOf('/') + 1)}${declarationsName}`, text: declarations });
  return files;
}

/** `core/manager.ts` → `core/manager.js`. */
export function javascriptPath(path: string): string {
  return path.replace(/\.ts$/, '.js');
}
