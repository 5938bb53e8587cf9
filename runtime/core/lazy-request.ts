import type { RequestInfo } from './manager.js';

/**
 * How a glue reads the facts of its framework's request that cost something to work out: the
 * client address and whether the request came over HTTPS. Frameworks derive both from their
 * trust-proxy settings (X-Forwarded-For, X-Forwarded-Proto), which a request that neither stores
 * its session nor sets a cookie need not pay for.
 */
export interface RequestReader<Source> {
  ip(source: Source): string | undefined;
  https(source: Source): boolean;
}

/**
 * A request as the glue hands it to the core, with the address and protocol read only when the
 * core asks for them (see RequestInfo): a read-only request never does.
 *
 * A class with shared getters, not an object literal with getters of its own: V8 gives every
 * such literal a new hidden class, and the churn more than doubled the garbage collector's work
 * per request (bench/, a Koa request cost 68 µs of CPU instead of 50).
 */
export class LazyRequest<Source> implements RequestInfo {
  constructor(
    /** What the reader reads from: the framework's request or context. */
    private readonly source: Source,
    /** A module-level object, so that nothing but this instance is made per request. */
    private readonly reader: RequestReader<Source>,
    readonly cookieHeader: string | undefined,
    readonly userAgent: string | undefined,
  ) {}

  get ip(): string | undefined {
    return this.reader.ip(this.source);
  }

  get https(): boolean {
    return this.reader.https(this.source);
  }
}
