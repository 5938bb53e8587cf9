import { gunzipSync, gzipSync } from 'node:zlib';

export const BASE_FILE = 'session-layer.base.json';

/**
 * session-layer.base.json keeps, for every file the generator wrote, the exact text it wrote: the
 * common ancestor `update` needs to merge the user's edits with a newer generator three-way.
 *
 * Each text is stored gzip+base64, one file per line. Why not plain text: the base is machinery,
 * not code to read. Plain copies would double every search hit for the session code in the app
 * (grep, editor search, code review tools), and would double its size in the repo; compressed they
 * are about a quarter of it. One line per file keeps a re-run's git diff as small as its change.
 * zlib's bytes can differ between Node versions for the same text, so an entry whose text is
 * unchanged keeps its old encoding: a re-run with nothing new never touches the file.
 */
export interface BaseFile {
  about: string;
  encoding: 'gzip+base64';
  files: Record<string, string>;
}

const ABOUT =
  'What create-session-layer generated for each file, the base for merging your edits on `update`. Do not edit.';

export function decodeBase(json: string): Map<string, string> {
  const parsed = JSON.parse(json) as Partial<BaseFile>;
  if (parsed.encoding !== 'gzip+base64' || typeof parsed.files !== 'object' || parsed.files === null)
    throw new Error('unknown base file format');
  const texts = new Map<string, string>();
  for (const [path, encoded] of Object.entries(parsed.files))
    texts.set(path, gunzipSync(Buffer.from(encoded, 'base64')).toString('utf8'));
  return texts;
}

/** The base file for `texts`, reusing `previous` encodings (from the file on disk) for unchanged texts. */
export function encodeBase(
  texts: ReadonlyMap<string, string>,
  previous: { json: string; texts: ReadonlyMap<string, string> } | undefined,
): string {
  const old = previous ? (JSON.parse(previous.json) as BaseFile).files : {};
  const files: Record<string, string> = {};
  for (const [path, text] of texts) {
    const reused = previous?.texts.get(path) === text ? old[path] : undefined;
    files[path] = reused ?? gzipSync(text, { level: 9 }).toString('base64');
  }
  const base: BaseFile = { about: ABOUT, encoding: 'gzip+base64', files };
  return `${JSON.stringify(base, null, 2)}\n`;
}
