/**
 * Cheap shape checks for tokens found in traffic. A value is JWT-shaped only when it has the
 * compact serialisation's segments AND its first segment decodes to a JSON object with `alg`:
 * a lone base64url string (a PKCE verifier, a session id) is not a JWT.
 */

const BASE64URL_SEGMENT = /^[A-Za-z0-9_-]*$/;

/** Decodes base64url (no padding) to a string, or undefined when it is not base64url. */
export function base64UrlToString(segment: string): string | undefined {
  if (!BASE64URL_SEGMENT.test(segment) || segment.length % 4 === 1) return undefined;
  return Buffer.from(segment, 'base64url').toString('utf8');
}

function jsonHeader(segment: string): Record<string, unknown> | undefined {
  if (segment.length === 0 || segment.length > 8192) return undefined;
  const text = base64UrlToString(segment);
  if (text === undefined || !text.trimStart().startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** 'jws' for a three-segment compact JWS, 'jwe' for a five-segment compact JWE, else undefined. */
export function jwtShape(value: string): 'jws' | 'jwe' | undefined {
  if (typeof value !== 'string' || value.length < 10 || value.length > 65536) return undefined;
  const segments = value.split('.');
  if (segments.length !== 3 && segments.length !== 5) return undefined;
  if (!segments.every((s) => BASE64URL_SEGMENT.test(s))) return undefined;
  const header = jsonHeader(segments[0]);
  if (!header || typeof header.alg !== 'string') return undefined;
  if (segments.length === 5) return typeof header.enc === 'string' ? 'jwe' : undefined;
  return 'jws';
}

/** True for a compact JWS or JWE (see jwtShape). */
export function isJwtShaped(value: string): boolean {
  return jwtShape(value) !== undefined;
}

/** Finds JWT-shaped substrings in free text (headers, bodies, URLs). */
export function findJwtsInText(text: string): string[] {
  const out: string[] = [];
  const re = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)?/g;
  for (const m of text.matchAll(re)) {
    if (isJwtShaped(m[0]) && !out.includes(m[0])) out.push(m[0]);
  }
  return out;
}
