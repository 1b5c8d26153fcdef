import * as vscode from 'vscode';
import { CommandId } from './commandIds';
import { type InFlightActions, clockText } from './inFlightActions';

/**
 * The status bar item that is there only while Keep Session Alive is on: a session kept alive
 * by the editor must never be forgotten. Clicking it turns keep-alive off.
 */
export class KeepAliveStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('sessionLens.keepAlive', vscode.StatusBarAlignment.Left, 49);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly actions: InFlightActions) {
    this.item.name = 'Session Lens Keep-Alive';
    this.item.command = CommandId.ToggleKeepAlive;
    this.subscription = actions.onDidChange(() => this.update());
    this.update();
  }

  /** The text shown now ('' while hidden; read by the host tests). */
  get text(): string {
    return this.actions.keepAliveRunning ? this.item.text : '';
  }

  update(): void {
    const k = this.actions.keepAliveRunning;
    if (!k) {
      this.item.hide();
      return;
    }
    this.item.text = `$(pulse) Keep-alive ${clockText(k.intervalMs)}`;
    this.item.tooltip = `Session Lens repeats GET ${k.request.path} every ${clockText(k.intervalMs)} (${k.intervalReason}); ${k.sent} sent. Click to turn it off.`;
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
