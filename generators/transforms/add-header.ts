/**
 * Every vendored file opens with a short note: where it came from, which version wrote it and
 * that the app owns it now. A plain text edit (the note goes before everything, in the file's own
 * line breaks), so it needs no syntax tree.
 */
export function addHeader(text: string, origin: string, version: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return (
    `// Vendored by create-session-layer ${version} from ${origin}.${eol}` +
    `// This file is yours now: edit it freely; re-running the generator never overwrites your edits.${eol}` +
    text
  );
}
