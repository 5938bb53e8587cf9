/**
 * holdResponse against a real node:http server on a loopback port: nothing reaches the client
 * before beforeSend has finished, chunks keep their order, and a failing beforeSend is replaced
 * by whatever onError sends.
 */
import { once } from 'node:events';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { holdResponse } from '../../runtime/core/hold-response.js';

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
async function serve(handler: (response: ServerResponse) => void): Promise<Reply> {
  server = createServer((_request, response) => handler(response));
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

describe('holdResponse', () => {
  it('runs beforeSend before anything is sent: its header reaches the client with writeHead+write+end', async () => {
    const events: string[] = [];
    let wrote: boolean | undefined;
    const reply = await serve((response) => {
      holdResponse(
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
    const reply = await serve((response) => {
      holdResponse(
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
    const reply = await serve((response) => {
      for (const name of ['outer', 'inner']) {
        holdResponse(
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
    const reply = await serve((response) => {
      holdResponse(
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
    const reply = await serve((response) => {
      holdResponse(
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
    const reply = await serve((response) => {
      holdResponse(
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
    const reply = await serve((response) => {
      holdResponse(
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
    const reply = await serve((response) => {
      holdResponse(
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
    const reply = await serve((response) => {
      holdResponse(
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
