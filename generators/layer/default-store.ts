import type { StoreEntry } from '../../runtime/manifest.js';

/**
 * What the user is told about a store's default URL (the one index.ts falls back to when
 * SESSION_STORE is unset), from the manifest's `defaultUrl`: where an embedded store keeps its
 * data, and that memory does not keep it at all.
 */

/** The app folder an embedded store's default URL points into (`dir:.sessions` → `.sessions`), to keep it out of git. */
export function embeddedFolder(store: StoreEntry): string | undefined {
  // Read from the text: the URL parser makes every `file:` path absolute.
  const path = store.defaultUrl.slice(store.defaultUrl.indexOf(':') + 1);
  return path === '' || path.startsWith('/') ? undefined : path.split(/[/?#]/)[0];
}

/** A few words on where the default URL keeps sessions, when the URL alone does not say it plainly. */
export function defaultUrlNote(store: StoreEntry): string | undefined {
  const folder = embeddedFolder(store);
  if (folder !== undefined) return `in ${folder}/ at the app root, git-ignored`;
  if (store.name === 'memory') return 'sessions are lost when the process exits and each process has its own';
  return undefined;
}

/** The URL scheme of a store URL (`'dir:.sessions'` → `dir:`), as index.ts's `stores` object keys it. */
export function urlScheme(url: string): string | undefined {
  return /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0].toLowerCase();
}

/** The store among `stores` that a URL names, by its scheme. */
export function storeForUrl(url: string, stores: readonly StoreEntry[]): StoreEntry | undefined {
  const scheme = urlScheme(url);
  return stores.find((store) => scheme !== undefined && store.schemes.includes(scheme));
}
