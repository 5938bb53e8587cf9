import { describe, expect, it } from 'vitest';
import { LazyIpRequest } from '../../runtime/core/lazy-request.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { cookiePair, SECRET } from './helpers.js';

/** A framework request whose address costs something to work out, counting how often it is asked. */
class CountingSource {
  reads = 0;
  constructor(readonly address: string) {}
}

const readAddress = (source: CountingSource) => {
  source.reads++;
  return source.address;
};

describe('LazyIpRequest', () => {
  it('carries the plain facts and reads the address from its source on each access, never before', () => {
    const source = new CountingSource('198.51.100.4');
    const info = new LazyIpRequest(source, readAddress, 'sid=1', 'agent/1', true);
    expect(info).toMatchObject({ cookieHeader: 'sid=1', userAgent: 'agent/1', https: true });
    expect(source.reads).toBe(0);
    expect(info.ip).toBe('198.51.100.4');
    expect(info.ip).toBe('198.51.100.4');
    expect(source.reads).toBe(2);
  });

  it('lets a read-only request pass without the address, while storing and binding read it', async () => {
    const manager = createSessionManager({ store: memoryStore(), secret: SECRET, bind: [] });
    const first = new CountingSource('198.51.100.4');
    const created = await manager.load(new LazyIpRequest(first, readAddress, undefined, 'agent/1', false));
    created.set('n', 1);
    const setCookie = await manager.commit(created);
    expect(first.reads).toBeGreaterThan(0); // the new record keeps the address, as the original module did

    const reader = new CountingSource('198.51.100.4');
    const loaded = await manager.load(new LazyIpRequest(reader, readAddress, cookiePair(setCookie!), 'agent/1', false));
    expect(loaded.get('n')).toBe(1);
    await manager.commit(loaded);
    expect(reader.reads).toBe(0);

    // Bound to the address: every load compares it, so there it is read.
    const bound = createSessionManager({
      store: memoryStore(),
      secret: SECRET,
      bind: ['ip'],
      logger: { warn: () => {} },
    });
    const owner = await bound.load(new LazyIpRequest(first, readAddress, undefined, 'agent/1', false));
    owner.set('n', 1);
    const boundCookie = cookiePair((await bound.commit(owner))!);
    const checked = new CountingSource('198.51.100.4');
    const again = await bound.load(new LazyIpRequest(checked, readAddress, boundCookie, 'agent/1', false));
    expect(again.get('n')).toBe(1);
    expect(checked.reads).toBeGreaterThan(0);
    const stranger = await bound.load(
      new LazyIpRequest(new CountingSource('192.0.2.9'), readAddress, boundCookie, 'agent/1', false),
    );
    expect(stranger.get('n')).toBeUndefined();
    await manager.close();
    await bound.close();
  });
});
