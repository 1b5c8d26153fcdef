/**
 * express-session (connect) cookie: `s:` + session id + '.' + base64 HMAC-SHA256 of the id
 * (cookie-signature), URL-encoded in the Set-Cookie header. The session data stays on the server.
 */
import type { SignedCookieDecoding } from './types';

const SIGNED_ID = /^s:([^.\s]{1,512})\.([A-Za-z0-9+/]{43})$/;

/** Decodes an express-session signed id, or undefined. `value` may still be URL-encoded. */
export function decodeExpressSession(value: string): SignedCookieDecoding | undefined {
  const m = SIGNED_ID.exec(value);
  if (!m) return undefined;
  return {
    format: 'express-session',
    framework: 'express-session',
    readable: true,
    content: { sessionId: m[1] },
    signature: m[2],
    signatureAlgorithm: 'HMAC-SHA256',
    note: "signed session id: the session data is stored on the server, the cookie only names it. The signature (HMAC-SHA256 with the app's secret) cannot be checked without the secret.",
  };
}
