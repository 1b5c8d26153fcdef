import * as vscode from 'vscode';
import type { AuditSettingsInput } from '../core/audit/auditSettings';
import type { SessionSnapshot } from '../core/capture/types';
import type { ExpiryModel } from '../core/expiry/index';
import type { Finding } from '../core/findings';
import type { ExchangeDetail, SessionViewState, WebviewAction } from '../shared/protocol';
import type { SessionLensSettings } from '../shared/settings';
import type { CaptureService } from './captureService';
import { readSettings } from './config';
import type { WeakSecretChecker } from './weakSecretChecker';
import type { SessionViewSource } from './sessionView';
import { captureEngine } from './engines/index';
import { exchangeDetail } from './exchangeDetail';
import { cookieRows, exchangeRows, findingRows, tokenRows, valueOfKey } from './sessionViewState';

/** An action the panel can offer, backed by a registered command. */
export interface OfferedAction {
  readonly action: WebviewAction;
  readonly label: string;
  readonly command: string;
  /** Offered only while this returns true (e.g. Stop Capture while capturing). */
  readonly when?: () => boolean;
}

/** Minimum time between two audits of a changing capture. */
const FINDINGS_INTERVAL_MS = 1000;

/** The traffic audit's settings, from the `sessionLens.*` settings (path words extend the built-in ones). */
export function auditSettingsOf(s: SessionLensSettings): AuditSettingsInput {
  return {
    maxSessionCookieLifetime: s.maxSessionCookieLifetime,
    maxTokenLifetime: s.maxTokenLifetime,
    sessionCookieNames: s.sessionCookieNames,
    loginPaths: s.loginPaths,
    logoutPaths: s.logoutPaths,
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
  private cachedFindings: { version: number; at: number; tookMs: number; findings: Finding[] } | undefined;
  private findingsTimer: NodeJS.Timeout | undefined;
  private cachedModel: { version: number; soonSec: number; model: ExpiryModel } | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly capture: CaptureService, private readonly weakSecrets: WeakSecretChecker) {
    this.subscription = vscode.Disposable.from(
      capture.onDidChange(() => this.changed.fire()),
      // A worker answered: the cached findings lack its jwt-weak-secret results.
      weakSecrets.onDidResolve(() => {
        // Stale, but keep its timing: a burst of answers must not re-run a costly audit for each.
        if (this.cachedFindings) this.cachedFindings = { ...this.cachedFindings, version: -1 };
        this.changed.fire();
      }),
    );
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
    const cached = this.cachedFindings;
    if (cached?.version === snapshot.version) return cached.findings;
    // The audit of a large capture takes a good part of a second: while traffic flows, run it at
    // most once per interval and show the previous findings until then.
    // The pause grows with the audit's own cost, so it never takes more than a sixth of the host's time.
    const age = cached ? Date.now() - cached.at : Infinity;
    const interval = Math.max(FINDINGS_INTERVAL_MS, 5 * (cached?.tookMs ?? 0));
    if (age < interval) {
      this.findingsTimer ??= setTimeout(() => {
        this.findingsTimer = undefined;
        this.changed.fire();
      }, interval - age);
      return cached!.findings;
    }
    const started = Date.now();
    // A snapshot exists only once the capture engine is loaded, so this costs nothing at activation.
    const engine = captureEngine();
    // The weak-secret dictionary runs in a worker: known answers are added, unknown ones start a check.
    const analyzeJwt: typeof engine.analyzeJwt = (token, context) => {
      const findings = engine.analyzeJwt(token, { ...context, checkWeakSecret: false });
      const weak = this.weakSecrets.peek(token);
      if (weak) findings.unshift(engine.weakSecretFinding(weak, context?.subject ?? context?.location?.name ?? 'JWT'));
      return findings;
    };
    const findings = engine.auditSession(snapshot, auditSettingsOf(readSettings()), { analyzeJwt, checkWeakSecret: false });
    this.cachedFindings = { version: snapshot.version, at: Date.now(), tookMs: Date.now() - started, findings };
    return findings;
  }

  /** The expiry model of the current session (cached per store version and threshold). */
  expiryModel(snapshot = this.capture.snapshot()): ExpiryModel | undefined {
    if (!snapshot) return undefined;
    const soonSec = readSettings().expiringSoonSeconds;
    if (this.cachedModel?.version !== snapshot.version || this.cachedModel.soonSec !== soonSec) {
      this.cachedModel = { version: snapshot.version, soonSec, model: captureEngine().buildExpiryModel(snapshot, { expiringSoonSeconds: soonSec }) };
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
    const findings = this.findings(snapshot);
    return {
      capture: { ...status, exchanges: snapshot?.exchanges.length ?? 0 },
      exchanges: snapshot ? exchangeRows(snapshot, findings) : [],
      cookies: snapshot ? cookieRows(snapshot, this.masked, isSession, model, captureEngine().decodeSignedCookie) : [],
      tokens: snapshot ? tokenRows(snapshot, this.masked, model) : [],
      findings: findingRows(findings),
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

  goToCode(cookie: string): Thenable<unknown> {
    // The cookie name is only an argument to our own command, never a command id.
    return vscode.commands.executeCommand('sessionLens.goToCode', cookie);
  }

  exchangeDetail(id: number): ExchangeDetail | undefined {
    const snapshot = this.capture.snapshot();
    if (!snapshot) return undefined;
    const tokenHeaders = [...captureEngine().DEFAULT_TOKEN_HEADERS, ...readSettings().captureTokenHeaders];
    return exchangeDetail(snapshot, id, this.findings(snapshot), this.masked, tokenHeaders);
  }

  setMasked(masked: boolean): void {
    this.masked = masked;
    this.changed.fire();
  }

  valueOf(key: string): string | undefined {
    return valueOfKey(this.capture.snapshot(), key);
  }

  dispose(): void {
    clearTimeout(this.findingsTimer);
    this.subscription.dispose();
    this.changed.dispose();
  }
}
