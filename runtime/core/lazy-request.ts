import type { RequestInfo } from './manager.js';

/**
 * A request as the glue hands it to the core, with the client address read only when the core
 * asks for it (see RequestInfo.ip): frameworks may parse X-Forwarded-For for it, which a request
 * that neither stores its session nor binds it to an address need not pay for.
 *
 * A class with one shared getter, not an object literal with a `get ip()` of its own: V8 gives
 * every such literal a new hidden class, and the churn more than doubled the garbage collector's
 * work per request (bench/, a Koa request cost 68 µs of CPU instead of 50).
 */
export class LazyIpRequest<Source> implements RequestInfo {
  constructor(
    /** What `readIp` reads the address from: the framework's request or context. */
    private readonly source: Source,
    /** A module-level function, so that no closure is made per request. */
    private readonly readIp: (source: Source) => string | undefined,
    readonly cookieHeader: string | undefined,
    readonly userAgent: string | undefined,
    readonly https: boolean,
  ) {}

  get ip(): string | undefined {
    return this.readIp(this.source);
  }
}
