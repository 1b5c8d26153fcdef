import { strict as assert } from 'node:assert';
import { type CaptureProxy, SessionStore, exportHar, importHar, startCaptureProxy } from '../../../src/core/capture';
import { hasPhp, startPhpServer } from '../../fixtures/servers/phpServer';
import { startHttpsServer } from '../../fixtures/servers/tls';
import { startUpstream, upstreamHandler } from '../../fixtures/servers/upstream';
import { CookieClient, rawValues, request } from './httpClient';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sampleApp = require('../../fixtures/sample-app/server.js') as { start(port?: number): Promise<{ url: string; close(): Promise<void> }> };

describe('capture against real servers', function () {
  this.timeout(30_000);

  describe('the sample app (Express 5, express-session, cookie-parser, jose)', () => {
    let app: { url: string; close(): Promise<void> };
    let proxy: CaptureProxy;
    let store: SessionStore;
    before(async () => {
      app = await sampleApp.start(0);
      store = new SessionStore({ throttleMs: 0 });
      proxy = await startCaptureProxy({ target: app.url, store });
    });
    after(async () => {
      await proxy.close();
      await app.close();
    });

    it('records cookies, tokens and history of a login, API call and logout', async () => {
      const events: string[] = [];
      const sub = store.onDidChange((e) => { for (const c of e.cookieEvents) events.push(`${c.kind}:${c.name}`); });
      const browser = new CookieClient(proxy.url, () => proxy.recorded());
      const home = await browser.send('/');
      assert.equal(home.status, 200);
      const sidBefore = store.getCookies().find((c) => c.name === 'connect.sid')!;
      assert.equal(sidBefore.origin, 'set-by-response');
      assert.equal(sidBefore.httpOnly, true);
      assert.equal(sidBefore.secure, false);
      assert.ok(sidBefore.expiresAt! - sidBefore.receivedAt > 29 * 60_000);

      const login = await browser.send('/login', { method: 'POST', body: 'username=alice&password=wonderland', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(login.status, 303);
      assert.equal(login.headers.location, '/profile');
      const loginEx = store.snapshot().exchanges.find((e) => e.method === 'POST' && e.path === '/login')!;
      assert.equal(loginEx.hints.loginLike, true);
      assert.equal(loginEx.hints.hasPasswordField, true);
      assert.deepEqual(loginEx.hints.formFieldNames, ['username', 'password']);
      assert.ok(loginEx.serverDate !== undefined && loginEx.responseReceivedAt !== undefined);

      const jwtCookie = store.getCookies().find((c) => c.name === 'token')!;
      assert.equal(jwtCookie.httpOnly, false);
      assert.equal(jwtCookie.maxAge, 900);
      const jwtToken = store.getTokens().find((t) => t.kind === 'jwt-in-cookie' && t.name === 'token')!;
      assert.ok(jwtToken.isJwt);
      assert.equal(jwtToken.expiresAtSource, 'jwt-exp');

      const tokenRes = await browser.send('/api/token', { method: 'POST', body: JSON.stringify({ username: 'alice', password: 'wonderland' }), headers: { 'content-type': 'application/json' } });
      const { access_token: access } = JSON.parse(tokenRes.body.toString()) as { access_token: string };
      const me = await browser.send('/api/me', { headers: { authorization: `Bearer ${access}` } });
      assert.equal(JSON.parse(me.body.toString()).user, 'alice');
      const tokens = store.getTokens();
      const oauth = tokens.find((t) => t.kind === 'oauth-access')!;
      assert.equal(oauth.value, access);
      assert.equal(oauth.tokenType, 'Bearer');
      assert.equal(oauth.expiresAtSource, 'expires_in');
      assert.ok(tokens.some((t) => t.kind === 'oauth-refresh' && t.value === 'rt-alice-sample-refresh-token-0001'));
      const bearer = tokens.find((t) => t.kind === 'bearer')!;
      assert.equal(bearer.value, access);
      assert.equal(bearer.isJwt, true);

      await browser.send('/logout');
      store.flush();
      sub.dispose();
      assert.ok(!store.getCookies().some((c) => c.name === 'token'), 'the JWT cookie is deleted by clearCookie');
      const tokenHistory = store.getCookieHistory().filter((e) => e.name === 'token').map((e) => e.kind);
      assert.deepEqual(tokenHistory, ['created', 'deleted']);
      assert.ok(events.includes('created:connect.sid'));
      assert.ok(events.includes('deleted:token'));
      // express-session keeps the same id across login here: the audit's session-fixation case.
      assert.equal(store.getCookies().find((c) => c.name === 'connect.sid')?.value, sidBefore.value);
      const logoutEx = store.snapshot().exchanges.find((e) => e.path === '/logout')!;
      assert.equal(logoutEx.hints.logoutLike, true);
    });

    it('exports a HAR that imports back to the same cookies and tokens', () => {
      const har = exportHar(store.snapshot(), { redact: false });
      const copy = new SessionStore();
      const result = importHar(copy, JSON.stringify(har));
      assert.equal(result.imported, store.snapshot().exchanges.length);
      const strip = (s: SessionStore) => s.getCookies().map((c) => [c.name, c.value, c.path, c.httpOnly, c.secure, c.maxAge]);
      assert.deepEqual(strip(copy), strip(store));
      const tokens = (s: SessionStore) => s.getTokens().map((t) => [t.kind, t.name, t.value]).sort();
      assert.deepEqual(tokens(copy), tokens(store));
      assert.deepEqual(copy.getCookieHistory().map((e) => `${e.kind}:${e.name}`), store.getCookieHistory().map((e) => `${e.kind}:${e.name}`));
    });

    it('redacts cookie and token values in an export, keeping names and attributes', () => {
      const text = JSON.stringify(exportHar(store.snapshot()));
      for (const c of store.getCookies()) if (c.value.length >= 4) assert.ok(!text.includes(c.value), `cookie ${c.name} leaked`);
      for (const t of store.getTokens()) assert.ok(!text.includes(t.value), `token ${t.name} leaked`);
      assert.ok(!text.includes('wonderland'), 'the password leaked');
      assert.ok(text.includes('connect.sid=[redacted]'));
      assert.ok(text.includes('Bearer [redacted]'));
      const reimported = new SessionStore();
      importHar(reimported, text);
      assert.ok(reimported.getCookies().some((c) => c.name === 'connect.sid' && c.httpOnly));
    });
  });

  describe('an HTTPS upstream with a self-signed certificate', () => {
    let server: Awaited<ReturnType<typeof startHttpsServer>>;
    before(async () => { server = await startHttpsServer(upstreamHandler()); });
    after(async () => { await server.close(); });

    it('is accepted on loopback by default, with cookies recorded', async () => {
      const p = await startCaptureProxy({ target: server.url });
      try {
        const res = await request(`${p.url}/cookies`);
        assert.equal(res.status, 200);
        assert.equal(rawValues(res.rawHeaders, 'set-cookie').length, 2);
        await p.recorded();
        assert.deepEqual(p.store.getCookies().map((c) => c.name), ['pref', 'sid']);
        assert.equal(p.store.snapshot().exchanges[0].upstreamUrl, `${server.url}/cookies`);
      } finally {
        await p.close();
      }
    });

    it('is refused with a clear 502 when valid certificates are required', async () => {
      const p = await startCaptureProxy({ target: server.url, rejectUnauthorized: true });
      try {
        const res = await request(`${p.url}/cookies`);
        assert.equal(res.status, 502);
        assert.match(res.body.toString(), /certificate/i);
      } finally {
        await p.close();
      }
    });
  });

  describe('PHP built-in server with session_start()', function () {
    let php: Awaited<ReturnType<typeof startPhpServer>> | undefined;
    before(async function () {
      if (!hasPhp()) {
        // php-cli comes from scripts/debian-packages.txt (npm test installs it); without it the suite cannot run here.
        this.skip();
      }
      php = await startPhpServer();
    });
    after(async () => { await php?.close(); });

    it('records PHPSESSID, its renewal on login and its deletion on logout', async () => {
      const p = await startCaptureProxy({ target: php!.url });
      try {
        const browser = new CookieClient(p.url, () => p.recorded());
        await browser.send('/session.php');
        const first = p.store.getCookies().find((c) => c.name === 'PHPSESSID')!;
        assert.ok(first.value.length >= 20);
        assert.equal(p.store.getCookies().find((c) => c.name === 'theme')?.sameSite, 'Lax');
        const login = await browser.send('/session.php?action=login');
        assert.equal(JSON.parse(login.body.toString()).user, 'alice');
        const renewed = p.store.getCookies().find((c) => c.name === 'PHPSESSID')!;
        assert.notEqual(renewed.value, first.value, 'session_regenerate_id changes the id');
        await browser.send('/session.php?action=logout');
        assert.ok(!p.store.getCookies().some((c) => c.name === 'PHPSESSID'));
        const kinds = p.store.getCookieHistory().filter((e) => e.name === 'PHPSESSID').map((e) => e.kind);
        assert.deepEqual(kinds, ['created', 'value-changed', 'deleted']);
      } finally {
        await p.close();
      }
    });
  });

  it('keeps recording when many clients share the proxy', async () => {
    const u = await startUpstream();
    const p = await startCaptureProxy({ target: u.url });
    try {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => request(`${p.url}/bytes?size=${i * 100}`)));
      assert.ok(results.every((r, i) => r.body.length === i * 100));
      await p.recorded();
      assert.equal(p.store.snapshot().exchanges.filter((e) => e.state === 'complete').length, 50);
    } finally {
      await p.close();
      await u.close();
    }
  });
});
