import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LintDocument, Linter } from '../../core/lint/engine';
import type { LintFinding, LintLanguage, LintOptions } from '../../core/lint/types';
import { readSettings } from '../config';
import { toDiagnostic } from './lintConversions';

import { lintEngine } from '../engines/index';
import type { SymbolTable } from '../../core/lint/symbols/symbolTable';

const DEBOUNCE_MS = 150;

interface Tracked {
  doc: LintDocument | undefined;
  version: number;
  timer?: NodeJS.Timeout;
  /** Changes that arrived while the document was still opening. */
  pending: vscode.TextDocumentContentChangeEvent[][];
  opening?: Promise<void>;
}

/**
 * Lints open documents as the user types: each change goes to the engine's incremental
 * document at once (cheap), the diagnostics are recomputed after a short pause. Cleared on close.
 */
export class LintService implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('session-lens');
  private linter: Linter | undefined;
  private linterKey = '';
  /** Linters made and not yet disposed (the current one, and retired ones still in use). */
  private liveLinters = 0;
  /** Opens in flight: a retired linter is disposed once they have settled. */
  private readonly openings = new Set<Promise<void>>();
  private readonly tracked = new Map<string, Tracked>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Findings per document URI, kept for quick fixes and for tracing traffic to code. */
  private readonly findings = new Map<string, LintFinding[]>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.open(d)),
      vscode.window.onDidChangeVisibleTextEditors((editors) => { for (const e of editors) this.open(e.document); }),
      vscode.workspace.onDidChangeTextDocument((e) => this.change(e)),
      vscode.workspace.onDidCloseTextDocument((d) => this.close(d.uri)),
      // VS Code may keep a document's model alive after its last tab closes; clear when the user closes it.
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        for (const tab of e.closed) {
          if (tab.input instanceof vscode.TabInputText && !this.isShownInTab(tab.input.uri)) this.close(tab.input.uri);
        }
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.open(d);
  }

  /** Where the extension is installed (bundles and grammars). */
  get extensionPath(): string {
    return this.extensionUri.fsPath;
  }

  /** Engine options from the `sessionLens.*` settings (plus the exclude globs, for scans). */
  lintOptions(): LintOptions & { exclude?: readonly string[] } {
    const s = readSettings();
    return {
      rules: s.lintRules,
      maxSessionCookieLifetimeDays: s.maxSessionCookieLifetime / 86400,
      maxSessionIdleTimeoutMinutes: s.maxSessionIdleTimeout,
      grammarDir: path.join(this.extensionUri.fsPath, 'dist', 'grammars'),
      ...(s.lintLanguages.length > 0 ? { languages: s.lintLanguages as LintLanguage[] } : {}),
      ...(s.lintExclude.length > 0 ? { exclude: s.lintExclude } : {}),
    };
  }

  /** The linter for the current settings (a new one when they changed). */
  async getLinter(): Promise<Linter> {
    const { exclude: _exclude, ...options } = this.lintOptions();
    const key = JSON.stringify(options);
    if (!this.linter || key !== this.linterKey) {
      if (this.linter) this.retire(this.linter);
      const { Linter } = lintEngine();
      this.linter = new Linter(options);
      this.liveLinters++;
      this.linterKey = key;
    }
    this.linter.symbols = this.workspaceSymbols;
    return this.linter;
  }

  /**
   * Frees a linter the settings replaced (its parsers live in wasm memory, which no garbage
   * collector frees), once every open in flight has settled: an open that started with it
   * drops its document when it finds itself replaced (see `open`), so nothing parses with it after.
   */
  private retire(old: Linter): void {
    void Promise.allSettled([...this.openings]).then(() => {
      old.dispose();
      this.liveLinters--;
    });
  }

  /** For tests: linters not yet freed, and documents linted incrementally. */
  engineState(): { linters: number; documents: number } {
    let documents = 0;
    for (const t of this.tracked.values()) if (t.doc) documents++;
    return { linters: this.liveLinters, documents };
  }

  /**
   * The workspace constants the last Scan Workspace indexed (one table per folder, merged):
   * edits re-lint with them, so an imported secret stays reported between scans.
   */
  useWorkspaceSymbols(tables: readonly (SymbolTable | undefined)[]): void {
    const present = tables.filter((t): t is SymbolTable => !!t);
    this.workspaceSymbols = present.length === 0 ? undefined : present.slice(1).reduce((all, t) => all.mergeFrom(t), present[0]);
    if (this.linter) this.linter.symbols = this.workspaceSymbols;
  }

  private workspaceSymbols: SymbolTable | undefined;

  /** Findings last computed for a document. */
  findingsFor(uri: vscode.Uri): readonly LintFinding[] {
    return this.findings.get(uri.toString()) ?? [];
  }

  /** The incremental engine document of an open text document, if it is linted. */
  engineDocument(uri: vscode.Uri): LintDocument | undefined {
    return this.tracked.get(uri.toString())?.doc;
  }

  private wanted(d: vscode.TextDocument): boolean {
    if (d.uri.scheme !== 'file' && d.uri.scheme !== 'untitled' && d.uri.scheme !== 'vscode-remote' && d.uri.scheme !== 'vscode-userdata') return false;
    const { lintEnable, lintExclude: excluded } = readSettings();
    if (!lintEnable) return false;
    if (excluded.length > 0 && vscode.languages.match(excluded.map((pattern) => ({ pattern })), d) > 0) return false;
    return true;
  }

  private open(d: vscode.TextDocument): void {
    if (!this.wanted(d) || this.tracked.has(d.uri.toString())) return;
    const key = d.uri.toString();
    const t: Tracked = { doc: undefined, version: d.version, pending: [] };
    this.tracked.set(key, t);
    const opening = (async () => {
      try {
        const linter = await this.getLinter();
        const language = linter.languageOf(d.fileName) ?? linter.languageOf(d.languageId);
        if (!language) {
          if (this.tracked.get(key) === t) this.tracked.delete(key);
          return;
        }
        const doc = await linter.open(d.getText(), { filePath: d.fileName, language });
        // Closed meanwhile, or replaced (settings changed: relintAll opened it again with a new linter).
        if (this.tracked.get(key) !== t) { doc?.dispose(); return; }
        t.doc = doc;
        // Edits made while the grammar loaded are already in getText(); start from the current text.
        t.pending = [];
        if (doc && d.getText() !== doc.getText()) doc.update([{ text: d.getText() }]);
        this.publish(d.uri, t);
      } catch (err) {
        this.log.warn(`lint: could not lint ${d.fileName}: ${err instanceof Error ? err.message : String(err)}`);
        if (this.tracked.get(key) === t) this.tracked.delete(key);
      }
    })();
    t.opening = opening;
    this.openings.add(opening);
    void opening.finally(() => this.openings.delete(opening));
  }

  private change(e: vscode.TextDocumentChangeEvent): void {
    const t = this.tracked.get(e.document.uri.toString());
    if (!t || e.contentChanges.length === 0) return;
    t.version = e.document.version;
    if (!t.doc) return; // still opening: open() picks up the current text
    // VS Code reports a batch's ranges against the text before the batch, applied in order.
    t.doc.update(e.contentChanges.map((c) => ({ range: { start: c.range.start, end: c.range.end }, text: c.text })));
    clearTimeout(t.timer);
    t.timer = setTimeout(() => this.publish(e.document.uri, t), DEBOUNCE_MS);
  }

  private publish(uri: vscode.Uri, t: Tracked): void {
    if (!t.doc) return;
    const findings = t.doc.findings();
    this.findings.set(uri.toString(), findings);
    this.collection.set(uri, findings.map(toDiagnostic));
  }

  /** Waits until a document's diagnostics are current (host tests, Go to code). */
  async settle(uri: vscode.Uri): Promise<void> {
    const t = this.tracked.get(uri.toString());
    if (!t) return;
    await t.opening;
    if (t.timer) {
      clearTimeout(t.timer);
      t.timer = undefined;
      this.publish(uri, t);
    }
  }

  private isShownInTab(uri: vscode.Uri): boolean {
    return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString()));
  }

  private close(uri: vscode.Uri): void {
    const key = uri.toString();
    const t = this.tracked.get(key);
    if (!t) return;
    clearTimeout(t.timer);
    t.doc?.dispose();
    this.tracked.delete(key);
    this.findings.delete(key);
    this.collection.delete(uri);
  }

  /** Re-lints every open document (settings changed). */
  relintAll(): void {
    for (const [key, t] of this.tracked) {
      clearTimeout(t.timer);
      t.doc?.dispose();
      this.tracked.delete(key);
    }
    this.collection.clear();
    this.findings.clear();
    for (const d of vscode.workspace.textDocuments) this.open(d);
  }

  /** Sets diagnostics for a file that is not open (Scan Workspace). */
  setScanned(uri: vscode.Uri, findings: LintFinding[]): void {
    if (this.tracked.has(uri.toString())) return;
    this.findings.set(uri.toString(), findings);
    this.collection.set(uri, findings.map(toDiagnostic));
  }

  dispose(): void {
    for (const t of this.tracked.values()) {
      clearTimeout(t.timer);
      t.doc?.dispose();
    }
    this.tracked.clear();
    if (this.linter) this.retire(this.linter);
    this.linter = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
