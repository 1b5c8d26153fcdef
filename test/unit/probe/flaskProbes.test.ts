import { strict as assert } from 'node:assert';
import { hasFlask, startFlaskServer } from '../../fixtures/servers/flaskServer';
import type { CookieClient } from '../capture/httpClient';
import { type CapturedHar, captureHar, cli, clockPasses, probeJson } from './probeSession';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function login(browser: CookieClient): Promise<void> {
  await browser.send('/login-form');
  assert.equal((await browser.send('/login', { method: 'POST', body: 'username=alice&password=wonderland', headers: FORM })).status, 303);
  assert.equal((await browser.send('/profile')).status, 200);
}

async function loginAndLogout(browser: CookieClient): Promise<void> {
  await login(browser);
  assert.equal((await browser.send('/logout', { method: 'POST' })).status, 303);
}

async function withFlask(env: Record<string, string>, script: (b: CookieClient) => Promise<void>, body: (har: CapturedHar, url: string) => Promise<void>): Promise<void> {
  const flask = await startFlaskServer(env);
  let har: CapturedHar | undefined;
  try {
    har = await captureHar(flask.url, script);
    await body(har, flask.url);
  } finally {
    har?.remove();
    await flask.close();
  }
}

describe('probes against a Flask app (signed-cookie session)', function () {
  this.timeout(60_000);
  before(function () {
    // python3-flask comes from scripts/debian-packages.txt; without it the suite cannot run here.
    if (!hasFlask()) this.skip();
  });

  it('logout is refuted when the server ends the session it signed (server-side list of live sessions)', () => withFlask({}, loginAndLogout, async (har, url) => {
    const out = await probeJson('logout', har, url);
    assert.equal(out.verdict, 'refuted', out.reason);
    assert.deepEqual(out.requests.map((r) => r.status), [302, 302]);
  }));

  it('logout is confirmed when session.clear() only empties the cookie (the old signed cookie still logs in)', () => withFlask({ SESSION_LENS_FLASK_LOGOUT: 'clear-only' }, loginAndLogout, async (har, url) => {
    const out = await probeJson('logout', har, url);
    assert.equal(out.verdict, 'confirmed', out.reason);
    assert.deepEqual(out.requests.map((r) => r.status), [200, 302]);
  }));

  // Flask re-signs its cookie on every answer (a timestamp, or here a visit count): the logout sends
  // another value than the page before it did, and the probe must still find that page.
  for (const [logoutMode, verdict, statuses] of [['', 'refuted', [302, 302]], ['clear-only', 'confirmed', [200, 302]]] as const) {
    it(`logout is ${verdict} when every answer re-signs the cookie with a new value${logoutMode ? ' (session.clear() only)' : ''}`, () => withFlask({ SESSION_LENS_FLASK_VISITS: '1', ...(logoutMode ? { SESSION_LENS_FLASK_LOGOUT: logoutMode } : {}) }, loginAndLogout, async (har, url) => {
      const sent = har.snapshot.exchanges.filter((e) => e.path === '/profile' || e.path === '/logout').map((e) => e.cookiesSent.find((c) => c.name === 'session')?.value);
      assert.equal(sent.length, 2);
      assert.notEqual(sent[0], sent[1], 'the page and the logout sent different values of the session cookie');
      const out = await probeJson('logout', har, url);
      assert.equal(out.verdict, verdict, out.reason);
      assert.deepEqual(out.requests.map((r) => r.status), statuses);
    }));
  }

  const expiryOf = (har: CapturedHar): number => {
    const ex = har.snapshot.exchanges.find((e) => e.path === '/login')!;
    return ex.responseReceivedAt! + 3000;
  };

  it('expiry is refuted: Flask checks the signature\'s age against PERMANENT_SESSION_LIFETIME', () => withFlask({ SESSION_LENS_FLASK_LIFETIME: '3' }, login, async (har, url) => {
    // Cookie-dates and itsdangerous timestamps have whole seconds: one more and both have passed.
    await clockPasses(expiryOf(har) + 1000);
    const out = await probeJson('expiry', har, url);
    assert.equal(out.verdict, 'refuted', out.reason);
    assert.match(out.reason, /cookie session/);
  }));

  it('expiry is confirmed when only the cookie\'s Expires is short', () => withFlask({ SESSION_LENS_FLASK_LIFETIME: '3', SESSION_LENS_FLASK_EXPIRY: 'cookie-only' }, login, async (har, url) => {
    await clockPasses(expiryOf(har) + 1000);
    const out = await probeJson('expiry', har, url);
    assert.equal(out.verdict, 'confirmed', out.reason);
  }));

  it('unissued and fixation say why a signed-cookie session has no id to plant (exit 2)', () => withFlask({}, login, async (har, url) => {
    for (const kind of ['unissued', 'fixation']) {
      const { code, stderr } = await cli(['probe', kind, '--har', har.file, '--target', url, '--yes']);
      assert.equal(code, 2, kind);
      assert.match(stderr, /no cookie holding an opaque session id \(a signed-cookie or JWT session/, kind);
    }
  }));
});
