/** The Koa glue held to the framework contract (test/framework-contract.ts). */
import { createServer } from 'node:http';
import Koa from 'koa';
import { describe, expect, it, vi } from 'vitest';
import { SessionUsageError } from '../../runtime/core/errors.js';
import { createSessionManager } from '../../runtime/core/manager.js';
import { koaSession } from '../../runtime/frameworks/koa.js';
import { memoryStore } from '../../runtime/stores/memory.js';
import { exampleApp } from '../../runtime/examples/koa.js';
import { listen, routes, testFramework } from '../framework-contract.js';

testFramework('koa', {
  start: (manager) => listen(createServer(exampleApp(manager, koaSession(manager)).callback())),
  startWithAppCookie(manager) {
    const app = new Koa();
    app.use(koaSession(manager));
    app.use((ctx) => {
      if (ctx.path === '/session') ctx.body = routes.get(ctx.session);
      else if (ctx.path === '/theme') {
        ctx.cookies.set('theme', 'dark', { httpOnly: false });
        ctx.body = routes.theme(ctx.session);
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
