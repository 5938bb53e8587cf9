import { BoundedMap } from './bounded-map.js';
import { isSessionId, newSessionId, signSessionId, storeKey, unsignSessionId } from './id.js';

/** A session id with what the core derives from it. */
export interface Identity {
  id: string;
  /** The store key: SHA-256 of the id (see id.ts). */
  key: string;
  /** The cookie value for the id: signed with the current secret, or the bare id when unsigned. */
  cookieValue: string;
}

/**
 * Turns cookie values into identities and back, remembering the ones it has checked lately.
 * Checking costs an HMAC for the signature and a SHA-256 for the store key, and a busy session
 * presents the same cookie on every request, so a hit saves both (and the HMAC of the renewed
 * cookie). Only values that passed the check are remembered, so a forged one is checked afresh
 * each time and never gets in. Bounded, so a flood of distinct cookies cannot grow it.
 */
export class KnownIds {
  readonly #checked: BoundedMap<string, Identity>;

  constructor(
    private readonly secrets: readonly string[],
    limit = 4_096,
  ) {
    this.#checked = new BoundedMap(limit);
  }

  /** The identity behind a presented cookie value, or undefined when it is malformed or forged. */
  read(value: string): Identity | undefined {
    const known = this.#checked.get(value);
    if (known) return known;
    const id = this.secrets.length > 0 ? unsignSessionId(value, this.secrets) : isSessionId(value) ? value : undefined;
    if (id === undefined) return undefined;
    // A value signed with a retired secret maps to a fresh cookie value under the current one.
    const cookieValue = this.#sign(id);
    return this.#remember(value, { id, key: storeKey(id), cookieValue });
  }

  /** A brand-new id, remembered under its cookie value so the visitor's next request is a hit. */
  issue(): Identity {
    const id = newSessionId();
    const cookieValue = this.#sign(id);
    return this.#remember(cookieValue, { id, key: storeKey(id), cookieValue });
  }

  #sign(id: string): string {
    const current = this.secrets.at(0);
    return current === undefined ? id : signSessionId(id, current);
  }

  #remember(value: string, identity: Identity): Identity {
    this.#checked.set(value, identity);
    return identity;
  }
}
