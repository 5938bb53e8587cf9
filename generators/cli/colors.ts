/** Where output goes: a stream that may be a terminal. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
}

export type Paint = (color: keyof typeof CODES, text: string) => string;

const CODES = { green: 32, yellow: 33, red: 31, cyan: 36, dim: 2, bold: 1 } as const;

/** Colour only for a person at a terminal: never into a pipe or file, never when NO_COLOR is set (https://no-color.org). */
export function useColor(stream: OutputStream, env: Readonly<Record<string, string | undefined>>): boolean {
  return stream.isTTY === true && !env['NO_COLOR'] && env['TERM'] !== 'dumb';
}

export function painter(enabled: boolean): Paint {
  return (color, text) => (enabled ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text);
}
