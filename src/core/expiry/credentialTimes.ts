import type { ParsedSetCookie } from '../cookies/setCookie';
import { base64UrlToString, jwtShape } from '../jwt/detect';

/** Browsers cap cookie lifetimes at 400 days (RFC 6265bis). */
export const MAX_COOKIE_LIFETIME_MS = 400 * 24 * 3600 * 1000;

/** Time claims of a JWS, epoch ms on the issuer's clock. */
export interface JwtTimes {
  readonly exp?: number;
  readonly nbf?: number;
  readonly iat?: number;
}

/** Reads exp/nbf/iat of a compact JWS without verifying it; undefined for anything else. Never throws. */
export function jwtTimes(token: string): JwtTimes | undefined {
  if (typeof token !== 'string' || !token.startsWith('eyJ') || jwtShape(token) !== 'jws') return undefined;
  const text = base64UrlToString(token.split('.')[1]);
  if (text === undefined) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) return undefined;
  const c = claims as Record<string, unknown>;
  const ms = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v * 1000 : undefined);
  const exp = ms(c.exp);
  const nbf = ms(c.nbf);
  const iat = ms(c.iat);
  return { ...(exp !== undefined ? { exp } : {}), ...(nbf !== undefined ? { nbf } : {}), ...(iat !== undefined ? { iat } : {}) };
}

/** When one Set-Cookie makes its cookie expire, as the browser computes it. */
export interface CookieIssuanceExpiry {
  /** Local clock; undefined for a browser-session cookie. */
  readonly expiresAt?: number;
  readonly source: 'max-age' | 'expires' | 'browser-session';
  /** The Set-Cookie deletes the cookie. */
  readonly deletion: boolean;
  /** The requested lifetime went past 400 days and was clamped. */
  readonly clamped: boolean;
}

/**
 * The expiry one Set-Cookie gives its cookie: Max-Age counts from the local receipt time and wins
 * over Expires; Expires is an instant on the server's clock, moved to the local clock by
 * subtracting `skewMs` (server minus local). Both are clamped at 400 days after receipt.
 */
export function cookieIssuanceExpiry(cookie: ParsedSetCookie, receivedAt: number, skewMs = 0): CookieIssuanceExpiry {
  let expiresAt: number | undefined;
  let source: CookieIssuanceExpiry['source'] = 'browser-session';
  if (cookie.maxAge !== undefined) {
    source = 'max-age';
    expiresAt = cookie.maxAge <= 0 ? receivedAt : receivedAt + cookie.maxAge * 1000;
  } else if (cookie.expires) {
    source = 'expires';
    expiresAt = cookie.expires.getTime() - skewMs;
  }
  if (expiresAt === undefined) return { source, deletion: false, clamped: false };
  const deletion = expiresAt <= receivedAt;
  const clamped = expiresAt - receivedAt > MAX_COOKIE_LIFETIME_MS;
  return { expiresAt: clamped ? receivedAt + MAX_COOKIE_LIFETIME_MS : expiresAt, source, deletion, clamped };
}
