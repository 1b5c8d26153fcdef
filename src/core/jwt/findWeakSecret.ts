/**
 * Dictionary check of HMAC-signed JWTs (RFC 8725 §3.5). Synchronous and self-contained (node:crypto
 * only) so the extension can run it in a worker thread; a few hundred HMACs take about a millisecond.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WEAK_SECRETS } from './weakSecrets';

const HMAC_HASH: Readonly<Record<string, string>> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Tokens larger than this are not tried (hundreds of HMACs over megabytes would block the thread). */
export const MAX_WEAK_SECRET_TOKEN_LENGTH = 64 * 1024;

export interface WeakSecretMatch {
  readonly alg: 'HS256' | 'HS384' | 'HS512';
  /** The secret as text (bytes that are not UTF-8 are shown as `hex:…`). */
  readonly secret: string;
  /** The text to show the user: quoted, or "(empty string)". */
  readonly display: string;
}

function secretText(secret: string | Uint8Array): string {
  return typeof secret === 'string' ? secret : `hex:${Buffer.from(secret).toString('hex')}`;
}

/**
 * Returns the well-known secret an HS256/384/512 token was signed with, or undefined (also for any
 * other algorithm or a token that is not a compact JWS). Never throws.
 */
export function findWeakSecret(token: string, secrets: readonly (string | Uint8Array)[] = WEAK_SECRETS): WeakSecretMatch | undefined {
  try {
    if (typeof token !== 'string' || token.length > MAX_WEAK_SECRET_TOKEN_LENGTH) return undefined;
    const trimmed = token.trim();
    const segments = trimmed.split('.');
    if (segments.length !== 3 || !segments.every((s) => SEGMENT.test(s))) return undefined;
    const header: unknown = JSON.parse(Buffer.from(segments[0], 'base64url').toString('utf8'));
    const alg = (header as { alg?: unknown } | null)?.alg;
    if (typeof alg !== 'string' || !(alg in HMAC_HASH)) return undefined;
    const hash = HMAC_HASH[alg];
    const signature = Buffer.from(segments[2], 'base64url');
    const signingInput = Buffer.from(`${segments[0]}.${segments[1]}`, 'ascii');
    for (const secret of secrets) {
      const mac = createHmac(hash, secret).update(signingInput).digest();
      // Constant-time compare: the check may run on tokens an attacker chose.
      if (mac.length === signature.length && timingSafeEqual(mac, signature)) {
        const text = secretText(secret);
        return { alg: alg as WeakSecretMatch['alg'], secret: text, display: text === '' ? '(empty string)' : JSON.stringify(text) };
      }
    }
    return undefined;
  } catch {
    return undefined;
  }
}
