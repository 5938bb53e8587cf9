import { join } from 'node:path';
import * as prettier from 'prettier';

/** Our style when the app has no prettier config of its own (the repository's .prettierrc, which runtime/ is written in). */
export const FALLBACK: prettier.Options = { printWidth: 120, singleQuote: true };

export interface FormatOptions {
  /**
   * The text is already in the FALLBACK style: a runtime source after formatting-neutral edits
   * only (the header, import suffixes). test/generator/format-neutral.test.ts proves prettier
   * leaves every such file as it is, so for an app without a style of its own it is not run.
   */
  inFallbackStyle?: boolean;
}

/**
 * Formats emitted code with the app's own prettier config (found from the file's future path),
 * so the vendored files look like the rest of the app.
 */
export async function format(
  root: string,
  relativePath: string,
  text: string,
  options: FormatOptions = {},
): Promise<string> {
  const filepath = join(root, relativePath);
  const config = await prettier.resolveConfig(filepath, { editorconfig: true });
  if (config === null && options.inFallbackStyle === true) return text;
  return prettier.format(text, { ...(config ?? FALLBACK), filepath });
}

/** Forgets the configs prettier found before: each run reads the app's style afresh, even in a long-lived process. */
export async function forgetStyles(): Promise<void> {
  await prettier.clearConfigCache();
}
