import type { SourceFile } from 'ts-morph';
import { NewLineKind, Project } from '../ts-morph.js';

/**
 * A source file in an in-memory ts-morph project: edits are planned here and never saved to disk.
 * ts-morph rewrites the line breaks of inserted text to its newLineKind, so the project takes the
 * file's own (CRLF or LF) and an edit never mixes them.
 */
export function inMemoryFile(path: string, text: string): SourceFile {
  const newLineKind = text.includes('\r\n') ? NewLineKind.CarriageReturnLineFeed : NewLineKind.LineFeed;
  const project = new Project({
    useInMemoryFileSystem: true,
    skipLoadingLibFiles: true,
    manipulationSettings: { newLineKind },
  });
  return project.createSourceFile(path, text);
}
