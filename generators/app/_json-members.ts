/**
 * Where the members of a JSON object sit in its text, so a file the user owns (package.json) can
 * be edited in place: one inserted entry, every other byte as it was. The text is known to be
 * valid JSON (JSON.parse read it first), so the scanner only needs to skip strings and nesting.
 */
export interface JsonMember {
  key: string;
  /** Offset of the key's opening quote. */
  keyStart: number;
  /** Offsets of the value: `text.slice(valueStart, valueEnd)` is the value's JSON. */
  valueStart: number;
  valueEnd: number;
}

export interface JsonObjectSpan {
  /** Offset of `{`. */
  start: number;
  /** Offset just after `}`. */
  end: number;
  members: JsonMember[];
}

/** The members of the object whose `{` is at `start` (the whole text's top-level object by default). */
export function objectMembers(text: string, start = skipSpace(text, 0)): JsonObjectSpan {
  if (text[start] !== '{') throw new Error('not a JSON object');
  const members: JsonMember[] = [];
  let at = skipSpace(text, start + 1);
  while (text[at] !== '}') {
    const keyStart = at;
    const keyEnd = skipValue(text, at);
    const key = JSON.parse(text.slice(keyStart, keyEnd)) as string;
    const valueStart = skipSpace(text, skipSpace(text, keyEnd) + 1); // past the colon
    const valueEnd = skipValue(text, valueStart);
    members.push({ key, keyStart, valueStart, valueEnd });
    at = skipSpace(text, valueEnd);
    if (text[at] === ',') at = skipSpace(text, at + 1);
  }
  return { start, end: at + 1, members };
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && /\s/.test(text[at]!)) at++;
  return at;
}

/** The offset just after the JSON value starting at `at`. */
function skipValue(text: string, at: number): number {
  const first = text[at];
  if (first === '"') {
    let i = at + 1;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    return i + 1;
  }
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let i = at; i < text.length; i++) {
      const char = text[i];
      if (char === '"') i = skipValue(text, i) - 1;
      else if (char === '{' || char === '[') depth++;
      else if ((char === '}' || char === ']') && --depth === 0) return i + 1;
    }
    throw new Error('unterminated JSON value');
  }
  let i = at;
  while (i < text.length && !/[\s,}\]]/.test(text[i]!)) i++;
  return i;
}
