/**
 * Line helpers for edits that must leave every other byte of a user's file as it was: ts-morph
 * finds the nodes, and these find the exact text range around them.
 */

/** Offset of the start of the line holding `position`. */
export function lineStart(text: string, position: number): number {
  return text.lastIndexOf('\n', position - 1) + 1;
}

/** Offset of the line break (`\n` or `\r\n`) ending the line holding `position`, or the end of the text. */
export function lineEnd(text: string, position: number): number {
  const end = text.indexOf('\n', position);
  if (end === -1) return text.length;
  return text[end - 1] === '\r' ? end - 1 : end;
}

/** The line break the file uses, so inserted lines match it. */
export function lineBreak(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Whether only spaces, tabs or a `//` comment follow `position` on its line. */
export function onlyTriviaAfter(text: string, position: number): boolean {
  return /^[ \t]*(\/\/.*)?$/.test(text.slice(position, lineEnd(text, position)));
}

/** Whether only spaces or tabs precede `position` on its line. */
export function onlyIndentBefore(text: string, position: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, position), position));
}

/** The indentation of the line holding `position`. */
export function indentOf(text: string, position: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, position)))?.[0] ?? '';
}

/** The position just after the comma that follows `position` (skipping whitespace and comments), or undefined. */
export function commaAfter(text: string, position: number): number | undefined {
  const match = /^(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*,/.exec(text.slice(position));
  return match ? position + match[0].length : undefined;
}

/** The indentation unit the file uses (its first indented line), two spaces when it has none. */
export function indentUnit(text: string): string {
  return /^([ \t]+)\S/m.exec(text)?.[1] ?? '  ';
}
