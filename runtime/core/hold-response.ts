import type { ServerResponse } from 'node:http';

type Send = 'writeHead' | 'write' | 'end';

/**
 * Holds a node:http response back until `beforeSend` has finished, so the session is saved and
 * its cookie set before the client sees anything: the very next request always finds the data.
 *
 * The first `writeHead`, `write` or `end` starts `beforeSend`; those calls and any that follow
 * are queued and replayed in order once it resolves. If it rejects, the queued response is
 * dropped and `onError` decides what the client gets instead (the framework's error path).
 * Queued writes report success, so a piped stream keeps flowing during the short wait.
 */
export function holdResponse(
  response: ServerResponse,
  beforeSend: () => Promise<void>,
  onError: (error: unknown) => void,
): void {
  const original = { writeHead: response.writeHead, write: response.write, end: response.end };
  const queue: Array<{ method: Send; args: unknown[] }> = [];
  let started = false;
  let released = false;

  const release = () => {
    released = true;
    // Put back only our own wrappers. A middleware that wrapped them after us (compression,
    // on-headers) keeps its wrapper, which calls into ours, which now passes straight through.
    for (const method of ['writeHead', 'write', 'end'] as const) {
      if (response[method] === held[method]) (response as unknown as Record<Send, unknown>)[method] = original[method];
    }
  };

  const hold = (method: Send) =>
    function (this: ServerResponse, ...args: unknown[]): unknown {
      if (released) return (original[method] as (...a: unknown[]) => unknown).apply(response, args);
      queue.push({ method, args });
      if (!started) {
        started = true;
        beforeSend().then(
          () => {
            release();
            try {
              for (const call of queue.splice(0))
                (original[call.method] as (...a: unknown[]) => unknown).apply(response, call.args);
            } catch (error) {
              // node:http throws for what the handler passed (a bad header value or status); had
              // the call not been held, the handler would have thrown. Hand it to the error path
              // instead of leaving an unhandled rejection, which ends the process.
              queue.length = 0;
              onError(error);
            }
          },
          (error: unknown) => {
            release();
            queue.length = 0;
            onError(error);
          },
        );
      }
      return method === 'write' ? true : response;
    };

  const held = { writeHead: hold('writeHead'), write: hold('write'), end: hold('end') };
  response.writeHead = held.writeHead as ServerResponse['writeHead'];
  response.write = held.write as ServerResponse['write'];
  response.end = held.end as ServerResponse['end'];
}
