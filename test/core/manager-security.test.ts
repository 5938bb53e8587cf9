/**
 * What a hostile or broken client or store can do: forged cookies, signatures, client binding,
 * corrupt records, oversized data and prototype pollution.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newSessionId, signSessionId, storeKey } from '../../runtime/core/id.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import type { SessionOptions } from '../../runtime/core/options.js';
import {
  Browser,
  cookieValue,
  junkText,
  OLD_SECRET,
  plantedRecord,
  quietLogger,
  request,
  SECRET,
  spyStore,
} from './helpers.js';

function setup(options: Partial<SessionOptions> = {}) {
  const spy = spyStore();
  const logger = quietLogger();
  const manager = createSessionManager({ store: spy.store, logger, ...options });
  return { spy, logger, manager, browser: new Browser(manager) };
}

describe('forged, malformed and unknown cookies', () => {
  const junk = [
    'garbage',
    '',
    '""',
    "' OR 1=1 --",
    "1'; DROP TABLE sessions; --",
    '../../etc/passwd',
    '..%2F..%2Fetc%2Fpasswd',
    'A'.repeat(42),
    'A'.repeat(44),
    `${'A'.repeat(42)}/`,
    '😀'.repeat(22),
    'é'.repeat(43),
    'x'.repeat(10 * 1024),
    '\u0000'.repeat(43),
    '%00',
    '{"$ne":null}',
    '__proto__',
    `${newSessionId()}.${'A'.repeat(43)}`,
  ];

  it.each(junk.map((value) => [value.length > 60 ? `${value.slice(0, 20)}… (${value.length})` : value, value]))(
    '%j gives a new visitor and never reaches the store',
    async (_label, value) => {
      const { manager, spy } = setup();
      const session = await manager.load(request({ cookieHeader: `session_id=${value}` }));
      expect(session.isNew).toBe(true);
      expect(session.keys()).toEqual([]);
      expect(spy.calls).toEqual([]);
      session.set('fresh', true);
      const setCookie = await manager.commit(session);
      expect(cookieValue(setCookie!)).not.toBe(value);
    },
  );

  it('a well-formed but unknown id gives a new visitor after one lookup', async () => {
    const { manager, spy } = setup();
    const session = await manager.load(request({ cookieHeader: `session_id=${newSessionId()}` }));
    expect(session.isNew).toBe(true);
    expect(spy.count('get')).toBe(1);
  });

  it('a new visitor never takes over the id it presented (no session fixation)', async () => {
    const { manager } = setup();
    const planted = newSessionId();
    const session = await manager.load(request({ cookieHeader: `session_id=${planted}` }));
    session.set('user', 'victim');
    expect(cookieValue((await manager.commit(session))!)).not.toBe(planted);
  });

  it('never throws, whatever the Cookie header holds', async () => {
    const { manager } = setup();
    await fc.assert(
      fc.asyncProperty(junkText(300), async (header) => {
        const session = await manager.load(request({ cookieHeader: header }));
        expect(session.isNew).toBe(true);
      }),
      { numRuns: 500 },
    );
    for (const header of [';'.repeat(50_000), `session_id=${'x'.repeat(100_000)}`, '='.repeat(20_000)]) {
      expect((await manager.load(request({ cookieHeader: header }))).isNew).toBe(true);
    }
  });
});

describe('signed cookies', () => {
  it('are id.signature and load back', async () => {
    const { browser } = setup({ secret: SECRET });
    const { setCookie } = await browser.visit((session) => session.set('user', 'ada'));
    const value = cookieValue(setCookie!);
    const [id] = value.split('.');
    expect(value).toBe(signSessionId(id!, SECRET));
    expect((await browser.visit()).session.get('user')).toBe('ada');
  });

  it('reject the bare id of an existing session', async () => {
    const { browser, manager } = setup({ secret: SECRET });
    await browser.visit((session) => session.set('user', 'ada'));
    const [id] = browser.id!.split('.');
    const session = await manager.load(request({ cookieHeader: `session_id=${id}` }));
    expect(session.isNew).toBe(true);
  });

  it('reject a tampered signature or id', async () => {
    const { browser, manager } = setup({ secret: SECRET });
    await browser.visit((session) => session.set('user', 'ada'));
    const value = browser.id!;
    const tamperedSignature = value.slice(0, -1) + (value.endsWith('A') ? 'B' : 'A');
    const tamperedId = (value.startsWith('A') ? 'B' : 'A') + value.slice(1);
    for (const forged of [tamperedSignature, tamperedId, `${newSessionId()}${value.slice(43)}`]) {
      expect((await manager.load(request({ cookieHeader: `session_id=${forged}` }))).isNew).toBe(true);
    }
  });

  it('reject a cookie signed with another secret', async () => {
    const { manager, spy } = setup({ secret: SECRET });
    const id = newSessionId();
    await spy.inner.write(storeKey(id), plantedRecord('{"user":"ada"}'), undefined);
    const forged = signSessionId(id, OLD_SECRET);
    expect((await manager.load(request({ cookieHeader: `session_id=${forged}` }))).isNew).toBe(true);
    const genuine = signSessionId(id, SECRET);
    expect((await manager.load(request({ cookieHeader: `session_id=${genuine}` }))).get('user')).toBe('ada');
  });

  it('signed with a retired secret are accepted after rotation and re-signed with the new one', async () => {
    const spy = spyStore();
    const before = new Browser(createSessionManager({ store: spy.store, logger: quietLogger(), secret: OLD_SECRET }));
    await before.visit((session) => session.set('user', 'ada'));
    const rotated = createSessionManager({ store: spy.store, logger: quietLogger(), secret: [SECRET, OLD_SECRET] });
    const after = new Browser(rotated);
    after.cookie = before.cookie;
    const { session, setCookie } = await after.visit((s) => s.set('n', 1));
    expect(session.get('user')).toBe('ada');
    const [id] = cookieValue(setCookie!).split('.');
    expect(cookieValue(setCookie!)).toBe(signSessionId(id!, SECRET));
    // Dropping the old secret ends sessions still holding an old signature.
    const dropped = createSessionManager({ store: spy.store, logger: quietLogger(), secret: SECRET });
    expect((await dropped.load(request({ cookieHeader: before.cookie }))).isNew).toBe(true);
    expect((await dropped.load(request({ cookieHeader: after.cookie }))).get('user')).toBe('ada');
  });

  it('an unsigned manager does not accept signed values', async () => {
    const { browser } = setup({ secret: SECRET });
    await browser.visit((session) => session.set('user', 'ada'));
    const unsigned = createSessionManager({ store: browser.manager.options.store, logger: quietLogger() });
    expect((await unsigned.load(request({ cookieHeader: browser.cookie }))).isNew).toBe(true);
  });
});

describe('binding to the client', () => {
  it("bind ['user-agent']: another User-Agent is a new visitor and a warning; the same one is the session", async () => {
    const { browser, logger } = setup({ bind: ['user-agent'] });
    await browser.visit((session) => session.set('user', 'ada'), { userAgent: 'Firefox/120' });
    const stolen = await browser.visit(() => {}, { userAgent: 'curl/8.0' });
    expect(stolen.session.isNew).toBe(true);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(/User-Agent/));
    const genuine = await browser.visit(() => {}, { userAgent: 'Firefox/120', ip: '192.0.2.99' });
    expect(genuine.session.get('user')).toBe('ada');
  });

  it("bind ['ip']: another address is a new visitor and a warning; the same one is the session", async () => {
    const { browser, logger } = setup({ bind: ['ip'] });
    await browser.visit((session) => session.set('user', 'ada'), { ip: '198.51.100.1' });
    expect((await browser.visit(() => {}, { ip: '198.51.100.2' })).session.isNew).toBe(true);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(/IP address/));
    const genuine = await browser.visit(() => {}, { ip: '198.51.100.1', userAgent: 'other' });
    expect(genuine.session.get('user')).toBe('ada');
  });

  it('bind both: either mismatch is a new visitor', async () => {
    const { browser } = setup({ bind: ['ip', 'user-agent'] });
    await browser.visit((session) => session.set('user', 'ada'), { ip: '1.1.1.1', userAgent: 'A' });
    expect((await browser.visit(() => {}, { ip: '1.1.1.2', userAgent: 'A' })).session.isNew).toBe(true);
    expect((await browser.visit(() => {}, { ip: '1.1.1.1', userAgent: 'B' })).session.isNew).toBe(true);
    expect((await browser.visit(() => {}, { ip: '1.1.1.1', userAgent: 'A' })).session.get('user')).toBe('ada');
  });

  it('without bind, address and User-Agent may change', async () => {
    const { browser, logger } = setup();
    await browser.visit((session) => session.set('user', 'ada'), { ip: '1.1.1.1', userAgent: 'A' });
    expect((await browser.visit(() => {}, { ip: '2.2.2.2', userAgent: 'B' })).session.get('user')).toBe('ada');
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('compares a long User-Agent by its first 255 characters, and a missing one as empty', async () => {
    const { browser } = setup({ bind: ['user-agent'] });
    const long = 'M'.repeat(300);
    await browser.visit((session) => session.set('user', 'ada'), { userAgent: long });
    expect((await browser.visit(() => {}, { userAgent: long })).session.get('user')).toBe('ada');
    expect((await browser.visit(() => {}, { userAgent: 'M'.repeat(200) })).session.isNew).toBe(true);

    const bare = setup({ bind: ['user-agent'] }).browser;
    await bare.visit((session) => session.set('user', 'bob'), { userAgent: undefined });
    expect((await bare.visit(() => {}, { userAgent: undefined })).session.get('user')).toBe('bob');
  });
});

describe('corrupt or foreign records', () => {
  it.each([
    'not json',
    '',
    '{"__proto__":{"x":1}}',
    '{"nested":{"constructor":{"prototype":{"x":1}}}}',
    '{"\\u005f_proto__":{"x":1}}',
    '[1,2]',
    'null',
    '"text"',
    '42',
  ])('data %j gives a new visitor and a warning', async (data) => {
    const { manager, spy, logger } = setup();
    const id = newSessionId();
    expect(await spy.inner.write(storeKey(id), plantedRecord(data), undefined)).toBe(true);
    const session = await manager.load(request({ cookieHeader: `session_id=${id}` }));
    expect(session.isNew).toBe(true);
    expect(session.keys()).toEqual([]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(/corrupt or foreign/));
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    // Whatever the visitor stores next goes under a fresh id, not over the planted record.
    session.set('fresh', true);
    expect(cookieValue((await manager.commit(session))!)).not.toBe(id);
    expect((await spy.inner.get(storeKey(id)))?.data).toBe(data);
  });

  it('an expired record is a new visitor even if the store still returns it', async () => {
    const { manager, spy } = setup();
    const id = newSessionId();
    const record = plantedRecord('{"user":"ada"}', { expiresAt: Date.now() - 1 });
    spy.store.get = async () => record;
    expect((await manager.load(request({ cookieHeader: `session_id=${id}` }))).isNew).toBe(true);
  });
});

describe('data the next load would refuse', () => {
  it.each([
    ['a nested "__proto__" key', () => JSON.parse('{"__proto__":{"x":1}}') as unknown],
    ['a nested "constructor" key', () => ({ team: { constructor: 'Ferrari' } })],
    ['a deeply nested "prototype" key', () => [{ a: { prototype: 1 } }]],
  ])('fails the commit loudly for %s, instead of silently losing the session later', async (_label, value) => {
    const { browser, manager, spy } = setup();
    await browser.visit((session) => session.set('user', 'ada'));
    spy.reset();
    const session = await manager.load(browser.request());
    session.set('bad', value());
    await expect(manager.commit(session)).rejects.toMatchObject({
      name: 'SessionDataError',
      code: 'invalid-key',
      status: 400,
    });
    expect(spy.count('write')).toBe(0);
    expect((await browser.visit()).session.get('user')).toBe('ada');

    const fresh = await manager.load(request());
    fresh.set('bad', value());
    await expect(manager.commit(fresh)).rejects.toThrow(/"__proto__", "constructor" or "prototype"/);
  });

  it('keeps accepting the words as values', async () => {
    const { browser } = setup();
    await browser.visit((session) => session.set('note', 'constructor prototype __proto__'));
    expect((await browser.visit()).session.get('note')).toBe('constructor prototype __proto__');
  });
});

describe('maxSize', () => {
  it('rejects a new session over the limit with a 413 SessionDataError naming maxSize, storing nothing', async () => {
    const { manager, spy } = setup({ maxSize: 100 });
    const session = await manager.load(request());
    session.set('blob', 'x'.repeat(200));
    await expect(manager.commit(session)).rejects.toMatchObject({
      name: 'SessionDataError',
      code: 'too-large',
      status: 413,
    });
    expect(spy.count('write')).toBe(0);
    const again = await manager.load(request());
    again.set('blob', 'x'.repeat(200));
    await expect(manager.commit(again)).rejects.toThrow(/"maxSize" limit of 100 bytes/);
  });

  it('rejects a change that grows an existing session over the limit, keeping the stored data', async () => {
    const { browser, manager } = setup({ maxSize: 100 });
    await browser.visit((session) => session.set('blob', 'small'));
    const session = await manager.load(browser.request());
    session.set('blob', 'x'.repeat(200));
    await expect(manager.commit(session)).rejects.toThrow(/maxSize/);
    expect((await browser.visit()).session.get('blob')).toBe('small');
  });

  it('counts bytes, not characters, and allows exactly the limit', async () => {
    // {"a":"…"} is 8 bytes of JSON around the value.
    const { manager } = setup({ maxSize: 108 });
    const exact = await manager.load(request());
    exact.set('a', 'x'.repeat(100));
    await expect(manager.commit(exact)).resolves.toBeDefined();
    const over = await manager.load(request());
    over.set('a', 'é'.repeat(51));
    await expect(manager.commit(over)).rejects.toMatchObject({
      name: 'SessionDataError',
      code: 'too-large',
      status: 413,
    });
  });

  it('applies to a rotated session too', async () => {
    const { browser, manager } = setup({ maxSize: 100 });
    await browser.visit((session) => session.set('blob', 'small'));
    const session = await manager.load(browser.request());
    session.set('blob', 'x'.repeat(200));
    session.refresh({ rotate: true });
    await expect(manager.commit(session)).rejects.toMatchObject({
      name: 'SessionDataError',
      code: 'too-large',
      status: 413,
    });
    expect((await browser.visit()).session.get('blob')).toBe('small');
  });
});
