import * as vscode from 'vscode';
import { CommandId, SESSION_VIEW_ID } from './commandIds';
import { onDidChangeSettings } from './config';
import { SessionController } from './sessionController';
import { SessionViewProvider } from './sessionView';

/** What activate() returns: a small read-only API, used by the host tests and other extensions. */
export interface SessionLensApi {
  /** Milliseconds activate() took. */
  readonly activationTimeMs: number;
  /** True once the Session webview view has been resolved. */
  isSessionViewResolved(): boolean;
}

export function activate(context: vscode.ExtensionContext): SessionLensApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Session Lens', { log: true });
  const controller = new SessionController();
  const sessionView = new SessionViewProvider(context.extensionUri, controller);

  context.subscriptions.push(
    log,
    controller,
    sessionView,
    vscode.window.registerWebviewViewProvider(SESSION_VIEW_ID, sessionView),
    vscode.commands.registerCommand(CommandId.ShowSession, () => vscode.commands.executeCommand(`${SESSION_VIEW_ID}.focus`)),
    onDidChangeSettings(() => controller.refresh()),
  );

  const activationTimeMs = performance.now() - started;
  log.info(`Session Lens activated in ${activationTimeMs.toFixed(1)} ms`);
  return {
    activationTimeMs,
    isSessionViewResolved: () => sessionView.isResolved,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
