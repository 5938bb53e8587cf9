import { describe, expect, it } from 'vitest';
import { parseDuration, parseOptionalDuration, type Duration } from '../../runtime/core/duration.js';
import { SessionConfigError } from '../../runtime/core/errors.js';

function configError(run: () => unknown): SessionConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SessionConfigError);
    return error as SessionConfigError;
  }
  throw new Error('expected a SessionConfigError, but nothing was thrown');
}

describe('parseDuration', () => {
  it.each<[Duration, number]>([
    [900, 900_000],
    [1, 1_000],
    [0.5, 500],
    ['900', 900_000],
    [' 900 ', 900_000],
    ['2.5', 2_500],
    ['500ms', 500],
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1.5h', 5_400_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
    ['15 m', 900_000],
    ['3650d', 3650 * 86_400_000],
  ])('%j is %i ms', (value, ms) => {
    expect(parseDuration('maxAge', value)).toBe(ms);
  });

  it.each<Duration>([
    'abc',
    -1,
    '-1',
    '',
    '   ',
    '5 years',
    '15M',
    '15mm',
    'm',
    '1e3',
    '0x10',
    '1,5h',
    'Infinity',
    'NaN',
    Number.NaN,
    Number.POSITIVE_INFINITY,
    0,
    '0',
    '0s',
    '3651d',
    1e21,
  ])('rejects %j with a SessionConfigError naming the option', (value) => {
    const error = configError(() => parseDuration('maxAge', value));
    expect(error.name).toBe('SessionConfigError');
    expect(error.message).toMatch(/^\[session\] option "maxAge" must be a positive duration/);
    expect(error.message).toContain(JSON.stringify(value));
  });

  it('names whichever option it was given', () => {
    expect(() => parseDuration('absoluteTimeout', 'soon')).toThrow('[session] option "absoluteTimeout"');
    expect(() => parseDuration('refresh.maxAge', 'later')).toThrow('[session] option "refresh.maxAge"');
  });

  it('rejects a duration that rounds to zero milliseconds instead of returning 0', () => {
    // A 0 ms maxAge would make every session expire the moment it is written.
    expect(() => parseDuration('maxAge', '0.0001')).toThrow(SessionConfigError);
    expect(() => parseDuration('maxAge', '0.4ms')).toThrow(SessionConfigError);
    expect(parseDuration('maxAge', '0.6ms')).toBe(1);
  });

  it('rejects values of the wrong type (plain-JS or JSON configuration) with a SessionConfigError', () => {
    for (const value of [null, true, {}, ['15m']]) {
      const error = configError(() => parseDuration('maxAge', value as unknown as Duration));
      expect(error.message).toContain('option "maxAge"');
    }
  });
});

describe('parseOptionalDuration', () => {
  it.each<[Duration | false]>([[0], ['0'], [false]])('%j means never (undefined)', (value) => {
    expect(parseOptionalDuration('regenerateEvery', value, 240)).toBeUndefined();
  });

  it('falls back when the option is not given', () => {
    expect(parseOptionalDuration('regenerateEvery', undefined, 240)).toBe(240_000);
    expect(parseOptionalDuration('absoluteTimeout', undefined, false)).toBeUndefined();
  });

  it('parses a given value like parseDuration', () => {
    expect(parseOptionalDuration('absoluteTimeout', '8h', false)).toBe(28_800_000);
    expect(parseOptionalDuration('regenerateEvery', 60, 240)).toBe(60_000);
  });

  it.each<Duration>(['abc', -1, '', '5 years'])('rejects %j naming the option', (value) => {
    expect(() => parseOptionalDuration('regenerateEvery', value, 240)).toThrow(
      /^\[session\] option "regenerateEvery" /,
    );
    expect(() => parseOptionalDuration('regenerateEvery', value, 240)).toThrow(SessionConfigError);
  });
});
