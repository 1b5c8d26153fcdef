import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { diagnosticsEvent, repo, type SampleApp, sessionLensApi, startSampleApp, waitFor } from './helpers';

const traffic = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Session Lens (traffic)');
const ruleOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code));

/** A one-entry HAR whose response sets `setCookie`. */
function har(setCookie: string): string {
  return JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, entries: [{
    startedDateTime: new Date().toISOString(), time: 1,
    request: { method: 'POST', url: 'http://localhost:3000/login', httpVersion: 'HTTP/1.1', headers: [], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
    response: { status: 303, statusText: 'See Other', httpVersion: 'HTTP/1.1', headers: [{ name: 'Set-Cookie', value: setCookie }, { name: 'Location', value: '/profile' }], cookies: [], content: { size: 0, mimeType: 'text/plain' }, redirectURL: '/profile', headersSize: -1, bodySize: 0 },
    cache: {}, timings: { send: 0, wait: 1, receive: 0 },
  }] } });
}

describe('Live traffic traced back to the code that set it (real extension host)', () => {
  let app: SampleApp;
  const server = () => vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'server.js');

  before(async () => {
    app = await startSampleApp(repo());
  });

  after(async () => {
    await vscode.commands.executeCommand('sessionLens.stopCapture');
    await vscode.commands.executeCommand('sessionLens.clearSession');
    await app?.close();
  });

  it('a capture of the sample app puts its cookie findings, with evidence, on the lines that set the cookies', async () => {
    assert.match(server().fsPath, /sample-app/);
    const proxyUrl = await vscode.commands.executeCommand<string>('sessionLens.startCapture', app.url);
    const login = await fetch(`${proxyUrl}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=alice&password=wonderland' });
    assert.equal(login.status, 303);
    const api = await sessionLensApi();
    await waitFor('the token cookie in the session', () => api.sessionViewState().cookies.some((c) => c.name === 'token'));
    // The login's findings reach server.js when the trace recomputes on the session's change
    // (findings held back while traffic flows included): wait for that change of diagnostics.
    const onTokenLine = (d: vscode.Diagnostic) => d.source === 'Session Lens (traffic)' && /seen \S+ on POST \/login: Set-Cookie token=/.test(d.message);
    const settled = diagnosticsEvent('traffic findings with the login\'s evidence', server(), (all) => (all.some(onTokenLine) ? traffic(server()) : undefined));
    await api.refreshTrace();
    const diags = await settled;
    const doc = await vscode.workspace.openTextDocument(server());
    const tokenLine = diags.filter((d) => doc.lineAt(d.range.start.line).text.includes("res.cookie('token'"));
    assert.ok(tokenLine.some((d) => ruleOf(d) === 'jwt-readable-storage' || ruleOf(d) === 'cookie-missing-httponly'), diags.map((d) => `${d.range.start.line + 1} ${ruleOf(d)}`).join(', '));
    const withEvidence = tokenLine.find((d) => /seen \S+ on POST \/login: Set-Cookie token=eyJh…/.test(d.message));
    assert.ok(withEvidence, `evidence with a masked value: ${tokenLine.map((d) => d.message).join('\n')}`);
    assert.ok(!/token=eyJ[A-Za-z0-9_-]{10,}/.test(withEvidence.message), 'the token value is masked');
    const sessionLine = diags.find((d) => /session\(/.test(doc.getText(new vscode.Range(d.range.start, d.range.end))) || doc.lineAt(d.range.start.line).text.includes('app.use(session('));
    assert.ok(sessionLine, 'connect.sid findings are traced to the express-session config');
  });

  it('Go to Code opens the line that sets a captured cookie', async () => {
    const where = await vscode.commands.executeCommand<{ file: string; line: number }>('sessionLens.goToCode', 'token');
    assert.ok(where, 'nothing to go to');
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.uri.fsPath, server().fsPath);
    assert.match(editor.document.lineAt(editor.selection.start.line).text, /res\.cookie\('token'/);
  });

  it('reads the code Scan Workspace reads: a setter in a .gitignore\'d folder gets no traffic findings, the same setter elsewhere does', async () => {
    // A scratch folder in the workspace (the repository's .gitignore leaves it out of git).
    const scratch = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'sl-trace-scratch');
    const setter = "const express = require('express');\nconst app = express();\napp.post('/login', (req, res) => {\n  res.cookie('token', 'x', { httpOnly: false });\n  res.end();\n});\n";
    try {
      for (const dir of ['kept', 'generated']) {
        fs.mkdirSync(path.join(scratch, dir), { recursive: true });
        fs.writeFileSync(path.join(scratch, dir, 'auth.js'), setter);
      }
      fs.writeFileSync(path.join(scratch, '.gitignore'), 'generated/\n');
      const kept = vscode.Uri.file(path.join(scratch, 'kept', 'auth.js'));
      const ignored = vscode.Uri.file(path.join(scratch, 'generated', 'auth.js'));
      const api = await sessionLensApi();
      // The new files reach the index through the file watcher (or the listing's age): refresh until they do.
      const onKept = await waitFor('traffic diagnostics on the file that is not ignored', async () => {
        await api.refreshTrace();
        return traffic(kept).length > 0 ? traffic(kept) : undefined;
      });
      assert.ok(onKept.every((d) => d.range.start.line === 3), onKept.map((d) => `${d.range.start.line + 1} ${ruleOf(d)}`).join(', '));
      assert.deepEqual(traffic(ignored).map((d) => `${d.range.start.line + 1} ${ruleOf(d)}`), []);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('flags a cookie whose traffic differs from the code (HttpOnly sent, code says httpOnly: false)', async () => {
    await vscode.commands.executeCommand('sessionLens.stopCapture');
    await vscode.commands.executeCommand('sessionLens.clearSession');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-trace-'));
    const file = path.join(dir, 'mismatch.har');
    fs.writeFileSync(file, har('token=made-up-value-123; Path=/; Max-Age=900; HttpOnly; SameSite=Lax'));
    await vscode.commands.executeCommand('sessionLens.importHar', vscode.Uri.file(file));
    const api = await sessionLensApi();
    // The mismatch between this HAR and server.js (other mismatches, such as a setter another
    // test left behind until the watcher reports its deletion, are not what this test means).
    const found = diagnosticsEvent('the HttpOnly cookie-runtime-mismatch', server(), (all) => all.find((d) => d.source === 'Session Lens (traffic)' && ruleOf(d) === 'cookie-runtime-mismatch' && /leaves HttpOnly off but the response had HttpOnly/.test(d.message)));
    await api.refreshTrace();
    const mismatch = await found;
    assert.match(mismatch.message, /seen \S+ on POST \/login: Set-Cookie token=made…/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
