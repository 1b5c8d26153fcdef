import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { repo, sessionLensApi, waitFor } from './helpers';

const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Session Lens');
const ruleOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code));

describe('Lint diagnostics and quick fixes in the real extension host', () => {
  let dir: string;
  let file: vscode.Uri;

  before(() => {
    // A copy of the sample app, so quick fixes never touch the repository's file.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-lint-'));
    fs.copyFileSync(repo('test', 'fixtures', 'sample-app', 'server.js'), path.join(dir, 'server.js'));
    file = vscode.Uri.file(path.join(dir, 'server.js'));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an opened Express file gets Session Lens diagnostics with rule ids, precise ranges and doc links', async () => {
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const diags = await waitFor('Session Lens diagnostics', () => (ours(file).length >= 5 ? ours(file) : undefined), 60_000);
    const rules = new Set(diags.map(ruleOf));
    for (const id of ['session-hardcoded-secret', 'jwt-hardcoded-secret', 'cookie-missing-secure', 'cookie-missing-httponly']) assert.ok(rules.has(id), `missing ${id}: ${[...rules].join(', ')}`);
    const secret = diags.find((d) => ruleOf(d) === 'session-hardcoded-secret')!;
    assert.equal(doc.getText(secret.range), "'keyboard cat'");
    assert.equal(secret.severity, vscode.DiagnosticSeverity.Error);
    const target = (secret.code as { target: vscode.Uri }).target;
    assert.match(target.toString(), /docs\/rules\/session-hardcoded-secret\.md$/);
    // The page ships inside the installed extension, so the link works offline.
    assert.ok(fs.existsSync(target.fsPath), `${target.fsPath} is not in the installed extension`);
    assert.match(fs.readFileSync(target.fsPath, 'utf8'), /session-hardcoded-secret/);
  });

  it('the preferred quick fix for a secure:false cookie flips it, and the diagnostic goes away', async () => {
    const doc = await vscode.workspace.openTextDocument(file);
    const secure = ours(file).find((d) => ruleOf(d) === 'cookie-missing-secure' && doc.getText(d.range).includes('secure'))!;
    assert.ok(secure, 'the secure: false property is flagged');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', file, secure.range, vscode.CodeActionKind.QuickFix.value);
    // Every Session Lens problem under the cursor has exactly one preferred fix, plus Disable and Docs.
    const here = ours(file).filter((d) => d.range.intersection(secure.range));
    const titles = actions.map((a) => a.title);
    assert.equal(actions.filter((a) => a.isPreferred).length, here.length, titles.join(' | '));
    for (const d of here) {
      assert.ok(titles.includes(`Disable ${ruleOf(d)} for this line`), titles.join(' | '));
      assert.ok(titles.includes(`Show documentation for ${ruleOf(d)}`), titles.join(' | '));
    }
    const setSecure = actions.find((a) => a.isPreferred && /secure/i.test(a.title) && !/samesite/i.test(a.title));
    assert.ok(setSecure, titles.join(' | '));
    assert.ok(await vscode.workspace.applyEdit(setSecure.edit!));
    assert.match(doc.getText(), /secure: true/);
    await waitFor('the diagnostic to disappear', () => !ours(file).some((d) => ruleOf(d) === 'cookie-missing-secure' && d.range.start.line === secure.range.start.line));
  });

  it('"Disable for this line" adds a comment the engine honours', async () => {
    const doc = await vscode.workspace.openTextDocument(file);
    const httpOnly = ours(file).find((d) => ruleOf(d) === 'cookie-missing-httponly')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', file, httpOnly.range, vscode.CodeActionKind.QuickFix.value);
    const disable = actions.find((a) => a.title === 'Disable cookie-missing-httponly for this line')!;
    assert.ok(await vscode.workspace.applyEdit(disable.edit!));
    assert.match(doc.getText(), /session-lens-disable-next-line cookie-missing-httponly/);
    await waitFor('the disabled diagnostic to disappear', () => !ours(file).some((d) => ruleOf(d) === 'cookie-missing-httponly'));
  });

  it('changing lint settings while documents open re-lints them with the new settings and frees the replaced engines', async () => {
    const api = await sessionLensApi();
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    await waitFor('diagnostics of the open file', () => ours(file).some((d) => ruleOf(d) === 'session-hardcoded-secret'));
    const config = vscode.workspace.getConfiguration('sessionLens');
    try {
      // Three changes in a row: each re-lints every open document with a new engine while the last open may be in flight.
      await config.update('lint.rules', { 'session-hardcoded-secret': 'off' }, vscode.ConfigurationTarget.Global);
      await config.update('lint.rules', { 'session-hardcoded-secret': 'off', 'jwt-hardcoded-secret': 'off' }, vscode.ConfigurationTarget.Global);
      await config.update('lint.rules', { 'jwt-hardcoded-secret': 'off' }, vscode.ConfigurationTarget.Global);
      await waitFor('the last settings to apply', () => {
        const rules = new Set(ours(file).map(ruleOf));
        return rules.has('session-hardcoded-secret') && !rules.has('jwt-hardcoded-secret');
      });
      // Every replaced engine is freed once its opens settled; one engine is left, with the open document.
      const state = await waitFor('the replaced lint engines to be freed', () => {
        const s = api.lintEngineState();
        return s.linters === 1 ? s : undefined;
      });
      assert.ok(state.documents >= 1, JSON.stringify(state));
    } finally {
      await config.update('lint.rules', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor('the rule to be back', () => ours(file).some((d) => ruleOf(d) === 'jwt-hardcoded-secret'));
  });

  it('closing the document clears its diagnostics', async () => {
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor('diagnostics to clear', () => ours(file).length === 0);
  });

  it('Scan Workspace lints the workspace on disk and reports to the Problems panel', async () => {
    const result = await vscode.commands.executeCommand<{ files: number; findings: number; cancelled: boolean }>('sessionLens.scanWorkspace');
    assert.ok(result && result.files >= 1, `scan result ${JSON.stringify(result)}`);
    assert.ok(result.findings >= 5);
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const server = vscode.Uri.joinPath(folder, 'server.js');
    assert.ok(ours(server).some((d) => ruleOf(d) === 'session-hardcoded-secret'));
  });
});
