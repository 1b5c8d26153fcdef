import type { Exchange, TokenRecord } from '../session/types';
import { makeFinding } from '../findings';
import { isJwtShaped } from '../jwt/detect';
import type { Severity } from '../rules/catalog';
import type { AuditItem } from './auditItem';
import { requestHost } from './requestOrigin';
import type { SessionRuleContext } from './sessionRules';
import { type IssuedCookie, type SessionCookieInfo, firstHeaderValue, headerValues, isIdLike, issuedCookies, pathOnly } from './trafficFacts';

/** Statuses a cache may store without explicit freshness (RFC 9110 §15.1). */
const HEURISTICALLY_CACHEABLE = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]);

/** True when Cache-Control keeps shared caches from storing the response (or its Set-Cookie). */
function cacheProtected(ex: Exchange): boolean {
  const cc = headerValues(ex.responseHeaders, 'cache-control').join(',').toLowerCase();
  return /(^|[\s,])(no-store|private)($|[\s,=])/.test(cc) || /no-cache\s*=\s*"?[^"]*set-cookie/.test(cc);
}

function explicitlyCacheable(ex: Exchange): boolean {
  const cc = headerValues(ex.responseHeaders, 'cache-control').join(',').toLowerCase();
  return /(^|[\s,])public($|[\s,])/.test(cc) || /s-maxage\s*=\s*[1-9]/.test(cc) || /(^|[\s,])max-age\s*=\s*[1-9]/.test(cc);
}

/** True when a response may be stored by a shared cache with its Set-Cookie headers. */
export function isCacheableResponse(ex: Exchange): boolean {
  if (ex.status === undefined || cacheProtected(ex)) return false;
  const method = (ex.method ?? '').toUpperCase();
  return explicitlyCacheable(ex) || ((method === 'GET' || method === 'HEAD') && HEURISTICALLY_CACHEABLE.has(ex.status));
}

/** `cookie-cacheable`: a response issuing a session cookie that a shared cache may store and replay. */
export function cacheableItems(ctx: SessionRuleContext): AuditItem[] {
  const out: AuditItem[] = [];
  for (const ex of ctx.exchanges) {
    if (!isCacheableResponse(ex)) continue;
    for (const c of issuedCookies(ex)) {
      if (c.deletion || ctx.sessionCookies.get(c.parsed.name)?.isSession !== true) continue;
      out.push(cacheableItem(ex, c));
    }
  }
  return out;
}

/** The `cookie-cacheable` finding of a cacheable response ({@link isCacheableResponse}) that sets session cookie `c`. */
export function cacheableItem(ex: Exchange, c: IssuedCookie): AuditItem {
  const cc = headerValues(ex.responseHeaders, 'cache-control').join(', ');
  return {
    finding: makeFinding('cookie-cacheable', c.parsed.name,
      `${ex.method} ${pathOnly(ex)} sets session cookie "${c.parsed.name}" in a response ${cc ? `with Cache-Control: ${cc}` : 'without Cache-Control'}; a shared cache (CDN, proxy) may store it and hand the same session to other users. Send Cache-Control: no-store (or private) on responses that set session cookies.`,
      { evidence: { exchangeId: ex.id, header: `Set-Cookie: ${c.record.raw}` } }),
    cause: '',
  };
}

/** What a response says about credentialed CORS, when it allows credentials and names an origin. */
export interface CredentialedCors {
  /** Host of the request (the upstream's for proxied exchanges). */
  readonly host: string;
  /** Access-Control-Allow-Origin, trimmed. */
  readonly allowOrigin: string;
  /** True for `*` and `null`. */
  readonly wildcard: boolean;
  /** The request's Origin when the response echoed it back. */
  readonly reflected?: string;
}

/** The credentialed CORS answer of an exchange, or undefined when there is none. */
export function credentialedCors(ex: Exchange): CredentialedCors | undefined {
  const acao = firstHeaderValue(ex.responseHeaders, 'access-control-allow-origin')?.trim();
  const acac = firstHeaderValue(ex.responseHeaders, 'access-control-allow-credentials')?.trim().toLowerCase();
  if (acao === undefined || acac !== 'true') return undefined;
  const host = requestHost(ex.upstreamUrl ?? ex.url) ?? '';
  if (acao === '*' || acao.toLowerCase() === 'null') return { host, allowOrigin: acao, wildcard: true };
  const origin = firstHeaderValue(ex.requestHeaders, 'origin')?.trim();
  return { host, allowOrigin: acao, wildcard: false, ...(origin !== undefined && origin === acao ? { reflected: origin } : {}) };
}

/** `cors-credentialed-wildcard`: credentialed CORS open to `*`, `null`, or any Origin reflected back. */
export function corsItems(ctx: SessionRuleContext): AuditItem[] {
  const out: AuditItem[] = [];
  const reflected = new Map<string, { origins: Set<string>; ex: Exchange }>();
  for (const ex of ctx.exchanges) {
    const cors = credentialedCors(ex);
    if (!cors) continue;
    if (cors.wildcard) {
      out.push(corsWildcardItem(ex, cors));
      continue;
    }
    if (cors.reflected === undefined) continue;
    const seen = reflected.get(cors.host) ?? { origins: new Set<string>(), ex };
    seen.origins.add(cors.reflected);
    reflected.set(cors.host, seen);
  }
  for (const [host, { origins, ex }] of reflected) {
    if (origins.size >= 2) out.push(corsReflectedItem(host, [...origins], ex));
  }
  return out;
}

/** The `cors-credentialed-wildcard` finding of a response allowing `*` or `null` with credentials. */
export function corsWildcardItem(ex: Exchange, cors: CredentialedCors): AuditItem {
  const acao = cors.allowOrigin;
  const what = acao === '*'
    ? 'Access-Control-Allow-Origin: * together with Access-Control-Allow-Credentials: true (browsers refuse the pair, and it shows the intent to let any site read authenticated responses)'
    : 'Access-Control-Allow-Origin: null with credentials; sandboxed iframes and data: URLs of any site send Origin: null and can read authenticated responses';
  return {
    finding: makeFinding('cors-credentialed-wildcard', cors.host,
      `${cors.host} answers ${what}. Allow-list the exact origins that need credentialed access.`, { evidence: { exchangeId: ex.id, header: `Access-Control-Allow-Origin: ${acao}` } }),
    cause: acao,
  };
}

/** The `cors-credentialed-wildcard` finding of a host that echoed two or more Origins (in first-seen order); `ex` echoed the first. */
export function corsReflectedItem(host: string, origins: readonly string[], ex: Exchange | number): AuditItem {
  return {
    finding: makeFinding('cors-credentialed-wildcard', host,
      `${host} echoed ${origins.length} different Origin values back in Access-Control-Allow-Origin with credentials allowed (${origins.slice(0, 3).join(', ')}); if it reflects any Origin, every website can read your users' authenticated responses. Compare the Origin to a fixed allow-list before echoing it.`,
      { evidence: { exchangeId: typeof ex === 'number' ? ex : ex.id, header: `Access-Control-Allow-Origin: ${origins[0]}` }, severity: 'warning' as Severity }),
    cause: 'reflected',
  };
}

/** Where in a URL a value sits. */
export type UrlPlace = 'query' | 'fragment' | 'path';

/** One value of a URL: a path segment or matrix parameter, a query or fragment parameter (decoded). */
export interface UrlPart {
  readonly where: UrlPlace;
  readonly name: string;
  readonly value: string;
}

/**
 * The values of a path-and-query (path segments, matrix, query and fragment parameters), decoded.
 * With `minValueLength`, values shorter than that are left out without being decoded (decoding
 * never makes a value longer): most URL values are too short to be a session value.
 */
export function urlParts(pathAndQuery: string, minValueLength = 0): UrlPart[] {
  const out: UrlPart[] = [];
  if (pathAndQuery.length < minValueLength) return out;
  // Ranges of the one string, not slices of it: most URLs hold no value that long, and this runs for every exchange.
  const hash = pathAndQuery.indexOf('#');
  const beforeHash = hash === -1 ? pathAndQuery.length : hash;
  let q = pathAndQuery.indexOf('?');
  if (q >= beforeHash) q = -1;
  const pathEnd = q === -1 ? beforeHash : q;
  // Most paths have no segment that long: find that out without splitting the path into strings.
  if (hasLongSegment(pathAndQuery, pathEnd, minValueLength)) {
    const segments = pathAndQuery.slice(0, pathEnd).split('/');
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i];
      if (seg.length < minValueLength) continue;
      const semi = seg.indexOf(';');
      const bare = semi === -1 ? seg : seg.slice(0, semi);
      if (bare !== '' && bare.length >= minValueLength) keep(out, 'path', `path segment ${i}`, safeDecode(bare), minValueLength);
      if (semi !== -1) {
        for (const p of seg.slice(semi + 1).split(';')) {
          const eq = p.indexOf('=');
          if (eq > 0 && p.length - eq - 1 >= minValueLength) keep(out, 'path', p.slice(0, eq), safeDecode(p.slice(eq + 1)), minValueLength);
        }
      }
    }
  }
  if (q !== -1 && hasLongParamValue(pathAndQuery, q + 1, beforeHash, minValueLength)) scanParams(out, pathAndQuery.slice(q + 1, beforeHash), 'query', minValueLength);
  if (hash !== -1 && hasLongParamValue(pathAndQuery, hash + 1, pathAndQuery.length, minValueLength)) scanParams(out, pathAndQuery.slice(hash + 1), 'fragment', minValueLength);
  return out;
}

/** Appends the parameters of a query or fragment whose decoded value has at least `minValueLength` characters. */
function scanParams(out: UrlPart[], params: string, where: 'query' | 'fragment', minValueLength: number): void {
  try {
    for (const [name, value] of new URLSearchParams(params)) if (value.length >= minValueLength) out.push({ where, name, value });
  } catch {
    // An undecodable query: nothing to compare.
  }
}

/** True when some `/`-separated segment of `text` before `end` has at least `min` characters (a shorter one holds no value that long). */
function hasLongSegment(text: string, end: number, min: number): boolean {
  let start = 0;
  for (;;) {
    let slash = text.indexOf('/', start);
    if (slash >= end) slash = -1;
    const segmentEnd = slash === -1 ? end : slash;
    if (segmentEnd - start >= min) return true;
    if (slash === -1) return false;
    start = slash + 1;
  }
}

function keep(out: UrlPart[], where: UrlPlace, name: string, value: string, minValueLength: number): void {
  if (value.length >= minValueLength) out.push({ where, name, value });
}

/**
 * True when some `&`-separated parameter of `text` between `from` and `to` has a raw value (after its
 * first `=`) of at least `min` characters (always, without a minimum: every parameter is wanted).
 */
function hasLongParamValue(text: string, from: number, to: number, min: number): boolean {
  if (min <= 0) return true;
  let start = from;
  let eq = -1;
  while (start <= to) {
    let end = text.indexOf('&', start);
    if (end === -1 || end > to) end = to;
    // The next '=' from here on (found once, not again for each parameter before it).
    if (eq < start) {
      eq = text.indexOf('=', start);
      if (eq === -1) return false;
    }
    if (eq < end && end - eq - 1 >= min) return true;
    start = end + 1;
  }
  return false;
}

function safeDecode(s: string): string {
  // Without a percent sign there is nothing to decode (and nothing to fail on).
  if (s.indexOf('%') === -1) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Parameters that carry single-use values meant for the URL (RFC 6749 §4.1.2, CAS), not sessions. */
const ONE_TIME_URL_PARAMS = new Set(['code', 'state', 'session_state', 'nonce', 'ticket', 'oauth_verifier', 'code_challenge']);

const WHERE_TEXT = { query: 'query string', fragment: 'fragment', path: 'path' } as const;

function urlTokenMessage(what: string, where: UrlPlace, ex: UrlExchange, redirect = false): string {
  return `${what} travels in the URL ${WHERE_TEXT[where]} of ${redirect ? 'the redirect answering ' : ''}${ex.method} ${pathOnly(ex)}; URLs end up in server and proxy logs, browser history and Referer headers. ${where === 'fragment'
    ? 'Use the authorization code flow with PKCE instead of returning tokens in the fragment.'
    : 'Send it in an HttpOnly cookie or an Authorization header, never in the URL.'}`;
}

/** True for a token the store flagged as travelling in a URL that should not (one-time codes and tickets belong there). */
export function isTokenInUrl(t: TokenRecord): boolean {
  // An OAuth authorization code (or CAS ticket) belongs in the query by design: single-use, short-lived, bound by PKCE.
  return t.flags?.includes('token-in-url') === true && (t.isJwt || !ONE_TIME_URL_PARAMS.has(t.name.toLowerCase()));
}

/** The `session-token-in-url` finding of a URL token ({@link isTokenInUrl}) first seen in `ex`. */
export function tokenInUrlItem(t: TokenRecord, ex: Exchange): AuditItem {
  const where = t.source === 'url-fragment' ? 'fragment' : 'query';
  return {
    finding: makeFinding('session-token-in-url', t.name, urlTokenMessage(`${t.isJwt ? 'A JWT' : 'A token'} in parameter "${t.name}"`, where, ex),
      { evidence: { exchangeId: ex.id, header: `${ex.method} ${ex.path}` } }),
    cause: where,
  };
}

/** Session cookie values shorter than this (once percent-decoded) are not looked for in URLs: they could match by chance. */
export const MIN_URL_VALUE_LENGTH = 16;

/** True when a cookie value counts as a session value to look for in URLs (and is long enough not to match by chance). */
export function isUrlWorthySessionValue(name: string, info: SessionCookieInfo | undefined, value: string): boolean {
  return info?.isSession === true && value.length >= MIN_URL_VALUE_LENGTH && safeDecode(value).length >= MIN_URL_VALUE_LENGTH
    && (isIdLike(name, info, value) || info.valueKind === 'jwt');
}

/** What a URL finding says about its exchange. */
export type UrlExchange = Pick<Exchange, 'id' | 'method' | 'path'>;

/** A URL of an exchange to look into: the request's, or a redirect's Location. */
export interface UrlTarget {
  readonly url: string;
  readonly header: string;
  readonly redirect: boolean;
}

/** URLs longer than this are not looked into (a value in them is not worth the time). */
export const MAX_URL_TARGET_LENGTH = 16384;

/** The path and query of a Location value (absolute or relative), as a {@link UrlTarget} URL. */
export function locationTargetUrl(location: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(location);
  return m ? m[1] : location;
}

/** The header a {@link UrlTarget} quotes: the request line, or the Location. */
export function urlTargetHeader(ex: Pick<Exchange, 'method' | 'path'>, location: string | undefined): string {
  return location === undefined ? `${ex.method} ${ex.path}` : `Location: ${location}`;
}

/** The URLs of an exchange: its path and query, then every Location (over-long ones left out). */
export function urlTargets(ex: Exchange): UrlTarget[] {
  const targets = [{ url: ex.path ?? '', header: urlTargetHeader(ex, undefined), redirect: false }];
  for (const loc of headerValues(ex.responseHeaders, 'location')) {
    targets.push({ url: locationTargetUrl(loc), header: urlTargetHeader(ex, loc), redirect: true });
  }
  return targets.filter((t) => t.url.length <= MAX_URL_TARGET_LENGTH);
}

/** True for a path segment that is a JWT. */
export function isJwtPathPart(part: UrlPart): boolean {
  return part.where === 'path' && part.value.startsWith('eyJ') && isJwtShaped(part.value);
}

/** The `session-token-in-url` finding of a session cookie's value (`cookie`) or a JWT (`undefined`) in a URL of `ex`. */
export function urlValueItem(cookie: string | undefined, where: UrlPlace, ex: UrlExchange, target: UrlTarget): AuditItem {
  const subject = cookie ?? 'JWT in path';
  const what = cookie !== undefined ? `The value of session cookie "${cookie}"` : 'A JWT';
  return {
    finding: makeFinding('session-token-in-url', subject, urlTokenMessage(what, where, ex, target.redirect),
      { evidence: { exchangeId: ex.id, header: target.header } }),
    cause: where,
  };
}

/**
 * `session-token-in-url`: session ids and access tokens in a query string, fragment or path:
 * the store's URL tokens (flagged `token-in-url`), JWTs in the URL, and values of session cookies.
 */
export function tokenInUrlItems(ctx: SessionRuleContext, tokens: readonly TokenRecord[]): AuditItem[] {
  const out: AuditItem[] = [];
  const byId = new Map(ctx.exchanges.map((ex) => [ex.id, ex]));
  for (const t of tokens) {
    if (!isTokenInUrl(t)) continue;
    const ex = byId.get(t.exchangeId);
    if (ex) out.push(tokenInUrlItem(t, ex));
  }
  // Values of session cookies showing up in URLs (e.g. ?sid=<the cookie>, /s/<id>/page).
  const sessionValues = new Map<string, string>();
  for (const ex of ctx.exchanges) {
    for (const c of [...(ex.cookiesSent ?? []), ...issuedCookies(ex).map((i) => i.parsed)]) {
      if (isUrlWorthySessionValue(c.name, ctx.sessionCookies.get(c.name), c.value)) sessionValues.set(safeDecode(c.value), c.name);
    }
  }
  for (const ex of ctx.exchanges) {
    for (const target of urlTargets(ex)) {
      for (const part of urlParts(target.url)) {
        const cookie = sessionValues.get(part.value);
        if (cookie === undefined && !isJwtPathPart(part)) continue;
        out.push(urlValueItem(cookie, part.where, ex, target));
      }
    }
  }
  return out;
}

/** A cookie value as the browser would put it in a URL parameter: percent-decoded when it decodes. */
export { safeDecode as decodedCookieValue };
