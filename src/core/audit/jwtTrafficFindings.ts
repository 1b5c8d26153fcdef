import type { CookieRecord, Exchange, TokenRecord } from '../session/types';
import type { Finding } from '../findings';
import { type JwtAnalysisContext, type TokenLocation, analyzeJwt } from '../jwt/analyze';
import { isJwtShaped } from '../jwt/detect';
import type { AuditItem } from './auditItem';
import type { AuditSettings } from './auditSettings';
import { issuedCookies } from './trafficFacts';

/** The JWT analyzer the audit calls per token; `analyzeJwt` of src/core/jwt by default. */
export type JwtAnalyzer = (token: string, context: JwtAnalysisContext) => Finding[];

/** One place a JWT was seen, newest first after {@link jwtSightings}. */
export interface JwtSighting {
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
    case 'localStorage':
    case 'sessionStorage':
      return 'storage';
    default:
      return 'other';
  }
}

/** The JWTs a response set as cookies (deletions left out), in header order. */
export function setCookieJwtSightings(ex: Exchange): JwtSighting[] {
  const out: JwtSighting[] = [];
  for (const c of issuedCookies(ex)) {
    const value = safeDecode(c.parsed.value);
    if (c.deletion || !value.startsWith('eyJ') || !isJwtShaped(value)) continue;
    out.push({ token: value, location: { kind: 'cookie', name: c.parsed.name, httpOnly: c.parsed.httpOnly }, exchangeId: ex.id, header: `Set-Cookie: ${c.record.raw}`, time: ex.responseReceivedAt ?? ex.startedAt });
  }
  return out;
}

/** True for a token record whose JWT {@link tokenJwtSighting} reports (Set-Cookie JWTs come from the exchanges). */
export function isJwtTokenRecord(t: TokenRecord): boolean {
  return t.isJwt && t.source !== 'set-cookie';
}

/** Where a JWT token record was last seen; `jarHttpOnly` tells whether the jar holds it as a cookie set with HttpOnly. */
export function tokenJwtSighting(t: TokenRecord, jarHttpOnly: (name: string, value: string) => boolean | undefined): JwtSighting {
  const kind = locationOf(t);
  const httpOnly = kind === 'cookie' ? jarHttpOnly(t.name, t.value) : undefined;
  const storageArea = t.source === 'localStorage' || t.source === 'sessionStorage' ? t.source : undefined;
  return {
    token: t.value,
    location: { kind, name: t.name || undefined, ...(httpOnly !== undefined ? { httpOnly } : {}), ...(storageArea ? { storageArea } : {}) },
    exchangeId: t.lastExchangeId ?? t.exchangeId,
    // A storage token's evidence is its key: `localStorage['access_token']`.
    header: kind === 'cookie' ? `Cookie: ${t.name}=…` : kind === 'header' ? `${t.name}: …` : storageArea ? `${storageArea}[${JSON.stringify(t.name)}]` : `${t.source} ${t.name}`,
    time: t.lastSeen ?? t.firstSeen,
  };
}

/** The HttpOnly flag of the first jar cookie set by a response with this name and value, by name and value. */
export function jarHttpOnlyLookup(cookies: readonly CookieRecord[]): (name: string, value: string) => boolean | undefined {
  return (name, value) => cookies.find((c) => c.name === name && c.value === value && c.origin === 'set-by-response')?.httpOnly;
}

/** Two sightings with the same key are one: the first one listed speaks. */
export function sightingKey(s: JwtSighting): string {
  return `${s.location.kind}\u0000${s.location.name ?? ''}\u0000${s.token}`;
}

/** The location a sighting speaks for: only the newest token per location is reported. */
export function sightingPlace(s: JwtSighting): string {
  return `${s.location.kind}:${s.location.name || s.token.slice(-16)}`;
}

/**
 * Every JWT of the capture with where it was seen: Set-Cookie values (HttpOnly known), cookies only
 * seen in requests (HttpOnly from the jar when known), headers, bodies and URLs (the store's tokens).
 */
function jwtSightings(exchanges: readonly Exchange[], tokens: readonly TokenRecord[], cookies: readonly CookieRecord[]): JwtSighting[] {
  const out: JwtSighting[] = [];
  const seen = new Set<string>();
  const add = (s: JwtSighting): void => {
    const key = sightingKey(s);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(s);
  };
  for (const ex of exchanges) for (const s of setCookieJwtSightings(ex)) add(s);
  const jar = jarHttpOnlyLookup(cookies);
  for (const t of tokens) if (isJwtTokenRecord(t)) add(tokenJwtSighting(t, jar));
  // Newest first: when a location got a fresh token, the de-duplication keeps the fresh token's state.
  return out.sort((a, b) => b.time - a.time);
}

/** The JWT findings of the sighting that speaks for its place, each with the sighting as evidence. */
export function sightingItems(s: JwtSighting, analyze: (token: string, location: TokenLocation) => Finding[]): AuditItem[] {
  const place = sightingPlace(s);
  let findings: Finding[];
  try {
    findings = analyze(s.token, s.location);
  } catch {
    findings = [];
  }
  return findings.map((f) => ({ finding: { ...f, evidence: { exchangeId: s.exchangeId, header: s.header, ...f.evidence } }, cause: place }));
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
  const analyze = (token: string, location: TokenLocation): Finding[] =>
    analyzer(token, { now, maxTokenLifetimeSec: settings.maxTokenLifetimeSec, location, checkWeakSecret });
  for (const s of jwtSightings(exchanges, tokens, cookies)) {
    const place = sightingPlace(s);
    // A location that already spoke with a newer token stays quiet about older ones.
    if (reported.has(place)) continue;
    reported.add(place);
    out.push(...sightingItems(s, analyze));
  }
  return out;
}
