import { readSnapshotSource, type SnapshotSource } from '../session/snapshotSource';
import type { Exchange, SessionSnapshot, TokenRecord } from '../session/types';
import type { Finding } from '../findings';
import type { Severity } from '../rules/catalog';
import { type AuditItem, dedupeFindings } from './auditItem';
import { type AuditSettingsInput, resolveAuditSettings } from './auditSettings';
import { loginReason } from './authSteps';
import { setCookieAuditItems } from './cookieRules';
import { csrfTokenItems } from './csrfTokenAudit';
import { cacheableItems, corsItems, tokenInUrlItems } from './exchangeRules';
import { type JwtAnalyzer, jwtItems } from './jwtTrafficFindings';
import { type SessionRuleContext, entropyItems, fixationItems, logoutItems, meaningfulIdItems, stateChangeOnGetItems } from './sessionRules';
import { issuedCookies, receivedAtOf, sessionCookies } from './trafficFacts';

/** What {@link auditSession} reads: a store (anything with `snapshot()`), a snapshot, or bare exchanges. */
export type AuditSource = SnapshotSource;

/** Knobs of one audit run. */
export interface AuditOptions {
  /** Current time, epoch ms (default Date.now()); JWT time checks use it. */
  readonly now?: number;
  /** Replaces the JWT analyzer; `false` leaves JWT findings out. */
  readonly analyzeJwt?: JwtAnalyzer | false;
  /** Let the JWT analyzer try the weak-secret dictionary (default true; the extension runs it in a worker). */
  readonly checkWeakSecret?: boolean;
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Appends in a loop: `push(...items)` passes every item as an argument and overflows the stack past ~100,000. */
function appendAll(target: AuditItem[], items: readonly AuditItem[]): void {
  for (const item of items) target.push(item);
}

function guarded(work: () => AuditItem[]): AuditItem[] {
  try {
    return work();
  } catch {
    // One broken exchange must not hide every other finding; the fuzz tests keep this path empty.
    return [];
  }
}

/**
 * Audits a whole capture (live store, snapshot, or an imported HAR's exchanges) against the
 * traffic rules of the catalog: every Set-Cookie, the login/logout timeline, URLs, CORS,
 * caching and the JWTs seen. No finding repeats for the same subject and cause; deletions
 * and superseded tokens are state, not findings. Sorted by severity, then by exchange.
 * Never throws.
 */
export function auditSession(source: AuditSource, settings?: AuditSettingsInput, options: AuditOptions = {}): Finding[] {
  let snap: Pick<SessionSnapshot, 'exchanges' | 'tokens' | 'cookies'>;
  try {
    snap = readSnapshotSource(source);
  } catch {
    return [];
  }
  const resolved = resolveAuditSettings(settings);
  const now = typeof options.now === 'number' && Number.isFinite(options.now) ? options.now : Date.now();
  const exchanges = [...snap.exchanges].filter((ex) => ex && typeof ex === 'object').sort((a, b) => a.startedAt - b.startedAt || a.id - b.id);
  const tokensById = new Map<number, TokenRecord>(snap.tokens.map((t) => [t.id, t]));
  const loginMemo = new Map<number, boolean>();
  const isLogin = (ex: Exchange): boolean => {
    let v = loginMemo.get(ex.id);
    if (v === undefined) {
      v = loginReason(ex, resolved, tokensById) !== undefined;
      loginMemo.set(ex.id, v);
    }
    return v;
  };
  let names: ReturnType<typeof sessionCookies>;
  try {
    names = sessionCookies(exchanges, resolved, isLogin);
  } catch {
    names = new Map();
  }
  const ctx: SessionRuleContext = { exchanges, sessionCookies: names, settings: resolved, tokensById };

  const items: AuditItem[] = [];
  for (const ex of exchanges) {
    appendAll(items, guarded(() => issuedCookies(ex).flatMap((c) => setCookieAuditItems(c.parsed, {
      // The server wrote its cookies for its own origin: judge Secure and Domain against the
      // upstream (e.g. https://staging.example), not against the local proxy the browser saw.
      requestUrl: ex.upstreamUrl ?? ex.url,
      receivedAt: receivedAtOf(ex),
      ...(ex.serverDate !== undefined ? { serverDate: ex.serverDate } : {}),
      exchangeId: ex.id,
      isSession: names.get(c.parsed.name)?.isSession ?? false,
      settings: resolved,
    }))));
  }
  appendAll(items, guarded(() => fixationItems(ctx)));
  appendAll(items, guarded(() => logoutItems(ctx)));
  appendAll(items, guarded(() => stateChangeOnGetItems(ctx)));
  appendAll(items, guarded(() => entropyItems(ctx)));
  appendAll(items, guarded(() => meaningfulIdItems(ctx)));
  appendAll(items, guarded(() => tokenInUrlItems(ctx, snap.tokens)));
  appendAll(items, guarded(() => cacheableItems(ctx)));
  appendAll(items, guarded(() => corsItems(ctx)));
  if (options.analyzeJwt !== false) {
    appendAll(items, guarded(() => jwtItems(exchanges, snap.tokens, snap.cookies, resolved, now, options.analyzeJwt || undefined, options.checkWeakSecret ?? true)));
  }
  appendAll(items, guarded(() => csrfTokenItems(exchanges, resolved, isLogin)));

  return dedupeFindings(items)
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITY_ORDER[a.f.severity] - SEVERITY_ORDER[b.f.severity]
      || (a.f.evidence?.exchangeId ?? 0) - (b.f.evidence?.exchangeId ?? 0) || a.i - b.i)
    .map(({ f }) => f);
}
