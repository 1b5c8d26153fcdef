/**
 * Reads what a framework put in a session cookie, where that is possible without the server's key:
 * Flask/itsdangerous, Django signing, express cookie-session (and its `.sig` companion) and
 * express-session signed ids. Never throws.
 */
import { isJwtShaped } from '../jwt/detect';
import { decodeCookieSession, decodeCookieSessionSignature } from './cookieSession';
import { decodeDjangoSigned } from './django';
import { decodeExpressSession } from './expressSession';
import { decodeItsdangerous } from './itsdangerous';
import { MAX_COOKIE_VALUE_LENGTH, type SignedCookieDecoding } from './types';

function percentDecoded(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Decodes a cookie value written by a known session framework; undefined when the value is not
 * recognised (JWTs are left to the JWT decoder). `cookies` are the other cookies of the same
 * request or response (name → value), used to find cookie-session's `.sig` companion.
 */
export function decodeSignedCookie(name: string, value: string, cookies?: Readonly<Record<string, string>>): SignedCookieDecoding | undefined {
  try {
    if (typeof name !== 'string' || typeof value !== 'string') return undefined;
    if (value.length === 0 || value.length > MAX_COOKIE_VALUE_LENGTH) return undefined;
    const decoded = percentDecoded(value.trim());
    return (
      decodeExpressSession(decoded) ??
      decodeCookieSessionSignature(name, decoded) ??
      (isJwtShaped(decoded) ? undefined : decodeItsdangerous(decoded) ?? decodeDjangoSigned(decoded) ?? decodeCookieSession(name, decoded, cookies))
    );
  } catch {
    return undefined;
  }
}
