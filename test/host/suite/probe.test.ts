import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ProbeResult } from '../../../src/core/probe/types';
import { cookieHeader, remember, repo, type SampleApp, sessionLensApi, startSampleApp, waitFor } from './helpers';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('Verify … on the Server: the probes as commands (real extension host, real sample app)', () => {
  let app: SampleApp;

  before(async () => {
    // An app that gets logout and login wrong: logout keeps the session, login keeps the id.
    app = await startSampleApp(repo(), { logoutKeepsSession: true });
    const proxyUrl = await vscode.commands.executeCommand<string>('sessionLens.startCapture', app.url);
    const jar = new Map<string, string>();
    remember(jar, await fetch(`${proxyUrl}/`));
    const login = await fetch(`${proxyUrl}/login`, { method: 'POST', redirect: 'manual', headers: { ...FORM, cookie: cookieHeader(jar) }, body: 'username=alice&password=wonderland' });
    assert.equal(login.status, 303);
    remember(jar, login);
    const profile = await fetch(`${proxyUrl}/profile`, { headers: { cookie: cookieHeader(jar) } });
    assert.equal(profile.status, 200);
    remember(jar, profile);
    remember(jar, await fetch(`${proxyUrl}/logout`, { redirect: 'manual', headers: { cookie: cookieHeader(jar) } }));
    const api = await sessionLensApi();
    await waitFor('the logout in the session', () => api.sessionViewState().exchanges.some((e) => e.path === '/logout' && e.status !== undefined));
  });

  after(async () => {
    await vscode.commands.executeCommand('sessionLens.stopCapture');
    await vscode.commands.executeCommand('sessionLens.clearSession');
    await app?.close();
  });

  it('Verify Logout on the Server finds what the passive audit cannot see: the cleared cookie still logs in', async () => {
    const api = await sessionLensApi();
    // The logout cleared connect.sid in the browser, so the traffic audit has nothing to say about it.
    await waitFor('the audit of the logout', () => api.sessionViewState().findings.some((f) => f.ruleId === 'csrf-state-change-on-get'));
    assert.equal(api.sessionViewState().findings.filter((f) => f.ruleId === 'session-not-invalidated-on-logout').length, 0);
    // The capture's own target is used; { yes: true } stands for the modal's Send Requests.
    const result = await vscode.commands.executeCommand<ProbeResult>('sessionLens.verifyLogout', { yes: true });
    assert.equal(result.verdict, 'confirmed', result.reason);
    assert.deepEqual(result.requests.map((r) => `${r.method} ${new URL(r.url).pathname} ${r.status}`), ['GET /profile 200', 'GET /profile 302']);
    const shown = await waitFor('the confirmed finding in the panel', () => api.sessionViewState().findings.find((f) => f.ruleId === 'session-not-invalidated-on-logout' && f.confirmation === 'confirmed'));
    assert.equal(shown.severity, 'error');
    assert.match(shown.message, /^Confirmed on the server/);
    assert.equal(shown.confirmationLabel, 'confirmed on the server');
    assert.match(shown.confirmationReason ?? '', /still answered as logged in/);
    // Both exchanges are the evidence: the captured page view before the logout (Show exchange) and the replay after it.
    assert.deepEqual(shown.evidence?.map((e) => [e.request.replace(/^GET https?:\/\/[^/]+/, 'GET '), e.status, e.exchangeId !== undefined]), [['GET /profile', 200, true], ['GET /profile', 200, false]]);
    assert.equal(api.sessionViewState().exchanges.find((e) => e.id === shown.evidence![0].exchangeId)?.path, '/profile');
    assert.equal(api.sessionViewState().findings.filter((f) => f.ruleId === 'session-not-invalidated-on-logout').length, 1);
  });

  it('Verify Fixation on the Server confirms the passive finding: the planted id survives the login', async () => {
    const api = await sessionLensApi();
    const passive = api.sessionViewState().findings.filter((f) => f.ruleId === 'session-fixation');
    assert.ok(passive.length > 0 && passive.every((f) => f.severity === 'error' && f.confirmation === undefined), JSON.stringify(passive));
    const result = await vscode.commands.executeCommand<ProbeResult>('sessionLens.verifyFixation', { yes: true });
    assert.equal(result.verdict, 'confirmed', result.reason);
    assert.equal(result.ruleId, 'session-fixation');
    await waitFor('the confirmed fixation finding', () => api.sessionViewState().findings.find((f) => f.ruleId === 'session-fixation' && f.confirmation === 'confirmed'));
  });

  it('Verify Unissued Session Id on the Server is refuted by express-session', async () => {
    const result = await vscode.commands.executeCommand<ProbeResult>('sessionLens.verifyUnissued', { yes: true });
    assert.equal(result.verdict, 'refuted', result.reason);
  });

  it('Verify Expiry on the Server tampers the captured JWT when asked ({ tamperJwt }): the token cookie alone does not log in to /profile, so inconclusive', async () => {
    const result = await vscode.commands.executeCommand<ProbeResult>('sessionLens.verifyExpiry', { yes: true, tamperJwt: { key: 'your-256-bit-secret' } });
    assert.equal(result.verdict, 'inconclusive', result.reason);
    assert.equal(result.requests.length, 3);
    assert.match(result.requests[1].why, /re-signed with your key \(HMAC secret, 19 bytes\) and exp set to/);
    assert.match(result.reason, /as issued is not answered as logged in now/);
  });

  it('sends nothing to a target that is not loopback', async () => {
    const result = await vscode.commands.executeCommand<ProbeResult | undefined>('sessionLens.verifyLogout', { yes: true, target: 'http://example.com' });
    assert.equal(result, undefined);
  });
});
