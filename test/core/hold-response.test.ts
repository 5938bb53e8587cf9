/**
 * holdResponse and prototypeHold against a real node:http server on a loopback port: nothing
 * reaches the client before beforeSend has finished, chunks keep their order, and a failing
 * beforeSend is replaced by whatever onError sends. Every behaviour runs in both modes: stand-ins
 * on the response itself, and stand-ins on a prototype with the state on a per-response home (as
 * the Express glue uses them).
 */
import { once } from 'node:events';
import { createServer, ServerResponse, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { holdResponse, prototypeHold } from '../../runtime/core/hold-response.js';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Body chunks in the order they arrived. */
  chunks: string[];
}

let server: Server | undefined;

afterEach(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
  }
});

/** Stands in for express.response: the prototype under every app's response prototype. */
const frameworkBase: object = Object.create(ServerResponse.prototype);
/** Stands in for one app's response prototype (express' app.response). */
const appResponse: object = Object.create(frameworkBase);
/** Each request's home for its response's hold (the Express glue: the request's session). */
const homes = new WeakMap<object, object>();
const homeOf = (response: ServerResponse) => homes.get(response.req);
/** Makes a response look like Express makes it: its prototype is the app's. */
function asFrameworkResponse(response: ServerResponse): void {
  Object.setPrototypeOf(response, appResponse);
  homes.set(response.req, {});
}
const holdAt = prototypeHold(frameworkBase, homeOf);
/** prototypeHold with the request's current home, as the glue calls it. */
const viaPrototype: typeof holdResponse = (response, beforeSend, onError) =>
  holdAt(response, homeOf(response) ?? {}, beforeSend, onError);

const modes: Array<{ mode: string; hold: typeof holdResponse; prepare: (response: ServerResponse) => void }> = [
  { mode: 'holdResponse (stand-ins on the response)', hold: holdResponse, prepare: () => {} },
  {
    mode: 'prototypeHold (stand-ins on a prototype)',
    hold: viaPrototype,
    prepare: asFrameworkResponse,
  },
];

/** Serves every request with `handler` and fetches one response from it. */
async function serve(handler: (response: ServerResponse) => void, prepare = (_: ServerResponse) => {}): Promise<Reply> {
  server = createServer((_request, response) => {
    prepare(response);
    handler(response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return new Promise<Reply>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/', timeout: 5_000 }, (res) => {
      const chunks: string[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: chunks.join(''), chunks }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no complete response within 5 s')));
    req.on('error', reject);
    req.end();
  });
}

describe.each(modes)('$mode', ({ hold, prepare }) => {
  const serveHeld = (handler: (response: ServerResponse) => void) => serve(handler, prepare);

  it('runs beforeSend before anything is sent: its header reaches the client with writeHead+write+end', async () => {
    const events: string[] = [];
    let wrote: boolean | undefined;
    const reply = await serveHeld((response) => {
      hold(
        response,
        async () => {
          events.push(`beforeSend start, headersSent=${response.headersSent}`);
          await sleep(30);
          response.setHeader('Set-Cookie', 'session_id=abc; Path=/; HttpOnly');
          events.push('beforeSend end');
        },
        () => events.push('onError'),
      );
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      events.push('writeHead returned');
      wrote = response.write('one ');
      response.write('two ');
      response.end('three');
      events.push(`handler done, headersSent=${response.headersSent}`);
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['set-cookie']).toEqual(['session_id=abc; Path=/; HttpOnly']);
    expect(reply.headers['content-type']).toBe('text/plain');
    expect(reply.body).toBe('one two three');
    // A held write reports success, so a piped source keeps flowing.
    expect(wrote).toBe(true);
    expect(events).toEqual([
      'beforeSend start, headersSent=false',
      'writeHead returned',
      'handler done, headersSent=false',
      'beforeSend end',
    ]);
  });

  it('starts beforeSend once, on the first of any write call, and keeps a lone end working', async () => {
    let calls = 0;
    const reply = await serveHeld((response) => {
      hold(
        response,
        async () => {
          calls++;
          response.setHeader('X-Session', 'saved');
        },
        () => {},
      );
      response.statusCode = 201;
      response.end('created');
    });
    expect(calls).toBe(1);
    expect(reply.status).toBe(201);
    expect(reply.headers['x-session']).toBe('saved');
    expect(reply.body).toBe('created');
  });

  it('held twice (a session middleware mounted twice): both beforeSends run once, in order, before anything is sent', async () => {
    const order: string[] = [];
    const reply = await serveHeld((response) => {
      for (const name of ['outer', 'inner']) {
        hold(
          response,
          async () => {
            await sleep(5);
            order.push(name);
            response.appendHeader('X-Held', name);
          },
          () => {},
        );
      }
      response.end('done');
    });
    expect(order).toEqual(['outer', 'inner']);
    expect(reply.headers['x-held']).toBe('outer, inner');
    expect(reply.body).toBe('done');
  });
  it('supports chained writeHead(...).end(...)', async () => {
    const reply = await serveHeld((response) => {
      hold(
        response,
        async () => void response.setHeader('X-Session', 'saved'),
        () => {},
      );
      response.writeHead(202).end('accepted');
    });
    expect(reply).toMatchObject({ status: 202, body: 'accepted' });
    expect(reply.headers['x-session']).toBe('saved');
  });

  it('holds a piped stream and delivers its chunks in order', async () => {
    const parts = Array.from({ length: 200 }, (_, i) => `<${i}>`);
    const reply = await serveHeld((response) => {
      hold(
        response,
        async () => {
          await sleep(30);
          response.setHeader('X-Session', 'saved');
        },
        () => {},
      );
      response.setHeader('Content-Type', 'text/plain');
      Readable.from(parts).pipe(response);
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['x-session']).toBe('saved');
    expect(reply.body).toBe(parts.join(''));
  });

  it('keeps writes made after the release in order behind the queued ones', async () => {
    const reply = await serveHeld((response) => {
      hold(
        response,
        () => sleep(10),
        () => {},
      );
      response.write('a');
      response.write('b');
      setTimeout(() => {
        response.write('c');
        setTimeout(() => response.end('d'), 10);
      }, 40);
    });
    expect(reply.body).toBe('abcd');
  });

  it('drops the queued response when beforeSend rejects; the client gets what onError sends', async () => {
    const failure = new Error('store down');
    let seen: unknown;
    const reply = await serveHeld((response) => {
      hold(
        response,
        async () => {
          await sleep(10);
          throw failure;
        },
        (error) => {
          seen = error;
          // Answer a moment later, as an async error handler would: the dropped response must
          // not have gone out meanwhile.
          setTimeout(() => {
            response.writeHead(503, { 'Content-Type': 'text/plain' });
            response.end('Service Unavailable');
          }, 20);
        },
      );
      response.writeHead(200, { 'X-Secret-Page': 'yes' });
      response.write('private data ');
      response.end('for the user');
    });
    expect(seen).toBe(failure);
    expect(reply.status).toBe(503);
    expect(reply.body).toBe('Service Unavailable');
    expect(reply.headers['x-secret-page']).toBeUndefined();
  });

  it('passes a failure while replaying the queued calls to onError instead of an unhandled rejection', async () => {
    let seen: unknown;
    const reply = await serveHeld((response) => {
      hold(
        response,
        async () => {},
        (error) => {
          seen = error;
          response.writeHead(500);
          response.end('replay failed');
        },
      );
      // Invalid: node:http throws from writeHead, which now runs only at the replay.
      response.writeHead(200, { 'X-Bad': 'line\r\nInjected: yes' });
      response.end('never sent');
    });
    expect(seen).toBeInstanceOf(Error);
    expect((seen as NodeJS.ErrnoException).code).toBe('ERR_INVALID_CHAR');
    expect(reply.status).toBe(500);
    expect(reply.body).toBe('replay failed');
    expect(reply.headers.injected).toBeUndefined();
  });

  it('keeps a wrapper installed after it (as compression does) and lets that wrapper write after the release', async () => {
    let wrapper: unknown;
    let finalWrite: unknown;
    const reply = await serveHeld((response) => {
      hold(
        response,
        () => sleep(10),
        () => {},
      );
      // A later middleware wraps write/end and calls the previous ones (ours) asynchronously,
      // as a zlib stream does with compressed output.
      const previousWrite = response.write as (this: ServerResponse, chunk: string) => boolean;
      const previousEnd = response.end as (this: ServerResponse, chunk?: string) => ServerResponse;
      const write = function (this: ServerResponse, chunk: string) {
        setImmediate(() => previousWrite.call(response, chunk.toUpperCase()));
        return true;
      };
      const end = function (this: ServerResponse, chunk?: string) {
        setImmediate(() => previousEnd.call(response, chunk === undefined ? undefined : chunk.toUpperCase()));
        return response;
      };
      response.write = write as ServerResponse['write'];
      response.end = end as ServerResponse['end'];
      wrapper = write;
      response.write('one ');
      setTimeout(() => {
        response.write('two ');
        response.end('three');
        finalWrite = response.write;
      }, 50);
    });
    expect(reply.body).toBe('ONE TWO THREE');
    expect(finalWrite).toBe(wrapper);
  });
});

describe('prototypeHold', () => {
  const hold = viaPrototype;

  it('adds nothing to the response itself: its own keys are the same after the hold', async () => {
    let before: Array<string | symbol> = [];
    let after: Array<string | symbol> = [];
    const reply = await serve((response) => {
      before = Reflect.ownKeys(response);
      hold(
        response,
        async () => void response.setHeader('X-Session', 'saved'),
        () => {},
      );
      response.end('ok');
      after = Reflect.ownKeys(response);
    }, asFrameworkResponse);
    expect(reply.headers['x-session']).toBe('saved');
    expect(after).toEqual(before);
  });

  it('installs once per prototype: a second call returns the same hold and leaves the stand-ins alone', () => {
    const base = frameworkBase as Record<string, unknown>;
    const end = base.end;
    expect(prototypeHold(frameworkBase, homeOf)).toBe(holdAt);
    expect(base.end).toBe(end);
  });

  it('passes a response it does not hold straight through', async () => {
    const reply = await serve((response) => {
      response.writeHead(200, { 'X-Plain': 'yes' });
      response.end('untouched');
    }, asFrameworkResponse);
    expect(reply).toMatchObject({ status: 200, body: 'untouched' });
    expect(reply.headers['x-plain']).toBe('yes');
  });

  it('holds a response wrapped before the hold (a middleware mounted before the session one)', async () => {
    const order: string[] = [];
    const reply = await serve((response) => {
      // Mounted first: copies end from the prototype chain, where the stand-in already sits.
      const previousEnd = response.end as (this: ServerResponse, chunk?: string) => ServerResponse;
      response.end = function (this: ServerResponse, chunk?: string) {
        order.push('wrapper');
        return previousEnd.call(this, chunk);
      } as ServerResponse['end'];
      hold(
        response,
        async () => {
          await sleep(10);
          order.push('beforeSend');
          response.setHeader('X-Session', 'saved');
        },
        () => {},
      );
      response.end('wrapped');
    }, asFrameworkResponse);
    expect(order).toEqual(['wrapper', 'beforeSend']);
    expect(reply.headers['x-session']).toBe('saved');
    expect(reply.body).toBe('wrapped');
  });

  it('falls back to stand-ins on the response when it does not inherit from the prototype', async () => {
    let ownEnd = false;
    const reply = await serve((response) => {
      hold(
        response,
        async () => void response.setHeader('X-Session', 'saved'),
        () => {},
      );
      ownEnd = Object.hasOwn(response, 'end');
      response.end('fallback');
    });
    expect(ownEnd).toBe(true);
    expect(reply.headers['x-session']).toBe('saved');
    expect(reply.body).toBe('fallback');
  });

  it('a second hold through a new home (a middleware mounted twice) joins the first', async () => {
    const order: string[] = [];
    const reply = await serve((response) => {
      for (const name of ['outer', 'inner']) {
        // Each mount puts its own home in place, as the glue redefines req.session.
        const home = {};
        holdAt(
          response,
          home,
          async () => {
            await sleep(5);
            order.push(name);
            response.appendHeader('X-Held', name);
          },
          () => {},
        );
        homes.set(response.req, home);
      }
      response.end('done');
    }, asFrameworkResponse);
    expect(order).toEqual(['outer', 'inner']);
    expect(reply.headers['x-held']).toBe('outer, inner');
    expect(reply.body).toBe('done');
  });
});
