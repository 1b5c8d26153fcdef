import * as vscode from 'vscode';
import type { CookieSetter } from '../../core/lint/engine';
import type { LintService } from '../lint/lintService';
import { listFolderFiles, localFolders } from '../lint/workspaceFiles';

/** A cookie setter found in the workspace, with its file. */
export interface WorkspaceCookieSetter extends CookieSetter {
  readonly uri: vscode.Uri;
}

const SOURCE_GLOB = '**/*.{js,jsx,mjs,cjs,ts,tsx,py,php,java,cs,go,rb,ini,properties,yml,yaml}';
const MAX_FILES = 5000;
/** A workspace listing is reused for this long at most (file events also renew it). */
const LISTING_TTL_MS = 10_000;
/** Left out of folders that are not on disk, where .gitignore cannot be read. */
const REMOTE_EXCLUDE = '{**/node_modules/**,**/.git/**,**/dist/**,**/out/**,**/build/**,**/vendor/**}';
const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** Words without which a file cannot set a cookie or configure a session; files lacking all of them are skipped unparsed. */
const MARKERS = /cookie|session|SESSION|Cookie/;

/**
 * Where the workspace sets which cookie: every setter the lint engine recognises (literal names,
 * and framework default names such as connect.sid, PHPSESSID, JSESSIONID, sessionid). Files are
 * parsed once and again only when they change; open documents use their live text.
 */
export class CookieSetterIndex implements vscode.Disposable {
  private readonly byFile = new Map<string, { mtime: number; setters: WorkspaceCookieSetter[] }>();
  private readonly watcher = vscode.workspace.createFileSystemWatcher(SOURCE_GLOB);
  private readonly ignoreWatcher = vscode.workspace.createFileSystemWatcher('**/.gitignore');
  private readonly disposables: vscode.Disposable[] = [];
  /** The last listing of the workspace, and when it was made: reused until a file comes or goes, an ignore rule changes, or it is old. */
  private listing: { files: Promise<vscode.Uri[]>; at: number } | undefined;

  constructor(private readonly lint: LintService) {
    const forget = (uri: vscode.Uri) => this.byFile.delete(uri.toString());
    const relist = () => { this.listing = undefined; };
    this.disposables.push(this.watcher, this.ignoreWatcher, this.watcher.onDidChange(forget),
      this.watcher.onDidDelete((uri) => { forget(uri); relist(); }), this.watcher.onDidCreate((uri) => { forget(uri); relist(); }),
      this.ignoreWatcher.onDidChange(relist), this.ignoreWatcher.onDidCreate(relist), this.ignoreWatcher.onDidDelete(relist),
      vscode.workspace.onDidChangeWorkspaceFolders(relist),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('files.exclude') || e.affectsConfiguration('search.exclude') || e.affectsConfiguration('sessionLens')) relist();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => forget(e.document.uri)));
  }

  /** The files to read, listed again at most every LISTING_TTL_MS unless something changed. */
  private listed(): Promise<vscode.Uri[]> {
    const now = Date.now();
    if (this.listing === undefined || now - this.listing.at > LISTING_TTL_MS) {
      const files = this.files();
      this.listing = { files, at: now };
      files.catch(() => {
        // A failed listing is not kept: the next call lists again.
        if (this.listing?.files === files) this.listing = undefined;
      });
    }
    return this.listing.files;
  }

  /**
   * The files to read: those Scan Workspace would lint (`.gitignore`, `files.exclude`,
   * `search.exclude` and `sessionLens.lint.exclude` honoured), so generated or vendored code
   * that is ignored never claims a cookie. Folders not on disk go through VS Code's search.
   */
  private async files(): Promise<vscode.Uri[]> {
    const files: vscode.Uri[] = [];
    for (const folder of localFolders()) {
      if (files.length >= MAX_FILES) break;
      files.push(...await listFolderFiles(folder, this.lint, MAX_FILES - files.length));
    }
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme === 'file' || files.length >= MAX_FILES) continue;
      files.push(...await vscode.workspace.findFiles(new vscode.RelativePattern(folder, SOURCE_GLOB), REMOTE_EXCLUDE, MAX_FILES - files.length));
    }
    return files;
  }

  /** Every setter of every supported file in the workspace. */
  async all(token?: vscode.CancellationToken): Promise<WorkspaceCookieSetter[]> {
    const files = await this.listed();
    const linter = await this.lint.getLinter();
    const out: WorkspaceCookieSetter[] = [];
    for (const uri of files) {
      if (token?.isCancellationRequested) break;
      const key = uri.toString();
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
      let mtime = -1;
      if (!open) {
        try {
          const stat = await vscode.workspace.fs.stat(uri);
          if (stat.size > MAX_FILE_BYTES) continue;
          mtime = stat.mtime;
        } catch {
          continue;
        }
        const cached = this.byFile.get(key);
        if (cached && cached.mtime === mtime) {
          out.push(...cached.setters);
          continue;
        }
      }
      const engineDoc = this.lint.engineDocument(uri);
      let setters: CookieSetter[] = [];
      if (engineDoc) setters = engineDoc.cookieSetters();
      else {
        const text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        if (!MARKERS.test(text)) {
          this.byFile.set(key, { mtime, setters: [] });
          continue;
        }
        const language = linter.languageOf(uri.fsPath);
        if (!language) continue;
        const doc = await linter.open(text, { filePath: uri.fsPath, language });
        try {
          setters = doc?.cookieSetters() ?? [];
        } finally {
          doc?.dispose();
        }
      }
      const withUri = setters.map((s) => ({ ...s, uri }));
      if (!open) this.byFile.set(key, { mtime, setters: withUri });
      out.push(...withUri);
    }
    return out;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
