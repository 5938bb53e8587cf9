import { embeddedFolder } from '../../layer/default-store.js';
import type { ActionData } from './context.js';

/**
 * An embedded store's default URL keeps sessions in a folder of the app (`dir:.sessions`): the
 * folder goes into the app's .gitignore when the store joins the layer, so no session is ever
 * committed. Only then: a line the user later removes stays removed.
 */
export function gitignoreAction(data: ActionData): string {
  const joining = data.layer === undefined ? data.storeEntries : data.added;
  const folders = [...new Set(joining.map(embeddedFolder).filter((folder) => folder !== undefined))];
  const before = data.plan.read('.gitignore');
  const lines = new Set((before ?? '').split(/\r?\n/).map((line) => line.trim()));
  const missing = folders.filter(
    (folder) => ![folder, `${folder}/`, `/${folder}`, `/${folder}/`].some((line) => lines.has(line)),
  );
  if (missing.length === 0) return '.gitignore: nothing to add';
  const eol = before?.includes('\r\n') ? '\r\n' : '\n';
  const separator = before === undefined || before === '' ? '' : before.endsWith('\n') ? eol : `${eol}${eol}`;
  const added = [
    '# Session data of the embedded stores (create-session-layer)',
    ...missing.map((folder) => `/${folder}/`),
  ];
  data.plan.addEdit('.gitignore', `${before ?? ''}${separator}${added.join(eol)}${eol}`);
  return `.gitignore: add ${missing.map((folder) => `/${folder}/`).join(', ')}`;
}
