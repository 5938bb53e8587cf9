/**
 * What the manager keeps about a loaded session until its commit: where it came from, what the
 * handler asked for (logout, rotation, refresh, login, updates, flash messages) and whether it
 * can still change. The Session object holds it under the `sessionState` symbol (./session.ts).
 */
import type { Update } from './data.js';
import type { SessionUsageErrorCode } from './errors.js';
import type { Identity } from './id.js';
import type { RequestInfo } from './session.js';
import type { SessionRecord } from './store.js';

/** What the manager needs to know about a session at commit. Not part of the public API. */
export interface SessionState {
  /** The id the client presented and we accepted; undefined for a new visitor. */
  identity: Identity | undefined;
  /**
   * The store key holding the data: the id's own key, or during a rotation grace window the
   * successor's key that the old id forwards to. Undefined for a new visitor.
   */
  key: string | undefined;
  /** The record as loaded, for conditional writes; undefined for a new visitor. */
  record: SessionRecord | undefined;
  /** The data JSON as loaded ("{}" for a new visitor): the baseline of change detection. */
  loadedText: string;
  /** The request the session was loaded for (cookie, address, HTTPS), needed again at commit. */
  request: RequestInfo;
  /** Whether the request carried a cookie of our name (a logout then clears it, even for a new visitor). */
  cookieSent: boolean;
  invalidated: boolean;
  rotate: boolean;
  /** Set by refresh(): forces a write and may carry a new idle lifetime. */
  refreshed: boolean;
  maxAge: number | undefined;
  committed: boolean;
  /**
   * Set once the session can no longer be saved: its commit has started (the response is on its
   * way), or the request lies outside cookie.path. Any change then throws instead of being lost.
   */
  sealed: SessionUsageErrorCode | undefined;
  /** Loaded while the store was failing, under onStoreError "continue": never saved. */
  degraded: boolean;
  /** The update() calls still to apply at save, in order (see update). */
  updates: Update[];
  /** Flash messages this request added, by flash key, still to append at save (see flash). */
  flashes: Map<string, unknown[]>;
  /**
   * Takes a flash key's messages from the stored session at once (set by the manager for a
   * stored session): resolves exactly the messages this call removed.
   */
  takeStoredFlash: ((key: string) => Promise<unknown[]>) | undefined;
  /** Set by login(): the user this request logs in, and when. */
  login: { userId: string; at: number } | undefined;
}

/** The state of a session as loaded: a new visitor's until accept() fills in the record. */
export function newState(request: RequestInfo, cookieSent: boolean): SessionState {
  return {
    identity: undefined,
    key: undefined,
    record: undefined,
    loadedText: '{}',
    request,
    cookieSent,
    invalidated: false,
    rotate: false,
    refreshed: false,
    maxAge: undefined,
    committed: false,
    sealed: undefined,
    degraded: false,
    updates: [],
    flashes: new Map(),
    takeStoredFlash: undefined,
    login: undefined,
  };
}
