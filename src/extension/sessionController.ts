import * as vscode from 'vscode';
import type { AuditSettings } from '../core/audit/auditSettings';
import type { SessionSnapshot } from '../core/capture/types';
import type { ExpiryModel } from '../core/expiry/index';
import type { Finding } from '../core/findings';
import type { SessionViewState, WebviewAction } from '../shared/protocol';
import type { SessionLensSettings } from '../shared/settings';
import type { CaptureService } from './captureService';
import { readSettings } from './config';
import type { SessionViewSource } from './sessionView';
import { captureEngine } from './engines/index';
import { cookieRows, findingRows, tokenRows, valueOfKey } from './sessionViewState';

/** An action the panel can offer, backed by a registered command. */
export interface OfferedAction {
  readonly action: WebviewAction;
  readonly label: string;
  readonly command: string;
  /** Offered only while this returns true (e.g. Stop Capture while capturing). */
  readonly when?: () => boolean;
}

/** The audit settings that the `sessionLens.*` settings feed; user words extend the defaults. */
export function auditSettingsOf(s: SessionLensSettings): AuditSettings {
  const { DEFAULT_AUDIT_SETTINGS } = captureEngine();
  return {
    maxSessionCookieLifetimeSec: s.maxSessionCookieLifetime,
    maxTokenLifetimeSec: s.maxTokenLifetime,
    sessionCookieNames: s.sessionCookieNames,
    loginPathWords: [...DEFAULT_AUDIT_SETTINGS.loginPathWords, ...s.loginPaths],
    logoutPathWords: [...DEFAULT_AUDIT_SETTINGS.logoutPathWords, ...s.logoutPaths],
  };
}

/**
 * Turns the session (capture or imported HAR) into what the panel shows: masked rows,
 * findings of the traffic audit, and the actions on offer. Findings are computed once per
 * store version.
 */
export class SessionController implements SessionViewSource, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private masked = readSettings().maskValues;
  private readonly actions: OfferedAction[] = [];
  private cachedFindings: { version: number; findings: Finding[] } | undefined;
  private cachedModel: { version: number; soonSec: number; model: ExpiryModel } | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly capture: CaptureService) {
    this.subscription = capture.onDidChange(() => this.changed.fire());
  }

  /** Registers a panel action; only implemented commands are ever offered. */
  offer(action: OfferedAction): void {
    this.actions.push(action);
    this.changed.fire();
  }

  /** Tells the view to re-read the state. */
  refresh(): void {
    this.cachedFindings = undefined;
    this.masked = this.masked && readSettings().maskValues;
    this.changed.fire();
  }

  /** Traffic findings of the current session (cached per store version). */
  findings(snapshot = this.capture.snapshot()): Finding[] {
    if (!snapshot) return [];
    if (this.cachedFindings?.version === snapshot.version) return this.cachedFindings.findings;
    // A snapshot exists only once the capture engine is loaded, so this costs nothing at activation.
    const findings = captureEngine().auditSession(snapshot, auditSettingsOf(readSettings()));
    this.cachedFindings = { version: snapshot.version, findings };
    return findings;
  }

  /** The expiry model of the current session (cached per store version and threshold). */
  expiryModel(snapshot = this.capture.snapshot()): ExpiryModel | undefined {
    if (!snapshot) return undefined;
    const soonSec = readSettings().expiringSoonSeconds;
    if (this.cachedModel?.version !== snapshot.version || this.cachedModel.soonSec !== soonSec) {
      this.cachedModel = { version: snapshot.version, soonSec, model: captureEngine().buildExpiryModel(snapshot, { expiringSoonSec: soonSec }) };
    }
    return this.cachedModel.model;
  }

  /** The session credential that expires first from `now` on, for the status bar. */
  nextExpiry(now = Date.now()): { label: string; at: number; soon: boolean } | undefined {
    const snapshot = this.capture.snapshot();
    const model = this.expiryModel(snapshot);
    if (!snapshot || !model) return undefined;
    const names = readSettings().sessionCookieNames;
    const sessionCookieIds = new Set(snapshot.cookies.filter((c) => captureEngine().classifyCookie(c.name, c.value, { sessionCookieNames: names }).isSession).map((c) => `cookie:${c.key}`));
    let next: { label: string; at: number; soon: boolean } | undefined;
    for (const e of model.credentials) {
      if (e.deleted || e.expiresAt === undefined || e.expiresAt <= now) continue;
      if (e.type === 'cookie' && !sessionCookieIds.has(e.id)) continue;
      if (!next || e.expiresAt < next.at) next = { label: e.label, at: e.expiresAt, soon: e.expiresAt - now <= e.expiringSoonMs };
    }
    return next;
  }

  state(): SessionViewState {
    const settings = readSettings();
    const snapshot: SessionSnapshot | undefined = this.capture.snapshot();
    const status = this.capture.status;
    const model = this.expiryModel(snapshot);
    const isSession = (c: { name: string; value: string }) => captureEngine().classifyCookie(c.name, c.value, { sessionCookieNames: settings.sessionCookieNames }).isSession;
    return {
      capture: { ...status, exchanges: snapshot?.exchanges.length ?? 0 },
      cookies: snapshot ? cookieRows(snapshot, this.masked, isSession, model) : [],
      tokens: snapshot ? tokenRows(snapshot, this.masked, model) : [],
      findings: findingRows(this.findings(snapshot)),
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

  valueOf(key: string): string | undefined {
    return valueOfKey(this.capture.snapshot(), key);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
