import * as vscode from 'vscode';
import { isRuleId, type RuleId } from '../core/rules/catalog';

let docsRoot: vscode.Uri | undefined;

/** Points rule links at the pages shipped inside the extension (docs/rules/<id>.md). */
export function setRuleDocsRoot(extensionUri: vscode.Uri): void {
  docsRoot = vscode.Uri.joinPath(extensionUri, 'docs', 'rules');
}

/** The documentation page of a rule, shipped with the extension; works offline. */
export function ruleDocsUri(ruleId: RuleId): vscode.Uri {
  if (!docsRoot) throw new Error('rule docs root not set (activate() sets it)');
  return vscode.Uri.joinPath(docsRoot, `${ruleId}.md`);
}

/** Opens a rule's page rendered as Markdown. Unknown ids (from a webview, say) are ignored. */
export async function showRuleDocs(ruleId: string): Promise<void> {
  if (!isRuleId(ruleId)) return;
  const uri = ruleDocsUri(ruleId);
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    await vscode.window.showTextDocument(uri, { preview: true });
  }
}
