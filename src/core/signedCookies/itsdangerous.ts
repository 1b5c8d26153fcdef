/**
 * itsdangerous URL-safe serializers, which Flask uses for its session cookie:
 * `base64url(json).base64url(timestamp).base64url(hmac)`, the payload zlib-compressed and prefixed
 * with '.' when that is shorter. The signature needs the app's SECRET_KEY; the content does not.
 */
import { boundedInflate } from './inflate';
import { bigEndianUint, fromBase64, fromBase64Url, macForLength, parseJson, plausibleEpochSeconds, utf8Text } from './encoding';
import type { SignedCookieDecoding } from './types';

const TIMED = /^(\.?)([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{4,8})\.([A-Za-z0-9_-]{27,88})$/;
const UNTIMED = /^(\.?)([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{27,88})$/;
/** itsdangerous before 1.0 counted from 2011-01-01. */
const LEGACY_EPOCH_SECONDS = 1_293_840_000;
const FRAMEWORK = 'Flask (itsdangerous)';

/**
 * Undoes Flask's tagged JSON (flask.json.tag): tuples, bytes, Markup, UUIDs and dates are stored
 * as single-key objects such as {" t": [...]}. Bounded depth.
 */
export function untagFlaskJson(value: unknown, depth = 0): unknown {
  if (depth > 20) return value;
  if (Array.isArray(value)) return value.map((v) => untagFlaskJson(v, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const [key] = keys;
    const inner = obj[key];
    switch (key) {
      case ' t':
        return Array.isArray(inner) ? inner.map((v) => untagFlaskJson(v, depth + 1)) : inner;
      case ' b': {
        const bytes = typeof inner === 'string' ? fromBase64(inner) : undefined;
        const text = bytes ? utf8Text(bytes) : undefined;
        return text ?? inner;
      }
      case ' u':
      case ' m':
      case ' d':
        return inner;
      case ' di':
        if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
          // " di" escapes a dict whose only key looks like a tag: "key__" stands for "key".
          const [[k, v]] = Object.entries(inner as Record<string, unknown>);
          return { [k.endsWith('__') ? k.slice(0, -2) : k]: untagFlaskJson(v, depth + 1) };
        }
        return inner;
      default:
        break;
    }
  }
  return Object.fromEntries(keys.map((k) => [k, untagFlaskJson(obj[k], depth + 1)]));
}

function timestampOf(segment: string): number | undefined {
  const bytes = fromBase64Url(segment);
  const n = bytes ? bigEndianUint(bytes) : undefined;
  if (n === undefined) return undefined;
  if (plausibleEpochSeconds(n)) return n * 1000;
  if (plausibleEpochSeconds(n + LEGACY_EPOCH_SECONDS)) return (n + LEGACY_EPOCH_SECONDS) * 1000;
  return undefined;
}

/** Decodes an itsdangerous value without the key, or undefined when it is not one. */
export function decodeItsdangerous(value: string): SignedCookieDecoding | undefined {
  const timed = TIMED.exec(value);
  const match = timed ?? UNTIMED.exec(value);
  if (!match) return undefined;
  const compressed = match[1] === '.';
  const signature = timed ? match[4] : match[3];
  const signatureAlgorithm = macForLength(signature.length);
  if (!signatureAlgorithm) return undefined;
  const timestamp = timed ? timestampOf(match[3]) : undefined;
  if (timed && timestamp === undefined) return undefined;
  const payload = fromBase64Url(match[2]);
  if (!payload) return undefined;

  const base = { format: 'itsdangerous' as const, framework: FRAMEWORK, signature, signatureAlgorithm, ...(timestamp !== undefined ? { timestamp } : {}), ...(compressed ? { compressed } : {}) };
  const signedNote = `signed with ${signatureAlgorithm} by the app's SECRET_KEY; the signature cannot be checked without it, and the content is readable by anyone holding the cookie`;
  let bytes: Buffer = payload;
  if (compressed) {
    const inflated = boundedInflate(payload);
    // A leading '.', a timestamp and a MAC-sized signature are distinctive enough to name the format.
    if (!inflated.ok) return { ...base, readable: false, note: `${FRAMEWORK} session cookie: ${inflated.message}` };
    bytes = inflated.bytes;
  }
  const text = utf8Text(bytes);
  const json = text !== undefined ? parseJson(text) : undefined;
  if (!json) {
    if (!compressed) return undefined;
    return { ...base, readable: false, note: `${FRAMEWORK} session cookie whose decompressed payload is not JSON; ${signedNote}` };
  }
  if (!timed && (json.value === null || typeof json.value !== 'object')) return undefined;
  return {
    ...base,
    readable: true,
    content: untagFlaskJson(json.value),
    note: `${timed ? 'Flask session cookie' : 'itsdangerous serialized value'}${compressed ? ' (zlib-compressed)' : ''}: ${signedNote}. Keep secrets out of the session or use server-side sessions.`,
  };
}
