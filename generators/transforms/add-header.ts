import type { SourceFile } from 'ts-morph';

/**
 * Every vendored file opens with a short note: where it came from, which version wrote it and
 * that the app owns it now.
 */
export function addHeader(file: SourceFile, origin: string, version: string): void {
  file.insertStatements(
    0,
    `// Vendored by create-session-layer ${version} from ${origin}.\n// This file is yours now: edit it freely; re-running the generator never overwrites your edits.\n`,
  );
}
