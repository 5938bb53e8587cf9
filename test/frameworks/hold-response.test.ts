/**
 * holdResponse against a real node:http server on a loopback port: nothing reaches the client
 * before beforeSend has finished, chunks keep their order, a failing beforeSend is replaced by
 * whatever onError sends, and a handler's own Set-Cookie in writeHead keeps the session's.
 */
import { once } from 'node:events';
import { createServer, ServerResponse, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { appendSessionCookie, holdResponse } from '../../runtime/frameworks/_hold-response.js';

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

/** holdResponse with positional arguments, as these cases were first written. */
function hold(response: ServerResponse, beforeSend: () => Promise<void>, onError: (error: unknown) => void): void {
  holdResponse(response, { beforeSend, onError });
}

describe('holdResponse', () => {
  const serveHeld = (handler: (response: ServerResponse) => void) => serve(handler);

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

describe("the session cookie and a handler's own Set-Cookie in writeHead", () => {
  const SESSION = 'session_id=abc; Path=/; HttpOnly';
  const holdWithCookie = (response: ServerResponse) =>
    hold(
      response,
      async () => {
        await sleep(5);
        appendSessionCookie(response, SESSION);
      },
      () => {},
    );

  it.each([
    ['an object', (response: ServerResponse) => response.writeHead(200, { 'Set-Cookie': 'app=1' }).end('ok')],
    [
      'an object with a list',
      (response: ServerResponse) => response.writeHead(200, { 'set-cookie': ['app=1', 'b=2'] }).end('ok'),
    ],
    [
      'the flat array form',
      (response: ServerResponse) => response.writeHead(200, ['Set-Cookie', 'app=1', 'X-Other', 'y']).end('ok'),
    ],
    [
      'a status message',
      (response: ServerResponse) => response.writeHead(200, 'Fine', { 'SET-COOKIE': 'app=1' }).end('ok'),
    ],
  ])('keeps both when the handler passes %s', async (_form, send) => {
    const reply = await serve((response) => {
      holdWithCookie(response);
      send(response);
    });
    expect(reply.headers['set-cookie']?.[0]).toBe(SESSION);
    expect(reply.headers['set-cookie']).toContain('app=1');
    expect(reply.body).toBe('ok');
  });

  it('lets writeHead replace only the cookies the handler set before, as node:http does', async () => {
    const reply = await serve((response) => {
      holdWithCookie(response);
      response.setHeader('Set-Cookie', 'stale=1');
      response.writeHead(200, { 'Set-Cookie': 'fresh=1' }).end('ok');
    });
    expect(reply.headers['set-cookie']).toEqual([SESSION, 'fresh=1']);
  });

  it('leaves writeHead alone when the session set no cookie', async () => {
    const reply = await serve((response) => {
      hold(
        response,
        async () => {},
        () => {},
      );
      response.setHeader('Set-Cookie', 'stale=1');
      response.writeHead(200, { 'Set-Cookie': 'fresh=1' }).end('ok');
    });
    expect(reply.headers['set-cookie']).toEqual(['fresh=1']);
  });
});
