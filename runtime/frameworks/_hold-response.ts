/**
 * Holds a node:http response back until the session is saved, for the glues whose framework
 * has no hook between the handler and the first byte (Express, plain node:http).
 *
 * The response's first `writeHead`, `write` or `end` starts `beforeSend` (the session commit,
 * which sets the cookie); those calls and any that follow are queued and replayed in order once
 * it resolves, so the cookie is set before the client sees anything and the very next request
 * finds the saved data. If `beforeSend` rejects, the queued response is dropped and `onError`
 * decides what the client gets instead (the framework's error path). Queued writes report
 * success, so a piped stream keeps flowing during the short wait.
 *
 * Only this response's own methods are replaced, and they are put back at the release; nothing
 * shared by other responses or other apps is touched. The hold lives on the response itself and
 * the stand-ins are shared functions that find it there: tuning, not correctness. A closure per
 * response or a WeakMap from response to hold does the same, but made every request markedly
 * slower (twice the CPU on plain node:http).
 */
import { type OutgoingHttpHeaders, ServerResponse } from 'node:http';

type Send = 'writeHead' | 'write' | 'end';
type Method = (this: ServerResponse, ...args: unknown[]) => unknown;

export interface HoldOptions {
  /** Runs before anything is sent; usually commits the session and sets its cookie. */
  beforeSend: () => Promise<void>;
  /** Answers instead of the held response when `beforeSend` (or replaying it) fails. */
  onError: (error: unknown) => void;
}

interface Held extends HoldOptions {
  original: Record<Send, Method>;
  calls: { method: Send; args: unknown[] }[];
  /** The Set-Cookie values the session added (see appendSessionCookie). */
  cookies: string[];
  started: boolean;
  ended: boolean;
  released: boolean;
}

const SENDS: readonly Send[] = ['writeHead', 'write', 'end'];
/** Where a held response keeps its hold: a property of its own, gone with the response. */
const HOLD = Symbol('session.hold');
type HoldableResponse = ServerResponse & { [HOLD]?: Held };
const methodsOf = (response: ServerResponse) => response as unknown as Record<Send, Method>;

/** The stand-ins, shared by every held response: each finds its hold on `this`. */
const standIns: Record<Send, Method> = {
  writeHead(...args) {
    return send(this, 'writeHead', args);
  },
  write(...args) {
    return send(this, 'write', args);
  },
  end(...args) {
    return send(this, 'end', args);
  },
};

/** node:http's own methods, for a stand-in that finds no hold (it was copied to another object). */
const ORIGINAL = ServerResponse.prototype as unknown as Record<Send, Method>;

function send(response: ServerResponse, method: Send, args: unknown[]): unknown {
  const held = (response as HoldableResponse)[HOLD];
  if (held === undefined || held.released) return (held?.original ?? ORIGINAL)[method].apply(response, args);
  return intercept(response, held, method, args);
}

/**
 * Holds `response` (see above). Holding it again (a second session middleware) chains the
 * second `beforeSend` after the first, so both run before anything is sent.
 */
export function holdResponse(res: ServerResponse, options: HoldOptions): void {
  const response = res as HoldableResponse;
  const existing = response[HOLD];
  const methods = methodsOf(response);
  if (existing && !existing.released) {
    if (existing.started) throw new Error('[session] the response was already being sent');
    const first = existing.beforeSend;
    existing.beforeSend = () => first().then(options.beforeSend);
    return;
  }
  response[HOLD] = {
    beforeSend: options.beforeSend,
    onError: options.onError,
    original: { writeHead: methods.writeHead, write: methods.write, end: methods.end },
    calls: [],
    cookies: existing?.cookies ?? [],
    started: false,
    ended: false,
    released: false,
  };
  for (const method of SENDS) methods[method] = standIns[method];
}

/** Whether the handler has begun its response: a held call is queued, or the headers are out. */
export function responseStarted(response: ServerResponse): boolean {
  return (response as HoldableResponse)[HOLD]?.started === true || response.headersSent;
}

/** Whether the handler has ended its response, even if the end is still held. */
export function responseEnded(response: ServerResponse): boolean {
  return (response as HoldableResponse)[HOLD]?.ended === true || response.writableEnded;
}

function intercept(response: ServerResponse, held: Held, method: Send, args: unknown[]): unknown {
  held.calls.push({ method, args });
  if (method === 'end') held.ended = true;
  if (!held.started) {
    held.started = true;
    held.beforeSend().then(
      () => {
        replay(response, held);
      },
      (error: unknown) => {
        // Nothing held was sent: the response is the error path's to write from scratch.
        release(response, held);
        held.calls.length = 0;
        held.started = false;
        held.ended = false;
        held.onError(error);
      },
    );
  }
  return method === 'write' ? true : response;
}

function replay(response: ServerResponse, held: Held): void {
  release(response, held);
  try {
    for (const call of held.calls.splice(0)) {
      if (call.method === 'writeHead') keepSetCookie(response, held.cookies, call.args);
      held.original[call.method].apply(response, call.args);
    }
  } catch (error) {
    // node:http throws for what the handler passed (a bad header value or status); had the call
    // not been held, the handler would have thrown. Hand it to the error path instead of leaving
    // an unhandled rejection, which ends the process.
    held.calls.length = 0;
    held.onError(error);
  }
}

/**
 * Puts back the response's own methods, unless a middleware wrapped ours after the hold (as
 * compression does): its wrapper stays, and calls into ours, which now pass straight through.
 */
function release(response: ServerResponse, held: Held): void {
  held.released = true;
  const methods = methodsOf(response);
  for (const method of SENDS) {
    if (methods[method] === standIns[method]) methods[method] = held.original[method];
  }
}

/**
 * `writeHead(status, { 'Set-Cookie': ... })` replaces every Set-Cookie set before it, the session
 * cookie included, which would log the user out (or lose a new session). The handler's cookies
 * then replace only the ones the handler itself set earlier, as node:http would have it, and
 * the session's stay. Rewrites `args` in place.
 */
function keepSetCookie(response: ServerResponse, ours: string[], args: unknown[]): void {
  const headers = args.at(-1);
  if (typeof headers !== 'object' || headers === null) return;
  if (ours.length === 0) return;
  const theirs: string[] = [];
  let rest: unknown;
  if (Array.isArray(headers)) {
    // The flat form: [name, value, name, value, ...].
    const kept: unknown[] = [];
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === 'set-cookie') theirs.push(...asList(headers[i + 1]));
      else kept.push(headers[i], headers[i + 1]);
    }
    rest = kept;
  } else {
    const kept: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers as OutgoingHttpHeaders)) {
      if (name.toLowerCase() === 'set-cookie') theirs.push(...asList(value));
      else kept[name] = value;
    }
    rest = kept;
  }
  if (theirs.length === 0) return;
  response.setHeader('Set-Cookie', [...ours, ...theirs]);
  args[args.length - 1] = rest;
}

/**
 * Adds the session's Set-Cookie to a held `response`, remembered so a later writeHead cannot
 * drop it.
 */
export function appendSessionCookie(response: ServerResponse, cookie: string): void {
  response.appendHeader('Set-Cookie', cookie);
  (response as HoldableResponse)[HOLD]?.cookies.push(cookie);
}

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.map(String);
}
