import { objectMembers, type JsonObjectSpan } from './_json-members.js';
import type { PackageJson } from './detect.js';

export interface Additions {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

type Section = keyof Additions;

/**
 * Adds missing packages to package.json, editing its text in place: each new entry is inserted
 * into its section (in alphabetical place when the section is sorted, else at its end) in the
 * section's own layout, one line per entry or all on one line, and every other byte stays as it
 * was. A package the app already lists (in either section) keeps its range: we never rewrite a
 * version the app pinned.
 */
export function addPackages(
  text: string,
  packageJson: PackageJson,
  additions: Additions,
): { text: string; added: string[] } {
  const present = { ...packageJson.dependencies, ...packageJson.devDependencies };
  const added: string[] = [];
  let result = text;
  for (const section of ['dependencies', 'devDependencies'] as const) {
    const missing = Object.entries(additions[section])
      .filter(([name]) => !(name in present))
      .sort(([a], [b]) => a.localeCompare(b));
    if (missing.length === 0) continue;
    result = insertIntoSection(result, section, missing);
    added.push(...missing.map(([name, range]) => `${name}@${range}`));
  }
  return { text: result, added };
}

function insertIntoSection(text: string, section: Section, entries: ReadonlyArray<readonly [string, string]>): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const top = objectMembers(text);
  const indent = indentOf(text, top) ?? '  ';
  const colon = /"\s*:\s?/.exec(text.slice(top.start))?.[0].slice(1) ?? ': ';
  const entry = ([name, range]: readonly [string, string]) => `${JSON.stringify(name)}${colon}${JSON.stringify(range)}`;
  const existing = top.members.find((member) => member.key === section);
  if (existing === undefined) {
    // A new section: after `dependencies` for devDependencies when there is one, else last.
    const after =
      (section === 'devDependencies' ? top.members.find((member) => member.key === 'dependencies') : undefined) ??
      top.members.at(-1);
    // A package.json written on one line stays on one line.
    const oneLine = !text.slice(top.start, top.end).includes('\n');
    const member = oneLine
      ? `${JSON.stringify(section)}${colon}{${entries.map(entry).join(', ')}}`
      : `${JSON.stringify(section)}${colon}{${eol}${entries.map((e) => `${indent}${indent}${entry(e)}`).join(`,${eol}`)}${eol}${indent}}`;
    if (after === undefined)
      return oneLine
        ? `${text.slice(0, top.start + 1)}${member}${text.slice(top.end - 1)}`
        : `${text.slice(0, top.start + 1)}${eol}${indent}${member}${eol}${text.slice(top.end - 1)}`;
    return `${text.slice(0, after.valueEnd)}${oneLine ? ', ' : `,${eol}${indent}`}${member}${text.slice(after.valueEnd)}`;
  }
  if (text[existing.valueStart] !== '{') throw new Error(`package.json "${section}" is not an object`);
  return insertMembers(text, objectMembers(text, existing.valueStart), entries.map(entry), {
    eol,
    indent: `${indent}${indent}`,
    closingIndent: indent,
    keys: entries.map(([name]) => name),
  });
}

/** Inserts `members` (JSON texts) into the object, in its layout: one per line, or on its one line. */
function insertMembers(
  text: string,
  object: JsonObjectSpan,
  members: readonly string[],
  style: { eol: string; indent: string; closingIndent: string; keys: readonly string[] },
): string {
  const body = text.slice(object.start, object.end);
  const { members: current } = object;
  if (current.length === 0) {
    const lines = members.map((member) => `${style.indent}${member}`).join(`,${style.eol}`);
    return `${text.slice(0, object.start)}{${style.eol}${lines}${style.eol}${style.closingIndent}}${text.slice(object.end)}`;
  }
  const multiline = body.includes('\n');
  const indent = multiline ? (indentOf(text, object) ?? style.indent) : '';
  const separator = multiline ? `,${style.eol}${indent}` : ', ';
  const sorted = current.every((member, i) => i === 0 || current[i - 1]!.key.localeCompare(member.key) <= 0);
  // Edits from the end backwards, so earlier offsets stay valid.
  const edits: Array<{ at: number; insert: string }> = [];
  for (const [i, member] of members.entries()) {
    const key = style.keys[i]!;
    const before = sorted ? current.find((existing) => existing.key.localeCompare(key) > 0) : undefined;
    if (before === undefined) edits.push({ at: current.at(-1)!.valueEnd, insert: `${separator}${member}` });
    else edits.push({ at: before.keyStart, insert: `${member}${separator}` });
  }
  let result = text;
  // Stable for equal offsets: entries bound for one spot keep their alphabetical order.
  for (const { at, insert } of edits.map((edit, i) => ({ ...edit, i })).sort((a, b) => b.at - a.at || b.i - a.i))
    result = `${result.slice(0, at)}${insert}${result.slice(at)}`;
  return result;
}

/** The indentation of the object's first member, when it starts a line. */
function indentOf(text: string, object: JsonObjectSpan): string | undefined {
  const first = object.members[0];
  if (first === undefined) return undefined;
  const lineStart = text.lastIndexOf('\n', first.keyStart) + 1;
  const indent = text.slice(lineStart, first.keyStart);
  return lineStart > object.start && /^[ \t]*$/.test(indent) ? indent : undefined;
}
