import type { Exchange, TokenRecord } from '../capture/types';
import { makeFinding } from '../findings';
import { isJwtShaped } from '../jwt/detect';
import type { Severity } from '../rules/catalog';
import type { AuditItem } from './auditItem';
import { requestOrigin } from './requestOrigin';
import type { SessionRuleContext } from './sessionRules';
import { headerValues, isIdLike, issuedCookies, pathOnly } from './trafficFacts';

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

/** `cookie-cacheable`: a response issuing a session cookie that a shared cache may store and replay. */
export function cacheableItems(ctx: SessionRuleContext): AuditItem[] {
  const out: AuditItem[] = [];
  for (const ex of ctx.exchanges) {
    if (ex.status === undefined || cacheProtected(ex)) continue;
    const method = (ex.method ?? '').toUpperCase();
    const cacheable = explicitlyCacheable(ex) || ((method === 'GET' || method === 'HEAD') && HEURISTICALLY_CACHEABLE.has(ex.status));
    if (!cacheable) continue;
    for (const c of issuedCookies(ex)) {
      if (c.deletion || ctx.sessionCookies.get(c.parsed.name)?.isSession !== true) continue;
      const cc = headerValues(ex.responseHeaders, 'cache-control').join(', ');
      out.push({
        finding: makeFinding('cookie-cacheable', c.parsed.name,
          `${ex.method} ${pathOnly(ex)} sets session cookie "${c.parsed.name}" in a response ${cc ? `with Cache-Control: ${cc}` : 'without Cache-Control'}; a shared cache (CDN, proxy) may store it and hand the same session to other users. Send Cache-Control: no-store (or private) on responses that set session cookies.`,
          { evidence: { exchangeId: ex.id, header: `Set-Cookie: ${c.record.raw}` } }),
        cause: '',
      });
    }
  }
  return out;
}

/** `cors-credentialed-wildcard`: credentialed CORS open to `*`, `null`, or any Origin reflected back. */
export function corsItems(ctx: SessionRuleContext): AuditItem[] {
  const out: AuditItem[] = [];
  const reflected = new Map<string, { origins: Set<string>; ex: Exchange }>();
  for (const ex of ctx.exchanges) {
    const acao = headerValues(ex.responseHeaders, 'access-control-allow-origin')[0]?.trim();
    const acac = headerValues(ex.responseHeaders, 'access-control-allow-credentials')[0]?.trim().toLowerCase();
    if (acao === undefined || acac !== 'true') continue;
    const host = requestOrigin(ex.upstreamUrl ?? ex.url)?.host ?? '';
    const evidence = { exchangeId: ex.id, header: `Access-Control-Allow-Origin: ${acao}` };
    if (acao === '*' || acao.toLowerCase() === 'null') {
      const what = acao === '*'
        ? 'Access-Control-Allow-Origin: * together with Access-Control-Allow-Credentials: true (browsers refuse the pair, and it shows the intent to let any site read authenticated responses)'
        : 'Access-Control-Allow-Origin: null with credentials; sandboxed iframes and data: URLs of any site send Origin: null and can read authenticated responses';
      out.push({
        finding: makeFinding('cors-credentialed-wildcard', host,
          `${host} answers ${what}. Allow-list the exact origins that need credentialed access.`, { evidence }),
        cause: acao,
      });
      continue;
    }
    const origin = headerValues(ex.requestHeaders, 'origin')[0]?.trim();
    if (origin === undefined || origin !== acao) continue;
    const seen = reflected.get(host) ?? { origins: new Set<string>(), ex };
    seen.origins.add(origin);
    reflected.set(host, seen);
  }
  for (const [host, { origins, ex }] of reflected) {
    if (origins.size < 2) continue;
    out.push({
      finding: makeFinding('cors-credentialed-wildcard', host,
        `${host} echoed ${origins.size} different Origin values back in Access-Control-Allow-Origin with credentials allowed (${[...origins].slice(0, 3).join(', ')}); if it reflects any Origin, every website can read your users' authenticated responses. Compare the Origin to a fixed allow-list before echoing it.`,
        { evidence: { exchangeId: ex.id, header: `Access-Control-Allow-Origin: ${[...origins][0]}` }, severity: 'warning' as Severity }),
      cause: 'reflected',
    });
  }
  return out;
}

function urlParts(pathAndQuery: string): { where: 'query' | 'fragment' | 'path'; name: string; value: string }[] {
  const out: { where: 'query' | 'fragment' | 'path'; name: string; value: string }[] = [];
  const hash = pathAndQuery.indexOf('#');
  const beforeHash = hash === -1 ? pathAndQuery : pathAndQuery.slice(0, hash);
  const q = beforeHash.indexOf('?');
  const path = q === -1 ? beforeHash : beforeHash.slice(0, q);
  const segments = path.split('/');
  segments.forEach((seg, i) => {
    const semi = seg.indexOf(';');
    const bare = semi === -1 ? seg : seg.slice(0, semi);
    if (bare !== '') out.push({ where: 'path', name: `path segment ${i}`, value: safeDecode(bare) });
    if (semi !== -1) {
      for (const p of seg.slice(semi + 1).split(';')) {
        const eq = p.indexOf('=');
        if (eq > 0) out.push({ where: 'path', name: p.slice(0, eq), value: safeDecode(p.slice(eq + 1)) });
      }
    }
  });
  const scan = (part: string, where: 'query' | 'fragment'): void => {
    try {
      for (const [name, value] of new URLSearchParams(part)) out.push({ where, name, value });
    } catch {
      // An undecodable query: nothing to compare.
    }
  };
  if (q !== -1) scan(beforeHash.slice(q + 1), 'query');
  if (hash !== -1) scan(pathAndQuery.slice(hash + 1), 'fragment');
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Parameters that carry single-use values meant for the URL (RFC 6749 §4.1.2, CAS), not sessions. */
const ONE_TIME_URL_PARAMS = new Set(['code', 'state', 'session_state', 'nonce', 'ticket', 'oauth_verifier', 'code_challenge']);

const WHERE_TEXT = { query: 'query string', fragment: 'fragment', path: 'path' } as const;

function urlTokenMessage(what: string, where: 'query' | 'fragment' | 'path', ex: Exchange, redirect = false): string {
  return `${what} travels in the URL ${WHERE_TEXT[where]} of ${redirect ? 'the redirect answering ' : ''}${ex.method} ${pathOnly(ex)}; URLs end up in server and proxy logs, browser history and Referer headers. ${where === 'fragment'
    ? 'Use the authorization code flow with PKCE instead of returning tokens in the fragment.'
    : 'Send it in an HttpOnly cookie or an Authorization header, never in the URL.'}`;
}

/**
 * `session-token-in-url`: session ids and access tokens in a query string, fragment or path:
 * the store's URL tokens (flagged `token-in-url`), JWTs in the URL, and values of session cookies.
 */
export function tokenInUrlItems(ctx: SessionRuleContext, tokens: readonly TokenRecord[]): AuditItem[] {
  const out: AuditItem[] = [];
  const byId = new Map(ctx.exchanges.map((ex) => [ex.id, ex]));
  for (const t of tokens) {
    // An OAuth authorization code (or CAS ticket) belongs in the query by design: single-use, short-lived, bound by PKCE.
    if (!t.flags?.includes('token-in-url') || (!t.isJwt && ONE_TIME_URL_PARAMS.has(t.name.toLowerCase()))) continue;
    const ex = byId.get(t.exchangeId);
    if (!ex) continue;
    const where = t.source === 'url-fragment' ? 'fragment' : 'query';
    out.push({
      finding: makeFinding('session-token-in-url', t.name, urlTokenMessage(`${t.isJwt ? 'A JWT' : 'A token'} in parameter "${t.name}"`, where, ex),
        { evidence: { exchangeId: ex.id, header: `${ex.method} ${ex.path}` } }),
      cause: where,
    });
  }
  // Values of session cookies showing up in URLs (e.g. ?sid=<the cookie>, /s/<id>/page).
  const sessionValues = new Map<string, string>();
  for (const ex of ctx.exchanges) {
    for (const c of [...(ex.cookiesSent ?? []), ...issuedCookies(ex).map((i) => i.parsed)]) {
      const info = ctx.sessionCookies.get(c.name);
      if (info?.isSession !== true || c.value.length < 16 || !(isIdLike(c.name, info, c.value) || info.valueKind === 'jwt')) continue;
      sessionValues.set(safeDecode(c.value), c.name);
    }
  }
  for (const ex of ctx.exchanges) {
    const targets = [{ url: ex.path ?? '', header: `${ex.method} ${ex.path}`, redirect: false }];
    for (const loc of headerValues(ex.responseHeaders, 'location')) {
      const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(loc);
      targets.push({ url: m ? m[1] : loc, header: `Location: ${loc}`, redirect: true });
    }
    for (const { url, header, redirect } of targets) {
      if (url.length > 16384) continue;
      for (const part of urlParts(url)) {
        const cookie = sessionValues.get(part.value);
        const jwt = cookie === undefined && part.where === 'path' && part.value.startsWith('eyJ') && isJwtShaped(part.value);
        if (cookie === undefined && !jwt) continue;
        const subject = cookie ?? 'JWT in path';
        const what = cookie !== undefined ? `The value of session cookie "${cookie}"` : 'A JWT';
        out.push({
          finding: makeFinding('session-token-in-url', subject, urlTokenMessage(what, part.where, ex, redirect),
            { evidence: { exchangeId: ex.id, header } }),
          cause: part.where,
        });
      }
    }
  }
  return out;
}
