// The rows of the HTTP benchmark, derived from runtime/manifest.ts so that stores and frameworks
// appear here as soon as the manifest lists them. Every row is one server process on 127.0.0.1
// answering GET /health, GET /count and GET /session.
import { join } from 'node:path';
import { memcachedServer, mongoUrl, mysql, postgresUrl, redisUrl } from '../peers/common.mjs';

/** The inline store work each of our stores is compared with (peers/limit-ops.mjs). */
export const limitKindOfStore = {
  memory: 'memory',
  file: 'fs',
  dir: 'fs',
  redis: 'redis',
  mysql: 'mysql',
  postgres: 'postgres',
  memcached: 'memcached',
  mongodb: 'mongodb',
};
const allLimitKinds = ['memory', 'fs', 'redis', 'mysql', 'postgres', 'memcached', 'mongodb'];

/** Frameworks we have a bare server for (peers/bare-<name>.mjs). */
const bareScripts = {
  express: 'bare-express.mjs',
  fastify: 'bare-fastify.mjs',
  koa: 'bare-koa.mjs',
  node: 'bare-node.mjs',
  hono: 'bare-hono.mjs',
};
/** Bare rows always run for these, so each framework's own cost is on record. */
const alwaysBare = ['express', 'fastify', 'koa'];

/**
 * What users would pick instead, on the identical workload. `matches` names the stores of ours
 * each one is compared with (session-file-store keeps one file per session, like dir; it is also
 * the file-based choice an Express user makes, so the single-file store is compared with it too).
 */
const peerList = [
  {
    name: 'express-session+memory',
    label: 'express-session + MemoryStore',
    framework: 'express',
    matches: ['memory'],
    script: 'express-session.mjs',
    env: { STORE: 'memory' },
  },
  {
    name: 'express-session+redis',
    label: 'express-session + connect-redis',
    framework: 'express',
    matches: ['redis'],
    script: 'express-session.mjs',
    env: { STORE: 'redis' },
  },
  {
    name: 'express-session+memcached',
    label: 'express-session + connect-memjs',
    framework: 'express',
    matches: ['memcached'],
    script: 'express-session.mjs',
    env: { STORE: 'memcached' },
  },
  {
    name: 'express-session+mysql',
    label: 'express-session + express-mysql-session',
    framework: 'express',
    matches: ['mysql'],
    script: 'express-session.mjs',
    env: { STORE: 'mysql' },
  },
  {
    name: 'express-session+postgres',
    label: 'express-session + connect-pg-simple',
    framework: 'express',
    matches: ['postgres'],
    script: 'express-session.mjs',
    env: { STORE: 'postgres' },
  },
  {
    name: 'express-session+file',
    label: 'express-session + session-file-store',
    framework: 'express',
    matches: ['dir', 'file'],
    script: 'express-session.mjs',
    env: { STORE: 'dir' },
    needsDir: true,
  },
  {
    name: 'express-session+mongodb',
    label: 'express-session + connect-mongo',
    framework: 'express',
    matches: ['mongodb'],
    script: 'express-session.mjs',
    env: { STORE: 'mongodb' },
  },
  {
    name: 'fastify-session+redis',
    label: '@fastify/session + connect-redis',
    framework: 'fastify',
    matches: ['redis'],
    script: 'fastify-session.mjs',
    env: {},
  },
  {
    name: 'koa-session+redis',
    label: 'koa-session + koa-redis',
    framework: 'koa',
    matches: ['redis'],
    script: 'koa-session.mjs',
    env: {},
  },
];

/**
 * Store URLs for our rows: each row gets its own namespace `ns` (prefix, table, collection) and
 * folder.
 * A store the bench does not know yet runs on its manifest default URL.
 */
export function ourStoreUrl(store, ns, folder) {
  switch (store.name) {
    case 'memory':
      return 'memory://';
    case 'file':
      return `file://${join(folder, 'sessions.json')}`;
    case 'dir':
      return `dir://${join(folder, 'sessions')}`;
    case 'redis':
      return `${redisUrl}?prefix=bench:${ns}:`;
    case 'mysql':
      return `mysql://${mysql.user}@${mysql.host}:${mysql.port}/${mysql.database}?table=${ns}`;
    case 'postgres':
      return `${postgresUrl}?table=${ns}`;
    case 'mongodb':
      return `${mongoUrl}?collection=${ns}`;
    case 'memcached':
      return `memcached://${memcachedServer}?prefix=bench:${ns}:`;
    default:
      return store.defaultUrl;
  }
}

/**
 * All rows, in table order: ours, peers, bare, limit.
 *
 * Ours: by default a spanning set rather than every framework × store, because store cost
 * barely depends on the framework and glue cost barely on the store, and the full product (5
 * frameworks × 7 stores, each row 7 workloads × 3 rounds × 10 s) would take hours:
 * every store on the reference framework (express, or the manifest's first), every framework on
 * the memory store (its glue cost with the cheapest store), and every framework × store pair a
 * peer exists for (fastify + redis, koa + redis, ...). `allCombos` runs the full product.
 * Limit rows: one per backend on the reference framework (the floor of the store work), plus
 * the backends of each other framework's peers on that framework.
 */
export function buildRows(manifest, { allCombos = false } = {}) {
  const rows = [];
  const reference = manifest.frameworks.some((f) => f.name === 'express') ? 'express' : manifest.frameworks[0]?.name;
  const peerPairs = new Set(peerList.flatMap((peer) => peer.matches.map((store) => `${peer.framework}:${store}`)));
  const cheapest = manifest.stores.some((s) => s.name === 'memory') ? 'memory' : manifest.stores[0]?.name;
  const oursFrameworks = new Set();
  for (const framework of manifest.frameworks) {
    for (const store of manifest.stores) {
      const wanted =
        allCombos ||
        framework.name === reference ||
        store.name === cheapest ||
        peerPairs.has(`${framework.name}:${store.name}`);
      if (!wanted) continue;
      rows.push({
        id: `ours:${framework.name}:${store.name}`,
        kind: 'ours',
        label: `ours ${framework.name} + ${store.name}`,
        framework: framework.name,
        store: store.name,
        manifestFramework: framework,
        manifestStore: store,
        namespace: `ours_${framework.name}`,
      });
      oursFrameworks.add(framework.name);
    }
  }
  for (const peer of peerList) {
    rows.push({
      id: `peer:${peer.name}`,
      kind: 'peer',
      label: peer.label,
      framework: peer.framework,
      matches: peer.matches,
      script: peer.script,
      env: { ...peer.env },
      needsDir: peer.needsDir ?? false,
    });
  }
  const bareFrameworks = [...new Set([...alwaysBare, ...oursFrameworks])].filter((name) => bareScripts[name]);
  for (const framework of bareFrameworks) {
    rows.push({
      id: `bare:${framework}`,
      kind: 'bare',
      label: `bare ${framework} (no session)`,
      framework,
      script: bareScripts[framework],
      env: {},
    });
  }
  // The reference framework gets every backend's limit; a framework with a peer also gets the
  // limit of that peer's backends, so "ours ÷ peer" can be read against "limit ÷ peer" (what the
  // framework and the store allow at all on this machine).
  const limitFramework = bareScripts[reference] ? reference : 'express';
  const limitPairs = allLimitKinds.map((kind) => [limitFramework, kind]);
  for (const peer of peerList) {
    if (peer.framework === limitFramework || !bareScripts[peer.framework]) continue;
    for (const kind of limitKindsOf(peer)) {
      if (!limitPairs.some(([f, k]) => f === peer.framework && k === kind)) limitPairs.push([peer.framework, kind]);
    }
  }
  for (const [framework, kind] of limitPairs) {
    rows.push({
      id: `limit:${framework}:${kind}`,
      kind: 'limit',
      label: `limit ${framework} + ${kind} inline`,
      framework,
      limitKind: kind,
      script: bareScripts[framework],
      env: { LIMIT: kind },
      needsDir: kind === 'fs',
    });
  }
  return rows;
}

/**
 * For each of our rows: the peers of the same framework and backend, and the floor of its
 * backend on the same framework (the limit row; for the memory store on a framework without a
 * limit row, the bare framework, which is what a Map lookup inline costs).
 */
export function comparisons(rows) {
  const result = [];
  for (const ours of rows.filter((row) => row.kind === 'ours')) {
    for (const peer of rows.filter(
      (row) => row.kind === 'peer' && row.framework === ours.framework && row.matches.includes(ours.store),
    )) {
      result.push({ ours, other: peer, relation: 'peer' });
    }
    const kind = limitKindOfStore[ours.store];
    const limit =
      rows.find((row) => row.kind === 'limit' && row.framework === ours.framework && row.limitKind === kind) ??
      (kind === 'memory' ? rows.find((row) => row.kind === 'bare' && row.framework === ours.framework) : undefined);
    if (limit) result.push({ ours, other: limit, relation: 'limit' });
  }
  return result;
}

/**
 * Each peer against the limit of its framework and backend: how much faster than the peer any
 * session layer could be on this machine, which puts an "ours ÷ peer" target in proportion.
 */
export function ceilings(rows) {
  const result = [];
  for (const peer of rows.filter((row) => row.kind === 'peer')) {
    for (const kind of limitKindsOf(peer)) {
      const limit = rows.find(
        (row) => row.kind === 'limit' && row.framework === peer.framework && row.limitKind === kind,
      );
      if (limit) result.push({ limit, peer });
    }
  }
  return result;
}

/** The limit kinds of the backends a peer is compared on (session-file-store covers dir and file: one kind). */
function limitKindsOf(peer) {
  return new Set(peer.matches.map((store) => limitKindOfStore[store]).filter(Boolean));
}

/**
 * Our rows generated from each of `trees` ({ label, root, manifest }), each tree's rows from its
 * own manifest. The variants of one framework + store sit next to each other (`group`), so they
 * are measured one right after the other in every round; ids and labels carry the tree's label.
 */
export function oursOfTrees(trees, { allCombos = false } = {}) {
  const groups = new Map();
  for (const tree of trees) {
    for (const row of buildRows(tree.manifest, { allCombos }).filter((row) => row.kind === 'ours')) {
      const variant = {
        ...row,
        id: `${row.id}@${tree.label}`,
        label: `${row.label} [${tree.label}]`,
        namespace: `${row.namespace}_${tree.label}`,
        group: row.id,
        tree,
      };
      groups.set(row.id, [...(groups.get(row.id) ?? []), variant]);
    }
  }
  return [...groups.values()].flat();
}

/**
 * The order of `rows` in round `round` (from 1): each group of tree variants is rotated by one
 * place per round, so no tree is always measured first, right after another row's load.
 */
export function roundOrder(rows, round) {
  const ordered = [];
  for (let start = 0; start < rows.length;) {
    let end = start + 1;
    while (rows[start].group && end < rows.length && rows[end].group === rows[start].group) end++;
    const group = rows.slice(start, end);
    const shift = (round - 1) % group.length;
    ordered.push(...group.slice(shift), ...group.slice(0, shift));
    start = end;
  }
  return ordered;
}

/** Each tree variant against the first tree's variant of the same framework + store. */
export function treePairs(rows) {
  const result = [];
  for (const row of rows.filter((row) => row.group)) {
    const first = rows.find((other) => other.group === row.group);
    if (first !== row) result.push({ first, other: row });
  }
  return result;
}
