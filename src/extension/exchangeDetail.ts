import type { BodyPreview, Exchange, HeaderField, SessionSnapshot } from '../core/session/types';
import type { Finding } from '../core/findings';
import { decodeJwt, hasClaims } from '../core/jwt/index';
import type { BodyView, CookieDiffRow, ExchangeDetail, HeaderView } from '../shared/protocol';
import { maskSetCookie, maskValue } from './masking';
import { findingRows } from './sessionViewState';

/** Headers whose whole value is a credential, besides the configured token headers. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization'];

/** Form and JSON fields whose values are credentials even when the traffic never reused them. */
const CREDENTIAL_FIELD = /pass(word)?|passwd|pwd|secret|token|otp|api[-_]?key|credential/i;

/** Secret values shorter than this are not searched for in bodies (too likely to match ordinary text). */
const MIN_SECRET_LENGTH = 6;

interface Masker {
  readonly masked: boolean;
  /** Known secret values of this exchange (cookies, tokens), longest first. */
  readonly secrets: readonly string[];
}

function mask(m: Masker, value: string): string {
  return m.masked ? maskValue(value) : value;
}

function maskKnownSecrets(m: Masker, text: string): string {
  if (!m.masked) return text;
  let out = text;
  for (const s of m.secrets) if (out.includes(s)) out = out.split(s).join(maskValue(s));
  return out;
}

/** `a=1; b=2` → `a=<masked>; b=<masked>`: names stay readable, values are secrets. */
function maskCookieHeader(m: Masker, value: string): string {
  if (!m.masked) return value;
  return value.split(';').map((pair) => {
    const eq = pair.indexOf('=');
    return eq < 0 ? pair : `${pair.slice(0, eq)}=${maskValue(pair.slice(eq + 1).trim())}`;
  }).join(';');
}

function maskSetCookieIf(m: Masker, value: string): string {
  return m.masked ? maskSetCookie(value) : value;
}

/** `Bearer eyJ…` → `Bearer <masked>`. */
function maskCredential(m: Masker, value: string): string {
  if (!m.masked) return value;
  const scheme = /^([A-Za-z][A-Za-z0-9_-]*) +(.+)$/.exec(value);
  return scheme ? `${scheme[1]} ${maskValue(scheme[2]!)}` : maskValue(value);
}

function headerViews(headers: readonly HeaderField[] | undefined, m: Masker, tokenHeaders: ReadonlySet<string>): HeaderView[] {
  return (headers ?? []).map(({ name, value }) => {
    const lower = name.toLowerCase();
    if (lower === 'cookie') return { name, value: maskCookieHeader(m, value), secret: true };
    if (lower === 'set-cookie') return { name, value: maskSetCookieIf(m, value), secret: true };
    if (CREDENTIAL_HEADERS.includes(lower)) return { name, value: maskCredential(m, value), secret: true };
    if (tokenHeaders.has(lower)) return { name, value: mask(m, value), secret: true };
    return { name, value: maskKnownSecrets(m, value) };
  });
}

function maskJson(m: Masker, value: unknown, key?: string): unknown {
  if (typeof value === 'string') return key !== undefined && CREDENTIAL_FIELD.test(key) ? mask(m, value) : maskKnownSecrets(m, value);
  if (Array.isArray(value)) return value.map((v) => maskJson(m, v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskJson(m, v, k);
    return out;
  }
  return value;
}

function isJsonType(mimeType: string | undefined): boolean {
  return mimeType !== undefined && (mimeType === 'application/json' || mimeType.endsWith('+json'));
}

/** A recorded body preview for display: JSON pretty-printed, form fields listed, credentials masked. */
export function bodyView(body: BodyPreview | undefined, m: Masker): BodyView | undefined {
  if (!body || (body.wireBytes === 0 && !body.text)) return undefined;
  const base = { ...(body.mimeType ? { mimeType: body.mimeType } : {}), wireBytes: body.wireBytes, truncated: body.truncated };
  if (body.text === undefined) {
    return { ...base, note: body.decodeError ? `not decoded: ${body.decodeError}` : 'binary or not recorded' };
  }
  if (body.mimeType === 'application/x-www-form-urlencoded') {
    const form = [...new URLSearchParams(body.text)].map(([name, value]) => ({ name, value: CREDENTIAL_FIELD.test(name) ? mask(m, value) : maskKnownSecrets(m, value) }));
    return { ...base, form };
  }
  if (isJsonType(body.mimeType) || /^\s*[[{]/.test(body.text)) {
    try {
      return { ...base, text: JSON.stringify(maskJson(m, JSON.parse(body.text)), null, 2) };
    } catch {
      // Truncated or not JSON after all: show the text as recorded.
    }
  }
  return { ...base, text: maskKnownSecrets(m, body.text) };
}

/**
 * What this exchange did to the cookie jar, in order: each history event caused by it
 * (created, value changed, attributes changed, deleted, or expired as noticed here).
 */
export function sessionDiff(snapshot: Pick<SessionSnapshot, 'cookieHistory'>, exchangeId: number, masked: boolean): CookieDiffRow[] {
  const m: Masker = { masked, secrets: [] };
  return snapshot.cookieHistory.filter((e) => e.exchangeId === exchangeId).map((e) => ({
    key: `cookie:${e.cookieKey}`,
    name: e.name,
    domain: e.domain,
    path: e.path,
    kind: e.kind,
    ...(e.oldValue !== undefined ? { before: mask(m, e.oldValue) } : {}),
    ...(e.newValue !== undefined ? { after: mask(m, e.newValue) } : {}),
    ...(e.changedAttributes?.length ? { attributes: e.changedAttributes } : {}),
  }));
}

function secretsOf(ex: Exchange, snapshot: SessionSnapshot): string[] {
  const set = new Set<string>();
  for (const c of ex.cookiesSent) set.add(c.value);
  for (const c of ex.cookiesSet) set.add(c.value);
  const ids = new Set(ex.tokenIds);
  for (const t of snapshot.tokens) if (ids.has(t.id)) set.add(t.value);
  return [...set].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/**
 * The detail of one exchange for the panel, or undefined when it is no longer in the capture.
 * Credential values are masked unless `masked` is false (the panel's Reveal toggle).
 */
export function exchangeDetail(snapshot: SessionSnapshot, id: number, findings: readonly Finding[], masked: boolean, tokenHeaders: readonly string[]): ExchangeDetail | undefined {
  const ex = snapshot.exchanges.find((e) => e.id === id);
  if (!ex) return undefined;
  const m: Masker = { masked, secrets: masked ? secretsOf(ex, snapshot) : [] };
  const tokenHeaderSet = new Set(tokenHeaders.map((h) => h.toLowerCase()));
  const tokenIds = new Set(ex.tokenIds);
  const tokens = snapshot.tokens.filter((t) => tokenIds.has(t.id)).map((t) => {
    const decoded = t.isJwt ? decodeJwt(t.value) : undefined;
    const claims = decoded && hasClaims(decoded) ? JSON.stringify(decoded.payload, null, 2) : undefined;
    return { key: `token:${t.id}`, kind: t.kind, name: t.name, source: t.source, value: mask(m, t.value), issued: t.exchangeId === id, ...(claims ? { claims } : {}) };
  });
  const end = ex.endedAt ?? ex.responseReceivedAt;
  const requestBody = bodyView(ex.requestBody, m);
  const responseBody = bodyView(ex.responseBody, m);
  return {
    id,
    method: ex.method,
    url: maskKnownSecrets(m, ex.url),
    httpVersion: ex.httpVersion,
    ...(ex.status !== undefined ? { status: ex.status } : {}),
    ...(ex.statusText ? { statusText: ex.statusText } : {}),
    state: ex.state,
    ...(ex.error ? { error: ex.error } : {}),
    startedAt: ex.startedAt,
    ...(end !== undefined ? { durationMs: Math.max(0, end - ex.startedAt) } : {}),
    requestHeaders: headerViews(ex.requestHeaders, m, tokenHeaderSet),
    responseHeaders: headerViews(ex.responseHeaders, m, tokenHeaderSet),
    ...(requestBody ? { requestBody } : {}),
    ...(responseBody ? { responseBody } : {}),
    rejectedCookies: ex.cookiesSet.filter((c) => c.outcome === 'rejected').map((c) => ({ name: c.name, reason: c.rejectReason ?? 'rejected' })),
    cookieDiff: sessionDiff(snapshot, id, masked),
    tokens,
    findings: findingRows(findings).filter((f) => f.exchangeId === id),
    masked,
  };
}
