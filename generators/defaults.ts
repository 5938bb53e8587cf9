import { SESSION_DEFAULTS } from '../runtime/core/options.js';

/*
 * The session options' defaults as the generator shows them (the layer's README, --help), read
 * from SESSION_DEFAULTS in runtime/core/options.ts, their one home: what these say cannot differ
 * from what the layer does.
 */

/** Option path (`maxAge`, `cookie.name`) → default value, for every option that has one. */
export function defaultsByPath(): Map<string, unknown> {
  const paths = new Map<string, unknown>();
  const walk = (prefix: string, object: object) => {
    for (const [key, value] of Object.entries(object)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      if (typeof value === 'object' && value !== null && !Array.isArray(value) && value !== console)
        walk(path, value as object);
      else paths.set(path, value);
    }
  };
  walk('', SESSION_DEFAULTS);
  return paths;
}

/** A default as plain text: `900`, `session_id`, `[]`, `false`; `none` when unset, `console` for the console logger. */
export function defaultText(value: unknown): string {
  if (value === undefined) return 'none';
  if (value === console) return 'console';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** The same in Markdown: as code, except `none`, which is no value at all. */
export function defaultMarkdown(value: unknown): string {
  return value === undefined ? 'none' : `\`${defaultText(value)}\``;
}

/** The defaults as Markdown, nested like SESSION_DEFAULTS, for the templates (`{{{defaults.cookie.name}}}`). */
export function defaultsForTemplates(): Record<string, unknown> {
  const nested: Record<string, unknown> = {};
  for (const [path, value] of defaultsByPath()) {
    const keys = path.split('.');
    let level = nested;
    for (const key of keys.slice(0, -1)) level = (level[key] ??= {}) as Record<string, unknown>;
    level[keys.at(-1) ?? path] = defaultMarkdown(value);
  }
  return nested;
}
