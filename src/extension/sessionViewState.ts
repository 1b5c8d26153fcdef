import type { CookieHistoryEvent, CookieRecord, Exchange, SessionSnapshot, TokenRecord } from '../core/session/types';
import { type CookieSeen, cookiesSeen, refusedCookiesOf } from '../core/session/cookiesSeen';
import { cookieBrowserNotes } from '../core/cookies/cookieBrowserNotes';
import type { CredentialExpiry, ExpiryModel } from '../core/expiry/index';
import { credentialIndex } from '../core/expiry/credentialIndex';
import type { SignedCookieDecoding } from '../core/signedCookies/types';
import type { Finding } from '../core/findings';
import { decodeJwt, hasClaims } from '../core/jwt/index';
import { maskSetCookie, maskValue } from './masking';
import type { CookieChangeRow, CookieRow, ExchangeRow, ExpiryView, FindingEvidenceRow, FindingRow, StatusClass, TokenRow } from '../shared/protocol';
import { firstRowAtOrAbove } from '../shared/rowSearch';

/** Changes per cookie sent to the panel. */
const HISTORY_ROWS = 20;

/** A cookie's expiry from the jar alone (when the expiry model has no entry for it). */
export function cookieExpiry(c: CookieRecord): ExpiryView {
  return c.expiresAt !== undefined ? { kind: 'absolute', expiresAt: c.expiresAt } : { kind: 'session' };
}

/** The panel's view of one credential of the expiry model (skew-corrected, idle vs absolute). */
export function expiryView(e: CredentialExpiry): ExpiryView {
  return {
    kind: e.kind,
    ...(e.expiresAt !== undefined ? { expiresAt: e.expiresAt } : {}),
    ...(e.notBefore !== undefined ? { notBefore: e.notBefore } : {}),
    ...(e.idleTimeoutMs !== undefined ? { idleTimeoutMs: e.idleTimeoutMs } : {}),
    ...(e.absoluteExpiresAt !== undefined && e.absoluteExpiresAt !== e.expiresAt ? { absoluteExpiresAt: e.absoluteExpiresAt } : {}),
    ...(e.skewMs ? { skewMs: e.skewMs } : {}),
    ...(e.notes.length > 0 ? { note: e.notes.join(' ') } : {}),
  };
}

/** The model's credentials by id: kept by the incremental model, else built once per model object. */
export function modelIndex(model: ExpiryModel | undefined): ReadonlyMap<string, CredentialExpiry> {
  return credentialIndex(model);
}

function tokenExpiry(t: TokenRecord, decoded: ReturnType<typeof decodeJwt> | undefined): ExpiryView {
  const notBefore = decoded?.kind === 'jws' ? decoded.notBefore : undefined;
  if (t.expiresAt !== undefined) {
    return { kind: 'absolute', expiresAt: t.expiresAt, ...(notBefore !== undefined ? { notBefore } : {}), note: t.expiresAtSource === 'expires_in' ? 'from expires_in of the token response' : 'from the JWT exp claim' };
  }
  return { kind: 'none', ...(notBefore !== undefined ? { notBefore } : {}) };
}

/** Reads a signed session cookie without its key, for display next to the raw value. */
export type SignedCookieDecoder = (name: string, value: string, cookies: Readonly<Record<string, string>>) => SignedCookieDecoding | undefined;

function decodedView(d: SignedCookieDecoding | undefined, masked: boolean): CookieRow['decoded'] {
  if (!d) return undefined;
  // An express-session cookie's only content is the session id: that is the secret, mask it with the value.
  const secretContent = d.format === 'express-session' || d.format === 'cookie-session-signature';
  let content: string | undefined;
  if (d.readable && d.content !== undefined) {
    content = typeof d.content === 'string' ? d.content : JSON.stringify(d.content, null, 2);
    if (secretContent && masked) content = maskValue(content);
  }
  return {
    framework: d.framework,
    readable: d.readable,
    ...(content !== undefined ? { content } : {}),
    ...(d.timestamp !== undefined ? { signedAt: d.timestamp } : {}),
    note: d.note,
  };
}

/** The exchange with this id in exchanges sorted by id (the ring buffer's order), by binary search. */
export function exchangeById(exchanges: readonly Exchange[], id: number): Exchange | undefined {
  const at = firstRowAtOrAbove(exchanges, id);
  return exchanges[at]?.id === id ? exchanges[at] : undefined;
}

/** Each cookie's history events in the capture (oldest first), by cookie key. */
export type CookieHistoryByKey = ReadonlyMap<string, readonly CookieHistoryEvent[]>;

/** The history by cookie key, in one pass over it (the panel keeps it across updates: `CookieHistoryIndex`). */
function historyByKey(history: readonly CookieHistoryEvent[]): Map<string, CookieHistoryEvent[]> {
  const byKey = new Map<string, CookieHistoryEvent[]>();
  for (const e of history) {
    const list = byKey.get(e.cookieKey);
    if (list) list.push(e);
    else byKey.set(e.cookieKey, [e]);
  }
  return byKey;
}

/** A cookie's latest changes, newest first, with the request behind each (still in the capture). */
function historyRows(events: readonly CookieHistoryEvent[] | undefined, exchanges: readonly Exchange[]): CookieChangeRow[] {
  if (!events) return [];
  const rows: CookieChangeRow[] = [];
  for (let i = events.length - 1; i >= 0 && rows.length < HISTORY_ROWS; i--) {
    const e = events[i]!;
    const ex = e.exchangeId !== undefined ? exchangeById(exchanges, e.exchangeId) : undefined;
    const request = ex ? `${ex.method} ${ex.path.split('?')[0]}` : undefined;
    rows.push({
      kind: e.kind,
      time: e.time,
      ...(e.changedAttributes?.length ? { attributes: e.changedAttributes } : {}),
      ...(e.reason ? { reason: e.reason } : {}),
      ...(e.exchangeId !== undefined ? { exchangeId: e.exchangeId } : {}),
      ...(request ? { request } : {}),
    });
  }
  return rows;
}

/** How many findings name each cookie (a finding's subject is the cookie's name). */
function findingsBySubject(findings: readonly Finding[] | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of findings ?? []) counts.set(f.subject, (counts.get(f.subject) ?? 0) + 1);
  return counts;
}

/** The live cookies' rows; `history` is the history by cookie key when the caller keeps it (else one pass builds it). */
export function cookieRows(snapshot: SessionSnapshot, masked: boolean, isSession: (c: CookieRecord) => boolean, model?: ExpiryModel, decode?: SignedCookieDecoder, findings?: readonly Finding[], history?: CookieHistoryByKey): CookieRow[] {
  const expiries = modelIndex(model);
  const jar: Record<string, string> = {};
  for (const c of snapshot.cookies) jar[c.name] = c.value;
  const byKey = history ?? historyByKey(snapshot.cookieHistory);
  const findingCounts = findingsBySubject(findings);
  return snapshot.cookies.map((c) => {
    const events = byKey.get(c.key);
    const notes = cookieBrowserNotes(c, c.origin === 'set-by-response' ? exchangeById(snapshot.exchanges, c.exchangeId)?.url : undefined);
    return {
      key: `cookie:${c.key}`,
      name: c.name,
      value: masked ? maskValue(c.value) : c.value,
      domain: c.domain,
      path: c.path,
      secure: c.secure,
      httpOnly: c.httpOnly,
      ...(c.sameSiteRaw !== undefined || c.sameSite ? { sameSite: c.sameSite ?? `${c.sameSiteRaw} (invalid)` } : {}),
      partitioned: c.partitioned,
      size: c.size,
      isSession: isSession(c),
      origin: c.origin,
      expiry: expiries.has(`cookie:${c.key}`) ? expiryView(expiries.get(`cookie:${c.key}`)!) : cookieExpiry(c),
      changes: events?.length ?? 0,
      history: historyRows(events, snapshot.exchanges),
      lastExchangeId: c.exchangeId,
      ...(decode ? { decoded: decodedView(decode(c.name, c.value, jar), masked) } : {}),
      hostOnly: c.hostOnly,
      ...(c.priority ? { priority: c.priority } : {}),
      ...(c.expiresRaw !== undefined ? { expiresRaw: c.expiresRaw } : {}),
      ...(c.maxAge !== undefined ? { maxAge: c.maxAge } : {}),
      ...(c.expiresAt !== undefined ? { expiresAt: c.expiresAt } : {}),
      ...(findings ? { findings: findingCounts.get(c.name) ?? 0 } : {}),
      ...(notes.length > 0 ? { browserNotes: notes } : {}),
      ...(c.capturedBy ? { capturedBy: c.capturedBy } : {}),
    };
  });
}

/**
 * The cookies that are gone (deleted, expired, evicted) or were refused, for the panel's
 * "show gone" toggle: each with its last value (masked like the live ones), its history, the
 * Set-Cookie that last set (or offered) it and what it held, so a session deleted at logout
 * can still be read.
 */
export function goneCookieRows(snapshot: SessionSnapshot, masked: boolean, isSession: (c: { name: string; value: string }) => boolean, decode?: SignedCookieDecoder, history?: CookieHistoryByKey): CookieRow[] {
  const byKey = history ?? historyByKey(snapshot.cookieHistory);
  const rows: CookieRow[] = [];
  for (const seen of cookiesSeen(snapshot)) {
    if (seen.state === 'live' || seen.state === 'rejected') continue;
    rows.push(goneCookieRow(seen, byKey.get(`${seen.domain};${seen.path};${seen.name}`), snapshot.exchanges, masked, isSession, decode));
  }
  for (const ex of snapshot.exchanges) if (ex.cookiesSet.length > 0) rows.push(...refusedCookieRows(ex, masked, isSession, decode));
  return rows;
}

/** The row of one cookie that is gone (deleted, expired, evicted); `events` is its history, oldest first. */
export function goneCookieRow(seen: CookieSeen, events: readonly CookieHistoryEvent[] | undefined, exchanges: readonly Exchange[], masked: boolean, isSession: (c: { name: string; value: string }) => boolean, decode?: SignedCookieDecoder): CookieRow {
  let raw: string | undefined;
  for (let i = (events?.length ?? 0) - 1; i >= 0 && raw === undefined; i--) raw = events![i]!.setCookie;
  return cookieSeenRow(seen, `cookie:${seen.domain};${seen.path};${seen.name}`, raw, events, exchanges, masked, isSession, decode);
}

/** The rows of the Set-Cookie headers one exchange's response offered and the jar refused. */
export function refusedCookieRows(ex: Exchange, masked: boolean, isSession: (c: { name: string; value: string }) => boolean, decode?: SignedCookieDecoder): CookieRow[] {
  const rejectedSeen = new Map<string, number>();
  return refusedCookiesOf(ex).map((seen) => {
    const base = `rejected:${seen.exchangeId ?? ''}:${seen.name}`;
    const n = rejectedSeen.get(base) ?? 0;
    rejectedSeen.set(base, n + 1);
    const raw = ex.cookiesSet.filter((sc) => sc.outcome === 'rejected' && sc.name === seen.name)[n]?.raw;
    return cookieSeenRow(seen, n === 0 ? base : `${base}#${n}`, raw, undefined, [], masked, isSession, decode);
  });
}

function cookieSeenRow(seen: CookieSeen, key: string, raw: string | undefined, events: readonly CookieHistoryEvent[] | undefined, exchanges: readonly Exchange[], masked: boolean, isSession: (c: { name: string; value: string }) => boolean, decode?: SignedCookieDecoder): CookieRow {
  const decoded = decode && seen.value !== '' ? decodedView(decode(seen.name, seen.value, { [seen.name]: seen.value }), masked) : undefined;
  return {
    key,
    name: seen.name,
    value: masked ? maskValue(seen.value) : seen.value,
    domain: seen.domain,
    path: seen.path,
    secure: false,
    httpOnly: false,
    partitioned: false,
    size: Buffer.byteLength(seen.name + seen.value),
    isSession: isSession(seen),
    origin: 'set-by-response',
    expiry: { kind: 'none' },
    changes: events?.length ?? 0,
    history: historyRows(events, exchanges),
    ...(decoded ? { decoded } : {}),
    state: seen.state,
    ...(seen.endedAt !== undefined ? { endedAt: seen.endedAt } : {}),
    ...(seen.reason ? { goneReason: seen.reason } : {}),
    ...(seen.exchangeId !== undefined ? { goneExchangeId: seen.exchangeId } : {}),
    ...(raw !== undefined ? { lastSetCookie: masked ? maskSetCookie(raw) : raw } : {}),
  };
}

/** The last signature check of a token, by token value (kept in memory for this window only). */
export type TokenVerifications = ReadonlyMap<string, NonNullable<TokenRow['verification']>>;

function jwtParts(decoded: ReturnType<typeof decodeJwt> | undefined): Pick<TokenRow, 'claims' | 'header'> {
  if (!decoded || decoded.kind === 'malformed') return {};
  return {
    header: JSON.stringify(decoded.header, null, 2),
    ...(hasClaims(decoded) ? { claims: JSON.stringify(decoded.payload, null, 2) } : {}),
  };
}

/** Decoded JWTs by value, kept by the caller across updates so each token is decoded once. */
export type JwtDecodings = Map<string, ReturnType<typeof decodeJwt>>;

export function tokenRows(snapshot: SessionSnapshot, masked: boolean, model?: ExpiryModel, verifications?: TokenVerifications, decodings?: JwtDecodings): TokenRow[] {
  const expiries = modelIndex(model);
  return tokenGroups(snapshot.tokens).map(({ first, sources, capturedBy }) => tokenRow(first, sources, masked, expiries.get(`token:${first.id}`), verifications?.get(first.value), decodings, capturedBy));
}

/**
 * The same credential is often seen several ways (set in a cookie, then sent back; answered in a
 * token response, then kept in localStorage): one group per value, every source. The group's
 * capture source is web storage when any sighting came from there (where the token lives, whatever
 * order the browser reported the sightings in), else the first sighting's.
 */
export function tokenGroups(tokens: readonly TokenRecord[]): { first: TokenRecord; sources: string; capturedBy?: TokenRecord['capturedBy'] }[] {
  const byValue = new Map<string, { first: TokenRecord; sources: string[]; storedIn?: TokenRecord['capturedBy'] }>();
  for (const t of tokens) {
    const stored = t.capturedBy === 'localStorage' || t.capturedBy === 'sessionStorage' ? t.capturedBy : undefined;
    const seen = byValue.get(t.value);
    if (!seen) byValue.set(t.value, { first: t, sources: [t.source], ...(stored ? { storedIn: stored } : {}) });
    else {
      if (!seen.sources.includes(t.source)) seen.sources.push(t.source);
      seen.storedIn ??= stored;
    }
  }
  return [...byValue.values()].map(({ first, sources, storedIn }) => {
    const capturedBy = storedIn ?? first.capturedBy;
    return { first, sources: sources.join(', '), ...(capturedBy ? { capturedBy } : {}) };
  });
}

/** One token row: the credential first seen as `t`, with every source it was seen in. */
export function tokenRow(t: TokenRecord, sources: string, masked: boolean, expiry: CredentialExpiry | undefined, verification: NonNullable<TokenRow['verification']> | undefined, decodings?: JwtDecodings, capturedBy: TokenRecord['capturedBy'] = t.capturedBy): TokenRow {
  let decoded = t.isJwt ? decodings?.get(t.value) : undefined;
  if (t.isJwt && !decoded) {
    decoded = decodeJwt(t.value);
    decodings?.set(t.value, decoded);
  }
  return {
    key: `token:${t.id}`,
    kind: t.kind,
    source: sources,
    name: t.name,
    value: masked ? maskValue(t.value) : t.value,
    ...jwtParts(decoded),
    expiry: expiry ? expiryView(expiry) : tokenExpiry(t, decoded),
    exchangeId: t.exchangeId,
    ...(verification ? { verification } : {}),
    ...(capturedBy ? { capturedBy } : {}),
  };
}

/** A JWT the user decoded (Decode JWT…); `id` keeps its row key stable while older ones are dropped. */
export interface DecodedToken {
  readonly id: number;
  readonly value: string;
}

/** Row key of a JWT the user decoded. */
export const decodedTokenKey = (id: number): string => `token:decoded-${id}`;

/** Tokens the user decoded (Decode JWT…), newest last: shown in the panel's token view next to the captured ones. */
export function decodedTokenRows(tokens: readonly DecodedToken[], masked: boolean, verifications?: TokenVerifications): TokenRow[] {
  return tokens.map(({ id, value }) => {
    const decoded = decodeJwt(value);
    const jws = decoded.kind === 'jws' ? decoded : undefined;
    const sub = jws && hasClaims(jws) && typeof jws.payload.sub === 'string' ? jws.payload.sub : undefined;
    const verification = verifications?.get(value);
    return {
      key: decodedTokenKey(id),
      kind: 'jwt',
      source: 'Decode JWT…',
      name: sub !== undefined ? `JWT of ${sub.slice(0, 80)}` : 'JWT',
      value: masked ? maskValue(value) : value,
      ...jwtParts(decoded),
      expiry: jws?.expiresAt !== undefined
        ? { kind: 'absolute', expiresAt: jws.expiresAt, ...(jws.notBefore !== undefined ? { notBefore: jws.notBefore } : {}), note: 'from the JWT exp claim' }
        : { kind: 'none', ...(jws?.notBefore !== undefined ? { notBefore: jws.notBefore } : {}) },
      origin: 'decoded',
      ...(verification ? { verification } : {}),
    };
  });
}

/** Identity of a finding across audits: the same rule, subject, exchange and message is the same finding. */
export function findingKeys(findings: readonly Finding[]): string[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const base = `${f.ruleId}|${f.evidence?.exchangeId ?? ''}|${f.subject}|${f.message}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}#${n}`;
  });
}

export function findingRows(findings: readonly Finding[]): FindingRow[] {
  const keys = findingKeys(findings);
  return findings.map((f, i) => ({
    key: keys[i]!,
    ruleId: f.ruleId,
    severity: f.severity,
    subject: f.subject,
    message: f.message,
    docs: f.docs,
    ...(f.evidence?.exchangeId !== undefined ? { exchangeId: f.evidence.exchangeId } : {}),
    ...(f.confirmation ? { confirmation: f.confirmation.state, confirmationLabel: confirmationLabel(f.confirmation), confirmationReason: f.confirmation.reason } : {}),
    ...(f.relatedEvidence ? { evidence: f.relatedEvidence.map(evidenceRow) } : {}),
  }));
}

/** What the server showed, as the badge says it: refuted findings say what the server does right. */
const REFUTED_LABELS: Readonly<Record<string, string>> = {
  logout: 'server rejects the old id',
  expiry: 'server rejects the expired credential',
  unissued: 'server replaces unknown ids',
  fixation: 'server replaces the planted id',
};

function confirmationLabel(c: NonNullable<Finding['confirmation']>): string {
  return c.state === 'confirmed' ? 'confirmed on the server' : REFUTED_LABELS[c.probe] ?? 'refuted on the server';
}

function evidenceRow(e: NonNullable<Finding['relatedEvidence']>[number]): FindingEvidenceRow {
  const q = e.request.url.indexOf('?');
  // A query string may carry a token (session-token-in-url): the panel shows the path only.
  const url = q === -1 ? e.request.url : `${e.request.url.slice(0, q)}?…`;
  return {
    label: e.label, request: `${e.request.method} ${url}`,
    ...(e.request.status !== undefined ? { status: e.request.status } : {}),
    ...(e.exchangeId !== undefined ? { exchangeId: e.exchangeId } : {}),
  };
}

/** The raw value behind a row key (`cookie:<jar key>` or `token:<id>`), for Copy. */
export function valueOfKey(snapshot: SessionSnapshot | undefined, key: string): string | undefined {
  if (!snapshot) return undefined;
  if (key.startsWith('cookie:')) {
    const jarKey = key.slice(7);
    // A gone cookie's last value (its row offers Copy too).
    return snapshot.cookies.find((c) => c.key === jarKey)?.value ?? cookiesSeen(snapshot).find((c) => c.state !== 'live' && `${c.domain};${c.path};${c.name}` === jarKey)?.value;
  }
  if (key.startsWith('rejected:')) {
    const m = /^rejected:(\d+):(.*?)(?:#(\d+))?$/.exec(key);
    const ex = m ? snapshot.exchanges.find((e) => e.id === Number(m[1])) : undefined;
    return ex?.cookiesSet.filter((sc) => sc.outcome === 'rejected' && sc.name === m![2])[Number(m![3] ?? 0)]?.value;
  }
  if (key.startsWith('token:')) return snapshot.tokens.find((t) => String(t.id) === key.slice(6))?.value;
  return undefined;
}

/** The parts of an exchange's row that only depend on the exchange (objects are never mutated: cached by identity). */
interface ExchangeBase {
  readonly host: string;
  readonly headerNames: readonly string[];
  readonly cookieNames: readonly string[];
}
const exchangeBases = new WeakMap<Exchange, ExchangeBase>();

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

function exchangeBase(ex: Exchange): ExchangeBase {
  let base = exchangeBases.get(ex);
  if (!base) {
    const headerNames = new Set<string>();
    for (const h of ex.requestHeaders) headerNames.add(h.name.toLowerCase());
    for (const h of ex.responseHeaders ?? []) headerNames.add(h.name.toLowerCase());
    const cookieNames = new Set<string>();
    for (const c of ex.cookiesSent) cookieNames.add(c.name);
    for (const c of ex.cookiesSet) cookieNames.add(c.name);
    base = { host: hostOf(ex.url), headerNames: [...headerNames], cookieNames: [...cookieNames] };
    exchangeBases.set(ex, base);
  }
  return base;
}

/** The host of an exchange's URL ('' when it has none). */
export function exchangeHost(ex: Exchange): string {
  return exchangeBase(ex).host;
}

/** The timeline filter's class of an exchange. */
export function statusClassOf(ex: Pick<Exchange, 'status' | 'state'>): StatusClass {
  if (ex.state === 'client-aborted' || ex.state === 'upstream-error' || ex.state === 'timeout') return 'failed';
  const s = ex.status;
  if (s === undefined || s < 200) return 'other';
  if (s < 300) return '2xx';
  if (s < 400) return '3xx';
  if (s < 500) return '4xx';
  if (s < 600) return '5xx';
  return 'other';
}

/** What one exchange did to the cookie jar (from the cookie history). */
export interface ExchangeSessionEffect {
  created: number;
  changed: number;
  deleted: number;
}

/** What the timeline rows need from the whole session: per exchange, its jar changes, tokens issued and findings. */
export function exchangeSessionEffects(snapshot: SessionSnapshot, findings: readonly Finding[]): {
  effects: Map<number, ExchangeSessionEffect>;
  issuedIn: (ex: Exchange) => number;
  findingCounts: Map<number, number>;
  mainHost: string;
} {
  const effects = new Map<number, ExchangeSessionEffect>();
  for (const e of snapshot.cookieHistory) {
    if (e.exchangeId === undefined) continue;
    let c = effects.get(e.exchangeId);
    if (!c) effects.set(e.exchangeId, (c = { created: 0, changed: 0, deleted: 0 }));
    if (e.kind === 'created') c.created++;
    else if (e.kind === 'deleted' || e.kind === 'expired') c.deleted++;
    else c.changed++;
  }
  const firstSeenIn = new Map(snapshot.tokens.map((t) => [t.id, t.exchangeId]));
  const issuedIn = (ex: Exchange): number => {
    let issued = 0;
    for (const t of ex.tokenIds) if (firstSeenIn.get(t) === ex.id) issued++;
    return issued;
  };
  const findingCounts = new Map<number, number>();
  for (const f of findings) {
    const id = f.evidence?.exchangeId;
    if (id !== undefined) findingCounts.set(id, (findingCounts.get(id) ?? 0) + 1);
  }
  // Proxied exchanges all go to the target; an imported HAR may mix hosts: name the ones that are not the first.
  const first = snapshot.exchanges[0];
  return { effects, issuedIn, findingCounts, mainHost: first ? exchangeBase(first).host : '' };
}

/** One timeline row: what the exchange was and what it did to the session. */
export function exchangeRow(ex: Exchange, c: ExchangeSessionEffect | undefined, issued: number, findings: number, mainHost: string): ExchangeRow {
  const base = exchangeBase(ex);
  const end = ex.endedAt ?? ex.responseReceivedAt;
  return {
    id: ex.id,
    time: ex.startedAt,
    method: ex.method,
    path: ex.path,
    ...(ex.source === 'har' && base.host !== mainHost && base.host ? { host: base.host } : {}),
    ...(ex.status !== undefined ? { status: ex.status } : {}),
    statusClass: statusClassOf(ex),
    state: ex.state,
    ...(end !== undefined ? { durationMs: Math.max(0, end - ex.startedAt) } : {}),
    ...(ex.responseBody ? { size: ex.responseBody.wireBytes } : {}),
    cookiesSent: ex.cookiesSent.length,
    cookiesCreated: c?.created ?? 0,
    cookiesChanged: c?.changed ?? 0,
    cookiesDeleted: c?.deleted ?? 0,
    tokensIssued: issued,
    tokensSent: ex.tokenIds.length - issued,
    findings,
    sessionChanged: c !== undefined || issued > 0,
    headerNames: base.headerNames,
    cookieNames: base.cookieNames,
    capturedBy: ex.source,
  };
}

/**
 * The timeline: one row per exchange, oldest first, with what each did to the session
 * (from the cookie history and the tokens' first sightings) and how many findings point at it.
 * Built from scratch; the panel keeps rows across updates with ExchangeRowCache.
 */
export function exchangeRows(snapshot: SessionSnapshot, findings: readonly Finding[]): ExchangeRow[] {
  const { effects, issuedIn, findingCounts, mainHost } = exchangeSessionEffects(snapshot, findings);
  return snapshot.exchanges.map((ex) => exchangeRow(ex, effects.get(ex.id), issuedIn(ex), findingCounts.get(ex.id) ?? 0, mainHost));
}
