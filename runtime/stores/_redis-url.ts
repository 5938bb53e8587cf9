/**
 * Reads the Redis store's URL: one server, a cluster's nodes or Sentinel's sentinels (see the
 * forms in ./redis.ts), with the database and, for Sentinel, the master group's name.
 */
import { SessionConfigError } from '../core/errors.js';

export type Topology = 'single' | 'cluster' | 'sentinel';

/** The URL, and the nodes to connect to (cluster and sentinel URLs list several, comma-separated). */
export function parseUrl(raw: string): {
  url: URL;
  nodes: { host: string; port: number }[];
  topology: Topology;
  tls: boolean;
} {
  const match = /^(rediss?)(\+cluster|\+sentinel)?:\/\/([^/?#]*)(.*)$/.exec(raw);
  if (!match)
    throw new SessionConfigError(
      'url',
      'must be redis://, rediss://, redis+cluster://, rediss+cluster:// or redis+sentinel://',
      'redis',
    );
  const [, scheme = 'redis', kind, authority = '', rest = ''] = match;
  const topology: Topology = kind === '+cluster' ? 'cluster' : kind === '+sentinel' ? 'sentinel' : 'single';
  // Sentinel over TLS needs TLS settings for two kinds of server; not offered yet.
  if (topology === 'sentinel' && scheme === 'rediss')
    throw new SessionConfigError('url', 'rediss+sentinel:// (TLS) is not supported; use redis+sentinel://', 'redis');
  const at = authority.lastIndexOf('@');
  const hosts = authority.slice(at + 1).split(',');
  const defaultPort = topology === 'sentinel' ? 26379 : 6379;
  try {
    // `new URL` takes one host, so the first stands in while it reads credentials, path and query.
    const url = new URL(`${scheme}://${authority.slice(0, at + 1)}${hosts.at(0) ?? ''}${rest}`);
    const nodes = hosts.map((host) => {
      const node = new URL(`redis://${host}`);
      return { host: node.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(node.port || defaultPort) };
    });
    return { url, nodes, topology, tls: scheme === 'rediss' };
  } catch {
    throw new SessionConfigError('url', `is not a valid Redis URL (host list "${authority.slice(at + 1)}")`, 'redis');
  }
}

/**
 * The database number, and for Sentinel the master group's name, from the URL's path:
 * `/2` for one server, nothing for a cluster (database 0 only), `/mymaster` or `/mymaster/2`
 * for Sentinel.
 */
export function parsePath(pathname: string, topology: Topology): { db: number; masterName: string } {
  let segments: string[];
  try {
    segments = pathname.split('/').slice(1).map(decodeURIComponent);
  } catch {
    throw new SessionConfigError('url', `has a path that is not valid percent-encoding: "${pathname}"`, 'redis');
  }
  const masterName = topology === 'sentinel' ? (segments.shift() ?? '') : '';
  if (topology === 'sentinel' && masterName === '')
    throw new SessionConfigError('url', 'must name the master group: redis+sentinel://host:26379/mymaster', 'redis');
  const text = segments.join('/');
  const db = Number(text || 0);
  if (!Number.isSafeInteger(db) || db < 0 || (topology === 'cluster' && db !== 0)) {
    const problem = topology === 'cluster' ? 'a cluster has database 0 only' : 'the path must end in a database number';
    throw new SessionConfigError('url', `names database "${text}": ${problem}`, 'redis');
  }
  return { db, masterName };
}
