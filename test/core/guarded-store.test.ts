import { describe, expect, it, vi } from 'vitest';
import { SessionStoreError } from '../../runtime/core/errors.js';
import { guardedStore } from '../../runtime/core/guarded-store.js';
import type { SessionRecord, SessionStore } from '../../runtime/core/store.js';
import { memoryStore } from '../../runtime/stores/memory.js';

/**
 * A real memory store whose `get` of a key named in `held` waits until the test releases it,
 * so calls overlap in a chosen order. Everything else goes straight to the memory store.
 */
function holdingStore() {
  const inner = memoryStore();
  const held = new Map<string, (value: SessionRecord | undefined) => void>();
  const store: SessionStore = {
    ...inner,
    name: 'holding',
    get: (key) => (key.startsWith('hold:') ? new Promise((resolve) => held.set(key, resolve)) : inner.get(key)),
  };
  return { store, release: (key: string) => held.get(key)?.(undefined) };
}

const record = (version: number): SessionRecord => ({
  data: '{"n":1}',
  version,
  createdAt: Date.now(),
  issuedAt: Date.now(),
  expiresAt: Date.now() + 60_000,
  maxAge: 60_000,
  ip: '',
  userAgent: '',
});

const quiet = { warn: () => {}, error: () => {} };

describe('guardedStore', () => {
  it('passes answers through, and a call that hangs fails as a timeout once the timeout has passed', async () => {
    const { store } = holdingStore();
    const guarded = guardedStore(store, 80, quiet);
    expect(await guarded.write('k', record(1), undefined)).toBe(true);
    expect((await guarded.get('k'))?.version).toBe(1);
    const started = performance.now();
    const error = await guarded.get('hold:a').catch((caught: unknown) => caught);
    const waited = performance.now() - started;
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(error).toMatchObject({ code: 'timeout', message: expect.stringContaining('get took longer than 80 ms') });
    expect(waited).toBeGreaterThanOrEqual(79); // timers may fire up to a millisecond early by the clock
    expect(waited).toBeLessThan(80 + 60); // plus the event loop's own lateness
  });

  it('expires only the calls that hang, whatever their place among calls that finish', async () => {
    const { store, release } = holdingStore();
    const guarded = guardedStore(store, 60, quiet);
    await guarded.write('k', record(1), undefined);
    // Oldest, middle and newest calls in flight hang; the others answer at once or are released.
    const outcomes = ['hold:first', 'k', 'hold:second', 'hold:released', 'k', 'hold:last'].map((key) =>
      guarded.get(key).then(
        (value) => ({ key, value: value?.version }),
        (error: SessionStoreError) => ({ key, error: error.code }),
      ),
    );
    release('hold:released');
    expect(await Promise.all(outcomes)).toEqual([
      { key: 'hold:first', error: 'timeout' },
      { key: 'k', value: 1 },
      { key: 'hold:second', error: 'timeout' },
      { key: 'hold:released', value: undefined },
      { key: 'k', value: 1 },
      { key: 'hold:last', error: 'timeout' },
    ]);
  });

  it('ignores an answer that arrives after the timeout, and keeps working afterwards', async () => {
    const { store, release } = holdingStore();
    const guarded = guardedStore(store, 30, quiet);
    const late = guarded.get('hold:late');
    await expect(late).rejects.toMatchObject({ code: 'timeout' });
    release('hold:late'); // settles nothing: the caller already has its answer
    await expect(late).rejects.toMatchObject({ code: 'timeout' });
    expect(await guarded.write('k', record(1), undefined)).toBe(true);
    expect((await guarded.get('k'))?.version).toBe(1);
  });

  it('turns a store that throws instead of rejecting into a SessionStoreError naming the call', async () => {
    const broken: SessionStore = {
      ...memoryStore(),
      name: 'broken',
      touch: () => {
        throw new TypeError('bad argument');
      },
    };
    const error = await guardedStore(broken, 1_000, quiet)
      .touch('k', Date.now())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(error).toMatchObject({ store: 'broken', message: expect.stringContaining('touch failed: bad argument') });
  });

  it('logs an outage once, with its cause, and once when the store answers again', async () => {
    const inner = memoryStore();
    let down = true;
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:6379');
    const flaky: SessionStore = {
      ...inner,
      name: 'flaky',
      get: async (key) => {
        if (down) throw new SessionStoreError('flaky', 'unavailable', `not connected: ${cause.message}`, { cause });
        return inner.get(key);
      },
    };
    const logger = {
      warn: vi.fn<(message: string) => void>(),
      error: vi.fn<(message: string, cause?: unknown) => void>(),
    };
    const guarded = guardedStore(flaky, 1_000, logger);
    for (let i = 0; i < 5; i++) await expect(guarded.get('k')).rejects.toMatchObject({ code: 'unavailable' });
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledWith(
      '[session] [flaky] store is failing (unavailable): [session] [flaky] not connected: connect ECONNREFUSED 127.0.0.1:6379',
      cause,
    );
    down = false;
    await guarded.get('k');
    await guarded.get('k');
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith('[session] [flaky] store answering again after 5 failed calls');
    down = true;
    await expect(guarded.get('k')).rejects.toMatchObject({ code: 'unavailable' });
    expect(logger.error).toHaveBeenCalledTimes(2);
  });

  it('logs a store that refuses us as such, and counts timeouts as an outage', async () => {
    const refusing: SessionStore = {
      ...memoryStore(),
      name: 'mysql',
      get: async () => {
        throw new SessionStoreError('mysql', 'misconfigured', "access denied for user 'app'");
      },
    };
    const logger = {
      warn: vi.fn<(message: string) => void>(),
      error: vi.fn<(message: string, cause?: unknown) => void>(),
    };
    await expect(guardedStore(refusing, 1_000, logger).get('k')).rejects.toMatchObject({ status: 500 });
    expect(logger.error.mock.calls[0]?.[0]).toMatch(
      /^\[session\] \[mysql\] store refuses the session layer \(misconfigured\)/,
    );

    const { store } = holdingStore();
    const slowLogger = {
      warn: vi.fn<(message: string) => void>(),
      error: vi.fn<(message: string, cause?: unknown) => void>(),
    };
    await expect(guardedStore(store, 20, slowLogger).get('hold:x')).rejects.toMatchObject({ code: 'timeout' });
    expect(slowLogger.error).toHaveBeenCalledTimes(1);
    expect(slowLogger.error.mock.calls[0]?.[0]).toContain('store is failing (timeout)');
  });
});
