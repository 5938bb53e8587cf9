/**
 * The one registry of what can be vendored: every store and framework, its file, URL schemes,
 * npm packages and defaults. Prompts, the generator, the emitted README and the test matrix all
 * read it; test/manifest.test.ts keeps it in sync with the files on disk and their imports.
 * This file itself is not vendored.
 */

export interface PackageRanges {
  readonly [name: string]: string;
}

export interface StoreEntry {
  readonly name: string;
  readonly title: string;
  /** Vendored file, relative to runtime/. */
  readonly file: string;
  /** Internal helpers the file imports, relative to runtime/. */
  readonly helpers: readonly string[];
  /** URL schemes the store answers to, with the colon as `URL#protocol` gives them. */
  readonly schemes: readonly string[];
  /** The exported factory, called as `factory({ url })`. */
  readonly factory: string;
  /** Used when SESSION_STORE is unset; embedded stores need no server (`dir:.sessions`: in the app root). */
  readonly defaultUrl: string;
  /**
   * The forms of URL the store takes (SESSION_STORE), one per scheme or shape; `[...]` marks an
   * optional part. The layer's README and the generator's --help show them.
   */
  readonly urlForms: readonly string[];
  /** What the README says about those URLs beyond their form, in Markdown (the store file's Options type has every parameter). */
  readonly urlNotes: string;
  /** The backend deletes expired sessions by itself; otherwise the app schedules `deleteExpired`. */
  readonly nativeExpiry: boolean;
  readonly dependencies: PackageRanges;
  readonly devDependencies: PackageRanges;
}

export interface FrameworkEntry {
  readonly name: string;
  readonly title: string;
  readonly file: string;
  /** Internal helpers the glue imports, relative to runtime/. */
  readonly helpers: readonly string[];
  /**
   * The example server written with `--example`, relative to runtime/. It exports
   * `exampleApp(sessions, glue)` and `serveExample(sessions, glue)`; the app's copy imports both
   * arguments from the layer's index and ends by calling `serveExample`.
   */
  readonly example: string;
  /** The exported glue factory, called with the session manager. */
  readonly factory: string;
  /** What index.ts exports the glue as, e.g. `sessionMiddleware`. */
  readonly exportName: string;
  /** Packages whose presence in package.json means the app uses this framework. */
  readonly detect: readonly string[];
  readonly dependencies: PackageRanges;
  readonly devDependencies: PackageRanges;
}

export const stores: readonly StoreEntry[] = [
  {
    name: 'memory',
    title: 'Memory (one process, lost on restart)',
    file: 'stores/memory.ts',
    helpers: [],
    schemes: ['memory:'],
    factory: 'memoryStore',
    defaultUrl: 'memory://',
    urlForms: ['memory://', 'memory://?maxEntries=100000'],
    urlNotes: '`maxEntries` bounds it: the least recently written session goes first.',
    nativeExpiry: false,
    dependencies: {},
    devDependencies: {},
  },
  {
    name: 'file',
    title: 'File (all sessions in one JSON file)',
    file: 'stores/file.ts',
    helpers: ['stores/_files.ts', 'stores/_record.ts'],
    schemes: ['file:'],
    factory: 'fileStore',
    defaultUrl: 'file:.sessions/sessions.json',
    urlForms: ['file:///abs/path/sessions.json', 'file:relative/path/sessions.json', 'file://'],
    urlNotes:
      'A relative path is from the app root (the nearest folder with a package.json); `file://` is a file in the OS temp directory. `?fsync=true` flushes every write to disk (survives power loss, slower).',
    nativeExpiry: false,
    dependencies: {},
    devDependencies: {},
  },
  {
    name: 'dir',
    title: 'Directory (one file per session)',
    file: 'stores/dir.ts',
    helpers: ['stores/_files.ts', 'stores/_record.ts'],
    schemes: ['dir:'],
    factory: 'dirStore',
    defaultUrl: 'dir:.sessions',
    urlForms: ['dir:///abs/path', 'dir:relative/path', 'dir://'],
    urlNotes:
      'A relative path is from the app root (the nearest folder with a package.json); `dir://` is a folder in the OS temp directory. `?fsync=true` flushes every write to disk (survives power loss, slower).',
    nativeExpiry: false,
    dependencies: {},
    devDependencies: {},
  },
  {
    name: 'mysql',
    title: 'MySQL / MariaDB',
    file: 'stores/mysql.ts',
    helpers: ['stores/_database-url.ts'],
    schemes: ['mysql:', 'mariadb:'],
    factory: 'mysqlStore',
    defaultUrl: 'mysql://root@127.0.0.1:3306/app',
    urlForms: [
      'mysql://user:password@host:3306/db?table=sessions',
      'mariadb://user:password@host:3306/db?table=sessions',
    ],
    urlNotes: 'The table is created if missing.',
    nativeExpiry: false,
    dependencies: { mysql2: '^3.24.6' },
    devDependencies: {},
  },
  {
    name: 'postgres',
    title: 'PostgreSQL',
    file: 'stores/postgres.ts',
    helpers: ['stores/_database-url.ts'],
    schemes: ['postgres:', 'postgresql:'],
    factory: 'postgresStore',
    defaultUrl: 'postgres://postgres@127.0.0.1:5432/app',
    urlForms: [
      'postgres://user:password@host:5432/db?table=sessions',
      'postgresql://user:password@host:5432/db?table=sessions',
    ],
    urlNotes:
      "libpq's `sslmode`, `sslrootcert`, `sslcert` and `sslkey` parameters set up TLS; the table is created if missing. " +
      'A wrong login, database or table fails with the `SessionStoreError` code `misconfigured`, an unreachable server ' +
      'with `unavailable`. Behind a pooler in transaction mode that cannot keep prepared statements (PgBouncer before ' +
      '1.21), add `?preparedStatements=false`.',
    nativeExpiry: false,
    dependencies: { pg: '^8.23.1' },
    devDependencies: { '@types/pg': '^8.23.1' },
  },
  {
    name: 'mongodb',
    title: 'MongoDB',
    file: 'stores/mongodb.ts',
    helpers: [],
    schemes: ['mongodb:', 'mongodb+srv:'],
    factory: 'mongodbStore',
    defaultUrl: 'mongodb://127.0.0.1:27017/app',
    urlForms: ['mongodb://host:27017/db?collection=sessions', 'mongodb+srv://host/db?collection=sessions'],
    urlNotes: 'A TTL index where the server has one.',
    nativeExpiry: false,
    dependencies: { mongodb: '^7.9.0' },
    devDependencies: {},
  },
  {
    name: 'redis',
    title: 'Redis (also Redis Cluster and Sentinel)',
    file: 'stores/redis.ts',
    helpers: ['stores/_record.ts', 'stores/_redis-url.ts'],
    schemes: ['redis:', 'rediss:', 'redis+cluster:', 'rediss+cluster:', 'redis+sentinel:'],
    factory: 'redisStore',
    defaultUrl: 'redis://127.0.0.1:6379',
    urlForms: [
      'redis://[:password@]host:6379[/db]?prefix=sess:',
      'rediss://[:password@]host:6380[/db]?prefix=sess:',
      'redis+cluster://host1:7001,host2:7002',
      'rediss+cluster://host1:7001,host2:7002',
      'redis+sentinel://sentinel1:26379,sentinel2:26379/mymaster[/db]',
    ],
    urlNotes:
      '`rediss` is Redis over TLS; `+cluster` is Redis Cluster; `+sentinel` is Sentinel, where the password is the ' +
      "master's and `?sentinelPassword=` the sentinels'. Needs Redis 7+. Expiry is Redis' own.",
    nativeExpiry: true,
    dependencies: { ioredis: '^6.0.0' },
    devDependencies: {},
  },
  {
    name: 'memcached',
    title: 'Memcached',
    file: 'stores/memcached.ts',
    helpers: ['stores/_record.ts'],
    schemes: ['memcached:'],
    factory: 'memcachedStore',
    defaultUrl: 'memcached://127.0.0.1:11211',
    urlForms: ['memcached://host1:11211,host2:11211?prefix=sess:'],
    urlNotes: "Expiry is memcached's own (the 30-day rule handled).",
    nativeExpiry: true,
    dependencies: { memjs: '^1.3.2' },
    devDependencies: { '@types/memjs': '^1.3.3' },
  },
];

export const frameworks: readonly FrameworkEntry[] = [
  {
    name: 'express',
    title: 'Express',
    file: 'frameworks/express.ts',
    helpers: ['frameworks/_hold-response.ts'],
    example: 'examples/express.ts',
    factory: 'expressSession',
    exportName: 'sessionMiddleware',
    detect: ['express'],
    dependencies: { express: '^5.1.0' },
    devDependencies: { '@types/express': '^5.0.0' },
  },
  {
    name: 'fastify',
    title: 'Fastify',
    file: 'frameworks/fastify.ts',
    helpers: [],
    example: 'examples/fastify.ts',
    factory: 'fastifySession',
    exportName: 'sessionPlugin',
    detect: ['fastify'],
    dependencies: { fastify: '^5.0.0' },
    devDependencies: {},
  },
  {
    name: 'koa',
    title: 'Koa',
    file: 'frameworks/koa.ts',
    helpers: [],
    example: 'examples/koa.ts',
    factory: 'koaSession',
    exportName: 'sessionMiddleware',
    detect: ['koa'],
    dependencies: { koa: '^3.0.0' },
    devDependencies: { '@types/koa': '^3.0.0' },
  },
  {
    name: 'hono',
    title: 'Hono',
    file: 'frameworks/hono.ts',
    helpers: ['frameworks/_forwarded.ts'],
    example: 'examples/hono.ts',
    factory: 'honoSession',
    exportName: 'sessionMiddleware',
    detect: ['hono'],
    dependencies: { hono: '^4.6.0', '@hono/node-server': '^2.0.0' },
    devDependencies: {},
  },
  {
    name: 'node',
    title: 'node:http (no framework)',
    file: 'frameworks/node.ts',
    helpers: ['frameworks/_forwarded.ts', 'frameworks/_hold-response.ts'],
    example: 'examples/node.ts',
    factory: 'nodeSession',
    exportName: 'nodeSessions',
    detect: [],
    dependencies: {},
    devDependencies: {},
  },
];

/** Packages every TypeScript app needs for the vendored code (process.env, node:crypto, ...). */
export const typescriptDevDependencies: PackageRanges = { '@types/node': '>=20' };

export function findStore(name: string): StoreEntry | undefined {
  return stores.find((store) => store.name === name);
}

export function findFramework(name: string): FrameworkEntry | undefined {
  return frameworks.find((framework) => framework.name === name);
}
