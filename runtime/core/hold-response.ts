import type { ServerResponse } from 'node:http';

type Send = 'writeHead' | 'write' | 'end';
type Method = (this: ServerResponse, ...args: unknown[]) => unknown;
type Methods = Record<Send, Method>;

/** What a held response remembers: where its real methods are, the calls held back, and what to run first. */
interface Held {
  /** The methods that really send: the response's own ones from before the hold, or the prototype's parent. */
  original: Methods;
  /** Whether our stand-ins sit on the response itself (to be put back at the release). */
  onInstance: boolean;
  calls: Array<{ method: Send; args: unknown[] }>;
  started: boolean;
  released: boolean;
  beforeSend: () => Promise<void>;
  onError: (error: unknown) => void;
}

const HELD = Symbol('session.held');
/** A response held by holdResponse, or the home of one held by prototypeHold. */
type HeldAt = { [HELD]?: Held };
const SENDS = ['writeHead', 'write', 'end'] as const;
/** One install per prototype (see prototypeHold), however many middlewares ask for it. */
const installs = new WeakMap<object, HoldResponseAt>();

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
  const home = response as HeldAt;
  const existing = home[HELD];
  if (existing && holdAgain(existing, beforeSend, onError)) return;
  const original = {
    writeHead: response.writeHead as Method,
    write: response.write as Method,
    end: response.end as Method,
  };
  home[HELD] = { original, onInstance: true, calls: [], started: false, released: false, beforeSend, onError };
  response.writeHead = heldWriteHead as ServerResponse['writeHead'];
  response.write = heldWrite as ServerResponse['write'];
  response.end = heldEnd as ServerResponse['end'];
}

/** Holds `response` like HoldResponse, keeping its state on `home` (see prototypeHold). */
export type HoldResponseAt = (
  response: ServerResponse,
  home: object,
  beforeSend: () => Promise<void>,
  onError: (error: unknown) => void,
) => void;

/**
 * The same hold for a framework whose responses each get a hidden class of their own, so that
 * every property added to one is slow. Express does this: it swaps each response's prototype
 * (Object.setPrototypeOf), after which V8 builds a new hidden class, with a copy of the
 * response's forty-odd property descriptors, for every property added. The three stand-ins and
 * the state on each response took about 7 µs of CPU per request in the bench's profiles, and
 * their discarded hidden classes added to the garbage collector's work.
 *
 * Here the stand-ins go once on `base`, a prototype all the framework's responses inherit from,
 * and pass straight through for a response that is not held. A held response's state goes on
 * `home`, an object of stable shape of the caller's (the Express glue: the request's session),
 * which `homeOf` finds again from the response. Nothing is added to the response. A response
 * that does not inherit from `base` is held by holdResponse instead.
 *
 * Install it before the first request, so that no middleware has copied the parent's methods
 * past it. A prototype keeps the first `homeOf` it was given.
 */
export function prototypeHold(base: object, homeOf: (response: ServerResponse) => unknown): HoldResponseAt {
  const installed = installs.get(base);
  if (installed) return installed;
  const parent = Object.getPrototypeOf(base) as Methods;
  // What answers once a response is released, or was never held: a stand-in already on `base`
  // (another copy of this module), else the parent's method, looked up at each call so that a
  // later patch of ServerResponse.prototype (an APM agent) still applies.
  const next = {} as Methods;
  const heldOf = (response: ServerResponse) => (homeOf(response) as HeldAt | undefined)?.[HELD];
  for (const method of SENDS) {
    const previous = Object.hasOwn(base, method) ? (base as Methods)[method] : undefined;
    next[method] =
      previous ??
      function (this: ServerResponse, ...args: unknown[]): unknown {
        return parent[method].apply(this, args);
      };
    (base as Methods)[method] = function (this: ServerResponse, ...args: unknown[]): unknown {
      const held = heldOf(this);
      if (held === undefined || held.released) return next[method].apply(this, args);
      return intercept(this, held, method, args);
    };
  }
  const hold: HoldResponseAt = (response, home, beforeSend, onError) => {
    if (!Object.prototype.isPrototypeOf.call(base, response)) return holdResponse(response, beforeSend, onError);
    // Held already through an earlier home (a session middleware mounted twice): both homes
    // share the one state, so the stand-ins find it whichever home `homeOf` now returns.
    const existing = heldOf(response);
    (home as HeldAt)[HELD] =
      existing && holdAgain(existing, beforeSend, onError)
        ? existing
        : { original: next, onInstance: false, calls: [], started: false, released: false, beforeSend, onError };
  };
  installs.set(base, hold);
  return hold;
}

/**
 * Held twice (a session middleware mounted twice): both commits run, in mounting order. Says
 * whether the response was already held.
 */
function holdAgain(existing: Held, beforeSend: () => Promise<void>, onError: (error: unknown) => void): boolean {
  if (existing.released) return false;
  if (existing.started) onError(new Error('[session] the response was already being sent'));
  else {
    const first = existing.beforeSend;
    existing.beforeSend = () => first().then(beforeSend);
  }
  return true;
}

function heldWriteHead(this: ServerResponse, ...args: unknown[]): unknown {
  return interceptOwn(this, 'writeHead', args);
}

function heldWrite(this: ServerResponse, ...args: unknown[]): unknown {
  return interceptOwn(this, 'write', args);
}

function heldEnd(this: ServerResponse, ...args: unknown[]): unknown {
  return interceptOwn(this, 'end', args);
}

const standIns: Methods = { writeHead: heldWriteHead, write: heldWrite, end: heldEnd };

function interceptOwn(response: ServerResponse, method: Send, args: unknown[]): unknown {
  const held = (response as HeldAt)[HELD];
  // Called on something we never held (a method copied to another object): pass nothing through.
  if (!held) throw new TypeError(`[session] held ${method} called on a response that is not held`);
  if (held.released) return held.original[method].apply(response, args);
  return intercept(response, held, method, args);
}

function intercept(response: ServerResponse, held: Held, method: Send, args: unknown[]): unknown {
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
  if (!held.onInstance) return;
  for (const method of SENDS) {
    if (response[method] === standIns[method]) (response as unknown as Methods)[method] = held.original[method];
  }
}
