/**
 * The HTTP contract of the example servers (runtime/examples/), driven over real HTTP with a
 * cookie-keeping client. The framework tests drive it against each example app in-process
 * (test/framework-contract.ts); the matrix (scripts/matrix.ts), the e2e and package tests against
 * a generated app's example server. Plain node:assert, so vitest and plain scripts can both use
 * it. It throws an AssertionError naming the first step that broke.
 */
import { deepStrictEqual as same, ok, strictEqual as equal, notStrictEqual as differ } from 'node:assert/strict';
import { CookieClient } from './http.js';

export interface ContractOptions {
  cookieName: string;
  /** Whether SESSION_SECRET is set (cookies signed: a tampered signature must be a new visitor). */
  signed: boolean;
}

export async function driveExampleContract(baseUrl: string, options: ContractOptions): Promise<void> {
  const name = options.cookieName;
  const client = new CookieClient(baseUrl);
  const idOf = () => client.jar.get(name);

  const health = await client.request('GET', '/health');
  equal(health.status, 200, 'GET /health answers 200');
  same(health.setCookies, [], 'GET /health sets no cookie');

  const fresh = await client.request('GET', '/session');
  equal(fresh.status, 200, 'a new visitor gets 200');
  same(fresh.body, { data: {} }, 'a new visitor gets {"data":{}}');
  same(fresh.setCookies, [], 'a new visitor whose session stays empty gets no cookie');

  const patched = await client.request('PATCH', '/session', { user: 'ada', cart: [1, 2], nested: { deep: 'yes' } });
  equal(patched.status, 200, 'PATCH /session answers 200');
  same(
    patched.body,
    { data: { user: 'ada', cart: [1, 2], nested: { deep: 'yes' } } },
    'PATCH /session returns the data',
  );
  const cookie = patched.setCookies.find((header) => header.startsWith(`${name}=`));
  ok(cookie, 'PATCH /session sets the session cookie');
  ok(
    /;\s*HttpOnly/i.test(cookie) && /;\s*SameSite=Lax/i.test(cookie) && /;\s*Path=\//i.test(cookie),
    `cookie attributes: ${cookie}`,
  );
  ok(/;\s*Max-Age=[1-9]\d*(;|$)/i.test(cookie), 'the cookie expires with the session');
  ok(!/;\s*Secure/i.test(cookie), 'a plain-HTTP request gets no Secure cookie');

  same(
    (await client.request('GET', '/session')).body,
    { data: { user: 'ada', cart: [1, 2], nested: { deep: 'yes' } } },
    'the next request sees the data',
  );

  same(
    (await new CookieClient(baseUrl).request('GET', '/session')).body,
    { data: {} },
    'another client does not see the data',
  );

  same(
    (await client.request('PATCH', '/session', { cart: null })).body,
    { data: { user: 'ada', nested: { deep: 'yes' } } },
    'null deletes a key',
  );
  same(
    (await client.request('GET', '/session')).body,
    { data: { user: 'ada', nested: { deep: 'yes' } } },
    'the deletion is saved',
  );

  for (let n = 1; n <= 20; n++)
    same((await client.request('GET', '/count')).body, { count: n }, `GET /count #${n} sees every earlier commit`);

  const before = idOf();
  const refreshed = await client.request('POST', '/session/refresh', { rotate: true });
  equal(refreshed.status, 200, 'POST /session/refresh answers 200');
  same(refreshed.body, { data: { user: 'ada', nested: { deep: 'yes' }, count: 20 } }, 'rotation keeps the data');
  ok(idOf() !== undefined, 'rotation sets a cookie');
  differ(idOf(), before, 'rotation issues a new id');
  same(
    (await client.request('GET', '/session')).body,
    { data: { user: 'ada', nested: { deep: 'yes' }, count: 20 } },
    'the rotated id reaches the data',
  );
  same(
    (await new CookieClient(baseUrl).request('GET', '/session', undefined, `${name}=${before}`)).body,
    { data: {} },
    'the pre-rotation id is dead',
  );

  const current = idOf();
  const extended = await client.request('POST', '/session/refresh', { rotate: false, maxAge: 3600 });
  equal(extended.status, 200, 'POST /session/refresh with maxAge answers 200');
  ok(
    extended.setCookies.some((header) => header.startsWith(`${name}=`) && /;\s*Max-Age=3600(;|$)/i.test(header)),
    'refresh({maxAge}) renews the cookie with the new lifetime',
  );
  equal(idOf(), current, 'refresh without rotate keeps the id');

  const beforeLogin = idOf();
  const login = await client.request('POST', '/login', { user: 'grace' });
  equal(login.status, 200, 'POST /login answers 200');
  const loggedIn = { data: { user: 'grace', nested: { deep: 'yes' }, count: 20 } };
  same(login.body, loggedIn, 'login sets the user and keeps the data');
  ok(idOf() !== undefined, 'login sets a cookie');
  differ(idOf(), beforeLogin, 'login rotates the id');
  same((await client.request('GET', '/session')).body, loggedIn, 'the new id reaches the data');
  same(
    (await new CookieClient(baseUrl).request('GET', '/session', undefined, `${name}=${beforeLogin}`)).body,
    { data: {} },
    'the pre-login id is dead',
  );
  // Fixation: an id planted before login is not the one the user ends up with.
  const planted = new CookieClient(baseUrl);
  await planted.request('PATCH', '/session', { x: 1 });
  const plantedId = planted.jar.get(name);
  ok(plantedId !== undefined, 'the planted session has a cookie');
  await planted.request('POST', '/login', { user: 'victim' });
  differ(planted.jar.get(name), plantedId, 'a session planted before login gets a new id at login');

  // update(): parallel increments on one session all count.
  await Promise.all(Array.from({ length: 20 }, () => client.request('GET', '/count')));
  same((await client.request('GET', '/count')).body, { count: 41 }, '20 parallel GET /count all count');

  // Flash messages: kept until taken, each taken once even by parallel readers.
  equal((await client.request('POST', '/flash', { message: 'Saved' })).status, 204, 'POST /flash answers 204');
  const posted = await Promise.all(['one', 'two'].map((message) => client.request('POST', '/flash', { message })));
  same(
    posted.map((reply) => reply.status),
    [204, 204],
    'parallel POST /flash both answer 204',
  );
  for (const message of ['', 42])
    equal(
      (await client.request('POST', '/flash', { message })).status,
      400,
      `POST /flash with ${JSON.stringify(message)} as the message is a 400`,
    );
  const readers = await Promise.all([1, 2, 3, 4, 5].map(() => client.request('GET', '/flash')));
  same(
    readers.flatMap((reader) => (reader.body as { messages: string[] }).messages).sort(),
    ['Saved', 'one', 'two'],
    'each flash message is shown exactly once to parallel readers',
  );
  same((await client.request('GET', '/flash')).body, { messages: [] }, 'taken messages are gone');

  // A user's sessions: listed, one revoked, the others, everywhere.
  type Listed = { sessions: Array<{ handle: string; current: boolean; userAgent: string; ip: string }> };
  equal(
    (await new CookieClient(baseUrl).request('GET', '/me/sessions')).status,
    401,
    'GET /me/sessions without a login is 401',
  );
  const mine = await client.request('GET', '/me/sessions');
  equal(mine.status, 200, 'GET /me/sessions answers 200 after login');
  const [phone, tablet] = [new CookieClient(baseUrl), new CookieClient(baseUrl)];
  for (const device of [phone, tablet]) await device.request('POST', '/login', { user: 'grace' });
  const listed = (await client.request('GET', '/me/sessions')).body as Listed;
  equal(listed.sessions.length, 3, "the user's three sessions are listed");
  equal(listed.sessions.filter((entry) => entry.current).length, 1, 'exactly one is marked current');
  const phoneHandle = ((await phone.request('GET', '/me/sessions')).body as Listed).sessions.find(
    (entry) => entry.current,
  )?.handle;
  equal(
    (await client.request('DELETE', `/me/sessions/${phoneHandle}`)).status,
    204,
    'DELETE /me/sessions/:handle answers 204',
  );
  equal(
    (await client.request('DELETE', `/me/sessions/${phoneHandle}`)).status,
    404,
    'DELETE /me/sessions/:handle of a session already revoked answers 404',
  );
  equal((await phone.request('GET', '/me/sessions')).status, 401, 'the revoked session is logged out');
  equal((await client.request('POST', '/me/sessions/revoke-others')).status, 204, 'revoke-others answers 204');
  equal((await tablet.request('GET', '/me/sessions')).status, 401, 'revoke-others logs the other devices out');
  equal(
    ((await client.request('GET', '/me/sessions')).body as Listed).sessions.length,
    1,
    'only the current one is left',
  );
  const laptop = new CookieClient(baseUrl);
  await laptop.request('POST', '/login', { user: 'grace' });
  equal((await laptop.request('POST', '/me/sessions/revoke-all')).status, 204, 'revoke-all answers 204');
  equal((await laptop.request('GET', '/me/sessions')).status, 401, 'revoke-all logs out the current session too');
  equal((await client.request('GET', '/me/sessions')).status, 401, 'and every other one');
  await client.request('POST', '/login', { user: 'grace' });

  for (const junk of [
    'garbage',
    'a'.repeat(43),
    `${'b'.repeat(43)}.${'c'.repeat(43)}`,
    '../../etc/passwd',
    '%00%ff',
    '{"$gt":""}',
    'x'.repeat(5000),
  ]) {
    const stranger = await new CookieClient(baseUrl).request('GET', '/session', undefined, `${name}=${junk}`);
    equal(stranger.status, 200, `a malformed cookie (${junk.slice(0, 20)}) is a new visitor, not an error`);
    same(stranger.body, { data: {} }, 'a malformed cookie sees no data');
  }

  if (options.signed) {
    const value = idOf() ?? '';
    ok(value.includes('.'), 'a signed cookie carries its signature');
    same(
      (await new CookieClient(baseUrl).request('GET', '/session', undefined, `${name}=${value}`)).body,
      { data: { user: 'grace' } },
      'the signed cookie, presented by another client, reaches the session',
    );
    const tampered = value.slice(0, -2) + (value.endsWith('AA') ? 'BB' : 'AA');
    same(
      (await new CookieClient(baseUrl).request('GET', '/session', undefined, `${name}=${tampered}`)).body,
      { data: {} },
      'a forged signature is a new visitor',
    );
    const unsigned = value.split('.')[0];
    same(
      (await new CookieClient(baseUrl).request('GET', '/session', undefined, `${name}=${unsigned}`)).body,
      { data: {} },
      'an unsigned id is refused when signing is on',
    );
  }

  // Bad input gets a deliberate status and a JSON reason, never a 500, and changes nothing.
  const dataBefore = (await client.request('GET', '/session')).body;
  for (const [body, status, what] of [
    [{ constructor: 1 }, 400, 'a reserved key'],
    [{ big: 'x'.repeat(20_000) }, 413, "a body over the example's 16 KiB limit"],
    [[1, 2], 400, 'a body that is not a JSON object'],
  ] as const) {
    const bad = await client.request('PATCH', '/session', body);
    equal(bad.status, status, `PATCH /session with ${what} answers ${status}`);
    ok(
      typeof (bad.body as { error?: unknown } | undefined)?.error === 'string',
      `${what}: the body is {"error":"..."}`,
    );
  }
  same((await client.request('GET', '/session')).body, dataBefore, 'bad input changed nothing');

  const beforeLogout = idOf();
  const logout = await client.request('DELETE', '/session');
  equal(logout.status, 204, 'DELETE /session answers 204');
  ok(
    logout.setCookies.some((header) => header.startsWith(`${name}=`) && /;\s*Max-Age=0(;|$)/i.test(header)),
    'logout clears the cookie',
  );
  equal(idOf(), undefined, 'the client dropped the cleared cookie');
  same((await client.request('GET', '/session')).body, { data: {} }, 'after logout the client is a new visitor');
  const replay = await new CookieClient(baseUrl).request('GET', '/session', undefined, `${name}=${beforeLogout}`);
  equal(replay.status, 200, 'the logged-out id is a new visitor, not an error');
  same(replay.body, { data: {} }, 'the logged-out id is dead');
}

/**
 * A store that is away answers 503; one that refuses us (a folder that cannot be created, a wrong
 * password) answers 500, and the server's log names the cause.
 */
export async function driveFailingStore(
  baseUrl: string,
  expected: { status: 503 } | { status: 500; log: () => string },
): Promise<void> {
  const reply = await new CookieClient(baseUrl).request('PATCH', '/session', { a: 1 });
  equal(reply.status, expected.status, `a failing store answers ${expected.status}`);
  ok(typeof (reply.body as { error?: unknown }).error === 'string', 'the error body is {"error":"..."}');
  if (expected.status === 500)
    ok(/store refuses the session layer \(misconfigured\)/.test(expected.log()), 'the log names the refusal');
}
