import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CookieRecord, Exchange, SessionSnapshot } from '../../core/session/types';
import type { ParsedSetCookie } from '../../core/cookies/setCookie';
import { captureEngine } from '../engines/index';
import type { Finding } from '../../core/findings';
import type { RuleId, Severity } from '../../core/rules/catalog';
import { ruleDocsUri } from '../ruleDocs';
import type { CaptureService } from '../captureService';
import { toRange, toSeverity } from '../lint/lintConversions';
import { maskValueShort } from '../masking';
import type { SessionController } from '../sessionController';
import type { CookieSetterIndex, WorkspaceCookieSetter } from './cookieSetterIndex';

export const TRAFFIC_SOURCE = 'Session Lens (traffic)';
const DEBOUNCE_MS = 1000;

/** One finding from captured traffic, placed at a line of code that sets the cookie. */
export interface RuntimeFinding {
  readonly cookie: string;
  readonly ruleId: RuleId;
  readonly severity: Severity;
  readonly message: string;
  readonly uri: vscode.Uri;
  readonly range: vscode.Range;
}

/** "Set-Cookie sid=abcd…; Path=/; HttpOnly": the header with its value masked. */
function maskedHeader(p: ParsedSetCookie): string {
  const attrs = p.attributes.map((a) => (a.value === undefined ? a.name : `${a.name}=${a.value}`));
  return ['Set-Cookie ' + `${p.name}=${maskValueShort(p.value)}`, ...attrs].join('; ');
}

function evidence(ex: Exchange | undefined, p: ParsedSetCookie): string {
  const when = ex?.responseReceivedAt ?? ex?.startedAt;
  const time = when ? new Date(when).toTimeString().slice(0, 8) : 'in the capture';
  const request = ex ? ` on ${ex.method} ${ex.path.split('?')[0]}` : '';
  return `seen ${time}${request}: ${maskedHeader(p)}`;
}

const normSameSite = (v: string | undefined) => v?.toLowerCase();

/** Differences between what the code sets and what the server sent. */
function mismatches(setter: WorkspaceCookieSetter, observed: ParsedSetCookie): string[] {
  const a = setter.attributes;
  const out: string[] = [];
  if (a.secure === true && !observed.secure) out.push('the code sets secure: true but the response had no Secure');
  if (a.secure === false && observed.secure) out.push('the code leaves Secure off but the response had Secure');
  if (a.httpOnly === true && !observed.httpOnly) out.push('the code sets httpOnly: true but the response had no HttpOnly');
  if (a.httpOnly === false && observed.httpOnly) out.push('the code leaves HttpOnly off but the response had HttpOnly');
  if (a.sameSite !== undefined && normSameSite(a.sameSite) !== normSameSite(observed.sameSite ?? observed.sameSiteRaw)) {
    out.push(`the code sets SameSite=${a.sameSite} but the response had ${observed.sameSiteRaw !== undefined ? `SameSite=${observed.sameSiteRaw}` : 'no SameSite'}`);
  }
  if (a.maxAgeSeconds !== undefined && observed.maxAge !== undefined && Math.abs(a.maxAgeSeconds - observed.maxAge) > 1) {
    out.push(`the code sets a lifetime of ${a.maxAgeSeconds} s but the response had Max-Age=${observed.maxAge}`);
  }
  if (a.domain !== undefined && a.domain.replace(/^\./, '').toLowerCase() !== observed.domain) {
    out.push(`the code sets Domain=${a.domain} but the response had ${observed.domainRaw !== undefined ? `Domain=${observed.domainRaw}` : 'no Domain'}`);
  }
  if (a.path !== undefined && observed.path !== undefined && a.path !== observed.path) out.push(`the code sets Path=${a.path} but the response had Path=${observed.path}`);
  return out;
}

function describeAttributes(s: WorkspaceCookieSetter): string {
  const a = s.attributes;
  const parts: string[] = [];
  if (a.secure !== undefined) parts.push(`secure: ${a.secure}`);
  if (a.httpOnly !== undefined) parts.push(`httpOnly: ${a.httpOnly}`);
  if (a.sameSite !== undefined) parts.push(`sameSite: ${a.sameSite}`);
  if (a.maxAgeSeconds !== undefined) parts.push(`maxAge: ${a.maxAgeSeconds} s`);
  return parts.join(', ') || 'default attributes';
}

/**
 * Ties captured traffic to code: for every cookie the capture saw being set, finds the lines of
 * the workspace that set it (by name, or by the framework default name of session middleware)
 * and shows there the traffic findings with their evidence, what differs between code and
 * traffic, and cookies set differently in two places.
 */
export class RuntimeTrace implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('session-lens-traffic');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private findings: RuntimeFinding[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly updated = new vscode.EventEmitter<void>();
  /** Fires after the traffic diagnostics were recomputed. */
  readonly onDidUpdate = this.updated.event;

  constructor(private readonly capture: CaptureService, private readonly session: SessionController, private readonly setters: CookieSetterIndex, private readonly log: vscode.LogOutputChannel) {
    // The session's change event, not the capture's: it also fires when findings that were
    // held back (the audit is paced while traffic flows) or weak-secret answers arrive, so the
    // diagnostics never stay on the findings of an earlier version of the session.
    this.disposables.push(this.collection, this.updated, session.onDidChange(() => this.schedule()));
  }

  /** Runtime findings now shown in code (for Go to Code). */
  get current(): readonly RuntimeFinding[] {
    return this.findings;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), DEBOUNCE_MS);
  }

  /** Recomputes now; resolves when the diagnostics are published. */
  refresh(): Promise<void> {
    clearTimeout(this.timer);
    const run = (this.running ?? Promise.resolve()).then(() => this.compute()).catch((err: unknown) => {
      // Tracing is best effort: a failure must not disturb the capture or the lint.
      this.log.warn(`trace to code failed: ${err instanceof Error ? err.message : String(err)}`);
    });
    this.running = run;
    return run;
  }

  private async compute(): Promise<void> {
    const snapshot = this.capture.snapshot();
    if (!snapshot || snapshot.cookies.length === 0 && snapshot.cookieHistory.length === 0) {
      this.findings = [];
      this.collection.clear();
      this.updated.fire();
      return;
    }
    const setters = await this.setters.all();
    const observed = latestSetCookies(snapshot);
    const traffic = this.session.findings(snapshot);
    const out: RuntimeFinding[] = [];
    const byName = new Map<string, WorkspaceCookieSetter[]>();
    for (const s of setters) if (s.name) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);

    for (const [name, seen] of observed) {
      const places = byName.get(name);
      if (!places?.length) continue;
      const ev = evidence(snapshot.exchanges.find((e) => e.id === seen.exchangeId), seen.parsed);
      const cookieFindings = traffic.filter((f) => f.subject === name && isCookieRule(f));
      for (const place of places) {
        const at = { uri: place.uri, range: toRange(place.range), cookie: name };
        for (const f of cookieFindings) out.push({ ...at, ruleId: f.ruleId, severity: f.severity, message: `Traffic (${ev}): ${f.message}` });
        const diffs = mismatches(place, seen.parsed);
        if (diffs.length > 0) {
          out.push({ ...at, ruleId: 'cookie-runtime-mismatch', severity: 'warning', message: `Cookie '${name}' as sent differs from this code: ${diffs.join('; ')} (${ev}). Something after this line (other middleware, a proxy, an environment switch) changes it; make the code and the running server agree.` });
        }
      }
      if (places.length > 1) {
        const shapes = new Set(places.map(describeAttributes));
        if (shapes.size > 1) {
          for (const place of places) {
            const others = places.filter((p) => p !== place).map((p) => `${path.basename(p.uri.fsPath)}:${p.range.start.line + 1} (${describeAttributes(p)})`);
            out.push({ uri: place.uri, range: toRange(place.range), cookie: name, ruleId: 'cookie-runtime-mismatch', severity: 'warning', message: `Cookie '${name}' is set here with ${describeAttributes(place)} and elsewhere with other attributes: ${others.join(', ')}. The last one to run wins in the browser; set the cookie the same way everywhere.` });
          }
        }
      }
    }
    this.findings = out;
    this.publish(out);
    this.updated.fire();
  }

  private publish(findings: readonly RuntimeFinding[]): void {
    const byFile = new Map<string, { uri: vscode.Uri; diags: vscode.Diagnostic[] }>();
    for (const f of findings) {
      const d = new vscode.Diagnostic(f.range, f.message, toSeverity(f.severity));
      d.source = TRAFFIC_SOURCE;
      d.code = { value: f.ruleId, target: ruleDocsUri(f.ruleId) };
      const entry = byFile.get(f.uri.toString()) ?? { uri: f.uri, diags: [] };
      entry.diags.push(d);
      byFile.set(f.uri.toString(), entry);
    }
    this.collection.clear();
    for (const { uri, diags } of byFile.values()) this.collection.set(uri, diags);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function isCookieRule(f: Finding): boolean {
  return f.ruleId.startsWith('cookie-') || f.ruleId === 'jwt-readable-storage' || f.ruleId === 'session-fixation' || f.ruleId === 'session-not-invalidated-on-logout' || f.ruleId === 'session-id-low-entropy';
}

/** The last Set-Cookie seen for each cookie name that was stored (not deleted). */
function latestSetCookies(snapshot: SessionSnapshot): Map<string, { parsed: ParsedSetCookie; exchangeId: number }> {
  const out = new Map<string, { parsed: ParsedSetCookie; exchangeId: number }>();
  // Only called with a snapshot, so the capture engine (and its cookie parser) is already loaded.
  const { parseSetCookie } = captureEngine();
  const consider = (c: Pick<CookieRecord, 'name' | 'setCookie' | 'exchangeId'>) => {
    if (!c.setCookie) return;
    const parsed = parseSetCookie(c.setCookie);
    if (parsed) out.set(c.name, { parsed, exchangeId: c.exchangeId });
  };
  for (const ex of snapshot.exchanges) {
    for (const sc of ex.cookiesSet) if (sc.outcome === 'stored') consider({ name: sc.name, setCookie: sc.raw, exchangeId: ex.id });
  }
  for (const c of snapshot.cookies) consider(c);
  return out;
}
