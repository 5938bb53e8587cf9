/**
 * A failing store surfaces as one error type, SessionStoreError (503, a code, the cause kept),
 * from load and from every commit path. The doubles here exist only to force those failures.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionStoreError } from '../../runtime/core/errors.js';
import { newSessionId } from '../../runtime/core/id.js';
import { createSessionManager, type SessionManager } from '../../runtime/core/manager.js';
import type { Session, SessionData } from '../../runtime/core/session.js';
import type { SessionStore } from '../../runtime/core/store.js';
import { Browser, failingStore, partlyFailingStore, quietLogger, request, type StoreOperation } from './helpers.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

async function caught(promise: Promise<unknown>): Promise<SessionStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SessionStoreError);
  return error as SessionStoreError;
}

function manager(store: SessionStore): SessionManager {
  return createSessionManager({ store, logger: quietLogger() });
}

describe('a store that is down', () => {
  const cause = new Error('connect ECONNREFUSED 127.0.0.1:6379');

  it.each([false, true])(
    'fails load with a 503 SessionStoreError keeping the cause (synchronous throw: %s)',
    async (sync) => {
      const sessions = manager(failingStore(cause, sync));
      const error = await caught(sessions.load(request({ cookieHeader: `session_id=${newSessionId()}` })));
      expect(error.status).toBe(503);
      expect(error.statusCode).toBe(503);
      expect(error.expose).toBe(false);
      expect(error.code).toBe('failed');
      expect(error.store).toBe('broken');
      expect(error.cause).toBe(cause);
      expect(error.message).toBe(`[session] [broken] get failed: ${cause.message}`);
    },
  );

  it('does not matter to a visitor without a session cookie who stores nothing', async () => {
    const sessions = manager(failingStore(cause));
    const session = await sessions.load(request());
    expect(await sessions.commit(session)).toBeUndefined();
  });

  it('fails commit of a new session with a SessionStoreError', async () => {
    const sessions = manager(failingStore(cause));
    const session = await sessions.load(request());
    session.set('user', 'ada');
    const error = await caught(sessions.commit(session));
    expect(error).toMatchObject({ status: 503, code: 'failed', cause });
    expect(error.message).toContain('write failed');
  });

  it('keeps the code of a SessionStoreError the store threw itself', async () => {
    const own = new SessionStoreError('redis', 'timeout', 'no answer within 2000 ms');
    const error = await caught(
      manager(failingStore(own)).load(request({ cookieHeader: `session_id=${newSessionId()}` })),
    );
    expect(error).toBe(own);
    expect(error.code).toBe('timeout');
  });

  it('fails deleteExpired with a SessionStoreError', async () => {
    const error = await caught(manager(failingStore(cause)).deleteExpired());
    expect(error.message).toContain('deleteExpired failed');
  });
});

describe('a store failing one operation', () => {
  /** A stored session, loaded again after the store's `operation` started failing. */
  async function failingAt(operation: StoreOperation) {
    const flaky = partlyFailingStore();
    const sessions = manager(flaky.store);
    const browser = new Browser(sessions);
    await browser.visit((session) => session.set('user', 'ada'));
    flaky.failing.add(operation);
    return { sessions, browser };
  }

  async function commitAfter(operation: StoreOperation, change: (session: Session<SessionData>) => void) {
    const { sessions, browser } = await failingAt(operation);
    const session = await sessions.load(browser.request());
    expect(session.get('user')).toBe('ada');
    change(session);
    return sessions.commit(session);
  }

  it('write: a changed session fails to save', async () => {
    const error = await caught(commitAfter('write', (session) => session.set('n', 1)));
    expect(error.message).toBe('[session] [flaky] write failed: disk full');
    expect(error.code).toBe('failed');
  });

  it('write: a regenerated session fails to save', async () => {
    const { sessions, browser } = await failingAt('write');
    vi.setSystemTime(T0 + 300_000);
    const error = await caught(sessions.commit(await sessions.load(browser.request())));
    expect(error.message).toContain('write failed');
  });

  it('touch: renewing an unchanged session fails', async () => {
    const { sessions, browser } = await failingAt('touch');
    vi.setSystemTime(T0 + 100_000);
    const error = await caught(sessions.commit(await sessions.load(browser.request())));
    expect(error.message).toContain('touch failed');
  });

  it('destroy: invalidate fails', async () => {
    const error = await caught(commitAfter('destroy', (session) => session.invalidate()));
    expect(error.message).toContain('destroy failed');
  });

  it('get: a rotation, which re-reads the record, fails', async () => {
    const flaky = partlyFailingStore(new Error('read timeout'));
    const sessions = manager(flaky.store);
    const browser = new Browser(sessions);
    await browser.visit((session) => session.set('user', 'ada'));
    const session = await sessions.load(browser.request());
    session.refresh({ rotate: true });
    flaky.failing.add('get');
    const error = await caught(sessions.commit(session));
    expect(error.message).toContain('get failed: read timeout');
  });

  it('write answering false for a brand-new id is reported as a conflict', async () => {
    const { store } = partlyFailingStore();
    const sessions = manager({ ...store, write: async () => false });
    const session = await sessions.load(request());
    session.set('user', 'ada');
    const error = await caught(sessions.commit(session));
    expect(error.code).toBe('conflict');
    expect(error.status).toBe(503);
  });

  it('a store that keeps refusing a conditional write ends in a conflict, not a loop', async () => {
    const flaky = partlyFailingStore();
    const sessions = manager(flaky.store);
    const browser = new Browser(sessions);
    await browser.visit((session) => session.set('user', 'ada'));
    let writes = 0;
    flaky.store.write = async () => (writes++, false);
    const session = await sessions.load(browser.request());
    session.set('n', 1);
    const error = await caught(sessions.commit(session));
    expect(error.code).toBe('conflict');
    expect(writes).toBeGreaterThan(1);
    expect(writes).toBeLessThanOrEqual(100);
  });
});
