/**
 * Checks a framework session cookie's signature with a candidate secret, re-implementing each
 * framework's signing scheme with node:crypto: express-session (cookie-signature), cookie-session
 * (keygrip), Flask (itsdangerous, HMAC key derivation with salt "cookie-session") and Django
 * (salted HMAC). Used to tell the user "this session cookie is signed with a well-known secret".
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { WEAK_SECRETS } from '../jwt/weakSecrets';
import { decodeSignedCookie } from './decodeSignedCookie';
import type { SignedCookieFormat } from './types';

export type SignedCookieCheck =
  /** The signature verifies with the secret. */
  | 'valid'
  /** The signature does not verify with the secret (under every salt tried). */
  | 'invalid'
  /** Not a recognised signed format, or the companion signature cookie is missing. */
  | 'unsupported';

export interface SignedCookieVerifyOptions {
  /** Other cookies of the same request/response; cookie-session needs its `<name>.sig` companion. */
  readonly cookies?: Readonly<Record<string, string>>;
  /** Extra salt to try: Django `set_signed_cookie(salt=…)`, a custom itsdangerous salt. */
  readonly salt?: string;
}

export interface SignedCookieVerification {
  readonly result: SignedCookieCheck;
  readonly format?: SignedCookieFormat;
  /** Which scheme matched, e.g. "Flask session (itsdangerous, salt cookie-session)". */
  readonly scheme?: string;
  readonly message: string;
}

type Secret = string | Uint8Array;

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function percentDecoded(value: string): string {
  try {
    return value.includes('%') ? decodeURIComponent(value) : value;
  } catch {
    return value;
  }
}

function toBuffer(secret: Secret): Buffer {
  return typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
}

/** One way a format may have been signed: the signed text, the signature, and how to compute it. */
interface Scheme {
  readonly name: string;
  readonly matches: (secret: Buffer) => boolean;
}

function expressSessionSchemes(value: string): Scheme[] {
  const m = /^s:([^.\s]{1,512})\.([A-Za-z0-9+/]{43})$/.exec(value);
  if (!m) return [];
  const expected = Buffer.from(m[2], 'base64');
  return [{ name: 'express-session (cookie-signature HMAC-SHA256)', matches: (secret) => equal(createHmac('sha256', secret).update(m[1]).digest(), expected) }];
}

function keygripSignature(hash: string, secret: Buffer, data: string): string {
  return createHmac(hash, secret).update(data).digest('base64').replace(/\/|\+|=/g, (c) => ({ '/': '_', '+': '-', '=': '' })[c] ?? '');
}

function cookieSessionSchemes(name: string, value: string, cookies: Readonly<Record<string, string>> | undefined): Scheme[] {
  const isSig = name.endsWith('.sig');
  const baseName = isSig ? name.slice(0, -4) : name;
  const data = isSig ? cookies?.[baseName] : value;
  const signature = isSig ? value : cookies?.[`${name}.sig`];
  if (data === undefined || signature === undefined) return [];
  const hash = signature.length === 27 ? 'sha1' : signature.length === 43 ? 'sha256' : signature.length === 86 ? 'sha512' : undefined;
  if (!hash) return [];
  const expected = Buffer.from(signature);
  return [{
    name: `cookie-session (keygrip HMAC-${hash.toUpperCase()} of "${baseName}=…")`,
    matches: (secret) => equal(Buffer.from(keygripSignature(hash, secret, `${baseName}=${data}`)), expected),
  }];
}

function itsdangerousSchemes(value: string, salt: string | undefined): Scheme[] {
  const cut = value.lastIndexOf('.');
  if (cut <= 0) return [];
  const signed = value.slice(0, cut);
  const expected = Buffer.from(value.slice(cut + 1), 'base64url');
  const hash = expected.length === 20 ? 'sha1' : expected.length === 32 ? 'sha256' : expected.length === 64 ? 'sha512' : undefined;
  if (!hash) return [];
  const schemes: Scheme[] = [];
  // Flask: key derivation "hmac" with salt "cookie-session" (SecureCookieSessionInterface).
  for (const s of ['cookie-session', ...(salt ? [salt] : [])]) {
    schemes.push({
      name: `Flask session (itsdangerous, salt ${s})`,
      matches: (secret) => equal(createHmac(hash, createHmac(hash, secret).update(s).digest()).update(signed).digest(), expected),
    });
  }
  // itsdangerous' own default: key derivation "django-concat" with salt "itsdangerous".
  for (const s of ['itsdangerous', ...(salt ? [salt] : [])]) {
    schemes.push({
      name: `itsdangerous serializer (salt ${s})`,
      matches: (secret) => equal(createHmac(hash, createHash(hash).update(Buffer.concat([Buffer.from(`${s}signer`), secret])).digest()).update(signed).digest(), expected),
    });
  }
  return schemes;
}

function djangoSchemes(name: string, value: string, salt: string | undefined): Scheme[] {
  const unquoted = value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  const cut = unquoted.lastIndexOf(':');
  if (cut <= 0) return [];
  const signed = unquoted.slice(0, cut);
  const signature = unquoted.slice(cut + 1);
  const hash = signature.length === 43 ? 'sha256' : signature.length === 27 ? 'sha1' : undefined;
  if (!hash) return [];
  const expected = Buffer.from(signature, 'base64url');
  // django.utils.crypto.salted_hmac: key = H(key_salt + secret), then HMAC(key, value).
  const salted = (keySalt: string, secret: Buffer): Buffer =>
    createHmac(hash, createHash(hash).update(Buffer.concat([Buffer.from(keySalt), secret])).digest()).update(signed).digest();
  const schemes: Scheme[] = [];
  const signerSalts = ['django.contrib.sessions.backends.signed_cookies', 'django.core.signing', ...(salt ? [salt] : [])];
  for (const s of signerSalts) {
    schemes.push({ name: `Django signing (salt ${s})`, matches: (secret) => equal(salted(`${s}signer`, secret), expected) });
  }
  // set_signed_cookie: Signer(b"django.http.cookies" + SECRET_KEY, salt=cookie name + salt).
  const cookieSalt = `${name}${salt ?? ''}`;
  schemes.push({
    name: `Django set_signed_cookie (salt ${JSON.stringify(salt ?? '')})`,
    matches: (secret) => equal(salted(`${cookieSalt}signer`, Buffer.concat([Buffer.from('django.http.cookies'), secret])), expected),
  });
  return schemes;
}

function schemesFor(name: string, rawValue: string, options: SignedCookieVerifyOptions): { format?: SignedCookieFormat; schemes: Scheme[] } {
  const value = percentDecoded(rawValue.trim());
  const decoded = decodeSignedCookie(name, rawValue, options.cookies);
  if (!decoded) return { schemes: [] };
  switch (decoded.format) {
    case 'express-session':
      return { format: decoded.format, schemes: expressSessionSchemes(value) };
    case 'cookie-session':
    case 'cookie-session-signature':
      return { format: decoded.format, schemes: cookieSessionSchemes(name, value, options.cookies) };
    case 'itsdangerous':
      return { format: decoded.format, schemes: itsdangerousSchemes(value, options.salt) };
    case 'django-signing':
      return { format: decoded.format, schemes: djangoSchemes(name, value, options.salt) };
  }
}

/** Verifies a session cookie's signature with `secret`. Never throws. */
export function verifySignedCookie(name: string, value: string, secret: Secret, options: SignedCookieVerifyOptions = {}): SignedCookieVerification {
  try {
    const { format, schemes } = schemesFor(name, value, options);
    if (schemes.length === 0) {
      return {
        result: 'unsupported',
        ...(format ? { format } : {}),
        message: format === 'cookie-session' || format === 'cookie-session-signature'
          ? `cookie-session keeps the signature in a companion cookie; pass both '${name.replace(/\.sig$/, '')}' and '${name.replace(/\.sig$/, '')}.sig'`
          : 'not a signed session cookie format Session Lens knows',
      };
    }
    const key = toBuffer(secret);
    const hit = schemes.find((s) => s.matches(key));
    return hit
      ? { result: 'valid', ...(format ? { format } : {}), scheme: hit.name, message: `signature valid (${hit.name})` }
      : { result: 'invalid', ...(format ? { format } : {}), message: `the signature does not verify with this secret (tried ${schemes.map((s) => s.name).join('; ')})` };
  } catch (err) {
    return { result: 'unsupported', message: `could not check the signature: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export interface WeakSessionSecretMatch {
  readonly format: SignedCookieFormat;
  readonly scheme: string;
  /** The secret as text (`hex:…` for bytes). */
  readonly secret: string;
  /** Quoted for display, or "(empty string)". */
  readonly display: string;
}

/**
 * Tries the built-in list of well-known secrets (the JWT list: tutorial and framework defaults such
 * as "keyboard cat", "dev", "changeme") against a session cookie's signature. Synchronous; a few
 * thousand HMACs at most, so the extension can run it beside the JWT check in a worker.
 */
export function findWeakSessionSecret(name: string, value: string, options: SignedCookieVerifyOptions = {}, secrets: readonly Secret[] = WEAK_SECRETS): WeakSessionSecretMatch | undefined {
  try {
    const { format, schemes } = schemesFor(name, value, options);
    if (!format || schemes.length === 0) return undefined;
    for (const secret of secrets) {
      const key = toBuffer(secret);
      const hit = schemes.find((s) => s.matches(key));
      if (hit) {
        const text = typeof secret === 'string' ? secret : `hex:${key.toString('hex')}`;
        return { format, scheme: hit.name, secret: text, display: text === '' ? '(empty string)' : JSON.stringify(text) };
      }
    }
    return undefined;
  } catch {
    return undefined;
  }
}
