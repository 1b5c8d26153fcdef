/** Builds test tokens with chosen header and payload bytes (HMAC-signed or unsigned). */
import { createHmac } from 'node:crypto';

export function b64url(value: string | Buffer | object): string {
  if (Buffer.isBuffer(value)) return value.toString('base64url');
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');
}

/** header.payload.HMAC; header and payload may be raw JSON text to keep duplicates or odd spacing. */
export function hmacToken(header: string | object, payload: string | object, secret: string | Buffer = 'test-only-not-a-real-secret', hash = 'sha256'): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

export function unsignedToken(header: string | object, payload: string | object, trailingDot = true): string {
  return `${b64url(header)}.${b64url(payload)}${trailingDot ? '.' : ''}`;
}

/** Seconds since the epoch of an epoch-ms time. */
export const sec = (ms: number): number => Math.floor(ms / 1000);

/** A fixed "now" for tests: 2026-01-01T00:00:00Z. */
export const NOW = Date.UTC(2026, 0, 1);
