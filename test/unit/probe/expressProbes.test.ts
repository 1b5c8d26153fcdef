import { strict as assert } from 'node:assert';
import { type CapturedHar, captureHar, cli, clockPasses, probeJson } from './probeSession';

interface SarifResult {
  ruleId: string; kind: string; level: string;
  relatedLocations: { id: number; message: { text: string }; physicalLocation: { artifactLocation: { uri: string } }; logicalLocations?: { fullyQualifiedName?: string }[] }[];
}
import type { CookieClient } from '../capture/httpClient';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sampleApp = require('../../fixtures/sample-app/server.js') as {
  start(port?: number, options?: Record<string, unknown>): Promise<{ url: string; close(): Promise<void> }>;
};

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Home, log in (form), view the profile, log out: what a developer clicks through. */
async function loginAndLogout(browser: CookieClient): Promise<void> {
  await browser.send('/');
  const login = await browser.send('/login', { method: 'POST', body: 'username=alice&password=wonderland', headers: FORM });
  assert.equal(login.status, 303);
  assert.equal((await browser.send('/profile')).status, 200);
  await browser.send('/logout');
}

/** Runs `body` against the sample app started with `options`, on a session captured by `script`. */
async function withApp(options: Record<string, unknown>, script: (b: CookieClient) => Promise<void>, body: (har: CapturedHar, url: string) => Promise<void>): Promise<void> {
  const app = await sampleApp.start(0, options);
  let har: CapturedHar | undefined;
  try {
    har = await captureHar(app.url, script);
    await body(har, app.url);
  } finally {
    har?.remove();
    await app.close();
  }
}

describe('probes against the sample app (Express, express-session, jose)', function () {
  this.timeout(60_000);

  describe('logout', () => {
    it('is refuted when the server logs the session out (the old id no longer reaches /profile)', () => withApp({}, loginAndLogout, async (har, url) => {
      const out = await probeJson('logout', har, url);
      assert.equal(out.verdict, 'refuted', out.reason);
      assert.equal(out.ruleId, 'session-not-invalidated-on-logout');
      assert.match(out.reason, /rejects the old id/);
      assert.deepEqual(out.evidence?.map((e) => e.status), [200, 302]);
      assert.match(out.evidence![1].label, /: logged out$/);
      assert.deepEqual(out.requests.map((r) => [r.method, new URL(r.url).pathname, r.status]), [['GET', '/profile', 302], ['GET', '/profile', 302]]);
    }));

    it('is confirmed when logout only clears the cookie and the server keeps the session', () => withApp({ logoutKeepsSession: true }, loginAndLogout, async (har, url) => {
      const out = await probeJson('logout', har, url);
      assert.equal(out.verdict, 'confirmed', out.reason);
      assert.deepEqual(out.requests.map((r) => r.status), [200, 302]);
      assert.match(out.reason, /still answered as logged in/);
      // Both exchanges are the evidence: the captured request before the logout, and the replay after it.
      const profile = har.snapshot.exchanges.find((e) => e.path === '/profile')!;
      assert.deepEqual(out.evidence?.map((e) => [e.exchangeId ?? null, e.method, new URL(e.url).pathname, e.status]), [[profile.id, 'GET', '/profile', 200], [null, 'GET', '/profile', 200]]);
      assert.equal(new URL(out.evidence![1].url).origin, url);
      assert.match(out.evidence![0].label, /^before the logout, with cookie connect\.sid and cookie token: logged in/);
      assert.match(out.evidence![1].label, /^replayed after the logout with the same cookie connect\.sid and cookie token: still logged in/);

      const text = await cli(['probe', 'logout', '--har', har.file, '--target', url, '--yes']);
      assert.match(text.stdout, /\nEvidence:\n {2}- before the logout, with cookie connect\.sid and cookie token: logged in \(captured request #\d+\)\n {4}GET http:\/\/127\.0\.0\.1:\d+\/profile → 200\n {2}- replayed after the logout with the same cookie connect\.sid and cookie token: still logged in\n {4}GET http:\/\/127\.0\.0\.1:\d+\/profile → 200\n/);

      const sarifRun = await cli(['probe', 'logout', '--har', har.file, '--target', url, '--yes', '--format', 'sarif']);
      assert.equal(sarifRun.code, 0, sarifRun.stderr);
      const sarif = JSON.parse(sarifRun.stdout) as { version: string; runs: { tool: { driver: { rules: { id: string; help?: { markdown?: string }; fullDescription?: { text: string } }[] } }; results: SarifResult[] }[] };
      assert.equal(sarif.version, '2.1.0');
      const [result] = sarif.runs[0].results;
      assert.deepEqual([result.ruleId, result.kind, result.level], ['session-not-invalidated-on-logout', 'fail', 'error']);
      assert.equal(sarif.runs[0].tool.driver.rules[0].id, 'session-not-invalidated-on-logout');
      // The rule's page travels in the log, as in the scan's SARIF: code-scanning tools show it without a link.
      assert.match(sarif.runs[0].tool.driver.rules[0].help?.markdown ?? '', /^# `session-not-invalidated-on-logout`/m);
      assert.ok((sarif.runs[0].tool.driver.rules[0].fullDescription?.text.length ?? 0) > 40, 'the "What it means" paragraph is the full description');
      assert.deepEqual(result.relatedLocations.map((l) => [l.id, l.physicalLocation.artifactLocation.uri.endsWith('session.har') ? 'har' : new URL(l.physicalLocation.artifactLocation.uri).pathname, l.logicalLocations?.[0].fullyQualifiedName ?? null]),
        [[1, 'har', `exchange #${profile.id}`], [2, '/profile', null]]);
      assert.match(result.relatedLocations[1].message.text, /still logged in: GET http:\/\/127\.0\.0\.1:\d+\/profile → 200$/);
    }));
  });

  describe('fixation', () => {
    const login = async (browser: CookieClient): Promise<void> => {
      await browser.send('/');
      await browser.send('/login', { method: 'POST', body: 'username=alice&password=wonderland', headers: FORM });
      await browser.send('/profile');
    };

    it('is confirmed when the login keeps the planted id, and the planted id is then logged in', () => withApp({}, login, async (har, url) => {
      const out = await probeJson('fixation', har, url);
      assert.equal(out.verdict, 'confirmed', out.reason);
      assert.equal(out.ruleId, 'session-fixation');
      assert.deepEqual(out.requests.map((r) => `${r.method} ${new URL(r.url).pathname} ${r.status}`), ['GET / 200', 'POST /login 303', 'GET /profile 200', 'GET /profile 302']);
    }));

    it('is refuted when the login regenerates the session id', () => withApp({ regenerateOnLogin: true }, login, async (har, url) => {
      const out = await probeJson('fixation', har, url);
      assert.equal(out.verdict, 'refuted', out.reason);
      assert.match(out.reason, /replaced the planted connect\.sid/);
    }));
  });

  describe('unissued', () => {
    it('is refuted: express-session replaces an id it does not know (its signature does not verify)', () => withApp({}, async (b) => { await b.send('/'); await b.send('/'); }, async (har, url) => {
      const out = await probeJson('unissued', har, url);
      assert.equal(out.verdict, 'refuted', out.reason);
      assert.equal(out.ruleId, 'session-id-accepted-unissued');
      assert.match(out.reason, /replaced it with an id of its own/);
    }));
  });

  describe('expiry', () => {
    it('of the session cookie is refuted: the session store expires the session with the cookie', () => withApp({ sessionMaxAgeMs: 3000 }, async (b) => {
      await b.send('/');
      await b.send('/login', { method: 'POST', body: 'username=alice&password=wonderland', headers: FORM });
      await b.send('/profile');
    }, async (har, url) => {
      // express-session's idle timeout counts from the last request: wait until that too has run out.
      await clockPasses(har.lastEndedAt + 3000);
      const out = await probeJson('expiry', har, url);
      assert.equal(out.verdict, 'refuted', out.reason);
      assert.equal(out.ruleId, 'session-expiry-not-enforced');
      assert.match(out.reason, /cookie connect\.sid/);
      assert.deepEqual(out.requests.map((r) => r.status), [302, 302]);
    }));

    const tokenAndCall = async (b: CookieClient): Promise<void> => {
      const res = await b.send('/api/token', { method: 'POST', body: JSON.stringify({ username: 'alice', password: 'wonderland' }), headers: { 'content-type': 'application/json' } });
      const { access_token: token } = JSON.parse(res.body.toString()) as { access_token: string };
      assert.equal((await b.send('/api/me', { headers: { authorization: `Bearer ${token}` } })).status, 200);
    };
    // exp counts whole seconds from a floored iat: a 1 s token issued at x.95 s expired before the
    // capture's own /api/me could use it. 3 s leaves the capture at least 2 s.
    const jwtExpiry = (har: CapturedHar): number => har.snapshot.tokens.find((t) => t.kind === 'bearer')!.expiresAt!;

    it('of a bearer JWT is refuted when the verifier checks exp', () => withApp({ tokenSeconds: 3 }, tokenAndCall, async (har, url) => {
      await clockPasses(jwtExpiry(har));
      const out = await probeJson('expiry', har, url);
      assert.equal(out.verdict, 'refuted', out.reason);
      assert.deepEqual(out.requests.map((r) => `${new URL(r.url).pathname} ${r.status}`), ['/api/me 401', '/api/me 401']);
    }));

    it('of a bearer JWT is confirmed when the verifier ignores exp', () => withApp({ tokenSeconds: 3, jwtIgnoresExpiry: true }, tokenAndCall, async (har, url) => {
      await clockPasses(jwtExpiry(har));
      const out = await probeJson('expiry', har, url);
      assert.equal(out.verdict, 'confirmed', out.reason);
      assert.match(out.reason, /JWT in the Authorization header/);
      assert.deepEqual(out.requests.map((r) => r.status), [200, 401]);
    }));
  });
});
