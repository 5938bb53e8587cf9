import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Paint } from './colors.js';
import { packageRoot } from '../paths.js';

/**
 * CHANGELOG.md, shipped in the package, says what each version changed in the files it writes into
 * an app. When a run takes a layer from the version that wrote it to this one, the report shows
 * the entries in between, so the team reviewing the update reads why each vendored file changed.
 */

/** One `## <version>` section of CHANGELOG.md. */
export interface ChangelogEntry {
  version: string;
  /** What follows the version on its heading line (the release date), or '' when nothing does. */
  date: string;
  /** The section's markdown below its heading, trimmed. */
  text: string;
  /** Whether the entry has a `### Security` section: a fix the app should take. */
  security: boolean;
}

/** The entries a run brings a layer: newer than the layer's version, up to the generator's own. */
export interface Changelog {
  from: string;
  to: string;
  /** Newest first. */
  entries: ChangelogEntry[];
}

export const CHANGELOG_FILE = 'CHANGELOG.md';

const HEADING = /^## (\S+)(?:[ \t]+(?:[—–-][ \t]+)?(.*))?$/;

/** The entries of a CHANGELOG.md text in file order. A `## ` heading that names no version is an error: the file is ours. */
export function parseChangelog(markdown: string): ChangelogEntry[] {
  const entries: ChangelogEntry[] = [];
  let current: { version: string; date: string; lines: string[] } | undefined;
  const finish = () => {
    if (current === undefined) return;
    const text = current.lines.join('\n').trim();
    entries.push({ version: current.version, date: current.date, text, security: /^### Security\s*$/m.test(text) });
  };
  for (const line of markdown.split(/\r?\n/)) {
    if (!line.startsWith('## ')) {
      current?.lines.push(line);
      continue;
    }
    const [, version = '', date = ''] = HEADING.exec(line) ?? [];
    if (parseVersion(version) === undefined)
      throw new Error(`${CHANGELOG_FILE}: the heading "${line}" does not start with a version (## 1.2.3 — date)`);
    finish();
    current = { version, date: date.trim(), lines: [] };
  }
  finish();
  return entries;
}

/**
 * The entries newer than `from` and no newer than `to`, newest first. A recorded version that is
 * not a version (a hand-edited manifest) selects every entry up to `to`: better too much to read
 * than a change unseen.
 */
export function entriesBetween(entries: readonly ChangelogEntry[], from: string, to: string): ChangelogEntry[] {
  const low = parseVersion(from);
  const high = parseVersion(to);
  return entries
    .filter((entry) => {
      const version = parseVersion(entry.version)!;
      return (low === undefined || compare(version, low) > 0) && (high === undefined || compare(version, high) <= 0);
    })
    .sort((a, b) => compare(parseVersion(b.version)!, parseVersion(a.version)!));
}

/** What this package's CHANGELOG.md says changed between a layer's version and `to`; undefined when nothing did. */
export function changelogSince(from: string, to: string): Changelog | undefined {
  if (from === to) return undefined;
  const entries = entriesBetween(parseChangelog(readFileSync(join(packageRoot, CHANGELOG_FILE), 'utf8')), from, to);
  return entries.length === 0 ? undefined : { from, to, entries };
}

/** The entries for the text report, shown before the files they explain. */
export function changelogText(changelog: Changelog, paint: Paint): string {
  const lines = [
    paint('bold', `What changed from create-session-layer ${changelog.from} to ${changelog.to} (${CHANGELOG_FILE}):`),
  ];
  for (const entry of changelog.entries) {
    const heading = `${entry.version}${entry.date ? ` (${entry.date})` : ''}`;
    lines.push(
      '',
      `  ${paint('bold', heading)}${entry.security ? `  ${paint('red', 'includes security fixes')}` : ''}`,
    );
    for (const line of entry.text.split('\n')) lines.push(line === '' ? '' : `    ${line}`);
  }
  return `${lines.join('\n')}\n\n`;
}

/** The next step that sends the reviewer to those entries (the text report prints them above, `--json` carries them). */
export function changelogStep(changelog: Changelog): string {
  const versions = changelog.entries.map((entry) => entry.version).join(', ');
  const security = changelog.entries.filter((entry) => entry.security).map((entry) => entry.version);
  return (
    `review what changed since ${changelog.from} before you commit the update: ${CHANGELOG_FILE} ${versions}, in this report` +
    (security.length > 0 ? `; ${security.join(', ')} ${security.length === 1 ? 'fixes' : 'fix'} security issues` : '')
  );
}

type Version = [major: number, minor: number, patch: number, prerelease: string];

function parseVersion(text: string): Version | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3]), match[4] ?? ''] : undefined;
}

/** Semantic-version order; a prerelease comes before its release, prereleases compare as text. */
function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  if (a[3] === b[3]) return 0;
  if (a[3] === '') return 1;
  if (b[3] === '') return -1;
  return a[3] < b[3] ? -1 : 1;
}
