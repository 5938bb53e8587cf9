import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeBase, encodeBase } from '../../generators/base-file.js';

describe('session-layer.base.json', () => {
  it('round-trips texts, compressed, one line per file', () => {
    const texts = new Map([
      ['a.ts', 'export const a = 1;\n'.repeat(50)],
      ['b.md', '# B\n'],
    ]);
    const json = encodeBase(texts, undefined);
    expect(decodeBase(json)).toEqual(texts);
    expect(json.length).toBeLessThan(texts.get('a.ts')!.length);
    expect(json.split('\n').filter((line) => line.includes('"a.ts"'))).toHaveLength(1);
  });

  it('keeps the stored bytes of an unchanged text (zlib output may differ between Node versions)', () => {
    const texts = new Map([
      ['a.ts', 'one'],
      ['b.ts', 'two'],
    ]);
    const stored = encodeBase(texts, undefined).replace(
      /"a\.ts": "[^"]+"/,
      `"a.ts": "${Buffer.from('pretend-other-zlib').toString('base64')}"`,
    );
    const next = encodeBase(
      new Map([
        ['a.ts', 'one'],
        ['b.ts', 'three'],
      ]),
      { json: stored, texts },
    );
    const files = (JSON.parse(next) as { files: Record<string, string> }).files;
    expect(files['a.ts']).toBe(Buffer.from('pretend-other-zlib').toString('base64'));
    expect(gunzipSync(Buffer.from(files['b.ts']!, 'base64')).toString()).toBe('three');
  });

  it('refuses a file in another format', () => {
    expect(() => decodeBase('{"files":{}}')).toThrow(/unknown base file format/);
  });
});
