import * as vscode from 'vscode';
import type { LintFinding, LintFix, LintRange } from '../../core/lint/types';
import type { RuleId, Severity } from '../../core/rules/catalog';
import { ruleDocsUri } from '../ruleDocs';

export const DIAGNOSTIC_SOURCE = 'Session Lens';

export function toRange(r: LintRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export function toSeverity(s: Severity): vscode.DiagnosticSeverity {
  switch (s) {
    case 'error': return vscode.DiagnosticSeverity.Error;
    case 'warning': return vscode.DiagnosticSeverity.Warning;
    case 'info': return vscode.DiagnosticSeverity.Information;
  }
}

/** A diagnostic that remembers the finding it came from (for quick fixes). */
export class SessionLensDiagnostic extends vscode.Diagnostic {
  constructor(readonly finding: LintFinding) {
    super(toRange(finding.range), finding.message, toSeverity(finding.severity));
    this.source = DIAGNOSTIC_SOURCE;
    this.code = { value: finding.ruleId, target: ruleDocsUri(finding.ruleId) };
  }
}

export function toDiagnostic(finding: LintFinding): SessionLensDiagnostic {
  return new SessionLensDiagnostic(finding);
}

/** The rule id of one of our diagnostics, or undefined for other sources. */
export function ruleIdOf(d: vscode.Diagnostic): RuleId | undefined {
  if (d.source !== DIAGNOSTIC_SOURCE) return undefined;
  const code = typeof d.code === 'object' ? d.code.value : d.code;
  return typeof code === 'string' ? (code as RuleId) : undefined;
}

export function toWorkspaceEdit(uri: vscode.Uri, fix: LintFix): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const e of fix.edits) edit.replace(uri, toRange(e.range), e.newText);
  return edit;
}
