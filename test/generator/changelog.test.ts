/**
 * CHANGELOG.md as the generator reads it: one `## <version> — <date>` section per version, the
 * entries between a layer's recorded version and the generator's own, and how the report shows them.
 * The package's own CHANGELOG.md is held to the same rules, with an entry for the current version.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  changelogSince,
  changelogStep,
  changelogText,
  entriesBetween,
  parseChangelog,
} from '../../generators/cli/changelog.js';
import { painter } from '../../generators/cli/colors.js';
import { repoRoot } from '../helpers/apps.js';

const SAMPLE = `# Changelog

Intro text that belongs to no version.

## 1.1.0 — 2027-03-01

### Security

- The cookie check compares in constant time.

## 1.1.0-rc.1 — 2027-02-20

- A release candidate.

## 1.0.1

- A fix.

## 1.0.0 - 2027-01-10

The first release.
`;

const versions = (entries: ReturnType<typeof parseChangelog>) => entries.map((entry) => entry.version);

describe('parseChangelog', () => {
  it('reads each section: version, the date after it, the text below, and whether it has a Security section', () => {
    const entries = parseChangelog(SAMPLE);
    expect(versions(entries)).toEqual(['1.1.0', '1.1.0-rc.1', '1.0.1', '1.0.0']);
    expect(entries[0]).toEqual({
      version: '1.1.0',
      date: '2027-03-01',
      text: '### Security\n\n- The cookie check compares in constant time.',
      security: true,
    });
    expect(entries[2]).toMatchObject({ version: '1.0.1', date: '', text: '- A fix.', security: false });
    expect(entries[3]).toMatchObject({ date: '2027-01-10', text: 'The first release.' });
  });

  it('refuses a section heading that names no version', () => {
    expect(() => parseChangelog('## Unreleased\n\n- soon\n')).toThrow(
      /CHANGELOG\.md: the heading "## Unreleased" does not start with a version/,
    );
  });
});

describe('entriesBetween', () => {
  const entries = parseChangelog(SAMPLE);

  it('selects the versions after the layer’s and up to the generator’s, newest first', () => {
    expect(versions(entriesBetween(entries, '1.0.0', '1.1.0'))).toEqual(['1.1.0', '1.1.0-rc.1', '1.0.1']);
    expect(versions(entriesBetween(entries, '1.0.0', '1.0.1'))).toEqual(['1.0.1']);
    expect(versions(entriesBetween([...entries].reverse(), '1.0.1', '1.1.0'))).toEqual(['1.1.0', '1.1.0-rc.1']);
  });

  it('orders a prerelease before its release', () => {
    expect(versions(entriesBetween(entries, '1.1.0-rc.1', '1.1.0'))).toEqual(['1.1.0']);
    expect(versions(entriesBetween(entries, '1.0.1', '1.1.0-rc.1'))).toEqual(['1.1.0-rc.1']);
  });

  it('selects nothing for a layer as new as the generator or newer', () => {
    expect(entriesBetween(entries, '1.1.0', '1.1.0')).toEqual([]);
    expect(entriesBetween(entries, '2.0.0', '1.1.0')).toEqual([]);
  });

  it('shows every entry up to the generator’s when the recorded version is not a version', () => {
    expect(versions(entriesBetween(entries, 'edited by hand', '1.0.1'))).toEqual(['1.0.1', '1.0.0']);
  });
});

describe('the report', () => {
  const changelog = { from: '1.0.0', to: '1.1.0', entries: entriesBetween(parseChangelog(SAMPLE), '1.0.0', '1.1.0') };

  it('prints each entry under its version, marking security fixes', () => {
    const text = changelogText(changelog, painter(false));
    expect(text).toMatch(/^What changed from create-session-layer 1\.0\.0 to 1\.1\.0 \(CHANGELOG\.md\):\n\n/);
    expect(text).toContain(
      '\n  1.1.0 (2027-03-01)  includes security fixes\n    ### Security\n\n    - The cookie check',
    );
    expect(text).toContain('\n  1.0.1\n    - A fix.\n');
    expect(text).not.toContain('The first release.');
  });

  it('names the entries in a next step', () => {
    expect(changelogStep(changelog)).toBe(
      'review what changed since 1.0.0 before you commit the update: CHANGELOG.md 1.1.0, 1.1.0-rc.1, 1.0.1, in this report; 1.1.0 fixes security issues',
    );
  });
});

describe("the package's CHANGELOG.md", () => {
  const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const entries = parseChangelog(readFileSync(join(repoRoot, 'CHANGELOG.md'), 'utf8'));

  it('opens with an entry for the package version, then one per older version, newest first, none empty', () => {
    expect(entries[0]?.version).toBe(version);
    expect(versions(entriesBetween(entries, '0.0.0', version))).toEqual(versions(entries));
    expect(new Set(versions(entries)).size).toBe(entries.length);
    for (const entry of entries) expect(entry.text, entry.version).not.toBe('');
  });

  it('gives a layer of the first version every later entry, and a current layer none', () => {
    const first = entries.at(-1)!.version;
    expect(versions(changelogSince(first, version)?.entries ?? [])).toEqual(versions(entries.slice(0, -1)));
    expect(changelogSince(version, version)).toBeUndefined();
  });
});
