import * as vscode from 'vscode';
import { ruleIdOf, SessionLensDiagnostic, toWorkspaceEdit } from './lintConversions';
import type { LintService } from './lintService';

/**
 * Quick fixes for Session Lens diagnostics, chosen by the diagnostic's rule: the engine's fix
 * (exactly one preferred per problem), "Disable <rule> for this line", "Show documentation".
 */
export class SessionLensCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly lint: LintService) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      const ruleId = ruleIdOf(diagnostic);
      if (!ruleId) continue;
      const finding = diagnostic instanceof SessionLensDiagnostic
        ? diagnostic.finding
        : this.lint.findingsFor(document.uri).find((f) => f.ruleId === ruleId && f.range.start.line === diagnostic.range.start.line && f.range.start.character === diagnostic.range.start.character);
      if (finding?.fix) {
        const fix = new vscode.CodeAction(finding.fix.title, vscode.CodeActionKind.QuickFix);
        fix.edit = toWorkspaceEdit(document.uri, finding.fix);
        fix.diagnostics = [diagnostic];
        fix.isPreferred = finding.fix.isPreferred;
        actions.push(fix);
      }
      const engineDoc = this.lint.engineDocument(document.uri);
      if (engineDoc && finding) {
        const disable = engineDoc.disableFix(finding);
        const action = new vscode.CodeAction(`Disable ${ruleId} for this line`, vscode.CodeActionKind.QuickFix);
        action.edit = toWorkspaceEdit(document.uri, disable);
        action.diagnostics = [diagnostic];
        actions.push(action);
      }
      const docs = new vscode.CodeAction(`Show documentation for ${ruleId}`, vscode.CodeActionKind.QuickFix);
      docs.command = { title: 'Show documentation', command: 'sessionLens.showRuleDocs', arguments: [ruleId] };
      docs.diagnostics = [diagnostic];
      actions.push(docs);
    }
    return actions;
  }
}
