import { SessionConfigError } from './errors.js';

/** Seconds as a number or numeric string, or a human string: `"90s"`, `"15m"`, `"2h"`, `"7d"`, `"1w"`. */
export type Duration = number | string;

const UNIT_MS: ReadonlyMap<string, number> = new Map([
  ['ms', 1],
  ['s', 1_000],
  ['m', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
  ['w', 604_800_000],
]);

const MAX_DURATION_MS = 10 * 365 * 86_400_000;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/;

/**
 * Parses a duration setting into milliseconds. Bad values fail at start-up with an error that
 * names the setting, because a silently-defaulted session lifetime is a security bug.
 */
export function parseDuration(option: string, value: Duration): number {
  // Plain-JS and JSON configuration can hand over null, true or an object; those must fail
  // as a config error naming the option, not as a TypeError from .trim().
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const match = DURATION.exec(text);
  // Rounded before the check, so "0.0001" or "0.4ms" cannot slip through as a 0 ms lifetime.
  const ms = match ? Math.round(Number(match[1]) * (UNIT_MS.get(match.at(2) ?? 's') ?? 1_000)) : Number.NaN;
  if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_DURATION_MS) {
    throw new SessionConfigError(
      option,
      `must be a positive duration such as 900, "900", "15m", "2h" or "7d" (at most 10 years); got ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

/** Like `parseDuration`, but `0` and `false` mean "never" and give `undefined`. */
export function parseOptionalDuration(
  option: string,
  value: Duration | false | undefined,
  fallback: Duration | false,
): number | undefined {
  // Not given: the fallback, read the same way (`??` would take null too, which must fail as a bad value).
  if (value === undefined) return parseOptionalDuration(option, fallback, false);
  if (value === false || value === 0 || value === '0') return undefined;
  return parseDuration(option, value);
}
