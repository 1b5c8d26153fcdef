import * as vscode from 'vscode';

export const TOKEN_SCHEME = 'session-lens-token';

/**
 * Read-only documents showing decoded tokens. The text lives in memory only (tokens are
 * secrets: nothing is written to disk) and is dropped when the document closes.
 */
export class TokenDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private nextId = 1;
  private readonly subscription = vscode.workspace.onDidCloseTextDocument((d) => {
    if (d.uri.scheme === TOKEN_SCHEME) this.texts.delete(d.uri.query);
  });

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.query) ?? 'This decoded token is no longer available. Run Session Lens: Decode JWT again.';
  }

  /** Shows `text` in a (new or reused) read-only document titled `title`. */
  async show(title: string, text: string, reuse?: vscode.Uri): Promise<vscode.Uri> {
    const uri = reuse ?? vscode.Uri.from({ scheme: TOKEN_SCHEME, path: `/${title.replace(/[\\/:*?"<>|]/g, '_')}.txt`, query: String(this.nextId++) });
    this.texts.set(uri.query, text);
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    return uri;
  }

  /** The text of a shown document (host tests). */
  textOf(uri: vscode.Uri): string | undefined {
    return this.texts.get(uri.query);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
