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

  const release = () => {
    response.writeHead = original.writeHead;
    response.write = original.write;
    response.end = original.end;
  };

  const hold = (method: Send) =>
    function (this: ServerResponse, ...args: unknown[]): unknown {
      queue.push({ method, args });
      if (!started) {
        started = true;
        beforeSend().then(
          () => {
            release();
            for (const call of queue.splice(0))
              (original[call.method] as (...a: unknown[]) => unknown).apply(response, call.args);
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

  response.writeHead = hold('writeHead') as ServerResponse['writeHead'];
  response.write = hold('write') as ServerResponse['write'];
  response.end = hold('end') as ServerResponse['end'];
}
