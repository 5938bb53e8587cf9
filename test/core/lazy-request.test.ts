import { describe, expect, it } from 'vitest';
import { LazyRequest, type RequestReader } from '../../runtime/core/lazy-request.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { cookiePair, SECRET } from './helpers.js';

/** A framework request whose address and protocol cost something to work out, counting how often they are asked. */
class CountingSource {
  reads = 0;
  protocolReads = 0;
  constructor(
    readonly address: string,
    readonly secure = false,
  ) {}
}

const reader: RequestReader<CountingSource> = {
  ip: (source) => {
    source.reads++;
    return source.address;
  },
  https: (source) => {
    source.protocolReads++;
    return source.secure;
  },
};

describe('LazyRequest', () => {
  it('carries the plain facts and reads the address and protocol from its source on each access, never before', () => {
    const source = new CountingSource('198.51.100.4', true);
    const info = new LazyRequest(source, reader, 'sid=1', 'agent/1');
    expect(info).toMatchObject({ cookieHeader: 'sid=1', userAgent: 'agent/1' });
    expect(source.reads).toBe(0);
    expect(source.protocolReads).toBe(0);
    expect(info.ip).toBe('198.51.100.4');
    expect(info.ip).toBe('198.51.100.4');
    expect(info.https).toBe(true);
    expect(source.reads).toBe(2);
    expect(source.protocolReads).toBe(1);
  });

  it('lets a read-only request pass without the address, while storing and binding read it', async () => {
    const manager = createSessionManager({ store: memoryStore(), secret: SECRET, bind: [] });
    const first = new CountingSource('198.51.100.4');
    const created = await manager.load(new LazyRequest(first, reader, undefined, 'agent/1'));
    created.set('n', 1);
    const setCookie = await manager.commit(created);
    expect(first.reads).toBeGreaterThan(0); // the new record keeps the address, as the original module did
    expect(first.protocolReads).toBeGreaterThan(0); // its cookie gets Secure only over HTTPS ("auto")

    const readOnly = new CountingSource('198.51.100.4');
    const loaded = await manager.load(new LazyRequest(readOnly, reader, cookiePair(setCookie!), 'agent/1'));
    expect(loaded.get('n')).toBe(1);
    await manager.commit(loaded);
    expect(readOnly.reads).toBe(0);
    // No cookie to send, so the protocol (for the Secure attribute) is not asked either.
    expect(readOnly.protocolReads).toBe(0);

    // Bound to the address: every load compares it, so there it is read.
    const bound = createSessionManager({
      store: memoryStore(),
      secret: SECRET,
      bind: ['ip'],
      logger: { warn: () => {}, error: () => {} },
    });
    const owner = await bound.load(new LazyRequest(first, reader, undefined, 'agent/1'));
    owner.set('n', 1);
    const boundCookie = cookiePair((await bound.commit(owner))!);
    const checked = new CountingSource('198.51.100.4');
    const again = await bound.load(new LazyRequest(checked, reader, boundCookie, 'agent/1'));
    expect(again.get('n')).toBe(1);
    expect(checked.reads).toBeGreaterThan(0);
    const stranger = await bound.load(new LazyRequest(new CountingSource('192.0.2.9'), reader, boundCookie, 'agent/1'));
    expect(stranger.get('n')).toBeUndefined();
    await manager.close();
    await bound.close();
  });
});
