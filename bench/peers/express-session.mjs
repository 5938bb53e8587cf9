// express-session with the store a user would pick for the backend named by STORE:
// memory (its MemoryStore), redis (connect-redis + node-redis), memcached (connect-memjs),
// mysql (express-mysql-session), postgres (connect-pg-simple), dir (session-file-store, one file per
// session), mongodb (connect-mongo).
// Settings are the library's documented recommendations (resave: false, saveUninitialized: false)
// plus what makes it comparable to the generated layer: same cookie name, 15 min lifetime, signed.
import express from 'express';
import session from 'express-session';
import {
  host,
  listening,
  maxAgeMs,
  memcachedServer,
  mongoUrl,
  mysql,
  namespace,
  onShutdown,
  port,
  postgresUrl,
  redisUrl,
  secret,
  sessionValues,
} from './common.mjs';

const kind = process.env.STORE || 'memory';
const closers = [];

async function makeStore() {
  switch (kind) {
    case 'memory':
      // Passed explicitly: the default is the same MemoryStore, but warns under NODE_ENV=production.
      return new session.MemoryStore();
    case 'redis': {
      const { createClient } = await import('redis');
      const { RedisStore } = await import('connect-redis');
      const client = createClient({ url: redisUrl });
      client.on('error', (error) => console.error('redis:', error.message));
      await client.connect();
      closers.push(() => client.quit());
      return new RedisStore({ client, prefix: `bench:${namespace}:` });
    }
    case 'memcached': {
      const MemcachedStore = (await import('connect-memjs')).default(session);
      return new MemcachedStore({ servers: [memcachedServer], prefix: `bench:${namespace}:` });
    }
    case 'mysql': {
      const MySQLStore = (await import('express-mysql-session')).default(session);
      const store = new MySQLStore({
        ...mysql,
        createDatabaseTable: true,
        schema: { tableName: `${namespace}_sessions` },
      });
      await store.onReady();
      closers.push(() => store.close());
      return store;
    }
    case 'postgres': {
      const { default: pg } = await import('pg');
      const PgStore = (await import('connect-pg-simple')).default(session);
      // Its documented setup: a pg pool of the app's, the table created on first start.
      const pool = new pg.Pool({ connectionString: postgresUrl });
      const store = new PgStore({ pool, tableName: `${namespace}_sessions`, createTableIfMissing: true });
      closers.push(
        () => store.close(),
        () => pool.end(),
      );
      return store;
    }
    case 'dir': {
      const FileStore = (await import('session-file-store')).default(session);
      // ttl in seconds, like the cookie; logFn silenced because it logs every retry of a read.
      return new FileStore({ path: process.env.BENCH_DIR, ttl: maxAgeMs / 1000, logFn: () => {} });
    }
    case 'mongodb': {
      const { default: MongoStore } = await import('connect-mongo');
      // autoRemove: 'interval' (a periodic deleteMany) instead of the default 'native' TTL index,
      // which FerretDB 1.x refuses ("expireAfterSeconds is not implemented"); on MongoDB the
      // default would do. Either way no request pays for it.
      const store = MongoStore.create({
        mongoUrl,
        collectionName: `${namespace}_sessions`,
        ttl: maxAgeMs / 1000,
        autoRemove: 'interval',
      });
      closers.push(() => store.close());
      return store;
    }
    default:
      throw new Error(`unknown STORE ${kind}`);
  }
}

const app = express();
app.disable('x-powered-by');
app.get('/health', (_req, res) => {
  res.json({ ok: true });
});
app.use(
  session({
    store: await makeStore(),
    secret,
    name: 'session_id',
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', maxAge: maxAgeMs },
  }),
);
app.get('/session', (req, res) => {
  res.json({ data: sessionValues(req.session) });
});
app.get('/count', (req, res) => {
  const count = (Number(req.session.count) || 0) + 1;
  req.session.count = count;
  res.json({ count });
});

const server = app.listen(port, host, () => listening(`express-session (${kind})`));
onShutdown(() => server.close(), ...closers);
