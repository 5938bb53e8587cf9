import { describe, expect, it } from 'vitest';
import { painter, useColor } from '../../generators/cli/colors.js';

describe('colour', () => {
  it('only on a terminal, never with NO_COLOR or a dumb terminal', () => {
    expect(useColor({ write: () => true, isTTY: true }, {})).toBe(true);
    expect(useColor({ write: () => true, isTTY: false }, {})).toBe(false);
    expect(useColor({ write: () => true }, {})).toBe(false);
    expect(useColor({ write: () => true, isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ write: () => true, isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  it('paints only when enabled', () => {
    expect(painter(true)('green', 'ok')).toBe('\u001b[32mok\u001b[0m');
    expect(painter(false)('green', 'ok')).toBe('ok');
  });
});
