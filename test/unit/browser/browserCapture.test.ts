import { strict as assert } from 'node:assert';
import { startDebuggableBrowser } from '../../support/debuggableBrowser';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import CDP from 'chrome-remote-interface';
import { findBrowser } from '../../../src/core/browser';
import { type CaptureChild, spawnCapture, waitForLine } from '../capture/captureChild';
import { runCliProcess } from '../cli/cliProcess';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sampleApp = require('../../fixtures/sample-app/server.js') as { start(port?: number): Promise<{ url: string; close(): Promise<void> }> };

/** A site the capture must not record: resolves `hit` on its first request. */
async function startOtherOrigin(): Promise<{ url: string; hit: Promise<string>; close(): Promise<void> }> {
  let onHit: (path: string) => void = () => undefined;
  const hit = new Promise<string>((resolve) => { onHit = resolve; });
  const server = http.createServer((req, res) => {
    onHit(req.url ?? '');
    res.setHeader('Set-Cookie', 'elsewhere=should-not-be-recorded; Path=/');
    res.end('elsewhere');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hit,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves when the process with this id is gone (polled: it is not our child). */
function gone(pid: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => { if (running(pid)) setTimeout(check, 50); else resolve(); };
    check();
  });
}


describe('Browser capture (Chrome DevTools Protocol) with Debian chromium', function () {
  this.timeout(90_000);
  let app: { url: string; close(): Promise<void> };
  let other: Awaited<ReturnType<typeof startOtherOrigin>>;
  let dir: string;
  const children: CaptureChild[] = [];

  before(function () {
    if (!findBrowser()) this.skip();
  });
  beforeEach(async () => {
    app = await sampleApp.start(0);
    other = await startOtherOrigin();
    dir = mkdtempSync(join(tmpdir(), 'session-lens-cdp-'));
  });
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.child.exitCode === null) {
        c.child.kill('SIGKILL');
        await c.exited;
      }
    }
    await app.close();
    await other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--browser: cookies, the localStorage JWT with its expiry, the blocked cookie with Chrome\'s reason; other origins unrecorded; closing the browser ends it cleanly and deletes the profile', async () => {
    const harFile = join(dir, 'browser.har');
    const capture = spawnCapture(['--browser', '--headless', '--target', `${app.url}/spa?other=${other.url}`, '--har', harFile]);
    children.push(capture);
    const { child, lines } = capture;
    const attached = await waitForLine(child, lines, (l) => l.type === 'attached');
    assert.deepEqual(attached.origins, [app.url]);
    const profile = attached.profile as string;
    assert.ok(existsSync(profile), 'the throwaway profile exists while the browser runs');

    const stored = await waitForLine(child, lines, (l) => l.type === 'token' && l.source === 'localStorage');
    assert.equal(stored.name, 'access_token');
    assert.equal(stored.kind, 'jwt-in-storage');
    assert.equal(stored.isJwt, true);
    const expiresAt = Date.parse(String(stored.expiresAt));
    assert.ok(expiresAt > Date.now() + 50 * 60_000 && expiresAt < Date.now() + 61 * 60_000, `the sample app's access token lives 60 minutes (got ${stored.expiresAt})`);
    // The live audit runs as in the proxy capture: the finding arrives on the JSON lines as it happens, citing the storage key.
    const finding = await waitForLine(child, lines, (l) => l.type === 'finding' && l.event === 'added' && l.ruleId === 'jwt-readable-storage' && / kept in localStorage /.test(String(l.message)));
    assert.match(String(finding.message), /localStorage under the key 'access_token'/);
    const refresh = await waitForLine(child, lines, (l) => l.type === 'token' && l.source === 'sessionStorage');
    assert.equal(refresh.name, 'refresh_token');

    const blocked = await waitForLine(child, lines, (l) => l.type === 'cookie' && l.event === 'blocked');
    assert.equal(blocked.name, 'tracker');
    assert.equal(blocked.blocked, true);
    assert.deepEqual(blocked.reasons, ['SameSiteNoneInsecure']);
    assert.match(String(blocked.request), /^GET \/spa\?other=/);
    const sid = await waitForLine(child, lines, (l) => l.type === 'cookie' && l.name === 'connect.sid');
    assert.equal(sid.event, 'created');
    const token = await waitForLine(child, lines, (l) => l.type === 'cookie' && l.name === 'token' && l.event === 'created');
    assert.equal(token.request, 'POST /login');

    // The cookie the page's script set, which no Set-Cookie line shows, is read from the browser's jar.
    const theme = await waitForLine(child, lines, (l) => l.type === 'cookie' && l.name === 'ui_theme');
    assert.equal(theme.via, 'browser-jar');
    assert.equal(theme.event, 'created');

    // The page went to the other origin too (its server saw the request), after the storage was written.
    assert.equal(await other.hit, '/elsewhere');
    process.kill(attached.browserPid as number, 'SIGTERM');
    assert.equal(await capture.exited, 0, capture.stderr());
    const stopped = lines.at(-1)!;
    assert.equal(stopped.type, 'stopped');
    assert.equal(stopped.reason, 'browser closed');
    assert.ok(Number(stopped.findings) >= 1, 'the last line counts the findings');
    assert.equal(stopped.storage, 2);
    assert.equal(stopped.har, harFile);
    assert.ok(!existsSync(profile), 'the profile is deleted when the browser closes');
    assert.ok(!lines.some((l) => JSON.stringify(l).includes('should-not-be-recorded')), 'nothing of the other origin is printed');

    // Nothing on disk but the HAR the user asked for (0600), and it holds no other origin.
    assert.deepEqual(readdirSync(dir), ['browser.har']);
    assert.equal(statSync(harFile).mode & 0o777, 0o600);
    const har = JSON.parse(readFileSync(harFile, 'utf8')) as { log: { entries: { request: { url: string }; response: { _blockedCookies?: { name: string; blockedReasons: string[] }[] } }[]; _storage: { area: string; key: string }[] } };
    assert.ok(har.log.entries.length >= 4);
    assert.ok(har.log.entries.every((e) => e.request.url.startsWith(`${app.url}/`)), 'only the chosen origin is in the HAR');
    const spa = har.log.entries.find((e) => e.request.url.startsWith(`${app.url}/spa`))!;
    assert.deepEqual(spa.response._blockedCookies?.map((c) => [c.name, c.blockedReasons]), [['tracker', ['SameSiteNoneInsecure']]]);
    assert.deepEqual(har.log._storage.map((s) => `${s.area}:${s.key}`).sort(), ['localStorage:access_token', 'sessionStorage:refresh_token']);

    // The audit of that HAR reports the JWT kept in localStorage, with the storage key as evidence.
    const audit = await runCliProcess(['audit', harFile, '--format', 'json']);
    assert.equal(audit.code, 0, audit.stderr);
    const report = JSON.parse(audit.stdout.toString()) as { findings: { ruleId: string; subject: string; evidence?: { header?: string } }[]; cookies: { name: string; state: string }[] };
    const readable = report.findings.filter((f) => f.ruleId === 'jwt-readable-storage');
    assert.ok(readable.some((f) => f.evidence?.header === 'localStorage["access_token"]'), JSON.stringify(readable));
    const tracker = report.cookies.find((c) => c.name === 'tracker');
    assert.equal(tracker?.state, 'rejected', 'the cookie the browser refused is not in the jar');
  });

  it('--cdp: attaches to a running browser on loopback, records the chosen origin only, and detaches on SIGINT leaving the browser running', async () => {
    const browser = await startDebuggableBrowser(findBrowser()!);
    try {
      const capture = spawnCapture(['--cdp', `http://127.0.0.1:${browser.port}`, '--origin', app.url]);
      children.push(capture);
      const { child, lines } = capture;
      await waitForLine(child, lines, (l) => l.type === 'attached');
      // The user browses in the browser they started: a new tab, then the app.
      const tab = await CDP.New({ port: browser.port, url: 'about:blank' });
      const page = await CDP({ port: browser.port, target: tab.id });
      try {
        await page.send('Page.navigate', { url: `${app.url}/spa?other=${other.url}` });
        const stored = await waitForLine(child, lines, (l) => l.type === 'token' && l.source === 'localStorage');
        assert.equal(stored.name, 'access_token');
        await waitForLine(child, lines, (l) => l.type === 'cookie' && l.event === 'blocked' && l.name === 'tracker');
        assert.equal(await other.hit, '/elsewhere');
      } finally {
        await page.close();
      }
      child.kill('SIGINT');
      assert.equal(await capture.exited, 0, capture.stderr());
      const stopped = lines.at(-1)!;
      assert.equal(stopped.reason, 'SIGINT', JSON.stringify(lines.slice(-3)));
      assert.ok(running(browser.child.pid!), 'the browser the user started keeps running');
      assert.ok(!lines.some((l) => JSON.stringify(l).includes('should-not-be-recorded')));
    } finally {
      await browser.close();
    }
  });

  it('a throwaway profile left by a capture that was killed is deleted, with its browser, at the next start', async () => {
    const first = spawnCapture(['--browser', '--headless', '--target', `${app.url}/`]);
    children.push(first);
    const attached = await waitForLine(first.child, first.lines, (l) => l.type === 'attached');
    await waitForLine(first.child, first.lines, (l) => l.type === 'cookie' && l.name === 'connect.sid');
    first.child.kill('SIGKILL');
    await first.exited;
    const profile = attached.profile as string;
    assert.ok(existsSync(profile), 'a killed capture cannot clean up after itself');

    const second = spawnCapture(['--browser', '--headless', '--target', `${app.url}/`]);
    children.push(second);
    const next = await waitForLine(second.child, second.lines, (l) => l.type === 'attached');
    assert.notEqual(next.profile, profile);
    assert.ok(!existsSync(profile), 'the stale profile is deleted at the next start');
    await gone(attached.browserPid as number);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0, second.stderr());
    assert.ok(!existsSync(next.profile as string));
  });
});

describe('Browser capture: bad input gets one clear line and exit 2', function () {
  this.timeout(60_000);
  for (const [args, message] of [
    [['--cdp', 'http://192.168.1.5:9222', '--origin', 'http://localhost:3000'], /refusing to attach to 192\.168\.1\.5: the debugging endpoint must be on this machine/],
    [['--cdp', 'wss://127.0.0.1:9222/devtools/browser/x', '--origin', 'http://localhost:3000'], /must be http:\/\/ or ws:\/\//],
    [['--cdp', '9222'], /--cdp needs --origin URL/],
    [['--cdp', '9222', '--origin', 'localhost:3000'], /must be http:\/\/ or https:\/\//],
    [['--browser'], /--browser needs --target URL/],
    [['--browser', '--cdp', '9222', '--target', 'http://localhost:3000'], /give one of them/],
    [['--browser', '/nonexistent/chrome', '--target', 'http://localhost:3000'], /cannot run the browser \/nonexistent\/chrome: no such executable file/],
    [['--cdp', 'http://127.0.0.1:1', '--origin', 'http://localhost:3000'], /no browser debugging endpoint at http:\/\/127\.0\.0\.1:1 \(/],
  ] as [string[], RegExp][]) {
    it(args.join(' '), async () => {
      const run = await runCliProcess(['capture', ...args]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.equal(run.stdout.length, 0);
    });
  }
});
