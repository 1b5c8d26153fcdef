import type { Exchange } from '../session/types';
import { makeFinding } from '../findings';
import type { AuditItem } from './auditItem';
import type { AuditSettings } from './auditSettings';
import { classifyCookie } from './classifyCookie';
import { firstHeaderValue, issuedCookies, pathOnly, succeeded } from './trafficFacts';

/** Methods that change state: a cross-site form or fetch can send them with the user's cookies. */
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Names of anti-CSRF tokens in headers, form fields and cookies: Rails `authenticity_token`,
 * Django `csrfmiddlewaretoken`/`X-CSRFToken`, Laravel `_token`/`X-XSRF-TOKEN`, ASP.NET Core
 * `__RequestVerificationToken`/`RequestVerificationToken`, Spring `_csrf`/`X-CSRF-TOKEN`, Angular
 * `X-XSRF-TOKEN`, gorilla/csrf `gorilla.csrf.Token`.
 */
const TOKEN_NAME = /csrf|xsrf|authenticity[_-]?token|requestverificationtoken|anti-?forgery|^_token$/i;

/**
 * Request headers that show the request was not a plain cross-site form: a page of another site
 * cannot add them without a CORS preflight the server must allow.
 */
const CUSTOM_HEADER = /^x-requested-with$/i;

/** Authorization schemes the browser adds by itself (ambient credentials, CSRF-prone like cookies). */
const AMBIENT_AUTH = /^(basic|digest|negotiate|ntlm)\b/i;

/** Content types a cross-site HTML form can send without a preflight. */
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

/**
 * `csrf-token-missing`: a state-changing request (POST, PUT, PATCH, DELETE) that the server
 * accepted (1xx–3xx), authenticated by a session cookie that SameSite=Strict/Lax does not protect,
 * with no anti-CSRF token in a header, a form field or a double-submit cookie.
 *
 * Requests that authenticate with an `Authorization: Bearer …` header are left out: a browser never
 * adds that header to a cross-site request by itself, so another site cannot forge one. Login
 * requests are left out (their cookie is not yet a session), and so are session cookies whose
 * Set-Cookie the capture never saw (their SameSite is unknown).
 *
 * Walks the exchanges in start order; one finding per method and path.
 */
export class CsrfTokenAudit {
  /** SameSite of each cookie as its last Set-Cookie wrote it ('' when absent). */
  private readonly sameSite = new Map<string, string>();
  private readonly reported = new Set<string>();

  constructor(private readonly settings: AuditSettings) {}

  /** Audits one exchange (in start order); `isLogin` when the request authenticates the user. Returns a new finding, if any. */
  add(ex: Exchange, isLogin: boolean): AuditItem | undefined {
    const item = this.check(ex, isLogin);
    // The response's cookies apply to the requests after it.
    for (const c of issuedCookies(ex)) {
      if (c.deletion) this.sameSite.delete(c.parsed.name);
      else this.sameSite.set(c.parsed.name, (c.parsed.sameSite ?? '').toLowerCase());
    }
    return item;
  }

  private check(ex: Exchange, isLogin: boolean): AuditItem | undefined {
    const method = (ex.method ?? '').toUpperCase();
    if (!STATE_CHANGING.has(method) || !succeeded(ex) || isLogin) return undefined;
    const auth = firstHeaderValue(ex.requestHeaders, 'authorization')?.trim();
    if (auth && !AMBIENT_AUTH.test(auth)) return undefined;
    const unprotected = (ex.cookiesSent ?? []).filter((c) => {
      if (c.value === '' || !classifyCookie(c.name, c.value, this.settings).isSession) return false;
      const ss = this.sameSite.get(c.name);
      return ss !== undefined && ss !== 'strict' && ss !== 'lax';
    });
    if (unprotected.length === 0 || carriesToken(ex)) return undefined;
    const route = `${method} ${pathOnly(ex)}`;
    const key = `${route}\u0000${unprotected[0].name}`;
    if (this.reported.has(key)) return undefined;
    this.reported.add(key);
    const mime = ex.requestBody?.mimeType ?? firstHeaderValue(ex.requestHeaders, 'content-type')?.split(';')[0].trim().toLowerCase();
    // A JSON body cannot come from a cross-site form, and fetch() needs a preflight to send it:
    // protected as long as the server rejects other content types, which traffic cannot show.
    const preflighted = mime !== undefined && mime !== '' && !FORM_TYPES.has(mime);
    const cookies = unprotected.map((c) => {
      const ss = this.sameSite.get(c.name);
      return `"${c.name}" (${ss ? `SameSite=${ss.charAt(0).toUpperCase()}${ss.slice(1)}` : 'no SameSite'})`;
    }).join(', ');
    const message = preflighted
      ? `${route} changed state with session cookie ${cookies} and no CSRF token, and the server accepted it. Its ${mime} body needs a CORS preflight from another site, which protects it only if the server rejects form content types here. Check the content type on the server, or require a CSRF token (a header or a form field) as on your form posts.`
      : `${route} changed state with session cookie ${cookies} and no CSRF token in a header, a form field or a double-submit cookie, and the server accepted it: any site can make a logged-in browser send it. Require a CSRF token on state-changing requests and set SameSite=Lax (or Strict) on the session cookie.`;
    return {
      finding: makeFinding('csrf-token-missing', unprotected[0].name, message, {
        evidence: { exchangeId: ex.id, header: `${ex.method} ${ex.path}` },
        ...(preflighted ? { severity: 'info' } : {}),
      }),
      cause: route,
    };
  }
}

/** True when the request carries an anti-CSRF token: a header, a form or JSON field, or a CSRF cookie (double submit). */
function carriesToken(ex: Exchange): boolean {
  for (const h of ex.requestHeaders ?? []) if (TOKEN_NAME.test(h.name) || CUSTOM_HEADER.test(h.name)) return true;
  // A CSRF cookie means a double-submit (or synchronizer) scheme: its echo may sit where the preview does not reach.
  for (const c of ex.cookiesSent ?? []) if (TOKEN_NAME.test(c.name) && c.value !== '') return true;
  const body = ex.requestBody;
  if (!body) return false;
  // A body cut short (or not decoded) may hold the token further on: no finding without seeing it all.
  if (body.truncated || body.text === undefined) return body.wireBytes > 0;
  return fieldNames(body.text, body.mimeType).some((n) => TOKEN_NAME.test(n));
}

/** Field names of a url-encoded, multipart or JSON body. */
function fieldNames(text: string, mime: string | undefined): string[] {
  if (mime === 'application/x-www-form-urlencoded') return [...new URLSearchParams(text).keys()];
  if (mime === 'multipart/form-data') return [...text.matchAll(/content-disposition:[^\r\n]*\bname="([^"]*)"/gi)].map((m) => m[1]);
  if (mime?.endsWith('json')) {
    try {
      const v: unknown = JSON.parse(text);
      return v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : [];
    } catch {
      return [];
    }
  }
  return [];
}

/** `csrf-token-missing` over a whole capture, in start order (see {@link CsrfTokenAudit}). */
export function csrfTokenItems(exchanges: readonly Exchange[], settings: AuditSettings, isLogin: (ex: Exchange) => boolean): AuditItem[] {
  const audit = new CsrfTokenAudit(settings);
  const out: AuditItem[] = [];
  for (const ex of exchanges) {
    const item = audit.add(ex, isLogin(ex));
    if (item) out.push(item);
  }
  return out;
}
