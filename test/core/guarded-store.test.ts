import { describe, expect, it } from 'vitest';
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

describe('guardedStore', () => {
  it('passes answers through, and a call that hangs fails as a timeout between the timeout and 1.25× it', async () => {
    const { store } = holdingStore();
    const guarded = guardedStore(store, 80);
    expect(await guarded.write('k', record(1), undefined)).toBe(true);
    expect((await guarded.get('k'))?.version).toBe(1);
    const started = performance.now();
    const error = await guarded.get('hold:a').catch((caught: unknown) => caught);
    const waited = performance.now() - started;
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(error).toMatchObject({ code: 'timeout', message: expect.stringContaining('get took longer than 80 ms') });
    expect(waited).toBeGreaterThanOrEqual(79); // timers may fire up to a millisecond early by the clock
    expect(waited).toBeLessThan(80 * 1.25 + 60); // plus the event loop's own lateness
  });

  it('expires only the calls that hang, whatever their place among calls that finish', async () => {
    const { store, release } = holdingStore();
    const guarded = guardedStore(store, 60);
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
    const guarded = guardedStore(store, 30);
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
    const error = await guardedStore(broken, 1_000)
      .touch('k', Date.now())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(error).toMatchObject({ store: 'broken', message: expect.stringContaining('touch failed: bad argument') });
  });
});
