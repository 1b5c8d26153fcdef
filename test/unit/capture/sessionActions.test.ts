import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import {
  type CaptureProxy, type OwnRequestResult, SessionActionError, SessionKeepAlive, SessionStore, defaultKeepAliveRequest, findRefreshableToken,
  refreshOAuthToken, startCaptureProxy,
} from '../../../src/core/capture';
import { type TokenServer, startTokenServer } from '../../fixtures/servers/oauthTokenServer';
import { request } from './httpClient';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sampleApp = require('../../fixtures/sample-app/server.js') as { start(port?: number): Promise<{ url: string; close(): Promise<void> }> };

/** Cookies kept by name, as a browser would for one host. */
async function browse(base: string, jar: Map<string, string>, path: string, options: { method?: string; body?: string; headers?: http.OutgoingHttpHeaders } = {}) {
  const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await request(base + path, { ...options, headers: { ...options.headers, ...(cookie ? { cookie } : {}) } });
  for (const line of [res.headers['set-cookie'] ?? []].flat()) {
    const [pair] = line.split(';');
    jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
  }
  return res;
}

const visits = (html: Buffer): number => Number(/Visits this session: (\d+)/.exec(html.toString())![1]);

describe('session actions: keep-alive and OAuth refresh through the proxy', function () {
  this.timeout(30_000);

  describe('keep session alive (sample app, express-session)', () => {
    let app: { url: string; close(): Promise<void> };
    let proxy: CaptureProxy;
    before(async () => {
      app = await sampleApp.start(0);
      proxy = await startCaptureProxy({ target: app.url, store: new SessionStore({ throttleMs: 0 }) });
    });
    after(async () => {
      await proxy.close();
      await app.close();
    });

    it('says when there is nothing to repeat, and refuses non-loopback targets', () => {
      assert.throws(() => new SessionKeepAlive(proxy), (err: unknown) => err instanceof SessionActionError && /no successful GET that sent a session cookie/.test(err.message));
      assert.throws(() => new SessionKeepAlive({ ...proxy, target: 'http://192.0.2.10:3000', url: proxy.url, store: proxy.store, rules: proxy.rules, recorded: () => proxy.recorded() }), /not a loopback address/);
    });

    it('repeats the last successful GET that sent the session cookie, with the proxy\'s jar, every interval; the server session sees each one', async () => {
      const jar = new Map<string, string>();
      await browse(proxy.url, jar, '/');
      await browse(proxy.url, jar, '/login', { method: 'POST', body: 'username=alice&password=wonderland', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      const before = visits((await browse(proxy.url, jar, '/')).body);
      await proxy.recorded();
      const chosen = defaultKeepAliveRequest(proxy.store.snapshot().exchanges)!;
      assert.equal(chosen.path, '/');
      const defaults = new SessionKeepAlive(proxy);
      // express-session re-issues the 30-minute cookie on every response that touches the session.
      assert.ok(defaults.intervalMs >= 14 * 60_000 && defaults.intervalMs <= 15 * 60_000, `${defaults.intervalMs} ms: ${defaults.intervalReason}`);
      defaults.dispose();

      const results: OwnRequestResult[] = [];
      let twice: () => void = () => undefined;
      let failed: (err: Error) => void = () => undefined;
      const done = new Promise<void>((resolve, reject) => { twice = resolve; failed = reject; });
      const keepAlive = new SessionKeepAlive(proxy, {
        intervalMs: 1000,
        onResult: (r) => {
          if (r instanceof SessionActionError) failed(r);
          else if (results.push(r) === 2) twice();
        },
      });
      keepAlive.start();
      assert.equal(keepAlive.running, true);
      await done;
      keepAlive.dispose();
      assert.equal(keepAlive.running, false);
      for (const r of results) {
        assert.equal(r.status, 200);
        assert.equal(r.exchange!.path, '/');
        assert.deepEqual(r.exchange!.modifications!.map((m) => [m.kind, m.description]), [['sent-by-session-lens', 'sent by Session Lens: keep-alive (GET /)']]);
        assert.equal(r.exchange!.cookiesSent.find((c) => c.name === 'connect.sid')!.value, proxy.store.getCookies().find((c) => c.name === 'connect.sid')!.value);
      }
      // Two more visits of the same server-side session.
      assert.equal(visits((await browse(proxy.url, jar, '/')).body), before + 3);
      // Its own exchanges are never chosen as the request to repeat.
      await proxy.recorded();
      assert.equal(defaultKeepAliveRequest(proxy.store.snapshot().exchanges)!.modifications, undefined);
    });
  });

  describe('refresh OAuth token', () => {
    let oauth: TokenServer;
    let proxy: CaptureProxy;
    let grants: Record<string, string>[];
    before(async () => {
      oauth = await startTokenServer();
      grants = oauth.grants;
      proxy = await startCaptureProxy({ target: oauth.url, store: new SessionStore({ throttleMs: 0 }) });
    });
    after(async () => {
      await proxy.close();
      await oauth.close();
    });

    it('says when no refresh token was captured', async () => {
      await assert.rejects(refreshOAuthToken(proxy), /no token response with a refresh_token was captured yet/);
    });

    it('repeats the refresh grant against the captured token endpoint with the client\'s fields; the rotated token is used next time', async () => {
      const login = await request(`${proxy.url}/oauth/token`, { method: 'POST', body: 'grant_type=password&username=alice&password=pw&client_id=web-app', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(login.status, 200);
      await proxy.recorded();
      assert.equal(findRefreshableToken(proxy)!.refreshToken.value, 'rt-1');
      const first = await refreshOAuthToken(proxy);
      assert.equal(first.status, 200);
      assert.deepEqual(grants.at(-1), { grant_type: 'refresh_token', refresh_token: 'rt-1', client_id: 'web-app' });
      assert.equal(first.exchange!.method, 'POST');
      assert.equal(first.exchange!.path, '/oauth/token');
      assert.match(first.exchange!.modifications![0].description, /OAuth refresh grant/);
      assert.ok(proxy.store.getTokens().some((t) => t.kind === 'oauth-access' && t.value === 'at-2-made-up-access-token'));
      const second = await refreshOAuthToken(proxy);
      assert.equal(second.status, 200);
      assert.equal(grants.at(-1)!.refresh_token, 'rt-2');
    });
  });

  it('records the dev server\'s refusal like any exchange (the sample app has no refresh grant)', async () => {
    const app = await sampleApp.start(0);
    const proxy = await startCaptureProxy({ target: app.url, store: new SessionStore({ throttleMs: 0 }) });
    try {
      await request(`${proxy.url}/api/token`, { method: 'POST', body: JSON.stringify({ username: 'alice', password: 'wonderland' }), headers: { 'content-type': 'application/json' } });
      await proxy.recorded();
      const result = await refreshOAuthToken(proxy);
      assert.equal(result.status, 401);
      assert.equal(result.exchange!.requestHeaders.find((h) => h.name === 'Content-Type')!.value, 'application/json');
      assert.equal(result.exchange!.state, 'complete');
    } finally {
      await proxy.close();
      await app.close();
    }
  });
});
