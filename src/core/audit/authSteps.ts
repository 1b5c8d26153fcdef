import type { Exchange, TokenRecord } from '../session/types';
import { isJwtShaped } from '../jwt/detect';
import type { AuditSettings } from './auditSettings';
import { issuedCookies, pathHasWord, pathOnly, succeeded } from './trafficFacts';

/**
 * Path words that also name things other than a login (token refresh, "current session",
 * generic /auth prefixes, OAuth callbacks): alone they do not make an exchange a login;
 * the exchange must also hand out a new credential.
 */
const WEAK_LOGIN_WORDS = new Set(['auth', 'session', 'sessions', 'token', 'callback']);

/** Cookie names that say they carry an authenticated identity (beyond a generic session). */
const AUTH_COOKIE_NAME = /(^|[._-])(auth|authn|jwt|token|access[._-]?token|id[._-]?token|remember[._-]?(me|token)?|identity|logged[._-]?in|user[._-]?token)($|[._-])|\.aspxauth|\.aspnetcore\.cookies/i;

const SSO_CALLBACK_QUERY = /[?&](code|ticket|SAMLResponse|oauth_token|oauth_verifier|id_token)=/i;

/** True for a redirect back from an identity provider (`?code=`, `?ticket=`…): a GET by design, protected by `state`. */
export function isSsoCallback(ex: Exchange): boolean {
  return SSO_CALLBACK_QUERY.test(ex.path ?? '');
}

/** Response-side token kinds that are a newly issued credential. */
const ISSUED_TOKEN_KINDS = new Set<TokenRecord['kind']>(['oauth-access', 'oauth-id', 'jwt-in-body', 'jwt-in-header']);

/** True when the exchange is a logout: a path word from `settings.logoutPathWords` (or the store's hint). */
export function isLogout(ex: Exchange, settings: AuditSettings): boolean {
  return ex.hints?.logoutLike === true || pathHasWord(pathOnly(ex), settings.logoutPathWords);
}

/**
 * The credential a response hands out that the request did not carry: a new auth-looking
 * cookie (JWT value or an auth/token/remember name) or a token in the response body/headers.
 * Returns a short description, or undefined.
 */
export function newCredentialIssued(ex: Exchange, tokensById: ReadonlyMap<number, TokenRecord>): string | undefined {
  const issued = issuedCookies(ex);
  const sent = issued.length === 0 ? undefined : new Map((ex.cookiesSent ?? []).map((c) => [c.name, c.value]));
  for (const c of issued) {
    if (c.deletion || sent?.get(c.parsed.name) === c.parsed.value) continue;
    if (AUTH_COOKIE_NAME.test(c.parsed.name) || isJwtShaped(decodeSafe(c.parsed.value))) return `cookie "${c.parsed.name}"`;
  }
  for (const id of ex.tokenIds ?? []) {
    const t = tokensById.get(id);
    if (t && t.exchangeId === ex.id && (t.source === 'response-body' || t.source === 'response-header') && ISSUED_TOKEN_KINDS.has(t.kind)) {
      return `token "${t.name || t.kind}" in the response`;
    }
  }
  return undefined;
}

function decodeSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const strongWordCache = new WeakMap<readonly string[], readonly string[]>();

function strongLoginWords(words: readonly string[]): readonly string[] {
  let strong = strongWordCache.get(words);
  if (!strong) {
    strong = words.filter((w) => !WEAK_LOGIN_WORDS.has(w.toLowerCase()));
    strongWordCache.set(words, strong);
  }
  return strong;
}

/**
 * Why an exchange counts as a successful authentication, or undefined when it does not. `logout`:
 * {@link isLogout} of the exchange when the caller has it already.
 */
export function loginReason(ex: Exchange, settings: AuditSettings, tokensById: ReadonlyMap<number, TokenRecord>, logout?: boolean): string | undefined {
  if (!succeeded(ex) || (logout ?? isLogout(ex, settings))) return undefined;
  const method = (ex.method ?? '').toUpperCase();
  const writes = method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
  if (ex.hints?.hasPasswordField && writes) return `${method} ${pathOnly(ex)} sent a password`;
  const callback = SSO_CALLBACK_QUERY.test(ex.path ?? '');
  // A read that is no callback is no login whatever its path or what it issues (every answer below needs one or the other).
  if (!writes && !callback) return undefined;
  const path = pathOnly(ex);
  if (pathHasWord(path, strongLoginWords(settings.loginPathWords))) return `${method} ${path} is a login`;
  // An SSO/OAuth redirect back with a code or ticket completes a login even on an /auth/callback path.
  if (callback && !writes && pathHasWord(path, settings.loginPathWords)) return `${method} ${path} completed a single sign-on`;
  const credential = newCredentialIssued(ex, tokensById);
  if (credential === undefined) return undefined;
  if (pathHasWord(path, settings.loginPathWords)) return `${method} ${path} issued a new ${credential}`;
  // No login word at all: a write that hands out a new credential is still an authentication step.
  if (writes) return `${method} ${path} issued a new ${credential}`;
  return undefined;
}
