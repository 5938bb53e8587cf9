/** The Hono glue (on @hono/node-server) held to the framework-fidelity suite (test/framework-fidelity.ts). */
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { stream } from 'hono/streaming';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { honoSession } from '../../runtime/frameworks/hono.js';
import { errorReply, listen, routes } from '../framework-contract.js';
import { APP_SET_COOKIE, fidelity, PREFIXES, testFidelity } from '../framework-fidelity.js';

testFidelity('hono', {
  secondMount: 'shared',
  reassign: 'ignored',
  start(manager, options) {
    const app = new Hono();
    app.onError((error, c) => {
      const reply = errorReply(error);
      return c.json(reply.body, reply.status as ContentfulStatusCode);
    });
    app.use(honoSession(manager, { trustProxy: options.trustProxy }));
    if (options.mountTwice) app.use(honoSession(manager, { trustProxy: options.trustProxy }));
    for (const prefix of PREFIXES) {
      app.get(`${prefix}/count`, (c) => c.json(routes.count(c.get('session'))));
      app.get(`${prefix}/session`, (c) => c.json(routes.get(c.get('session'))));
      app.get(`${prefix}/own-cookie/replace`, (c) => {
        fidelity.seen(c.get('session'));
        c.header('Set-Cookie', APP_SET_COOKIE);
        return c.json({});
      });
      app.get(`${prefix}/own-cookie/helper`, (c) => {
        fidelity.seen(c.get('session'));
        setCookie(c, 'app', '1', { path: '/' });
        return c.json({});
      });
      app.post(`${prefix}/login-own-cookie`, (c) => {
        fidelity.login(c.get('session'));
        c.header('Set-Cookie', APP_SET_COOKIE);
        return c.json({});
      });
      app.get(`${prefix}/stream`, (c) => {
        c.get('session').set('streamed', true);
        return stream(c, async (body) => {
          await body.write('a');
          await body.sleep(5);
          await body.write('b');
          await body.sleep(5);
          await body.write('c');
        });
      });
      app.get(`${prefix}/pipe`, (c) => {
        c.get('session').set('piped', true);
        return c.body(Readable.toWeb(Readable.from(['x', 'y', 'z'])) as ReadableStream);
      });
      app.get(`${prefix}/late`, (c) => {
        const session = c.get('session');
        return stream(c, async (body) => {
          await body.write('started:');
          await body.sleep(20);
          await body.write(fidelity.late(session));
        });
      });
      app.get(`${prefix}/not-modified`, (c) => {
        c.get('session').set('conditional', true);
        return c.body(null, 304);
      });
      app.get(`${prefix}/redirect`, (c) => {
        c.get('session').set('redirected', true);
        c.get('session').refresh({ rotate: true });
        return c.redirect('/session', 302);
      });
      app.get(`${prefix}/throw/400`, (c) => fidelity.throw400(c.get('session')));
      app.get(`${prefix}/throw/500`, (c) => fidelity.throw500(c.get('session')));
      app.get(`${prefix}/reassign`, (c) => {
        c.get('session').set('kept', true);
        let assigned = 'ignored';
        try {
          c.set('session', null as never);
        } catch (error) {
          assigned = (error as Error).name;
        }
        return c.json({ assigned });
      });
      app.get(`${prefix}/bad/key`, (c) => {
        fidelity.badKey(c.get('session'));
        return c.json({});
      });
      app.get(`${prefix}/bad/big`, (c) => {
        fidelity.badBig(c.get('session'));
        return c.json({});
      });
      app.get(`${prefix}/bad/bigint`, (c) => {
        fidelity.badBigint(c.get('session'));
        return c.json({});
      });
    }
    return listen(createServer(getRequestListener(app.fetch)));
  },
});
