import * as prettier from 'prettier';

/**
 * One fixed style every side of a comparison is printed in, so a file the user only reformatted
 * (their own prettier config: quotes, semicolons, width, indentation) is not an edit.
 * objectWrap 'collapse' undoes the one layout choice prettier otherwise keeps from its input.
 */
const CANONICAL: prettier.Options = {
  printWidth: 100,
  tabWidth: 2,
  useTabs: false,
  semi: true,
  singleQuote: false,
  quoteProps: 'as-needed',
  trailingComma: 'all',
  bracketSpacing: true,
  arrowParens: 'always',
  objectWrap: 'collapse',
  proseWrap: 'preserve',
  endOfLine: 'lf',
};

const PARSERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\.[cm]?tsx?$/, 'typescript'],
  [/\.[cm]?jsx?$/, 'babel'],
  [/\.md$/, 'markdown'],
  [/\.json$/, 'json'],
];

/** The text in the canonical style, or undefined when it does not parse (then only exact equality counts). */
export async function normalize(path: string, text: string): Promise<string | undefined> {
  const parser = PARSERS.find(([pattern]) => pattern.test(path))?.[1];
  if (parser === undefined) return text.replace(/\r\n/g, '\n');
  try {
    return await prettier.format(text, { ...CANONICAL, parser });
  } catch {
    return undefined;
  }
}

/**
 * Whether two versions of a file differ only in formatting. The raw comparison comes first and
 * settles the common case; prettier only runs on a mismatch.
 */
export async function sameCode(path: string, a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const [left, right] = await Promise.all([normalize(path, a), normalize(path, b)]);
  return left !== undefined && left === right;
}
