import type { CookieRecord, Exchange, TokenRecord } from '../capture/types';
import type { Finding } from '../findings';
import { type JwtAnalysisContext, type TokenLocation, analyzeJwt } from '../jwt/analyze';
import { isJwtShaped } from '../jwt/detect';
import type { AuditItem } from './auditItem';
import type { AuditSettings } from './auditSettings';
import { issuedCookies } from './trafficFacts';

/** The JWT analyzer the audit calls per token; `analyzeJwt` of src/core/jwt by default. */
export type JwtAnalyzer = (token: string, context: JwtAnalysisContext) => Finding[];

/** One place a JWT was seen, newest first after {@link jwtSightings}. */
interface JwtSighting {
  readonly token: string;
  readonly location: TokenLocation;
  readonly exchangeId: number;
  readonly header: string;
  readonly time: number;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function locationOf(t: TokenRecord): TokenLocation['kind'] {
  switch (t.source) {
    case 'request-header':
    case 'response-header':
      return 'header';
    case 'request-body':
    case 'response-body':
      return 'body';
    case 'url-query':
    case 'url-fragment':
      return 'url';
    case 'request-cookie':
    case 'set-cookie':
      return 'cookie';
    default:
      return 'other';
  }
}

/**
 * Every JWT of the capture with where it was seen: Set-Cookie values (HttpOnly known), cookies only
 * seen in requests (HttpOnly from the jar when known), headers, bodies and URLs (the store's tokens).
 */
function jwtSightings(exchanges: readonly Exchange[], tokens: readonly TokenRecord[], cookies: readonly CookieRecord[]): JwtSighting[] {
  const out: JwtSighting[] = [];
  const seen = new Set<string>();
  const add = (s: JwtSighting): void => {
    const key = `${s.location.kind}\u0000${s.location.name ?? ''}\u0000${s.token}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(s);
  };
  for (const ex of exchanges) {
    for (const c of issuedCookies(ex)) {
      const value = safeDecode(c.parsed.value);
      if (c.deletion || !value.startsWith('eyJ') || !isJwtShaped(value)) continue;
      add({ token: value, location: { kind: 'cookie', name: c.parsed.name, httpOnly: c.parsed.httpOnly }, exchangeId: ex.id, header: `Set-Cookie: ${c.record.raw}`, time: ex.responseReceivedAt ?? ex.startedAt });
    }
  }
  for (const t of tokens) {
    if (!t.isJwt || t.source === 'set-cookie') continue;
    const kind = locationOf(t);
    const jar = kind === 'cookie' ? cookies.find((c) => c.name === t.name && c.value === t.value && c.origin === 'set-by-response') : undefined;
    add({
      token: t.value,
      location: { kind, name: t.name || undefined, ...(jar ? { httpOnly: jar.httpOnly } : {}) },
      exchangeId: t.lastExchangeId ?? t.exchangeId,
      header: kind === 'cookie' ? `Cookie: ${t.name}=…` : kind === 'header' ? `${t.name}: …` : `${t.source} ${t.name}`,
      time: t.lastSeen ?? t.firstSeen,
    });
  }
  // Newest first: when a location got a fresh token, the de-duplication keeps the fresh token's state.
  return out.sort((a, b) => b.time - a.time);
}

/**
 * JWT findings over the capture, one analysis per (token, location), each with evidence.
 * Deleted or superseded tokens are state: only the newest token per location speaks for it.
 */
export function jwtItems(
  exchanges: readonly Exchange[],
  tokens: readonly TokenRecord[],
  cookies: readonly CookieRecord[],
  settings: AuditSettings,
  now: number,
  analyzer: JwtAnalyzer = analyzeJwt,
  checkWeakSecret = true,
): AuditItem[] {
  const out: AuditItem[] = [];
  const reported = new Set<string>();
  for (const s of jwtSightings(exchanges, tokens, cookies)) {
    const place = `${s.location.kind}:${s.location.name || s.token.slice(-16)}`;
    // A location that already spoke with a newer token stays quiet about older ones.
    if (reported.has(place)) continue;
    reported.add(place);
    let findings: Finding[];
    try {
      findings = analyzer(s.token, { now, maxTokenLifetimeSec: settings.maxTokenLifetimeSec, location: s.location, checkWeakSecret });
    } catch {
      findings = [];
    }
    for (const f of findings) {
      out.push({ finding: { ...f, evidence: { exchangeId: s.exchangeId, header: s.header, ...f.evidence } }, cause: place });
    }
  }
  return out;
}
