import { describe, expect, it } from 'vitest';
import { addHeader } from '../../../generators/transforms/add-header.js';
import { sourceFile } from './_index-source.js';

describe('addHeader', () => {
  it('opens the file with where it came from, the version, and that the app owns it', () => {
    const file = sourceFile('export const a = 1;\n');
    addHeader(file, 'runtime/core/a.ts', '1.2.3');
    const [first, second, ...rest] = file.getFullText().split('\n');
    expect(first).toBe('// Vendored by create-session-layer 1.2.3 from runtime/core/a.ts.');
    expect(second).toMatch(/^\/\/ This file is yours now/);
    expect(rest.join('\n')).toContain('export const a = 1;');
  });
});
