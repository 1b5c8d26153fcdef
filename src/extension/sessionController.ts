import * as vscode from 'vscode';
import type { SessionViewState, WebviewAction } from '../shared/protocol';
import type { SessionViewSource } from './sessionView';
import { readSettings } from './config';

/** An action the panel can offer, backed by a registered command. */
export interface OfferedAction {
  readonly action: WebviewAction;
  readonly label: string;
  readonly command: string;
  /** Offered only while this returns true (e.g. Stop Capture while capturing). */
  readonly when?: () => boolean;
}

/**
 * Owns what the Session panel shows and turns it into plain view state.
 * Capture, HAR import and token decoding feed it; the view and the status bar read it.
 */
export class SessionController implements SessionViewSource, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private masked = readSettings().maskValues;
  private readonly actions: OfferedAction[] = [];

  /** Registers a panel action; only implemented commands are ever offered. */
  offer(action: OfferedAction): void {
    this.actions.push(action);
    this.changed.fire();
  }

  /** Tells the view to re-read the state. */
  refresh(): void {
    this.changed.fire();
  }

  state(): SessionViewState {
    const settings = readSettings();
    return {
      capture: { running: false, exchanges: 0 },
      cookies: [],
      tokens: [],
      findings: [],
      masked: this.masked,
      actions: this.actions.filter((a) => a.when?.() ?? true).map(({ action, label }) => ({ action, label })),
      now: Date.now(),
      expiringSoonMs: settings.expiringSoonSeconds * 1000,
    };
  }

  runAction(action: WebviewAction): Thenable<unknown> {
    const offered = this.actions.find((a) => a.action === action && (a.when?.() ?? true));
    // Only commands we registered ourselves; nothing the webview names is executed directly.
    return offered ? vscode.commands.executeCommand(offered.command) : Promise.resolve(undefined);
  }

  setMasked(masked: boolean): void {
    this.masked = masked;
    this.changed.fire();
  }

  valueOf(_key: string): string | undefined {
    return undefined;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
