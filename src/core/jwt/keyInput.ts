/**
 * What the user pasted or pointed at as a verification key: a shared secret, a PEM, a JWK, a JWKS
 * or a loopback JWKS URL. `parseKeyInput` recognises the form and checks the material early, so a
 * wrong paste gets a specific message before any token is verified.
 */
import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { isLoopbackHost } from '../net/loopback';
import { decodeBase64UrlSegment } from './base64url';

export { isLoopbackHost };

/** A JSON Web Key as plain data (RFC 7517). */
export type JsonWebKey = Record<string, unknown> & { kty: string; kid?: string; alg?: string; use?: string };

export type PemType = 'spki' | 'certificate' | 'pkcs8-private' | 'pkcs1-public' | 'pkcs1-private' | 'sec1-private';

/** A parsed verification key; plain data that can be kept in SecretStorage as the original text. */
export type KeyInput =
  | { readonly kind: 'secret'; readonly encoding: 'utf8' | 'base64url' | 'base64'; readonly bytes: Uint8Array; readonly description: string }
  | { readonly kind: 'pem'; readonly pemType: PemType; readonly pem: string; readonly description: string }
  | { readonly kind: 'jwk'; readonly jwk: JsonWebKey; readonly description: string }
  | { readonly kind: 'jwks'; readonly jwks: { readonly keys: readonly JsonWebKey[] }; readonly description: string }
  | { readonly kind: 'jwks-url'; readonly url: string; readonly description: string };

export type KeyParseResult = { readonly ok: true; readonly key: KeyInput } | { readonly ok: false; readonly error: string };

export interface ParseKeyOptions {
  /**
   * How to read text that is not a PEM, JSON or URL. Default 'utf8': the secret is the exact
   * characters given (one trailing line break removed). Text starting with `base64url:` or
   * `base64:` is always decoded, whatever this says.
   */
  readonly secretEncoding?: 'utf8' | 'base64url';
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n?([\s\S]*?)-----END \1-----/g;

const PEM_TYPES: Readonly<Record<string, PemType>> = {
  'PUBLIC KEY': 'spki',
  CERTIFICATE: 'certificate',
  'TRUSTED CERTIFICATE': 'certificate',
  'PRIVATE KEY': 'pkcs8-private',
  'RSA PUBLIC KEY': 'pkcs1-public',
  'RSA PRIVATE KEY': 'pkcs1-private',
  'EC PRIVATE KEY': 'sec1-private',
};

const PEM_REFUSALS: Readonly<Record<string, string>> = {
  'ENCRYPTED PRIVATE KEY': 'the PEM is an encrypted private key; give the public key instead (openssl pkey -in key.pem -pubout)',
  'OPENSSH PRIVATE KEY': 'OpenSSH key files are not supported; export the public key as PEM (ssh-keygen -e -m PKCS8 -f key.pub)',
  'CERTIFICATE REQUEST': 'the PEM is a certificate signing request, not a key or certificate',
  'NEW CERTIFICATE REQUEST': 'the PEM is a certificate signing request, not a key or certificate',
  'X509 CRL': 'the PEM is a certificate revocation list, not a key or certificate',
};

/** Checks a JWKS URL: http(s), loopback host, no credentials. Returns the normalised URL or an error. */
export function checkJwksUrl(text: string): { ok: true; url: string } | { ok: false; error: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: `'${text.slice(0, 100)}' is not a valid URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, error: `JWKS URLs must be http or https, not '${url.protocol}'` };
  }
  if (!isLoopbackHost(url.hostname, { subdomains: false })) {
    // The capture works against a local dev server; fetching from anywhere else would make the
    // extension a network client that token contents (jku/x5u) or a pasted URL could steer.
    return { ok: false, error: `JWKS URL host '${url.hostname}' is not this machine; only loopback hosts (127.0.0.0/8, ::1, localhost) are fetched. Download the JWKS and give the file instead.` };
  }
  if (url.username || url.password) return { ok: false, error: 'JWKS URLs must not carry a user name or password' };
  return { ok: true, url: url.href };
}

const CURVE_NAMES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521', secp256k1: 'secp256k1' };

/** One-line description of a public KeyObject: "RSA public key, 2048 bits". */
export function describePublicKey(key: KeyObject): string {
  const type = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  switch (type) {
    case 'rsa':
    case 'rsa-pss':
      return `${type === 'rsa' ? 'RSA' : 'RSA-PSS'} public key, ${details.modulusLength ?? '?'} bits`;
    case 'ec':
      return `EC public key, curve ${CURVE_NAMES[details.namedCurve ?? ''] ?? details.namedCurve ?? '?'}`;
    case 'ed25519':
      return 'Ed25519 public key';
    case 'ed448':
      return 'Ed448 public key';
    default:
      return `${type} public key`;
  }
}

/** The public key of a PEM block (certificates and private keys give their public part). */
export function publicKeyFromPem(pem: string, pemType: PemType): KeyObject {
  if (pemType === 'certificate') return new X509Certificate(pem).publicKey;
  // For private keys only the public half is kept: verification never needs the private key.
  return createPublicKey(pem);
}

function cleanOpenSslMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^error:[0-9A-F]+:/i, '').trim();
}

function parsePem(text: string): KeyParseResult {
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) return { ok: false, error: 'the text starts like a PEM but has no complete -----BEGIN …-----/-----END …----- block' };
  for (const block of blocks) {
    const label = block[1];
    if (label === 'EC PARAMETERS') continue;
    if (PEM_REFUSALS[label]) return { ok: false, error: PEM_REFUSALS[label] };
    const pemType = PEM_TYPES[label];
    if (!pemType) return { ok: false, error: `the PEM block is '${label}', which is not a public key, private key or certificate` };
    const pem = block[0].trim() + '\n';
    try {
      const key = publicKeyFromPem(pem, pemType);
      const what = describePublicKey(key);
      const from: Record<PemType, string> = {
        spki: 'SPKI PEM',
        certificate: 'from an X.509 certificate',
        'pkcs8-private': 'derived from a PKCS#8 private key',
        'pkcs1-public': 'PKCS#1 PEM',
        'pkcs1-private': 'derived from a PKCS#1 private key',
        'sec1-private': 'derived from an EC private key',
      };
      return { ok: true, key: { kind: 'pem', pemType, pem, description: `${what} (${from[pemType]})` } };
    } catch (err) {
      return { ok: false, error: `the '${label}' PEM block could not be read: ${cleanOpenSslMessage(err)}` };
    }
  }
  return { ok: false, error: 'the PEM holds only EC PARAMETERS, no key' };
}

/** Checks one JWK and describes it; returns an error string when it cannot be used. */
export function describeJwk(jwk: unknown, where = 'the JWK'): { ok: true; jwk: JsonWebKey; description: string } | { ok: false; error: string } {
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) return { ok: false, error: `${where} is not a JSON object` };
  const k = jwk as Record<string, unknown>;
  if (typeof k.kty !== 'string') return { ok: false, error: `${where} has no "kty" (key type) string` };
  const kid = typeof k.kid === 'string' ? `, kid "${k.kid}"` : '';
  const alg = typeof k.alg === 'string' ? `, alg ${k.alg}` : '';
  if (k.kty === 'oct') {
    if (typeof k.k !== 'string') return { ok: false, error: `${where} is an "oct" key without a "k" value` };
    const decoded = decodeBase64UrlSegment(k.k);
    if (!decoded.ok) return { ok: false, error: `${where} "k" ${decoded.message}` };
    if (decoded.bytes.length === 0) return { ok: false, error: `${where} "k" is empty` };
    return { ok: true, jwk: k as JsonWebKey, description: `shared secret JWK, ${decoded.bytes.length} bytes${kid}${alg}` };
  }
  if (k.kty !== 'RSA' && k.kty !== 'EC' && k.kty !== 'OKP') {
    return { ok: false, error: `${where} has kty "${k.kty}"; supported are oct, RSA, EC and OKP` };
  }
  try {
    const key = createPublicKey({ key: k as import('node:crypto').JsonWebKey, format: 'jwk' });
    const priv = typeof k.d === 'string' ? ' (public part of a private JWK)' : '';
    return { ok: true, jwk: k as JsonWebKey, description: `${describePublicKey(key)} from a JWK${kid}${alg}${priv}` };
  } catch (err) {
    return { ok: false, error: `${where} could not be read: ${cleanOpenSslMessage(err)}` };
  }
}

function parseJson(text: string): KeyParseResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `the key looks like JSON but does not parse: ${(err as Error).message}` };
  }
  if (Array.isArray(parsed)) return { ok: false, error: 'the key is a JSON array; a JWKS is an object {"keys": [...]}' };
  if (parsed === null || typeof parsed !== 'object') return { ok: false, error: 'the key is JSON but not an object' };
  const obj = parsed as Record<string, unknown>;
  if ('keys' in obj) {
    if (!Array.isArray(obj.keys)) return { ok: false, error: 'the JWKS "keys" member is not an array' };
    if (obj.keys.length === 0) return { ok: false, error: 'the JWKS has no keys' };
    const keys: JsonWebKey[] = [];
    for (let i = 0; i < obj.keys.length; i++) {
      const checked = describeJwk(obj.keys[i], `JWKS key ${i + 1}`);
      if (!checked.ok) return checked;
      keys.push(checked.jwk);
    }
    const kids = keys.map((k) => k.kid).filter((k): k is string => typeof k === 'string');
    const kidText = kids.length ? ` (kid ${kids.map((k) => `"${k}"`).join(', ')})` : '';
    return { ok: true, key: { kind: 'jwks', jwks: { keys }, description: `JWKS with ${keys.length} key${keys.length === 1 ? '' : 's'}${kidText}` } };
  }
  if ('kty' in obj) {
    const checked = describeJwk(obj);
    return checked.ok ? { ok: true, key: { kind: 'jwk', jwk: checked.jwk, description: checked.description } } : checked;
  }
  return { ok: false, error: 'the JSON is neither a JWK (no "kty") nor a JWKS (no "keys" array)' };
}

/** A shared secret from text, read as UTF-8 or base64url. */
export function secretKeyInput(text: string, encoding: 'utf8' | 'base64url' | 'base64' = 'utf8'): KeyParseResult {
  if (text.length === 0) return { ok: false, error: 'the secret is empty' };
  // A public key used as an HMAC secret is exactly the algorithm-confusion attack (RFC 8725 §2.1).
  if (text.includes('-----BEGIN')) return { ok: false, error: 'this is a PEM key, not a shared secret; give it as a key (file) instead' };
  if (encoding === 'utf8') {
    const bytes = Buffer.from(text, 'utf8');
    return { ok: true, key: { kind: 'secret', encoding, bytes, description: `shared secret, ${bytes.length} bytes (UTF-8 text)` } };
  }
  if (encoding === 'base64url') {
    const decoded = decodeBase64UrlSegment(text);
    if (!decoded.ok) return { ok: false, error: `the base64url secret ${decoded.message}` };
    return { ok: true, key: { kind: 'secret', encoding, bytes: decoded.bytes, description: `shared secret, ${decoded.bytes.length} bytes (base64url)` } };
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1) {
    return { ok: false, error: 'the base64 secret contains characters outside the base64 alphabet or has a bad length' };
  }
  const bytes = Buffer.from(text, 'base64');
  return { ok: true, key: { kind: 'secret', encoding, bytes, description: `shared secret, ${bytes.length} bytes (base64)` } };
}

/**
 * Recognises a pasted key: PEM (public key, certificate, private key → its public part), JWK, JWKS,
 * a loopback JWKS URL, or a shared secret (`base64url:` / `base64:` prefixes select decoding).
 * Never throws; the error says what was expected.
 */
export function parseKeyInput(text: string, options: ParseKeyOptions = {}): KeyParseResult {
  try {
    if (typeof text !== 'string') return { ok: false, error: 'the key is not text' };
    const trimmed = text.trim();
    if (trimmed.length === 0) return { ok: false, error: 'the key is empty' };
    if (trimmed.startsWith('-----BEGIN')) return parsePem(trimmed);
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) return parseJson(trimmed);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) && !/\s/.test(trimmed)) {
      const checked = checkJwksUrl(trimmed);
      return checked.ok ? { ok: true, key: { kind: 'jwks-url', url: checked.url, description: `JWKS at ${checked.url}` } } : checked;
    }
    // A secret keeps its exact characters; only the line break an editor or `echo` adds is dropped.
    const secret = text.replace(/\r?\n$/, '');
    if (secret.startsWith('base64url:')) return secretKeyInput(secret.slice('base64url:'.length), 'base64url');
    if (secret.startsWith('base64:')) return secretKeyInput(secret.slice('base64:'.length), 'base64');
    if (trimmed.includes('-----BEGIN')) return { ok: false, error: 'the text contains a PEM block after other text; paste only the PEM' };
    return secretKeyInput(secret, options.secretEncoding ?? 'utf8');
  } catch (err) {
    return { ok: false, error: `the key could not be read: ${err instanceof Error ? err.message : String(err)}` };
  }
}
