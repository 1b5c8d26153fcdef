import * as vscode from 'vscode';
import type { AuditSettingsInput } from '../core/audit/auditSettings';
import type { StoreAudit } from '../core/audit/storeAudit';
import type { SessionStore } from '../core/session/sessionStore';
import type { SessionSnapshot } from '../core/session/types';
import type { ExpiryModel, IncrementalExpiryModel } from '../core/expiry/index';
import type { Finding } from '../core/findings';
import type { ExchangeDetail, SessionViewState, WebviewAction } from '../shared/protocol';
import type { SessionLensSettings } from '../shared/settings';
import type { CaptureService } from './captureService';
import { readSettings } from './config';
import type { WeakSecretChecker } from './weakSecretChecker';
import type { InFlightActions } from './inFlightActions';
import type { SessionViewSource } from './sessionView';
import { captureEngine } from './engines/index';
import { exchangeDetail } from './exchangeDetail';
import { type DecodedToken, decodedTokenKey, decodedTokenRows, valueOfKey } from './sessionViewState';
import { SessionViewRows } from './sessionViewRows';
import { withExchangeRows } from './sessionExchangeRows';

/** An action the panel can offer, backed by a registered command. */
export interface OfferedAction {
  readonly action: WebviewAction;
  readonly label: string;
  readonly command: string;
  /** Offered only while this returns true (e.g. Stop Capture while capturing). */
  readonly when?: () => boolean;
}

/** JWTs decoded with Decode JWT… that the panel keeps listing (in memory only). */
const DECODED_TOKENS_KEPT = 10;

/** JWT findings depend on the time (expiry): they are analysed again when the session changes, at most this often. */
const JWT_REANALYSIS_MS = 1000;
/** Weak-secret answers of the worker are taken in together, at most this often. */
const WEAK_SECRET_BATCH_MS = 250;

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
 * findings of the traffic audit, and the actions on offer. The findings come from an
 * incremental audit fed by the store's change events: each exchange is audited once, when it
 * finishes, so the host's work per change is proportional to the change.
 */
export class SessionController implements SessionViewSource, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private masked = readSettings().maskValues;
  /** Findings of the Verify … on the Server probes, per rule, for the store they probed. */
  private probed: { store: SessionStore; byRule: Map<string, Finding> } | undefined;
  private readonly actions: OfferedAction[] = [];
  private audit: { store: SessionStore; feed: StoreAudit; subscription: vscode.Disposable } | undefined;
  private jwtAnalysis = { version: -1, at: 0 };
  /** The expiry model of the store, kept from its change feed: a change rebuilds only the credentials it concerns. */
  private expiry: { store: SessionStore; model: IncrementalExpiryModel; subscription: vscode.Disposable } | undefined;
  private weakSecretTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscription: vscode.Disposable;
  /** Tokens the user decoded, newest last; never written anywhere. */
  private decoded: DecodedToken[] = [];
  private nextDecodedId = 1;
  /** The last signature check per token value, for this window only. */
  private readonly verifications = new Map<string, { signature: string; message: string; at: number }>();
  private rules: { source: InFlightActions; subscription: vscode.Disposable } | undefined;
  private sessionCookieTest: { key: string; test: (c: { name: string; value: string }) => boolean } | undefined;
  /** The panel's rows kept across updates: the timeline follows the store's change feed and builds rows as they are read. */
  private readonly rows = new SessionViewRows();

  constructor(private readonly capture: CaptureService, private readonly weakSecrets: WeakSecretChecker) {
    this.subscription = vscode.Disposable.from(
      // Subscribed before the capture service itself, the audit has taken in a change when the panel reads it.
      capture.onDidCreateStore((store) => {
        this.attachAudit(store);
        this.attachExpiry(store);
      }),
      capture.onDidChange(() => this.changed.fire()),
      // A worker answered: the JWT findings lack its jwt-weak-secret results (only the JWTs are analysed again,
      // once for all the answers of WEAK_SECRET_BATCH_MS: an import of hundreds of JWTs brings hundreds of answers).
      weakSecrets.onDidResolve(() => {
        this.weakSecretTimer ??= setTimeout(() => {
          this.weakSecretTimer = undefined;
          this.audit?.feed.reanalyseJwts(Date.now());
          this.changed.fire();
        }, WEAK_SECRET_BATCH_MS);
      }),
    );
  }

  /** Registers a panel action; only implemented commands are ever offered. */
  offer(action: OfferedAction): void {
    this.actions.push(action);
    this.changed.fire();
  }

  /** Shows the in-flight rules of `source` in the panel's Rules strip, with their off switches. */
  showRules(source: InFlightActions): void {
    this.rules?.subscription.dispose();
    this.rules = { source, subscription: source.onDidChange(() => this.changed.fire()) };
    this.changed.fire();
  }

  turnOffRule(id: string): void {
    this.rules?.source.turnOff(id);
  }

  /** Tells the view to re-read the state (settings changed: the audit starts over with them). */
  refresh(): void {
    this.audit?.feed.reset(auditSettingsOf(readSettings()));
    this.masked = this.masked && readSettings().maskValues;
    this.changed.fire();
  }

  private attachAudit(store: SessionStore): StoreAudit {
    this.audit?.feed.dispose();
    this.audit?.subscription.dispose();
    // A snapshot exists only once the capture engine is loaded, so this costs nothing at activation.
    const engine = captureEngine();
    // The weak-secret dictionary runs in a worker: known answers are added, unknown ones start a check.
    const analyzeJwt: typeof engine.analyzeJwt = (token, context) => {
      const findings = engine.analyzeJwt(token, { ...context, checkWeakSecret: false });
      const weak = this.weakSecrets.peek(token);
      if (weak) findings.unshift(engine.weakSecretFinding(weak, context?.subject ?? context?.location?.name ?? 'JWT'));
      return findings;
    };
    // Findings go onto the session's change feed (finding-added/removed) with the exchanges they concern;
    // what keys on the session's data below keys on store.modelVersion, which findings do not move.
    const feed = new engine.StoreAudit(store, auditSettingsOf(readSettings()), { analyzeJwt, checkWeakSecret: false, publish: true });
    // Changes during a store event reach the panel through the capture's own event; a finished wait does not.
    const subscription = feed.onDidChange((_delta, origin) => { if (origin === 'timer') this.changed.fire(); });
    this.audit = { store, feed, subscription: new vscode.Disposable(() => subscription.dispose()) };
    this.jwtAnalysis = { version: -1, at: Date.now() };
    return feed;
  }

  /** Traffic findings of the current session, kept up to date by the incremental audit. */
  findings(snapshot = this.capture.snapshot()): readonly Finding[] {
    const store = this.capture.sessionStore;
    if (!snapshot || !store) return [];
    const feed = this.audit?.store === store ? this.audit.feed : this.attachAudit(store);
    const now = Date.now();
    // Keyed on the data, not the store version: the re-analysis publishes its findings, which moves the latter.
    if (store.modelVersion !== this.jwtAnalysis.version && now - this.jwtAnalysis.at >= JWT_REANALYSIS_MS) {
      this.jwtAnalysis = { version: store.modelVersion, at: now };
      // Only the time moved: JWTs without exp or nbf are not analysed again.
      feed.reanalyseJwts(now, 'time');
    }
    const probed = this.probed?.store === store ? [...this.probed.byRule.values()] : [];
    return probed.length === 0 ? feed.findings() : captureEngine().withProbeFindings(feed.findings(), probed);
  }

  /** Shows a probe's finding (confirmed, or refuted and lowered) in place of the passive findings of its rule. */
  recordProbeFinding(finding: Finding): void {
    const store = this.capture.sessionStore;
    if (!store) return;
    if (this.probed?.store !== store) this.probed = { store, byRule: new Map() };
    this.probed.byRule.set(finding.ruleId, finding);
    this.changed.fire();
  }

  /**
   * The expiry model of the current session, as of now. The incremental model has taken in every
   * change of the store (it subscribes when the store is made, before the panel's relay), so this
   * builds again only the credentials changes concerned since the last call; states move with the
   * time, and the countdowns in the panel and status bar tick without asking for a model.
   */
  expiryModel(snapshot = this.capture.snapshot()): ExpiryModel | undefined {
    const store = this.capture.sessionStore;
    if (!snapshot || !store) return undefined;
    const model = this.expiry?.store === store ? this.expiry.model : this.attachExpiry(store);
    model.setExpiringSoonSeconds(readSettings().expiringSoonSeconds);
    return model.model();
  }

  private attachExpiry(store: SessionStore): IncrementalExpiryModel {
    this.expiry?.subscription.dispose();
    const model = new (captureEngine().IncrementalExpiryModel)({ expiringSoonSeconds: readSettings().expiringSoonSeconds });
    // Whatever the store already holds (attached after its first changes), then every change as it comes.
    model.load(store.snapshot());
    const subscription = store.onDidChange((e) => model.apply(e));
    this.expiry = { store, model, subscription: new vscode.Disposable(() => subscription.dispose()) };
    return model;
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
    const isSession = this.isSessionCookie(settings.sessionCookieNames);
    const findings = this.findings(snapshot);
    const lists = snapshot
      ? this.rows.update(this.capture.sessionStore, snapshot, { findings, masked: this.masked, isSession, ...(model ? { model } : {}), decode: captureEngine().decodeSignedCookie, verifications: this.verifications })
      : undefined;
    const rest = {
      capture: { ...status, exchanges: snapshot?.exchanges.length ?? 0 },
      cookies: lists?.cookies ?? [],
      // Tokens the user decoded (Decode JWT…) after the session's own.
      tokens: [...lists?.tokens ?? [], ...decodedTokenRows(this.decoded, this.masked, this.verifications)],
      findings: lists?.findings ?? [],
      masked: this.masked,
      actions: this.actions.filter((a) => a.when?.() ?? true).map(({ action, label }) => ({ action, label })),
      now: Date.now(),
      expiringSoonMs: settings.expiringSoonSeconds * 1000,
      ...(this.rules ? { rules: this.rules.source.rows() } : {}),
    };
    // The timeline's rows are built as they are read: the panel's deltas read only those they send.
    return lists ? withExchangeRows(rest, lists.exchanges) : { ...rest, exchanges: [] };
  }

  /** One classifier per setting value: the panel keeps the rows it built with the same one. */
  private isSessionCookie(names: readonly string[]): (c: { name: string; value: string }) => boolean {
    const key = JSON.stringify(names);
    if (this.sessionCookieTest?.key !== key) {
      const { classifyCookie } = captureEngine();
      this.sessionCookieTest = { key, test: (c) => classifyCookie(c.name, c.value, { sessionCookieNames: names }).isSession };
    }
    return this.sessionCookieTest.test;
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
    return this.decoded.find((d) => decodedTokenKey(d.id) === key)?.value ?? valueOfKey(this.capture.snapshot(), key);
  }

  /** Lists a JWT the user decoded in the panel's token view; returns its row key. */
  addDecodedToken(value: string): string {
    const known = this.decoded.find((d) => d.value === value);
    if (known) return decodedTokenKey(known.id);
    const id = this.nextDecodedId++;
    this.decoded = [...this.decoded, { id, value }].slice(-DECODED_TOKENS_KEPT);
    this.changed.fire();
    return decodedTokenKey(id);
  }

  /** Remembers the outcome of Verify JWT Signature… for the token's row. */
  recordVerification(token: string, signature: string, message: string): void {
    this.verifications.set(token, { signature, message, at: Date.now() });
    this.changed.fire();
  }

  verifyToken(key: string): Thenable<unknown> {
    const value = this.valueOf(key);
    // The value goes to our own command as an argument; the webview only ever names a row key.
    return value !== undefined ? vscode.commands.executeCommand('sessionLens.verifyToken', value) : Promise.resolve(undefined);
  }

  dispose(): void {
    this.rows.dispose();
    this.expiry?.subscription.dispose();
    if (this.weakSecretTimer !== undefined) clearTimeout(this.weakSecretTimer);
    this.audit?.feed.dispose();
    this.audit?.subscription.dispose();
    this.subscription.dispose();
    this.rules?.subscription.dispose();
    this.changed.dispose();
  }
}
