/**
 * express `cookie-session`: the whole session is `base64(JSON)` in the cookie, and keygrip's HMAC
 * of `name=value` goes in a companion cookie `<name>.sig` (unless `signed: false`).
 */
import { fromBase64, parseJson, utf8Text } from './encoding';
import type { SignedCookieDecoding } from './types';

const FRAMEWORK = 'express cookie-session';
/** keygrip signatures: base64 with '/', '+' replaced and '=' dropped; SHA-1 by default. */
const KEYGRIP_SIGNATURE = /^[A-Za-z0-9_-]{27}$|^[A-Za-z0-9_-]{43}$|^[A-Za-z0-9_-]{86}$/;

/** The `.sig` companion cookie of cookie-session, or undefined. */
export function decodeCookieSessionSignature(name: string, value: string): SignedCookieDecoding | undefined {
  if (!name.endsWith('.sig') || name.length <= 4 || !KEYGRIP_SIGNATURE.test(value)) return undefined;
  const base = name.slice(0, -4);
  const algorithm = value.length === 27 ? 'HMAC-SHA1' : value.length === 43 ? 'HMAC-SHA256' : 'HMAC-SHA512';
  return {
    format: 'cookie-session-signature',
    framework: FRAMEWORK,
    readable: false,
    signature: value,
    signatureAlgorithm: algorithm,
    note: `signature (keygrip ${algorithm}) of cookie '${base}'; checking it needs the app's keys`,
  };
}

/**
 * A base64-encoded JSON object, as cookie-session writes it. `cookies` (all cookies of the same
 * request or response) lets the note say whether the companion `.sig` cookie is there.
 */
export function decodeCookieSession(name: string, value: string, cookies?: Readonly<Record<string, string>>): SignedCookieDecoding | undefined {
  if (value.length < 4) return undefined;
  const bytes = fromBase64(value);
  const text = bytes ? utf8Text(bytes) : undefined;
  const json = text !== undefined && text.trimStart().startsWith('{') ? parseJson(text) : undefined;
  if (!json || json.value === null || typeof json.value !== 'object' || Array.isArray(json.value)) return undefined;
  const sigName = `${name}.sig`;
  const signatureNote = cookies === undefined
    ? `its signature, if any, is in the companion cookie '${sigName}'`
    : cookies[sigName] !== undefined
      ? `signed by the companion cookie '${sigName}'`
      : `no companion '${sigName}' cookie was seen, so the session may be unsigned (signed: false) and anyone could change it`;
  return {
    format: 'cookie-session',
    framework: FRAMEWORK,
    readable: true,
    content: json.value,
    note: `session data stored in the cookie as base64 JSON (readable by anyone holding it); ${signatureNote}. Keep secrets out of it.`,
  };
}
