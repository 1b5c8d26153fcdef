import { base64UrlToString, findJwtsInText, isJwtShaped } from '../jwt/detect';
import type { HeaderField, TokenFlag, TokenKind, TokenSource } from './types';

/** A token found in one place of one exchange, before the store deduplicates it. */
export interface TokenCandidate {
  readonly kind: TokenKind;
  readonly source: TokenSource;
  readonly name: string;
  readonly value: string;
  readonly expiresAt?: number;
  readonly expiresAtSource?: 'expires_in' | 'jwt-exp';
  readonly tokenType?: string;
  readonly scope?: string;
  readonly flags: readonly TokenFlag[];
}

/** Request and response headers that carry session or CSRF tokens in common frameworks. */
export const DEFAULT_TOKEN_HEADERS: readonly string[] = ['x-auth-token', 'x-csrf-token', 'x-csrftoken', 'x-xsrf-token', 'x-access-token', 'x-session-token'];

/** Query parameters that usually carry a session or access token. */
const URL_TOKEN_PARAM = /^(?:access_?token|id_?token|refresh_?token|token|auth(?:_?token)?|session(?:_?id)?|sess(?:ion)?id|sid|jsessionid|phpsessid|api_?key|apikey|jwt|bearer|code)$/i;

/** JSON/form fields of token responses, mapped to their kind. */
const OAUTH_FIELDS: Readonly<Record<string, TokenKind>> = {
  access_token: 'oauth-access',
  accesstoken: 'oauth-access',
  refresh_token: 'oauth-refresh',
  refreshtoken: 'oauth-refresh',
  id_token: 'oauth-id',
  idtoken: 'oauth-id',
};

const MAX_JSON_DEPTH = 3;

/**
 * Text that may hold a token: see tokensInBody. Case folding (the u flag) also matches the
 * Kelvin sign, which toLowerCase() turns into "k".
 */
const MAY_HOLD_TOKEN = /token|eyJ|\\u|%/iu;

/** Window over a body's bytes for MAY_HOLD_TOKEN (a string this short stays out of V8's large-object space). */
const TOKEN_WINDOW_BYTES = 32 * 1024;
/** Overlap of two windows: longer than any match of MAY_HOLD_TOKEN in UTF-8 ("to\u212Aen", 7 bytes). */
const TOKEN_WINDOW_OVERLAP = 16;

/**
 * MAY_HOLD_TOKEN for UTF-8 bytes read as Latin-1 (one character per byte, no decoding): the
 * ASCII letters in either case, and the Kelvin sign (U+212A, which case folding matches with
 * "k") as its three UTF-8 bytes. A valid UTF-8 sequence decodes the same wherever it starts, so
 * this matches the bytes exactly when MAY_HOLD_TOKEN matches their UTF-8 text.
 */
const MAY_HOLD_TOKEN_LATIN1 = /[tT][oO](?:[kK]|\xe2\x84\xaa)[eE][nN]|[eE][yY][jJ]|\\[uU]|%/;

/**
 * What `tokensInBody` checks first, on a body's UTF-8 bytes, without making one string of the
 * whole body: a large body (a page, a bundle) seldom holds a token, and a string of hundreds of
 * kilobytes costs more to allocate than to read. Windows overlap by more than any match.
 */
export function bytesMayHoldToken(bytes: Buffer): boolean {
  for (let start = 0; start < bytes.length; start += TOKEN_WINDOW_BYTES) {
    if (MAY_HOLD_TOKEN_LATIN1.test(bytes.toString('latin1', start, Math.min(bytes.length, start + TOKEN_WINDOW_BYTES + TOKEN_WINDOW_OVERLAP)))) return true;
  }
  return false;
}

/** `exp` of a JWT payload as epoch ms, when it is there and numeric. Never throws. */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined || payload.length > 65536) return undefined;
  const text = base64UrlToString(payload);
  if (text === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(text);
    const exp = claims !== null && typeof claims === 'object' ? (claims as { exp?: unknown }).exp : undefined;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `exp` of recent token values (null: not a JWT, or no exp). The same Bearer token or JWT
 * cookie comes with every request: its payload is decoded once, not per request.
 */
const recentExpiry = new Map<string, number | null>();
const RECENT_EXPIRY_SIZE = 256;

function withJwtExpiry(c: TokenCandidate): TokenCandidate {
  if (c.expiresAt !== undefined) return c;
  let exp = recentExpiry.get(c.value);
  if (exp === undefined) {
    exp = isJwtShaped(c.value) ? jwtExpiry(c.value) ?? null : null;
    // Long values are not kept: the cache stays small whatever the traffic.
    if (c.value.length <= 4096) {
      if (recentExpiry.size >= RECENT_EXPIRY_SIZE) recentExpiry.clear();
      recentExpiry.set(c.value, exp);
    }
  }
  return exp === null ? c : { ...c, expiresAt: exp, expiresAtSource: 'jwt-exp' };
}

function jwtsIn(text: string, kind: TokenKind, source: TokenSource, name: string, out: TokenCandidate[], flags: readonly TokenFlag[] = []): void {
  // Cheap pre-check: every JSON-headed compact JWT starts with "eyJ".
  if (!text.includes('eyJ')) return;
  for (const jwt of findJwtsInText(text)) {
    if (out.some((c) => c.value === jwt)) continue;
    out.push(withJwtExpiry({ kind, source, name, value: jwt, flags }));
  }
}

/** Tokens in the request line, headers and cookies. */
export function tokensInRequest(
  url: string,
  headers: readonly HeaderField[],
  cookies: readonly { name: string; value: string }[],
  extraHeaders: ReadonlySet<string>,
): TokenCandidate[] {
  const out: TokenCandidate[] = [];
  for (const h of headers) {
    const lower = h.name.toLowerCase();
    if (lower === 'cookie') continue;
    if (lower === 'authorization' || lower === 'proxy-authorization') {
      const m = /^\s*(\S+)\s+(.+?)\s*$/.exec(h.value);
      const scheme = m?.[1].toLowerCase();
      if (m && scheme === 'bearer') out.push(withJwtExpiry({ kind: 'bearer', source: 'request-header', name: h.name, value: m[2], flags: [] }));
      else if (m && scheme === 'basic') out.push({ kind: 'basic', source: 'request-header', name: h.name, value: m[2], flags: ['basic-credentials'] });
      else if (h.value.trim() !== '') out.push(withJwtExpiry({ kind: 'custom-header', source: 'request-header', name: h.name, value: h.value.trim(), flags: [] }));
      continue;
    }
    if (extraHeaders.has(lower)) {
      if (h.value.trim() !== '') out.push(withJwtExpiry({ kind: 'custom-header', source: 'request-header', name: h.name, value: h.value.trim(), flags: [] }));
      continue;
    }
    if (lower === 'referer' || lower === 'origin') continue;
    jwtsIn(h.value, 'jwt-in-header', 'request-header', h.name, out);
  }
  for (const c of cookies) {
    if (c.value.includes('eyJ') && isJwtShaped(c.value)) out.push(withJwtExpiry({ kind: 'jwt-in-cookie', source: 'request-cookie', name: c.name, value: c.value, flags: [] }));
  }
  tokensInUrl(url, out);
  return out;
}

function tokensInUrl(url: string, out: TokenCandidate[]): void {
  const q = url.indexOf('?');
  const hash = url.indexOf('#');
  const pathEnd = q !== -1 ? q : hash !== -1 ? hash : url.length;
  // Most URLs have neither query, fragment nor path parameter: nothing to look at.
  if (pathEnd === url.length && url.indexOf(';') === -1) return;
  const flags: readonly TokenFlag[] = ['token-in-url'];
  // Servlet-style path parameters (";jsessionid=...") are a session id in the URL too.
  const semi = /;(jsessionid|phpsessid|sid)=([^;/?#]+)/i.exec(url.slice(0, pathEnd));
  if (semi) out.push({ kind: 'url-query', source: 'url-query', name: semi[1], value: semi[2], flags });
  if (q !== -1) scanParams(url.slice(q + 1, hash > q ? hash : undefined), 'url-query', flags, out);
  if (hash !== -1) scanParams(url.slice(hash + 1), 'url-fragment', flags, out);
}

function scanParams(part: string, source: TokenSource, flags: readonly TokenFlag[], out: TokenCandidate[]): void {
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(part);
  } catch {
    return;
  }
  for (const [name, value] of params) {
    if (value === '') continue;
    if (isJwtShaped(value)) out.push(withJwtExpiry({ kind: 'jwt-in-url', source, name, value, flags }));
    else if (URL_TOKEN_PARAM.test(name)) out.push({ kind: 'url-query', source, name, value, flags });
  }
}

/** Tokens in Set-Cookie values and response headers. */
export function tokensInResponseHeaders(
  headers: readonly HeaderField[],
  setCookies: readonly { name: string; value: string }[],
  extraHeaders: ReadonlySet<string>,
): TokenCandidate[] {
  const out: TokenCandidate[] = [];
  for (const h of headers) {
    const lower = h.name.toLowerCase();
    if (lower === 'set-cookie') continue;
    if (extraHeaders.has(lower)) {
      if (h.value.trim() !== '') out.push(withJwtExpiry({ kind: 'custom-header', source: 'response-header', name: h.name, value: h.value.trim(), flags: [] }));
      continue;
    }
    if (lower === 'location' || lower === 'content-location' || lower === 'refresh') {
      // A redirect carrying a token in its URL (implicit flow, magic links) leaks it the same way.
      const url = lower === 'refresh' ? h.value.replace(/^[^;]*;\s*url=/i, '') : h.value;
      tokensInUrl(url, out);
      continue;
    }
    jwtsIn(h.value, 'jwt-in-header', 'response-header', h.name, out);
  }
  for (const c of setCookies) {
    if (c.value.includes('eyJ') && isJwtShaped(c.value)) out.push(withJwtExpiry({ kind: 'jwt-in-cookie', source: 'set-cookie', name: c.name, value: c.value, flags: [] }));
  }
  return out;
}

function oauthFields(fields: Record<string, unknown>, source: TokenSource, receivedAt: number, out: TokenCandidate[], depth: number): void {
  const tokenType = typeof fields.token_type === 'string' ? fields.token_type : undefined;
  const scope = typeof fields.scope === 'string' ? fields.scope : undefined;
  const expiresIn = Number(fields.expires_in ?? fields.expiresIn);
  const refreshExpiresIn = Number(fields.refresh_expires_in ?? fields.refreshExpiresIn);
  for (const [key, raw] of Object.entries(fields)) {
    if (typeof raw === 'string') {
      const kind = OAUTH_FIELDS[key.toLowerCase()];
      if (kind && raw !== '') {
        const seconds = kind === 'oauth-access' ? expiresIn : kind === 'oauth-refresh' ? refreshExpiresIn : NaN;
        const expiry = Number.isFinite(seconds) && seconds > 0 ? { expiresAt: receivedAt + seconds * 1000, expiresAtSource: 'expires_in' as const } : {};
        out.push(withJwtExpiry({
          kind, source, name: key, value: raw, ...expiry,
          ...(tokenType ? { tokenType } : {}), ...(scope ? { scope } : {}), flags: [],
        }));
      } else if (raw.includes('eyJ') && isJwtShaped(raw)) {
        out.push(withJwtExpiry({ kind: 'jwt-in-body', source, name: key, value: raw, flags: [] }));
      }
    } else if (raw !== null && typeof raw === 'object' && depth < MAX_JSON_DEPTH) {
      if (Array.isArray(raw)) continue;
      oauthFields(raw as Record<string, unknown>, source, receivedAt, out, depth + 1);
    }
  }
}

/**
 * Tokens in a (decoded) body: OAuth token responses in JSON or form encoding, with
 * `expires_in` turned into an absolute expiry from `receivedAt`, then any other JWT.
 */
export function tokensInBody(text: string, mimeType: string | undefined, source: TokenSource, receivedAt: number): TokenCandidate[] {
  const out: TokenCandidate[] = [];
  // Every OAuth field name contains "token" and every JWT starts with "eyJ"; escapes (\\u in
  // JSON, %XX in forms) could hide either. A body with none of these holds no token.
  if (!MAY_HOLD_TOKEN.test(text)) return out;
  const trimmed = text.trimStart();
  if ((mimeType === undefined || mimeType.includes('json')) && (trimmed.startsWith('{') || trimmed.startsWith('['))) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) oauthFields(parsed as Record<string, unknown>, source, receivedAt, out, 0);
    } catch {
      // A truncated or invalid JSON body: the JWT scan below still runs.
    }
  } else if (mimeType === 'application/x-www-form-urlencoded' || (mimeType === 'text/plain' && /(?:^|&)access_token=/.test(trimmed))) {
    oauthFields(Object.fromEntries(new URLSearchParams(text)), source, receivedAt, out, 0);
  }
  jwtsIn(text, 'jwt-in-body', source, '', out);
  return out;
}

/** Storage keys that name a credential (`access_token`, `authToken`, `session`, `jwt`, `apiKey`...). */
const STORAGE_TOKEN_KEY = /token|session|auth|jwt|bearer|api[-_]?key|credential|(?:^|[-_.])sid$/i;
/** A value that can be a credential: one word of 16 to 4096 characters. */
const TOKEN_LIKE_VALUE = /^[\w\-.~+/=:]{16,4096}$/;

/**
 * Tokens in a web storage entry: a JWT (also one inside a JSON value) becomes `jwt-in-storage`,
 * another token-like value under a credential-like key `storage-token`; the key is the name.
 */
export function tokensInStorage(area: 'localStorage' | 'sessionStorage', key: string, value: string): TokenCandidate[] {
  const out: TokenCandidate[] = [];
  const trimmed = value.trim();
  if (isJwtShaped(trimmed)) out.push(withJwtExpiry({ kind: 'jwt-in-storage', source: area, name: key, value: trimmed, flags: [] }));
  else jwtsIn(value, 'jwt-in-storage', area, key, out);
  if (out.length === 0 && STORAGE_TOKEN_KEY.test(key) && TOKEN_LIKE_VALUE.test(trimmed)) out.push({ kind: 'storage-token', source: area, name: key, value: trimmed, flags: [] });
  return out;
}
