import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { cookieHeader, remember, repo, type SampleApp, sessionLensApi, startSampleApp, waitFor } from './helpers';


describe('Capture in the real extension host', () => {
  let app: SampleApp;
  let proxyUrl: string;

  before(async () => {
    // The bundled sample app (Express + express-session + JWT login), started in this host.
    app = await startSampleApp(repo());
  });

  after(async () => {
    await vscode.commands.executeCommand('sessionLens.stopCapture');
    await vscode.commands.executeCommand('sessionLens.clearSession');
    await app?.close();
  });

  it('Start Capture puts a loopback proxy in front of the app and sets sessionLens.capturing', async () => {
    const url = await vscode.commands.executeCommand<string | undefined>('sessionLens.startCapture', app.url);
    assert.ok(url, 'Start Capture returned no proxy URL');
    proxyUrl = url;
    assert.match(proxyUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    const api = await sessionLensApi();
    assert.equal(api.sessionViewState().capture.running, true);
    assert.match(api.statusBarText(), /sync~spin/);
  });

  it('records the cookies and tokens of a login through the proxy, with findings and countdowns', async () => {
    const jar = new Map<string, string>();
    const home = await fetch(`${proxyUrl}/`);
    assert.equal(home.status, 200);
    remember(jar, home);
    assert.ok(jar.has('connect.sid'), 'the app set its session cookie through the proxy');

    const login = await fetch(`${proxyUrl}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
      body: 'username=alice&password=wonderland',
    });
    assert.equal(login.status, 303);
    remember(jar, login);
    const token = await fetch(`${proxyUrl}/api/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'wonderland' }),
    });
    const body = (await token.json()) as { access_token: string };
    const me = await fetch(`${proxyUrl}/api/me`, { headers: { authorization: `Bearer ${body.access_token}` } });
    assert.equal(me.status, 200);

    const api = await sessionLensApi();
    const state = await waitFor('cookies, tokens and findings in the panel state', () => {
      const s = api.sessionViewState();
      // The findings of the login itself (the audit may lag the cookies while traffic flows).
      const rules = new Set(s.findings.map((f) => f.ruleId));
      return s.cookies.some((c) => c.name === 'token') && s.tokens.some((t) => t.kind === 'oauth-access') && rules.has('jwt-readable-storage') && rules.has('session-fixation') ? s : undefined;
    });
    const sid = state.cookies.find((c) => c.name === 'connect.sid')!;
    assert.equal(sid.isSession, true);
    assert.equal(sid.httpOnly, true);
    assert.equal(sid.secure, false);
    // A fixed 30-minute lifetime; when two responses re-issued the cookie a second or more apart
    // (a slow machine), the model has seen it renewed and says idle, with the same 30 minutes.
    assert.ok(sid.expiry.kind === 'absolute' || (sid.expiry.kind === 'idle' && Math.abs((sid.expiry.idleTimeoutMs ?? 0) - 30 * 60_000) <= 2_000), JSON.stringify(sid.expiry));
    const left = sid.expiry.expiresAt! - Date.now();
    assert.ok(left > 25 * 60_000 && left <= 30 * 60_000, `connect.sid expires in ${left} ms, expected about 30 min`);
    // Values are masked by default: the real value never reaches the panel state.
    assert.ok(!sid.value.includes(jar.get('connect.sid')!.slice(6)), 'the session id is masked');
    // The signed express-session id is recognised and read without the secret, and stays masked.
    assert.match(sid.decoded?.framework ?? '', /express-session/);
    assert.match(sid.decoded?.content ?? '', /•/);
    const access = state.tokens.find((t) => t.kind === 'oauth-access')!;
    assert.match(access.claims ?? '', /"sub": "alice"/);
    const rules = new Set(state.findings.map((f) => f.ruleId));
    assert.ok(rules.has('jwt-readable-storage'), `findings: ${[...rules].join(', ')}`);
    assert.ok(rules.has('session-fixation'), `findings: ${[...rules].join(', ')}`);
    // The sample app signs its JWTs with 'your-256-bit-secret'; the worker finds it shortly after.
    await waitFor('jwt-weak-secret from the worker', () => api.sessionViewState().findings.some((f) => f.ruleId === 'jwt-weak-secret'));
    // The expiry model behind the status bar is rebuilt at most once a second, off the update path.
    await waitFor('the status bar to count down', () => /\d+:\d\d|\d+h/.test(api.statusBarText()));
  });

  it('Stop Capture closes the proxy and keeps the session; Export HAR redacts by default', async () => {
    await vscode.commands.executeCommand('sessionLens.stopCapture');
    const api = await sessionLensApi();
    assert.equal(api.sessionViewState().capture.running, false);
    await assert.rejects(fetch(`${proxyUrl}/`), 'the proxy port is closed');
    assert.ok(api.sessionViewState().cookies.length > 0);

    const out = vscode.Uri.file(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sl-har-')), 'session.har'));
    await vscode.commands.executeCommand('sessionLens.exportHar', { uri: out, redact: true });
    const har = JSON.parse(fs.readFileSync(out.fsPath, 'utf8')) as { log: { entries: unknown[]; comment?: string } };
    assert.ok(har.log.entries.length >= 4);
    assert.equal(har.log.comment, undefined, 'nothing was dropped');
    assert.equal(fs.statSync(out.fsPath).mode & 0o777, 0o600, 'the export is readable by the owner only');
    const raw = fs.readFileSync(out.fsPath, 'utf8');
    assert.ok(!/eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9\.eyJ/.test(raw), 'no JWT value in a redacted export');

    await vscode.commands.executeCommand('sessionLens.clearSession');
    assert.equal(api.sessionViewState().cookies.length, 0);

    // The redacted export imports back: same requests, values hidden.
    await vscode.commands.executeCommand('sessionLens.importHar', out);
    const state = api.sessionViewState();
    assert.equal(state.capture.source, 'session.har');
    assert.ok(state.capture.exchanges >= 4);
    assert.ok(state.cookies.some((c) => c.name === 'connect.sid'));
    fs.rmSync(path.dirname(out.fsPath), { recursive: true, force: true });
  });

  it('Import HAR reports a file that is not a HAR without throwing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-bad-'));
    const bad = path.join(dir, 'bad.har');
    fs.writeFileSync(bad, '{"not":"a har"}');
    const result = await vscode.commands.executeCommand('sessionLens.importHar', vscode.Uri.file(bad));
    assert.equal(result, undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('Import HAR of more requests than the session keeps says how many were dropped from memory', async () => {
    await vscode.commands.executeCommand('sessionLens.clearSession');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-big-'));
    const file = path.join(dir, 'big.har');
    const start = Date.parse('2026-12-01T10:00:00Z');
    const entries = Array.from({ length: 5050 }, (_, i) => ({
      startedDateTime: new Date(start + i * 10).toISOString(), time: 1,
      request: { method: 'GET', url: `http://localhost:3000/item/${i}`, httpVersion: 'HTTP/1.1', headers: [], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
      response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [], cookies: [], content: { size: 0, mimeType: 'text/plain' }, redirectURL: '', headersSize: -1, bodySize: 0 },
      cache: {}, timings: { send: 0, wait: 1, receive: 0 },
    }));
    fs.writeFileSync(file, JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, entries } }));
    try {
      const result = await vscode.commands.executeCommand<{ imported: number; droppedFromMemory: number; keptInMemory: number }>('sessionLens.importHar', vscode.Uri.file(file));
      assert.equal(result.imported, 5050);
      assert.equal(result.keptInMemory, 5000);
      assert.equal(result.droppedFromMemory, 50);
    } finally {
      await vscode.commands.executeCommand('sessionLens.clearSession');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
