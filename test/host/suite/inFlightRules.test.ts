import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { cookieHeader, remember as rememberSet, repo, type SampleApp, sessionLensApi, startSampleApp, waitFor } from './helpers';

/** `remember`, and a deleting Set-Cookie (Max-Age=0, Expires in the past) removes the cookie, as a browser does. */
function remember(jar: Map<string, string>, res: Response): void {
  rememberSet(jar, res);
  for (const line of res.headers.getSetCookie()) {
    const expires = /;\s*expires=([^;]+)/i.exec(line)?.[1];
    if (/;\s*max-age=0\s*(;|$)/i.test(line) || (expires !== undefined && Date.parse(expires) <= Date.now())) jar.delete(line.slice(0, line.indexOf('=')).trim());
  }
}

/** Accepts the first item of the quick pick the command opens, until the command has finished. */
async function acceptFirstPick<T>(running: Thenable<T>): Promise<T> {
  let done = false;
  const result = Promise.resolve(running).finally(() => { done = true; });
  while (!done) {
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await Promise.race([result, new Promise((r) => setTimeout(r, 100))]);
  }
  return result;
}

describe('In-flight rules in the real extension host', () => {
  let app: SampleApp;
  let proxyUrl: string;
  const jar = new Map<string, string>();

  before(async () => {
    app = await startSampleApp(repo());
    proxyUrl = (await vscode.commands.executeCommand<string>('sessionLens.startCapture', app.url))!;
    remember(jar, await fetch(`${proxyUrl}/`));
    const login = await fetch(`${proxyUrl}/login`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) }, body: 'username=alice&password=wonderland',
    });
    remember(jar, login);
    assert.equal((await fetch(`${proxyUrl}/profile`, { redirect: 'manual', headers: { cookie: cookieHeader(jar) } })).status, 200);
    const api = await sessionLensApi();
    await waitFor('the session cookie in the panel', () => api.sessionViewState().cookies.some((c) => c.name === 'connect.sid'));
  });

  after(async () => {
    await vscode.commands.executeCommand('sessionLens.stopCapture');
    await vscode.commands.executeCommand('sessionLens.clearSession');
    await app?.close();
  });

  it('Expire Cookie Now from the palette (quick pick of captured cookies): the next response deletes connect.sid in a real client, which is logged out', async () => {
    const api = await sessionLensApi();
    const id = await acceptFirstPick(vscode.commands.executeCommand<string | undefined>('sessionLens.expireCookieNow'));
    assert.ok(id, 'a rule was added');
    assert.deepEqual(api.sessionViewState().rules?.map((r) => r.label), ['Expire cookie connect.sid now']);
    const res = await fetch(`${proxyUrl}/`, { headers: { cookie: cookieHeader(jar) } });
    assert.ok(res.headers.getSetCookie().includes('connect.sid=; Max-Age=0; Path=/'), res.headers.getSetCookie().join(' | '));
    remember(jar, res);
    assert.equal(jar.has('connect.sid'), false, 'the client dropped the session cookie');
    const profile = await fetch(`${proxyUrl}/profile`, { redirect: 'manual', headers: { cookie: cookieHeader(jar) } });
    assert.equal(profile.status, 302);
    assert.equal(profile.headers.get('location'), '/login');
    await waitFor('the rule gone from the strip once fired', () => api.sessionViewState().rules?.length === 0);
  });

  it('a Drop rule shows in the Rules strip with the dev server\'s answer, and Turn Off clears it', async () => {
    const api = await sessionLensApi();
    await vscode.commands.executeCommand('sessionLens.dropCredential', { in: 'cookie', name: 'token' });
    await fetch(`${proxyUrl}/`, { headers: { cookie: 'token=abc' } });
    const row = await waitFor('the drop rule with its last exchange', () => api.sessionViewState().rules?.find((r) => r.kind === 'drop' && r.last !== undefined));
    assert.equal(row.label, 'Drop cookie token from requests');
    assert.equal(row.hits, 1);
    assert.deepEqual([row.last!.request, row.last!.status], ['GET /', 200]);
    await vscode.commands.executeCommand('sessionLens.turnOffRules');
    assert.deepEqual(api.sessionViewState().rules, []);
  });

  it('Keep Session Alive shows in the status bar while on and repeats the request', async () => {
    const api = await sessionLensApi();
    assert.equal(api.keepAliveStatusText(), '');
    // Log in again (the first test logged this client out).
    remember(jar, await fetch(`${proxyUrl}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) }, body: 'username=alice&password=wonderland' }));
    assert.equal((await fetch(`${proxyUrl}/profile`, { redirect: 'manual', headers: { cookie: cookieHeader(jar) } })).status, 200);
    // Recording runs just after forwarding: the logged-in GET is complete in the session before keep-alive picks it.
    await waitFor('GET /profile recorded', () => api.sessionViewState().exchanges.at(-1)?.path === '/profile' && api.sessionViewState().exchanges.at(-1)?.state === 'complete');
    assert.equal(await vscode.commands.executeCommand('sessionLens.toggleKeepAlive', 1), true);
    assert.match(api.keepAliveStatusText(), /\$\(pulse\) Keep-alive 0:01/);
    const row = await waitFor('two keep-alive requests', () => api.sessionViewState().rules?.find((r) => r.kind === 'keep-alive' && r.hits >= 2));
    assert.match(row.label, /^Keep-alive: GET \/profile every 0:01$/);
    assert.equal(await vscode.commands.executeCommand('sessionLens.toggleKeepAlive'), false);
    assert.equal(api.keepAliveStatusText(), '');
  });
});
