import { strict as assert } from 'node:assert';
import { type TokenServer, startTokenServer } from '../../fixtures/servers/oauthTokenServer';
import { type CapturedHar, captureHar, cli } from '../probe/probeSession';
import { spawnCapture } from './captureChild';
import { CookieClient } from './httpClient';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sampleApp = require('../../fixtures/sample-app/server.js') as {
  start(port?: number, options?: Record<string, unknown>): Promise<{ url: string; close(): Promise<void> }>;
};

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Resolves when the child's stderr holds `count` matches of `pattern` (global). */
async function stderrCount(capture: ReturnType<typeof spawnCapture>, pattern: RegExp, count: number): Promise<void> {
  const times = `(?:[\\s\\S]*?${pattern.source}){${count}}`;
  await capture.stderrMatch(new RegExp(times));
}

describe('keep-alive and OAuth refresh from the command line', function () {
  this.timeout(60_000);

  describe('session-lens capture --keep-alive (a real capture process, the sample app with a 4 s rolling session)', () => {
    let app: { url: string; close(): Promise<void> };
    before(async () => { app = await sampleApp.start(0, { sessionMaxAgeMs: 4000, rollingSession: true }); });
    after(() => app.close());

    it('repeats the last logged-in GET every second with the browser\'s cookies: the kept session outlives its idle timeout, another one dies', async () => {
      const capture = spawnCapture(['--target', app.url, '--keep-alive', '--keep-alive-interval', '1']);
      try {
        const proxyUrl = await capture.url;
        await capture.stderrMatch(/keep-alive on: waiting for a logged-in page/);
        // The control: logged in first, then left alone (its cookie is replaced in the proxy's jar by alice's).
        const idle = new CookieClient(proxyUrl);
        await idle.send('/');
        assert.equal((await idle.send('/login', { method: 'POST', body: 'username=alice&password=wonderland', headers: FORM })).status, 303);
        const alice = new CookieClient(proxyUrl);
        await alice.send('/');
        assert.equal((await alice.send('/login', { method: 'POST', body: 'username=alice&password=wonderland', headers: FORM })).status, 303);
        assert.equal((await alice.send('/profile')).status, 200);
        await capture.stderrMatch(/keep-alive started: GET \/profile every 1 s \(chosen\), with the cookies the browser holds/);
        // Five requests a second apart: more than the 4 s idle timeout since alice's last own request.
        await stderrCount(capture, /keep-alive #\d+ GET \/profile → 200\n/, 5);
        assert.equal((await idle.send('/profile')).status, 302, 'the session nobody kept alive timed out');
        assert.equal((await alice.send('/profile')).status, 200, 'the kept session is still logged in');
        const modified = capture.lines.filter((l) => l.type === 'modified' && l.kind === 'sent-by-session-lens');
        assert.ok(modified.length >= 5, JSON.stringify(modified));
        assert.equal(modified[0].request, 'GET /profile');
        assert.match(String(modified[0].description), /keep-alive \(GET \/profile\)/);
      } finally {
        capture.child.kill('SIGINT');
        assert.equal(await capture.exited, 0);
      }
    });

    it('--keep-alive-url chooses the request; the flags are checked before anything listens', async () => {
      const capture = spawnCapture(['--target', app.url, '--keep-alive-url', '/?from=keep-alive', '--keep-alive-interval', '1']);
      try {
        const browser = new CookieClient(await capture.url);
        await browser.send('/');
        await browser.send('/login', { method: 'POST', body: 'username=alice&password=wonderland', headers: FORM });
        await browser.send('/profile');
        await stderrCount(capture, /keep-alive #\d+ GET \/\?from=keep-alive → 200\n/, 2);
      } finally {
        capture.child.kill('SIGINT');
        assert.equal(await capture.exited, 0);
      }
      for (const [args, message] of [
        [['--keep-alive-url', 'http://elsewhere.example/x'], /must be a path on the dev server/],
        [['--keep-alive-url', '/a b'], /must be a path on the dev server/],
        [['--keep-alive-interval', '0.5'], /1 second or more/],
        [['--keep-alive-interval', 'soon'], /--keep-alive-interval must be a number of seconds/],
      ] as const) {
        const bad = spawnCapture(['--target', app.url, ...args]);
        assert.equal(await bad.exited, 2, args.join(' '));
        assert.match(bad.stderr(), message);
      }
      const remote = spawnCapture(['--target', 'http://192.0.2.1:3000', '--keep-alive']);
      assert.equal(await remote.exited, 2);
      assert.match(remote.stderr(), /--keep-alive only sends to dev servers on this machine/);
    });
  });

  describe('session-lens refresh --har FILE --target URL', () => {
    let oauth: TokenServer;
    let grants: Record<string, string>[];
    let har: CapturedHar;
    before(async () => {
      oauth = await startTokenServer();
      grants = oauth.grants;
      har = await captureHar(oauth.url, async (b) => {
        assert.equal((await b.send('/oauth/token', { method: 'POST', body: 'grant_type=password&username=alice&password=pw&client_id=web-app', headers: FORM })).status, 200);
      });
    });
    after(async () => {
      har?.remove();
      await oauth.close();
    });

    it('repeats the refresh grant seen in the HAR against the token endpoint and prints what came back', async () => {
      const out = await cli(['refresh', '--har', har.file, '--target', oauth.url, '--yes', '--format', 'json']);
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(grants.at(-1), { grant_type: 'refresh_token', refresh_token: 'rt-1', client_id: 'web-app' });
      const json = JSON.parse(out.stdout) as { request: { method: string; url: string }; status: number; response: Record<string, unknown>; rotated: boolean };
      assert.deepEqual(json.request, { method: 'POST', url: `${oauth.url}/oauth/token` });
      assert.equal(json.status, 200);
      assert.equal(json.response.access_token, 'at-2-made-up-access-token');
      assert.equal(json.rotated, true);
      // Rotated: the HAR's token is spent; the server says so, and the command still exits 0 and prints it.
      const again = await cli(['refresh', '--har', har.file, '--target', oauth.url, '--yes']);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /^POST http:\/\/127\.0\.0\.1:\d+\/oauth\/token → 400\n {2}error: invalid_grant\n$/);
    });

    it('asks first: lists the request and stops with 2 when nobody can confirm; refuses non-loopback targets and HARs without a refresh token', async () => {
      const sent = grants.length;
      const unconfirmed = await cli(['refresh', '--har', har.file, '--target', oauth.url]);
      assert.equal(unconfirmed.code, 2);
      assert.match(unconfirmed.stderr, /will send 1 request to http:\/\/127\.0\.0\.1:\d+:\n {2}POST http:\/\/127\.0\.0\.1:\d+\/oauth\/token\n/);
      assert.match(unconfirmed.stderr, /pass --yes/);
      const remote = await cli(['refresh', '--har', har.file, '--target', 'http://example.com', '--yes']);
      assert.equal(remote.code, 2);
      assert.match(remote.stderr, /refusing to probe example\.com: probes only talk to loopback/);
      assert.equal(grants.length, sent, 'nothing was sent');
      const app = await sampleApp.start(0);
      const plain = await captureHar(app.url, async (b) => { await b.send('/'); });
      try {
        const none = await cli(['refresh', '--har', plain.file, '--target', app.url, '--yes']);
        assert.equal(none.code, 2);
        assert.match(none.stderr, /has no token response \(a POST answered with a refresh_token\) to repeat/);
      } finally {
        plain.remove();
        await app.close();
      }
    });
  });
});
