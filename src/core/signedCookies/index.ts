/** Keyless decoding of framework session cookies (Flask, Django, express cookie-session, express-session). */
export { decodeSignedCookie } from './decodeSignedCookie';
export { decodeCookieSession, decodeCookieSessionSignature } from './cookieSession';
export { decodeDjangoSigned } from './django';
export { decodeExpressSession } from './expressSession';
export { decodeItsdangerous, untagFlaskJson } from './itsdangerous';
export { boundedInflate } from './inflate';
export { MAX_COOKIE_VALUE_LENGTH, MAX_DECOMPRESSED_BYTES } from './types';
export type { SignedCookieDecoding, SignedCookieFormat } from './types';
export { findWeakSessionSecret, verifySignedCookie } from './verifySignedCookie';
export type { SignedCookieCheck, SignedCookieVerification, SignedCookieVerifyOptions, WeakSessionSecretMatch } from './verifySignedCookie';
