import { describe, expect, it } from 'vitest';
import { SessionConfigError, SessionStoreError, storeCall } from '../../runtime/core/errors.js';

describe('SessionConfigError', () => {
  it('names the option in a fixed format', () => {
    const error = new SessionConfigError('maxAge', 'must be positive');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SessionConfigError');
    expect(error.message).toBe('[session] option "maxAge" must be positive');
  });

  it('adds the scope of a store option', () => {
    expect(new SessionConfigError('maxEntries', 'is bad', 'memory').message).toBe(
      '[session] [memory] option "maxEntries" is bad',
    );
  });
});

describe('SessionStoreError', () => {
  it('is a 503 that frameworks do not expose', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new SessionStoreError('redis', 'unavailable', 'cannot connect', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SessionStoreError');
    expect(error.message).toBe('[session] [redis] cannot connect');
    expect(error.status).toBe(503);
    expect(error.statusCode).toBe(503);
    expect(error.expose).toBe(false);
    expect(error.code).toBe('unavailable');
    expect(error.store).toBe('redis');
    expect(error.cause).toBe(cause);
  });
});

describe('storeCall', () => {
  it('passes a result through', async () => {
    await expect(storeCall('memory', 'get', async () => 42)).resolves.toBe(42);
  });

  it('wraps a rejection into a SessionStoreError that keeps the cause', async () => {
    const cause = new Error('disk full');
    const error = await storeCall('dir', 'write', async () => {
      throw cause;
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(error).toMatchObject({ code: 'failed', store: 'dir', status: 503, cause });
    expect((error as Error).message).toBe('[session] [dir] write failed: disk full');
  });

  it('wraps a synchronous throw and a thrown non-Error', async () => {
    const syncError = await storeCall('x', 'get', () => {
      throw new Error('sync');
    }).catch((e: unknown) => e);
    expect(syncError).toBeInstanceOf(SessionStoreError);
    const stringError = await storeCall('x', 'touch', async () => {
      throw 'plain string';
    }).catch((e: unknown) => e);
    expect(stringError).toBeInstanceOf(SessionStoreError);
    expect((stringError as Error).message).toBe('[session] [x] touch failed: plain string');
    expect((stringError as Error).cause).toBe('plain string');
  });

  it('lets a SessionStoreError through unchanged, keeping its code', async () => {
    const original = new SessionStoreError('redis', 'timeout', 'no answer in 2000 ms');
    const error = await storeCall('redis', 'get', async () => {
      throw original;
    }).catch((e: unknown) => e);
    expect(error).toBe(original);
  });
});
