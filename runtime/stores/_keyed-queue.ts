/**
 * Runs async work one at a time per key inside this process, in arrival order. Requests of one
 * process on one session then queue in memory instead of racing each other through the store's
 * conflict-and-retry path, and file stores queue before taking their cross-process lock.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
