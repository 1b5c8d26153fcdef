/**
 * JWT tampering for the in-flight rules: the token a request carries is rewritten as expired,
 * not yet valid, `alg: none`, with edited claims, or re-signed with the user's key, so a
 * developer sees whether their verifier rejects what it must.
 *
 * Signing is synchronous (node:crypto): it runs while the relay holds a request head, and an
 * asynchronous signer (jose's API is promise-based) would mean parking the head mid-flight.
 * The tests verify what is signed here with jose.
 */
import { constants, createHmac, createPrivateKey, createPublicKey, createSecretKey, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { InFlightRuleError, type JwtTamperMode } from './inFlightRule';

/** A key the user gave for re-signing, ready to sign with. */
export interface SigningKey {
  readonly key: KeyObject;
  /** 'secret', 'rsa', 'rsa-pss', 'ec', 'ed25519', 'ed448'. */
  readonly type: string;
  /** Algorithm used when the token's own alg does not fit the key. */
  readonly defaultAlg: string;
  /** "HMAC secret, 12 bytes", "RSA private key, 2048 bits" (never the key). */
  readonly description: string;
}

const EC_ALG: Readonly<Record<string, string>> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512', secp256k1: 'ES256K' };

/**
 * Reads the key text of a tamper rule: a PEM private key, a private JWK (JSON with `d` or `k`),
 * or else a shared secret (the exact characters; `base64url:` / `base64:` prefixes decode).
 * Public keys are refused: they cannot sign.
 */
export function parseSigningKey(text: string): SigningKey {
  if (typeof text !== 'string' || text.length === 0) throw new InFlightRuleError('the signing key is empty');
  const trimmed = text.trim();
  if (/-----BEGIN [A-Z ]*PUBLIC KEY-----|-----BEGIN CERTIFICATE-----/.test(trimmed)) throw new InFlightRuleError('that PEM is a public key or certificate; re-signing needs the private key');
  if (trimmed.startsWith('-----BEGIN')) {
    if (/ENCRYPTED PRIVATE KEY/.test(trimmed)) throw new InFlightRuleError('the PEM private key is encrypted; decrypt it first (openssl pkey -in key.pem -out plain.pem)');
    try {
      return asymmetric(createPrivateKey(trimmed));
    } catch (err) {
      throw new InFlightRuleError(`the PEM is not a usable private key: ${(err as Error).message}`);
    }
  }
  if (trimmed.startsWith('{')) {
    let jwk: Record<string, unknown>;
    try {
      jwk = JSON.parse(trimmed) as Record<string, unknown>;
    } catch (err) {
      throw new InFlightRuleError(`the key looks like a JWK but is not JSON: ${(err as Error).message}`);
    }
    if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) throw new InFlightRuleError('the JWK must be a JSON object');
    if (jwk.kty === 'oct') {
      if (typeof jwk.k !== 'string' || jwk.k.length === 0) throw new InFlightRuleError('the oct JWK has no "k"');
      const bytes = Buffer.from(jwk.k, 'base64url');
      return secret(bytes, typeof jwk.alg === 'string' && /^HS(256|384|512)$/.test(jwk.alg) ? jwk.alg : 'HS256');
    }
    if (typeof jwk.d !== 'string') throw new InFlightRuleError('the JWK is a public key (no "d"); re-signing needs the private key');
    try {
      return asymmetric(createPrivateKey({ key: jwk as never, format: 'jwk' }));
    } catch (err) {
      throw new InFlightRuleError(`the JWK is not a usable private key: ${(err as Error).message}`);
    }
  }
  const m = /^(base64url|base64):(.*)$/s.exec(trimmed);
  const bytes = m ? Buffer.from(m[2], m[1] as BufferEncoding) : Buffer.from(text.replace(/\r?\n$/, ''), 'utf8');
  if (bytes.length === 0) throw new InFlightRuleError('the secret is empty');
  return secret(bytes, 'HS256');
}

function secret(bytes: Buffer, alg: string): SigningKey {
  return { key: createSecretKey(bytes), type: 'secret', defaultAlg: alg, description: `HMAC secret, ${bytes.length} bytes` };
}

function asymmetric(key: KeyObject): SigningKey {
  const type = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  switch (type) {
    case 'rsa':
      return { key, type, defaultAlg: 'RS256', description: `RSA private key, ${details.modulusLength ?? '?'} bits` };
    case 'rsa-pss':
      return { key, type, defaultAlg: 'PS256', description: `RSA-PSS private key, ${details.modulusLength ?? '?'} bits` };
    case 'ec': {
      const alg = EC_ALG[details.namedCurve ?? ''];
      if (alg === undefined) throw new InFlightRuleError(`EC curve ${details.namedCurve ?? '?'} has no JWS algorithm`);
      return { key, type, defaultAlg: alg, description: `EC private key, ${details.namedCurve}` };
    }
    case 'ed25519':
    case 'ed448':
      return { key, type, defaultAlg: 'EdDSA', description: `${type} private key` };
    default:
      throw new InFlightRuleError(`a ${type} key cannot sign JWTs`);
  }
}

/** True when `alg` can be signed with a key of `type`. */
function fits(alg: string, type: string): boolean {
  if (type === 'secret') return /^HS(256|384|512)$/.test(alg);
  if (type === 'rsa') return /^(RS|PS)(256|384|512)$/.test(alg);
  if (type === 'rsa-pss') return /^PS(256|384|512)$/.test(alg);
  if (type === 'ec') return /^ES(256|384|512|256K)$/.test(alg);
  return alg === 'EdDSA' || alg === 'Ed25519';
}

function signature(alg: string, data: Buffer, k: SigningKey): Buffer {
  const bits = /(\d{3})/.exec(alg)?.[1] ?? '256';
  const hash = `sha${bits}`;
  if (alg.startsWith('HS')) return createHmac(hash, k.key).update(data).digest();
  if (alg.startsWith('RS')) return sign(hash, data, k.key);
  if (alg.startsWith('PS')) return sign(hash, data, { key: k.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(bits) / 8 });
  if (alg.startsWith('ES')) return sign(hash, data, { key: k.key, dsaEncoding: 'ieee-p1363' });
  return sign(null, data, k.key);
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

/** What to do to a token. */
export interface JwtTamper {
  readonly mode: JwtTamperMode;
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly key?: SigningKey;
}

/**
 * The tampered form of `token`, or undefined when it is not a compact JWS with a JSON header and
 * payload (it is then sent unchanged). `now` is epoch ms.
 */
export function tamperJwt(token: string, tamper: JwtTamper, now: number): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const header = decodePart(parts[0]);
  const payload = decodePart(parts[1]);
  if (header === undefined || payload === undefined || typeof header.alg !== 'string') return undefined;
  const seconds = Math.floor(now / 1000);
  let nextPayload = payload;
  let nextHeader = header;
  switch (tamper.mode) {
    case 'expired':
      nextPayload = { ...payload, exp: seconds - 3600 };
      if (typeof payload.iat === 'number' && payload.iat > seconds - 3600) nextPayload.iat = seconds - 7200;
      if (typeof payload.nbf === 'number' && payload.nbf > seconds - 3600) nextPayload.nbf = seconds - 7200;
      break;
    case 'not-yet-valid':
      nextPayload = { ...payload, nbf: seconds + 3600, iat: seconds + 3600 };
      if (typeof payload.exp === 'number' && payload.exp <= seconds + 3600) nextPayload.exp = seconds + 7200;
      break;
    case 'claims':
      nextPayload = { ...payload };
      for (const [name, value] of Object.entries(tamper.claims ?? {})) {
        if (value === null) delete nextPayload[name];
        else nextPayload[name] = value;
      }
      break;
    case 'alg-none':
      nextHeader = { ...header, alg: 'none' };
      return `${encode(nextHeader)}.${parts[1]}.`;
    case 'resign':
      break;
  }
  const key = tamper.key;
  const headerPart = nextHeader === header && (key === undefined || fits(header.alg, key.type)) ? parts[0] : undefined;
  const payloadPart = nextPayload === payload ? parts[1] : encode(nextPayload);
  if (key === undefined) return `${headerPart ?? parts[0]}.${payloadPart}.${parts[2]}`;
  const alg = fits(header.alg, key.type) ? header.alg : key.defaultAlg;
  const h = headerPart ?? encode({ ...nextHeader, alg });
  const input = `${h}.${payloadPart}`;
  return `${input}.${signature(alg, Buffer.from(input, 'latin1'), key).toString('base64url')}`;
}

/**
 * True when `token`'s signature verifies with `k` under the token's own `alg`: the key is the one
 * the server signs with, so a token re-signed with it is rejected for its claims, not its
 * signature. False for `alg: none`, an alg the key cannot sign, or a token that is not a JWS.
 */
export function verifiesWith(token: string, k: SigningKey): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  const alg = decodePart(parts[0])?.alg;
  if (typeof alg !== 'string' || !fits(alg, k.type)) return false;
  const data = Buffer.from(`${parts[0]}.${parts[1]}`, 'latin1');
  const given = Buffer.from(parts[2], 'base64url');
  const bits = /(\d{3})/.exec(alg)?.[1] ?? '256';
  const hash = `sha${bits}`;
  try {
    if (alg.startsWith('HS')) {
      const expected = createHmac(hash, k.key).update(data).digest();
      return expected.length === given.length && timingSafeEqual(expected, given);
    }
    const publicKey = createPublicKey(k.key);
    if (alg.startsWith('RS')) return verify(hash, data, publicKey, given);
    if (alg.startsWith('PS')) return verify(hash, data, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(bits) / 8 }, given);
    if (alg.startsWith('ES')) return verify(hash, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, given);
    return verify(null, data, publicKey, given);
  } catch {
    return false;
  }
}
