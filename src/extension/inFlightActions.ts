import * as vscode from 'vscode';
import type { CaptureProxy, Exchange, InFlightRule, InFlightRuleSpec, OwnRequestResult, SessionKeepAlive } from '../core/capture/index';
import type { RuleRow } from '../shared/protocol';
import type { CaptureService } from './captureService';
import { captureEngine } from './engines/index';

/** `m:ss` or `h:mm:ss` of a duration. */
export function clockText(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** Exchanges looked at (newest first) to find the last one each rule changed. */
const LAST_SCAN = 2000;

/**
 * What the user does to the running capture's traffic: its in-flight rules, the keep-alive and
 * the OAuth refresh. Rules and keep-alive belong to one capture: they end when it stops.
 */
export class InFlightActions implements vscode.Disposable {
  private keepAlive: SessionKeepAlive | undefined;
  private watched: CaptureProxy | undefined;
  private rulesSubscription: { dispose(): void } | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when rules are added, fire or are removed, and when keep-alive starts or stops. */
  readonly onDidChange = this.changed.event;
  private readonly captureSubscription: vscode.Disposable;

  constructor(private readonly capture: CaptureService, private readonly log: vscode.LogOutputChannel) {
    this.captureSubscription = capture.onDidChange(() => this.follow());
  }

  /** The running capture, or undefined. */
  get proxy(): CaptureProxy | undefined {
    return this.capture.runningProxy;
  }

  /** The keep-alive while it runs. */
  get keepAliveRunning(): SessionKeepAlive | undefined {
    return this.keepAlive;
  }

  /** Tracks the capture: a new proxy's rules are watched; a stopped capture ends the keep-alive. */
  private follow(): void {
    const proxy = this.proxy;
    if (proxy === this.watched) return;
    this.rulesSubscription?.dispose();
    this.rulesSubscription = undefined;
    this.watched = proxy;
    if (this.keepAlive) this.stopKeepAlive('the capture stopped');
    if (proxy) this.rulesSubscription = proxy.rules.onDidChange(() => this.changed.fire());
    this.changed.fire();
  }

  private requireProxy(): CaptureProxy {
    const proxy = this.proxy;
    if (!proxy) throw new Error('no capture is running: start a capture first (Session Lens: Start Capture)');
    return proxy;
  }

  /** Adds a rule to the running capture; throws the engine's one-line error for a bad one. */
  addRule(spec: InFlightRuleSpec): InFlightRule {
    this.follow();
    const rule = this.requireProxy().rules.add(spec);
    this.log.info(`in-flight rule on: ${rule.label}`);
    return rule;
  }

  /** Turns a rule (or the keep-alive, id 'keep-alive') off. */
  turnOff(id: string): void {
    if (id === 'keep-alive') {
      this.stopKeepAlive('turned off');
      return;
    }
    const label = this.proxy?.rules.list().find((r) => r.id === id)?.label;
    if (this.proxy?.rules.remove(id)) this.log.info(`in-flight rule off: ${label ?? id}`);
  }

  /** Turns every rule off (the keep-alive too). */
  clearAll(): void {
    this.proxy?.rules.clear();
    this.stopKeepAlive('turned off');
  }

  /** Starts repeating `request` (default: the engine's choice) every `intervalMs` (default: half the idle timeout). */
  startKeepAlive(options: { request?: Exchange; intervalMs?: number } = {}): SessionKeepAlive {
    const proxy = this.requireProxy();
    this.follow();
    this.keepAlive?.dispose();
    const keepAlive = new (captureEngine().SessionKeepAlive)(proxy, {
      ...options,
      onResult: (r) => {
        if (r instanceof Error) this.log.warn(`keep-alive: ${r.message}`);
        else this.log.info(`keep-alive: GET ${keepAlive.request.path} → ${r.status}`);
        this.changed.fire();
      },
    });
    keepAlive.start();
    this.keepAlive = keepAlive;
    this.log.info(`keep-alive on: GET ${keepAlive.request.path} every ${clockText(keepAlive.intervalMs)} (${keepAlive.intervalReason})`);
    void vscode.commands.executeCommand('setContext', 'sessionLens.keepAlive', true);
    this.changed.fire();
    return keepAlive;
  }

  stopKeepAlive(why: string): void {
    if (!this.keepAlive) return;
    this.keepAlive.dispose();
    this.log.info(`keep-alive off (${why}) after ${this.keepAlive.sent} requests`);
    this.keepAlive = undefined;
    void vscode.commands.executeCommand('setContext', 'sessionLens.keepAlive', false);
    this.changed.fire();
  }

  /** Repeats the refresh grant of the captured token endpoint through the proxy. */
  refreshOAuthToken(): Promise<OwnRequestResult> {
    return captureEngine().refreshOAuthToken(this.requireProxy());
  }

  /** The Rules strip: active rules with the last exchange each changed, and the keep-alive. */
  rows(): RuleRow[] {
    const proxy = this.proxy;
    const rules = proxy?.rules.list() ?? [];
    const rows: RuleRow[] = [];
    if (rules.length > 0 && proxy) {
      const last = new Map<string, Exchange>();
      const exchanges = proxy.store.snapshot().exchanges;
      for (let i = exchanges.length - 1; i >= Math.max(0, exchanges.length - LAST_SCAN) && last.size < rules.length; i--) {
        for (const m of exchanges[i].modifications ?? []) if (m.ruleId !== undefined && !last.has(m.ruleId)) last.set(m.ruleId, exchanges[i]);
      }
      for (const r of rules) {
        const ex = last.get(r.id);
        const shortened = ex?.modifications?.find((m) => m.ruleId === r.id && m.kind === 'shorten-lifetime' && m.shortenedToSeconds !== undefined);
        const at = ex?.responseReceivedAt ?? ex?.startedAt ?? 0;
        rows.push({
          id: r.id, kind: r.kind, label: r.label, hits: r.hits,
          ...(ex ? { last: { exchangeId: ex.id, request: `${ex.method} ${ex.path}`, ...(ex.status !== undefined ? { status: ex.status } : {}) } } : {}),
          ...(shortened ? {
            shortened: {
              expiresAt: at + (shortened.shortenedToSeconds as number) * 1000,
              ...(shortened.serverLifetimeSeconds !== undefined ? { serverExpiresAt: at + shortened.serverLifetimeSeconds * 1000 } : {}),
            },
          } : {}),
        });
      }
    }
    const k = this.keepAlive;
    if (k) rows.push({ id: 'keep-alive', kind: 'keep-alive', label: `Keep-alive: GET ${k.request.path} every ${clockText(k.intervalMs)}`, hits: k.sent });
    return rows;
  }

  dispose(): void {
    this.keepAlive?.dispose();
    this.keepAlive = undefined;
    this.rulesSubscription?.dispose();
    this.captureSubscription.dispose();
    this.changed.dispose();
  }
}
