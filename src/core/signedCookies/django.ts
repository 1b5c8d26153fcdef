/**
 * Django signed values: `signing.dumps` (used by the signed_cookies session backend) writes
 * `base64url(json)[:timestamp]:signature`, the payload zlib-compressed and prefixed with '.' when
 * asked; `HttpResponse.set_signed_cookie` writes `value:timestamp:signature` with the value as is.
 * Timestamps are base62 seconds; the signature is base64url HMAC (SHA-256 since Django 3.1, SHA-1 before).
 */
import { boundedInflate } from './inflate';
import { fromBase62, fromBase64Url, macForLength, parseJson, plausibleEpochSeconds, utf8Text } from './encoding';
import type { SignedCookieDecoding } from './types';

const FRAMEWORK = 'Django (django.core.signing)';
const SIGNATURE = /^[A-Za-z0-9_-]{27}$|^[A-Za-z0-9_-]{43}$/;

function dumpsPayload(payload: string): { ok: true; content: unknown; compressed: boolean } | { ok: false; compressed: boolean; message: string } | undefined {
  const compressed = payload.startsWith('.');
  const bytes = fromBase64Url(compressed ? payload.slice(1) : payload);
  if (!bytes || bytes.length === 0) return undefined;
  let data = bytes;
  if (compressed) {
    const inflated = boundedInflate(bytes);
    if (!inflated.ok) return { ok: false, compressed, message: inflated.message };
    data = inflated.bytes;
  }
  const text = utf8Text(data);
  const json = text !== undefined ? parseJson(text) : undefined;
  if (!json) return compressed ? { ok: false, compressed, message: 'the decompressed payload is not JSON (a pickle-serialized session? it is not decoded)' } : undefined;
  return { ok: true, content: json.value, compressed };
}

/** Decodes a Django signed value without the key, or undefined when it is not one. */
export function decodeDjangoSigned(rawValue: string): SignedCookieDecoding | undefined {
  // Django's cookie writer quotes values with special characters.
  const value = rawValue.length >= 2 && rawValue.startsWith('"') && rawValue.endsWith('"') ? rawValue.slice(1, -1) : rawValue;
  const parts = value.split(':');
  if (parts.length < 2) return undefined;
  const signature = parts[parts.length - 1];
  if (!SIGNATURE.test(signature)) return undefined;
  const signatureAlgorithm = macForLength(signature.length)!;
  const tsSeconds = parts.length >= 3 ? fromBase62(parts[parts.length - 2]) : undefined;
  const timed = tsSeconds !== undefined && plausibleEpochSeconds(tsSeconds);
  const payload = parts.slice(0, timed ? -2 : -1).join(':');
  const base = {
    format: 'django-signing' as const,
    framework: FRAMEWORK,
    signature,
    signatureAlgorithm,
    ...(timed ? { timestamp: tsSeconds * 1000 } : {}),
  };
  const signedNote = `signed with ${signatureAlgorithm} derived from SECRET_KEY and a salt; the signature cannot be checked without them, and the content is readable by anyone holding the cookie`;
  const dumps = dumpsPayload(payload);
  if (dumps && !dumps.ok) {
    return { ...base, compressed: dumps.compressed, readable: false, note: `Django signing.dumps value: ${dumps.message}` };
  }
  if (dumps && dumps.ok) {
    return {
      ...base,
      ...(dumps.compressed ? { compressed: true } : {}),
      readable: true,
      content: dumps.content,
      note: `Django signing.dumps value${timed ? ' with timestamp' : ''}${dumps.compressed ? ' (zlib-compressed)' : ''}, as the signed_cookies session backend writes it: ${signedNote}.`,
    };
  }
  // set_signed_cookie: the value itself is plain text. Only the timed form is distinctive enough.
  if (!timed) return undefined;
  return {
    ...base,
    readable: true,
    content: payload,
    note: `Django signed cookie (set_signed_cookie): the value is stored in clear text; ${signedNote}.`,
  };
}
