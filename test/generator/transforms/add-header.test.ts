import { describe, expect, it } from 'vitest';
import { addHeader } from '../../../generators/transforms/add-header.js';

describe('addHeader', () => {
  it('opens the file with where it came from, the version, and that the app owns it', () => {
    const text = addHeader('/** Docs. */\nexport const a = 1;\n', 'runtime/core/a.ts', '1.2.3');
    const [first, second, ...rest] = text.split('\n');
    expect(first).toBe('// Vendored by create-session-layer 1.2.3 from runtime/core/a.ts.');
    expect(second).toMatch(/^\/\/ This file is yours now/);
    expect(rest.join('\n')).toBe('/** Docs. */\nexport const a = 1;\n');
  });

  it("writes the header in the file's own line breaks", () => {
    const text = addHeader('export const a = 1;\r\n', 'runtime/core/a.ts', '1.2.3');
    expect(text.split('\r\n')).toHaveLength(4);
    expect(text).not.toMatch(/[^\r]\n/);
  });
});
