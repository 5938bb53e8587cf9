import type { ServerResponse } from 'node:http';

type Send = 'writeHead' | 'write' | 'end';
type Method = (this: ServerResponse, ...args: unknown[]) => unknown;

/** What a held response remembers: its own methods, the calls held back, and what to run first. */
interface Held {
  original: Record<Send, Method>;
  calls: Array<{ method: Send; args: unknown[] }>;
  started: boolean;
  released: boolean;
  beforeSend: () => Promise<void>;
  onError: (error: unknown) => void;
}

const HELD = Symbol('session.held');
type HeldResponse = ServerResponse & { [HELD]?: Held };

/**
 * Holds a node:http response back until `beforeSend` has finished, so the session is saved and
 * its cookie set before the client sees anything: the very next request always finds the data.
 *
 * The first `writeHead`, `write` or `end` starts `beforeSend`; those calls and any that follow
 * are queued and replayed in order once it resolves. If it rejects, the queued response is
 * dropped and `onError` decides what the client gets instead (the framework's error path).
 * Queued writes report success, so a piped stream keeps flowing during the short wait.
 *
 * This runs on every request, so the three stand-in methods are shared module functions that
 * find their response's state under a symbol, rather than three new closures per request.
 */
export function holdResponse(
  response: ServerResponse,
  beforeSend: () => Promise<void>,
  onError: (error: unknown) => void,
): void {
  const existing = (response as HeldResponse)[HELD];
  if (existing && !existing.released) {
    // Held twice (a session middleware mounted twice): both commits run, in mounting order.
    if (existing.started) return onError(new Error('[session] the response was already being sent'));
    const first = existing.beforeSend;
    existing.beforeSend = () => first().then(beforeSend);
    return;
  }
  const original = {
    writeHead: response.writeHead as Method,
    write: response.write as Method,
    end: response.end as Method,
  };
  (response as HeldResponse)[HELD] = { original, calls: [], started: false, released: false, beforeSend, onError };
  response.writeHead = heldWriteHead as ServerResponse['writeHead'];
  response.write = heldWrite as ServerResponse['write'];
  response.end = heldEnd as ServerResponse['end'];
}

function heldWriteHead(this: ServerResponse, ...args: unknown[]): unknown {
  return intercept(this, 'writeHead', args);
}

function heldWrite(this: ServerResponse, ...args: unknown[]): unknown {
  return intercept(this, 'write', args);
}

function heldEnd(this: ServerResponse, ...args: unknown[]): unknown {
  return intercept(this, 'end', args);
}

const standIns: Record<Send, Method> = { writeHead: heldWriteHead, write: heldWrite, end: heldEnd };

function intercept(response: ServerResponse, method: Send, args: unknown[]): unknown {
  const held = (response as HeldResponse)[HELD];
  // Called on something we never held (a method copied to another object): pass nothing through.
  if (!held) throw new TypeError(`[session] held ${method} called on a response that is not held`);
  if (held.released) return held.original[method].apply(response, args);
  held.calls.push({ method, args });
  if (!held.started) {
    held.started = true;
    held.beforeSend().then(
      () => replay(response, held),
      (error: unknown) => {
        release(response, held);
        held.calls.length = 0;
        held.onError(error);
      },
    );
  }
  return method === 'write' ? true : response;
}

function replay(response: ServerResponse, held: Held): void {
  release(response, held);
  try {
    for (const call of held.calls.splice(0)) held.original[call.method].apply(response, call.args);
  } catch (error) {
    // node:http throws for what the handler passed (a bad header value or status); had the call
    // not been held, the handler would have thrown. Hand it to the error path instead of leaving
    // an unhandled rejection, which ends the process.
    held.calls.length = 0;
    held.onError(error);
  }
}

/**
 * Puts back only our own stand-ins. A middleware that wrapped them after us (compression,
 * on-headers) keeps its wrapper, which calls into ours, which now passes straight through.
 */
function release(response: ServerResponse, held: Held): void {
  held.released = true;
  for (const method of ['writeHead', 'write', 'end'] as const) {
    if (response[method] === standIns[method])
      (response as unknown as Record<Send, Method>)[method] = held.original[method];
  }
}
