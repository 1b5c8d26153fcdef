import * as vscode from 'vscode';
import type { CaptureService } from './captureService';
import { CommandId } from './commandIds';
import type { SessionController } from './sessionController';

function short(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s >= 86400) return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * The one status bar item: spinning while capturing, and the live countdown of the session
 * credential that expires first. Ticks every second only while it has something to count.
 */
export class SessionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('sessionLens.status', vscode.StatusBarAlignment.Left, 50);
  private timer: NodeJS.Timeout | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly capture: CaptureService, private readonly session: SessionController) {
    this.item.name = 'Session Lens';
    this.item.command = CommandId.ShowSession;
    // The session controller relays every capture change, and also tells when its expiry model was rebuilt.
    this.subscription = session.onDidChange(() => this.update());
    this.update();
  }

  /** The text shown now (also read by the host tests). */
  get text(): string {
    return this.item.text;
  }

  update(): void {
    const status = this.capture.status;
    const snap = this.capture.snapshot();
    const now = Date.now();
    const next = this.session.nextExpiry(now);
    if (!status.running && !snap?.cookies.length && !snap?.tokens.length) {
      this.item.hide();
      this.setTicking(false);
      return;
    }
    const icon = status.running ? '$(sync~spin)' : '$(eye)';
    const countdown = next ? ` ${next.label} ${short(next.at - now)}` : '';
    this.item.text = `${icon} Session${countdown}`;
    this.item.backgroundColor = next?.soon ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendText(status.running ? `Capturing ${status.target} through ${status.proxyUrl}` : `Session Lens: ${status.source ?? 'captured session'}`);
    tip.appendText(`\n${snap?.cookies.length ?? 0} cookies, ${snap?.tokens.length ?? 0} tokens`);
    if (next) tip.appendText(`\n${next.label} expires at ${new Date(next.at).toLocaleTimeString()}`);
    this.item.tooltip = tip;
    this.item.show();
    this.setTicking(next !== undefined);
  }

  private setTicking(on: boolean): void {
    if (on && !this.timer) this.timer = setInterval(() => this.update(), 1000);
    if (!on && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  dispose(): void {
    this.setTicking(false);
    this.subscription.dispose();
    this.item.dispose();
  }
}
