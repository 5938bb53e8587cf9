/**
 * Taking flash messages (Session.takeFlash): each message is returned once, even to parallel
 * requests of one session, in this process or another. Adding them needs nothing of its own:
 * they ride along with the session's save (see withFlashes in ./data.ts).
 */
import { FLASH_KEY, isFlashBag, parseData } from './data.js';
import { KeyedQueue } from './keyed-queue.js';
import type { SessionRecord } from './store.js';

interface Located {
  key: string;
  record: SessionRecord;
}
type WriteOnFreshest = (
  start: Located,
  build: (base: SessionRecord) => SessionRecord | undefined,
) => Promise<Located | undefined>;

/** The takeFlash of one manager, over its conditional-write-and-merge loop (see ./writes.ts). */
export function flashTaker(writeOnFreshest: WriteOnFreshest): (start: Located, flashKey: string) => Promise<unknown[]> {
  const flashTakes = new KeyedQueue();

  /**
   * Removes a flash key's messages from the stored session at once and resolves the ones removed:
   * of two requests taking the same messages, the one whose conditional write lands gets them,
   * and the other finds them gone when it re-reads. Writes nothing when there is nothing to take.
   */
  function takeFlash(start: Located, flashKey: string): Promise<unknown[]> {
    // One at a time per session in this process; other processes are kept apart by the
    // conditional write alone.
    return flashTakes.run(start.key, () => takeFlashNow(start, flashKey));
  }

  async function takeFlashNow(start: Located, flashKey: string): Promise<unknown[]> {
    let taken: unknown[] = [];
    const written = await writeOnFreshest(start, (base) => {
      const values = parseData(base.data) ?? {};
      const bag = values[FLASH_KEY];
      taken = isFlashBag(bag) ? (bag[flashKey] ?? []) : [];
      if (!isFlashBag(bag) || taken.length === 0) return undefined;
      const rest = { ...bag };
      Reflect.deleteProperty(rest, flashKey);
      if (Object.keys(rest).length === 0) Reflect.deleteProperty(values, FLASH_KEY);
      else values[FLASH_KEY] = rest;
      return { ...base, data: JSON.stringify(values), version: base.version + 1 };
    });
    return written ? taken : [];
  }

  return takeFlash;
}
