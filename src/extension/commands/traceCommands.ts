import * as path from 'node:path';
import * as vscode from 'vscode';
import { CommandId } from '../commandIds';
import type { RuntimeTrace } from '../trace/runtimeTrace';

const ICON = { error: '$(error)', warning: '$(warning)', info: '$(info)' } as const;

/** Go to Code: the lines that set the captured cookies, with what traffic showed about them. */
export function registerTraceCommands(trace: RuntimeTrace): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandId.GoToCode, async (cookieArg?: unknown) => {
      const cookie = typeof cookieArg === 'string' ? cookieArg : undefined;
      await trace.refresh();
      const findings = trace.current.filter((f) => cookie === undefined || f.cookie === cookie);
      if (findings.length === 0) {
        void vscode.window.showInformationMessage(cookie
          ? `Session Lens: no code in this workspace was found setting cookie '${cookie}' with findings.`
          : 'Session Lens: no captured cookie with findings was traced to code in this workspace. Capture some traffic (or import a HAR) first.');
        return undefined;
      }
      let target = findings[0];
      const places = new Set(findings.map((f) => `${f.uri.toString()}#${f.range.start.line}`));
      if (places.size > 1 || cookie === undefined) {
        const pick = await vscode.window.showQuickPick(findings.map((f) => ({
          label: `${ICON[f.severity]} ${f.cookie} · ${f.ruleId}`,
          description: `${vscode.workspace.asRelativePath(f.uri)}:${f.range.start.line + 1}`,
          detail: f.message,
          finding: f,
        })), { title: 'Session Lens: Go to Code', placeHolder: 'Captured cookies traced to the code that sets them', matchOnDetail: true });
        if (!pick) return undefined;
        target = pick.finding;
      }
      await vscode.window.showTextDocument(target.uri, { selection: target.range });
      return { file: path.resolve(target.uri.fsPath), line: target.range.start.line + 1 };
    }),
  ];
}
