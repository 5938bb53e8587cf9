import { join } from 'node:path';
import * as prettier from 'prettier';

/** Our style when the app has no prettier config of its own. */
const FALLBACK: prettier.Options = { printWidth: 120, singleQuote: true };

/**
 * Formats emitted code with the app's own prettier config (found from the file's future path),
 * so the vendored files look like the rest of the app.
 */
export async function format(root: string, relativePath: string, text: string): Promise<string> {
  const filepath = join(root, relativePath);
  const config = (await prettier.resolveConfig(filepath, { editorconfig: true })) ?? FALLBACK;
  return prettier.format(text, { ...config, filepath });
}

/** Forgets the configs prettier found before: each run reads the app's style afresh, even in a long-lived process. */
export async function forgetStyles(): Promise<void> {
  await prettier.clearConfigCache();
}
