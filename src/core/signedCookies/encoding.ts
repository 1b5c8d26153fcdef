/** Small decoders shared by the signed-cookie formats. */

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** base64url without padding to bytes, or undefined. */
export function fromBase64Url(text: string): Buffer | undefined {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  return Buffer.from(text, 'base64url');
}

/** Standard base64 (padding optional) to bytes, or undefined. */
export function fromBase64(text: string): Buffer | undefined {
  if (!BASE64.test(text) || text.replace(/=+$/, '').length % 4 === 1) return undefined;
  return Buffer.from(text, 'base64');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8, or undefined. */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** JSON.parse that returns undefined instead of throwing. */
export function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** Big-endian unsigned integer of up to 6 bytes. */
export function bigEndianUint(bytes: Uint8Array): number | undefined {
  if (bytes.length === 0 || bytes.length > 6) return undefined;
  let n = 0;
  for (const b of bytes) n = n * 256 + b;
  return n;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Django's base62 (digits, upper, lower), or undefined. */
export function fromBase62(text: string): number | undefined {
  if (text.length === 0 || text.length > 9) return undefined;
  let n = 0;
  for (const ch of text) {
    const d = BASE62.indexOf(ch);
    if (d < 0) return undefined;
    n = n * 62 + d;
  }
  return n;
}

/** 2000-01-01 .. 2100-01-01 in seconds: what a real signing timestamp can be. */
export function plausibleEpochSeconds(seconds: number): boolean {
  return seconds >= 946_684_800 && seconds < 4_102_444_800;
}

/** The HMAC a base64(url) signature of this length suggests. */
export function macForLength(length: number): string | undefined {
  return ({ 27: 'HMAC-SHA1', 28: 'HMAC-SHA1', 43: 'HMAC-SHA256', 44: 'HMAC-SHA256', 64: 'HMAC-SHA384', 86: 'HMAC-SHA512', 88: 'HMAC-SHA512' } as Record<number, string>)[length];
}
