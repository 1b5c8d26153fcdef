import { strict as assert } from 'node:assert';
import { type PhpServerOptions, hasPhp, startPhpServer } from '../../fixtures/servers/phpServer';
import type { CookieClient } from '../capture/httpClient';
import { type CapturedHar, captureHar, clockPasses, probeJson } from './probeSession';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** First visit, log in with a password form, view the page logged in. */
async function login(browser: CookieClient): Promise<void> {
  await browser.send('/session.php');
  const res = await browser.send('/session.php/login', { method: 'POST', body: 'user=alice&password=wonderland', headers: FORM });
  assert.equal(JSON.parse(res.body.toString()).user, 'alice');
  assert.equal(JSON.parse((await browser.send('/session.php')).body.toString()).user, 'alice');
}

async function loginAndLogout(browser: CookieClient): Promise<void> {
  await login(browser);
  await browser.send('/session.php/logout');
}

async function withPhp(options: PhpServerOptions, script: (b: CookieClient) => Promise<void>, body: (har: CapturedHar, url: string) => Promise<void>): Promise<void> {
  const php = await startPhpServer(options);
  let har: CapturedHar | undefined;
  try {
    har = await captureHar(php.url, script);
    await body(har, php.url);
  } finally {
    har?.remove();
    await php.close();
  }
}

describe('probes against PHP built-in server with session_start()', function () {
  this.timeout(60_000);
  before(function () {
    // php-cli comes from scripts/debian-packages.txt (npm test installs it); without it the suite cannot run here.
    if (!hasPhp()) this.skip();
  });

  describe('logout', () => {
    it('is refuted when logout calls session_destroy() (the old id comes back as an empty session)', () => withPhp({}, loginAndLogout, async (har, url) => {
      const out = await probeJson('logout', har, url);
      assert.equal(out.verdict, 'refuted', out.reason);
      assert.match(out.reason, /body matches the answer without the session/);
    }));

    it('is confirmed when logout only clears the cookie', () => withPhp({ env: { SESSION_LENS_PHP_LOGOUT: 'keep' } }, loginAndLogout, async (har, url) => {
      const out = await probeJson('logout', har, url);
      assert.equal(out.verdict, 'confirmed', out.reason);
      assert.match(out.reason, /body matches the logged-in answer/);
      assert.deepEqual(out.requests.map((r) => `${r.method} ${new URL(r.url).pathname} ${r.status}`), ['GET /session.php 200', 'GET /session.php 200']);
    }));
  });

  describe('fixation', () => {
    it('is refuted when login calls session_regenerate_id(true)', () => withPhp({}, login, async (har, url) => {
      const out = await probeJson('fixation', har, url);
      assert.equal(out.verdict, 'refuted', out.reason);
      assert.match(out.reason, /replaced the planted PHPSESSID/);
    }));

    it('is confirmed when login keeps the id', () => withPhp({ env: { SESSION_LENS_PHP_LOGIN: 'keep-id' } }, login, async (har, url) => {
      const out = await probeJson('fixation', har, url);
      assert.equal(out.verdict, 'confirmed', out.reason);
      assert.deepEqual(out.requests.map((r) => `${r.method} ${new URL(r.url).pathname} ${r.status}`),
        ['GET /session.php 200', 'POST /session.php/login 200', 'GET /session.php 200', 'GET /session.php 200']);
      assert.match(out.reason, /is logged in/);
    }));
  });

  describe('unissued', () => {
    const visit = async (b: CookieClient): Promise<void> => { await b.send('/session.php'); await b.send('/session.php'); };

    it('is confirmed with session.use_strict_mode=0 (PHP\'s default): the made-up id becomes a session', () => withPhp({ ini: { 'session.use_strict_mode': '0' } }, visit, async (har, url) => {
      const out = await probeJson('unissued', har, url);
      assert.equal(out.verdict, 'confirmed', out.reason);
      assert.match(out.reason, /hands a new id to a visitor without one, but kept the made-up one/);
    }));

    it('is refuted with session.use_strict_mode=1', () => withPhp({ ini: { 'session.use_strict_mode': '1' } }, visit, async (har, url) => {
      const out = await probeJson('unissued', har, url);
      assert.equal(out.verdict, 'refuted', out.reason);
    }));
  });

  describe('expiry', () => {
    const lifetime = { 'session.cookie_lifetime': '2' };
    const cookieExpiry = (har: CapturedHar): number => {
      const login = har.snapshot.exchanges.find((e) => e.path === '/session.php/login')!;
      return login.responseReceivedAt! + 2000;
    };

    it('is confirmed when only the cookie expires (PHP does not end the session with the cookie\'s lifetime)', () => withPhp({ ini: lifetime }, login, async (har, url) => {
      // Cookie-dates have whole seconds: a second more and the Expires written has passed too.
      await clockPasses(cookieExpiry(har) + 1000);
      const out = await probeJson('expiry', har, url);
      assert.equal(out.verdict, 'confirmed', out.reason);
      assert.match(out.reason, /cookie PHPSESSID/);
    }));

    // The server's limit is a second longer than the cookie's, so a slow capture does not cross it;
    // the probe waits until both have passed.
    it('is refuted when the server ends the session too', () => withPhp({ ini: lifetime, env: { SESSION_LENS_PHP_MAX_AGE: '3' } }, login, async (har, url) => {
      await clockPasses(cookieExpiry(har) + 1000);
      const out = await probeJson('expiry', har, url);
      assert.equal(out.verdict, 'refuted', out.reason);
    }));
  });
});
