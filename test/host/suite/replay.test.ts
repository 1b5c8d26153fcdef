import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { cookieHeader, remember, repo, type SampleApp, startSampleApp } from './helpers';

/** Runs a program and resolves with its output (real curl, real shell). */
function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${file} failed: ${err.message} ${stderr}`)) : resolve(stdout)));
  });
}


describe('Replay the session outside the editor: curl and cookies.txt (real extension host, real curl)', () => {
  let app: SampleApp;
  let dir: string;
  /** The cookies the app set, as the test's own client kept them. */
  const jar = new Map<string, string>();

  before(async () => {
    app = await startSampleApp(repo());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-replay-'));
    const proxyUrl = await vscode.commands.executeCommand<string>('sessionLens.startCapture', app.url);
    // A logged-in session through the proxy: home, login, profile, and a bearer API call.
    remember(jar, await fetch(`${proxyUrl}/`));
    const login = await fetch(`${proxyUrl}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) }, body: 'username=alice&password=wonderland' });
    assert.equal(login.status, 303);
    remember(jar, login);
    const profile = await fetch(`${proxyUrl}/profile`, { headers: { cookie: cookieHeader(jar) } });
    assert.match(await profile.text(), /Name: Alice/i);
    // Like a browser, every request carries the cookies and keeps what the app sets (the app's
    // session middleware would start a new session for a request without its cookie).
    const tokenResponse = await fetch(`${proxyUrl}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: cookieHeader(jar) }, body: JSON.stringify({ username: 'alice', password: 'wonderland' }) });
    remember(jar, tokenResponse);
    const token = (await tokenResponse.json()) as { access_token: string };
    const me = await fetch(`${proxyUrl}/api/me`, { headers: { authorization: `Bearer ${token.access_token}`, cookie: cookieHeader(jar) } });
    remember(jar, me);
    assert.equal(me.status, 200);
    await vscode.commands.executeCommand('sessionLens.stopCapture');
  });

  after(async () => {
    await vscode.commands.executeCommand('sessionLens.clearSession');
    await app?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // The commands also write the clipboard; reading it back needs a browser permission that
  // code-server's headless page does not have, so the tests use what the commands return.
  it('Copy Cookies as cookies.txt: curl -b FILE gets the logged-in page', async () => {
    const text = await vscode.commands.executeCommand<string>('sessionLens.copyCookiesTxt');
    assert.ok(text, 'nothing copied');
    assert.match(text, /^# Netscape HTTP Cookie File/);
    assert.match(text, /^#HttpOnly_127\.0\.0\.1\tFALSE\t\/\tFALSE\t\d+\tconnect\.sid\t/m);
    // The file holds what the app set last (the session id the logged-in client holds).
    const lines = text.split('\n').filter((l) => l.includes('\tconnect.sid\t'));
    assert.deepEqual(lines.map((l) => l.split('\t')[6]), [jar.get('connect.sid')], text.replace(/\t([^\t\n]{6})[^\t\n]*$/gm, '\t$1…'));
    const file = path.join(dir, 'cookies.txt');
    fs.writeFileSync(file, text, { mode: 0o600 });
    const page = await run('curl', ['-sS', '-b', file, `${app.url}/profile`]);
    assert.match(page, /Name: Alice/i, page.slice(0, 300));
    const without = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', `${app.url}/profile`]);
    assert.equal(without, '302', 'without the cookies the app redirects to the login');
  });

  it('Copy Request as curl: the copied command replays the logged-in request with the current cookies', async () => {
    const command = await vscode.commands.executeCommand<string>('sessionLens.copyAsCurl', 'GET /profile');
    assert.ok(command, 'nothing copied');
    assert.ok(command.startsWith(`curl ${app.url}/profile`), command);
    assert.ok(command.includes(`connect.sid=${jar.get('connect.sid')}`), command.replace(/(=[A-Za-z0-9%]{6})[^;' ]*/g, '$1…'));
    const page = await run('sh', ['-c', `${command} -sS`]);
    assert.match(page, /Name: Alice/i, page.slice(0, 300));
  });

  it('Copy Request as curl: a bearer API call replays with the current Authorization', async () => {
    const command = await vscode.commands.executeCommand<string>('sessionLens.copyAsCurl', 'GET /api/me');
    assert.match(command, /-H 'Authorization: Bearer eyJ/);
    const body = await run('sh', ['-c', `${command} -sS`]);
    assert.match(body, /alice/i, body.slice(0, 300));
  });

  it('Copy Cookie or Token Value: the session cookie as the app set it last; an unknown name copies nothing', async () => {
    const value = await vscode.commands.executeCommand<string>('sessionLens.copyValue', 'connect.sid');
    assert.equal(value, jar.get('connect.sid'));
    assert.equal(await vscode.commands.executeCommand('sessionLens.copyValue', 'no-such-cookie'), undefined);
  });
});

describe('JWT hover in any file (real extension host)', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSFMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

  async function hoverText(content: string, at: number): Promise<string> {
    const doc = await vscode.workspace.openTextDocument({ content, language: 'plaintext' });
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(at));
    const markdown = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    // What the reader sees: Markdown escapes removed.
    return markdown.replace(/\\([\\`*_{}[\]()#+\-.!|<>&~])/g, '$1');
  }

  it('shows header, claims, human dates and findings of a JWT in a .env-like text', async () => {
    const content = `# settings\nAPI_TOKEN=${jwt}\n`;
    const text = await hoverText(content, content.indexOf('eyJ') + 20);
    assert.match(text, /Session Lens/);
    assert.match(text, /HS256 JWT/);
    assert.match(text, /"sub": "1234567890"/);
    assert.match(text, /`iat` 2018-01-18T01:30:22\.000Z \(\d+ years ago\)/);
    assert.match(text, /no expiry/);
    assert.match(text, /jwt-no-expiry/);
    assert.match(text, /command:sessionLens\.decodeToken/);
  });

  it('says nothing for text that is not a JWT', async () => {
    const content = 'version = 1.2.3.4 and some.dotted.words here\n';
    const text = await hoverText(content, content.indexOf('dotted') + 2);
    assert.doesNotMatch(text, /Session Lens/);
  });
});
