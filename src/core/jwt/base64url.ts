/**
 * Strict base64url decoding for JOSE segments (RFC 7515 §2: base64url without padding),
 * with messages that say exactly what is wrong.
 */

export type SegmentDecoding = { ok: true; bytes: Buffer } | { ok: false; message: string };

const BASE64URL_CHAR = /[A-Za-z0-9_-]/;

/** Decodes one base64url segment; on failure says which character or length is wrong. */
export function decodeBase64UrlSegment(segment: string): SegmentDecoding {
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i];
    if (!BASE64URL_CHAR.test(ch)) {
      if (ch === '=') return { ok: false, message: `has '=' padding at position ${i + 1}; base64url in JOSE is unpadded` };
      if (ch === '+' || ch === '/') {
        return { ok: false, message: `contains '${ch}' at position ${i + 1}: that is standard base64, JOSE uses base64url ('-' and '_')` };
      }
      return { ok: false, message: `is not base64url: ${describeChar(ch)} at position ${i + 1}` };
    }
  }
  if (segment.length % 4 === 1) {
    return { ok: false, message: `is not base64url: a length of ${segment.length} characters cannot be decoded (one character too many or missing)` };
  }
  return { ok: true, bytes: Buffer.from(segment, 'base64url') };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 strictly; undefined when the bytes are not valid UTF-8. */
export function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** A printable description of a character for error messages (never echoes control bytes raw). */
export function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (ch === ' ') return 'a space';
  if (code < 0x20 || code === 0x7f) return `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code > 0x7e) return `'${ch}' (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
  return `'${ch}'`;
}
