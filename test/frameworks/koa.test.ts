/** The Koa glue held to the framework contract (test/framework-contract.ts). */
import { createServer } from 'node:http';
import Koa from 'koa';
import { describe, expect, it, vi } from 'vitest';
import { SessionUsageError } from '../../runtime/core/errors.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import { koaSession } from '../../runtime/frameworks/koa.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { errorReply, listen, readJson, routes, testFramework } from '../framework-contract.js';

testFramework('koa', {
  start(manager) {
    const app = new Koa();
    // Upstream of the glue, so store failures thrown by it arrive here.
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        const { status, body } = errorReply(error);
        ctx.status = status;
        ctx.body = body;
      }
    });
    app.use(async (ctx, next) => {
      if (ctx.path === '/health') ctx.body = { ok: true };
      else await next();
    });
    app.use(koaSession(manager));
    app.use(async (ctx) => {
      const { session } = ctx;
      const mine = /^\/me\/sessions(?:\/(revoke-others|revoke-all)|\/([^/]+))?$/.exec(ctx.path);
      if (mine) {
        const action = mine[1] === 'revoke-others' || mine[1] === 'revoke-all' ? mine[1] : mine[2] ? 'revoke' : 'list';
        const result = await routes.mySessions(manager, session, action, mine[2]);
        ctx.status = result.status;
        if (result.body !== undefined) ctx.body = result.body;
        return;
      }
      switch (`${ctx.method} ${ctx.path}`) {
        case 'GET /session':
          ctx.body = routes.get(session);
          return;
        case 'PATCH /session':
          ctx.body = routes.patch(session, await readJson(ctx.req));
          return;
        case 'DELETE /session':
          routes.invalidate(session);
          ctx.status = 204;
          return;
        case 'POST /session/refresh':
          ctx.body = routes.refresh(session, await readJson(ctx.req));
          return;
        case 'POST /login':
          ctx.body = routes.login(session, await readJson(ctx.req));
          return;
        case 'GET /count':
          ctx.body = routes.count(session);
          return;
        case 'POST /flash':
          routes.flash(session, await readJson(ctx.req));
          ctx.status = 204;
          return;
        case 'GET /flash':
          ctx.body = await routes.takeFlash(session);
          return;
        case 'GET /theme':
          ctx.cookies.set('theme', 'dark', { httpOnly: false });
          ctx.body = routes.theme(session);
          return;
      }
    });
    return listen(createServer(app.callback()));
  },
});

describe('koa glue: a response written to ctx.res directly', () => {
  it('saves a change to an existing session without a cookie; refuses a new session that needed one, through app errors', async () => {
    const manager = createSessionManager({ store: memoryStore(), logger: { warn: () => {}, error: () => {} } });
    const app = new Koa();
    const errors: unknown[] = [];
    app.on('error', (error: unknown) => errors.push(error));
    app.use(koaSession(manager));
    app.use(async (ctx) => {
      if (ctx.path === '/count') {
        ctx.body = routes.count(ctx.session);
        return;
      }
      // Bypasses Koa: the headers leave before the glue can add a cookie.
      ctx.respond = false;
      ctx.session.set('raw', true);
      ctx.res.writeHead(200, { 'content-type': 'text/plain' }).end('raw');
    });
    const running = await listen(createServer(app.callback()));
    try {
      const first = await fetch(`${running.url}/count`);
      const cookie = first.headers.getSetCookie()[0]!.split(';')[0]!;
      const raw = await fetch(`${running.url}/raw`, { headers: { cookie } });
      expect(await raw.text()).toBe('raw');
      expect(raw.headers.getSetCookie()).toEqual([]);
      const session = await manager.load({ cookieHeader: cookie, ip: '', userAgent: '', https: false });
      expect(session.toJSON()).toEqual({ count: 1, raw: true });

      const stranger = await fetch(`${running.url}/raw`);
      expect(await stranger.text()).toBe('raw');
      expect(stranger.headers.getSetCookie()).toEqual([]);
      await vi.waitFor(() => expect(errors).toHaveLength(1));
      expect(errors[0]).toBeInstanceOf(SessionUsageError);
    } finally {
      await running.close();
      await manager.close();
    }
  });
});
