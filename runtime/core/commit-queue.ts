/** One commit waiting for its turn. Only its first settlement counts. */
export interface Queued<Job, Result> {
  readonly job: Job;
  readonly settled: boolean;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

class Entry<Job, Result> implements Queued<Job, Result> {
  settled = false;

  constructor(
    readonly job: Job,
    private readonly onResolve: (result: Result) => void,
    private readonly onReject: (error: unknown) => void,
  ) {}

  resolve(result: Result): void {
    if (this.settled) return;
    this.settled = true;
    this.onResolve(result);
  }

  reject(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.onReject(error);
  }
}

/**
 * The commits of one session from this process, in arrival order, handed over in batches: while
 * one batch is being saved, the commits that arrive queue up, and the next round takes all of
 * them at once. The processor may then save several requests' changes with one store write, so
 * ten parallel requests on one session cost a few writes instead of ten writes racing each other.
 *
 * `process` must settle every job it is given; any it leaves unsettled are rejected (with its
 * error if it threw), so a forgotten job can never hang its request.
 */
export class CommitQueue<Job, Result> {
  readonly #waiting = new Map<string, Queued<Job, Result>[]>();

  constructor(private readonly process: (key: string, batch: readonly Queued<Job, Result>[]) => Promise<void>) {}

  run(key: string, job: Job): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const entry = new Entry(job, resolve, reject);
      const waiting = this.#waiting.get(key);
      if (waiting) waiting.push(entry);
      else {
        this.#waiting.set(key, [entry]);
        void this.#drain(key);
      }
    });
  }

  async #drain(key: string): Promise<void> {
    for (;;) {
      const waiting = this.#waiting.get(key);
      if (!waiting || waiting.length === 0) break;
      const batch = waiting.splice(0);
      let failure: unknown;
      try {
        await this.process(key, batch);
      } catch (error) {
        failure = error;
      }
      for (const entry of batch) {
        if (!entry.settled) entry.reject(failure ?? new Error('[session] internal error: a commit was left unsettled'));
      }
    }
    this.#waiting.delete(key);
  }
}
