/**
 * Signature verification with jose. The signature result and the time result are separate, so an
 * expired token signed with the right key reads "signature valid, expired" rather than one "invalid".
 * Never throws.
 */
import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { compactDecrypt, compactVerify, errors as joseErrors } from 'jose';
import { decodeBase64UrlSegment } from './base64url';
import { type DecodedJws, type DecodedJwt, type TimeState, cleanTokenInput, decodeJwt } from './decode';
import { type JsonWebKey, type KeyInput, checkJwksUrl, describeJwk, parseKeyInput, publicKeyFromPem } from './keyInput';
import { describeTime } from './time';

export type SignatureState =
  /** The signature verifies with the key (for a JWE: authenticated decryption succeeded). */
  | 'valid'
  /** The signature does not verify, or the key may not be used with the token's algorithm. */
  | 'invalid'
  /** alg "none" or an empty signature: there is nothing to verify, and verifiers must reject it. */
  | 'unsigned'
  /** The algorithm is not one Session Lens verifies. */
  | 'unsupported'
  /** The key could not be used: unreadable, no key with the token's kid, JWKS fetch failed. */
  | 'key-error'
  /** The input is not a token. */
  | 'malformed';

export interface VerifyResult {
  readonly signature: SignatureState;
  readonly signatureMessage: string;
  /** 'unknown' when the claims cannot be read (malformed input, undecrypted JWE, non-JSON payload). */
  readonly time: TimeState | 'unknown';
  readonly timeMessage: string;
  readonly alg?: string;
  /** kid of the JWKS key that verified the token. */
  readonly keyId?: string;
  readonly keyDescription?: string;
  readonly decoded: DecodedJwt;
  /** For a JWE that decrypted: the plaintext. */
  readonly plaintext?: string;
}

export interface VerifyOptions {
  /** Current time, epoch ms (default Date.now()). */
  readonly now?: number;
  /** Leeway for exp/nbf, seconds (default 0). */
  readonly clockToleranceSec?: number;
  /** Restrict the accepted algorithms further (the key's type always restricts them). */
  readonly algorithms?: readonly string[];
  /** JWKS URL fetch timeout, ms (default 5000). */
  readonly fetchTimeoutMs?: number;
}

/** The JWS algorithms Session Lens verifies. */
export const SUPPORTED_JWS_ALGORITHMS: readonly string[] = [
  'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
];

/** Largest JWKS document fetched from a URL. */
export const MAX_JWKS_BYTES = 1024 * 1024;

interface CandidateKey {
  readonly key: KeyObject | Uint8Array;
  /** Algorithms this key may verify: the key type decides, never the token (RFC 8725 §2.1). */
  readonly algorithms: readonly string[];
  readonly description: string;
  readonly kid?: string;
}

class KeyError extends Error {}

function algorithmsForPublicKey(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1' || curve === 'P-256') return ['ES256'];
      if (curve === 'secp384r1' || curve === 'P-384') return ['ES384'];
      if (curve === 'secp521r1' || curve === 'P-521') return ['ES512'];
      return [];
    }
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    case 'ed448':
      return ['EdDSA'];
    default:
      return [];
  }
}

function restrictByJwkAlg(algorithms: string[], jwk: JsonWebKey): string[] {
  return typeof jwk.alg === 'string' ? algorithms.filter((a) => a === jwk.alg) : algorithms;
}

function candidateFromJwk(jwk: JsonWebKey): CandidateKey {
  const checked = describeJwk(jwk);
  if (!checked.ok) throw new KeyError(checked.error);
  const kid = typeof jwk.kid === 'string' ? jwk.kid : undefined;
  if (jwk.kty === 'oct') {
    const bytes = (decodeBase64UrlSegment(jwk.k as string) as { bytes: Buffer }).bytes;
    return { key: bytes, algorithms: restrictByJwkAlg(['HS256', 'HS384', 'HS512'], jwk), description: checked.description, ...(kid ? { kid } : {}) };
  }
  const key = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  return { key, algorithms: restrictByJwkAlg(algorithmsForPublicKey(key), jwk), description: checked.description, ...(kid ? { kid } : {}) };
}

async function fetchJwks(url: string, timeoutMs: number): Promise<{ keys: JsonWebKey[] }> {
  const checked = checkJwksUrl(url);
  if (!checked.ok) throw new KeyError(checked.error);
  let response: Response;
  try {
    // No redirects: a loopback server must not be able to send the request elsewhere.
    response = await fetch(checked.url, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : cause?.code ?? cause?.message ?? (err as Error).message;
    throw new KeyError(`could not fetch the JWKS from ${checked.url}: ${reason}`);
  }
  if (!response.ok) throw new KeyError(`the JWKS URL ${checked.url} answered HTTP ${response.status}`);
  const reader = response.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_JWKS_BYTES) {
      await reader.cancel();
      throw new KeyError(`the JWKS at ${checked.url} is larger than ${MAX_JWKS_BYTES} bytes`);
    }
    chunks.push(value);
  }
  const parsed = parseKeyInput(Buffer.concat(chunks).toString('utf8'));
  if (!parsed.ok) throw new KeyError(`the document at ${checked.url} is not a usable JWKS: ${parsed.error}`);
  if (parsed.key.kind === 'jwks') return { keys: [...parsed.key.jwks.keys] };
  if (parsed.key.kind === 'jwk') return { keys: [parsed.key.jwk] };
  throw new KeyError(`the document at ${checked.url} is not a JWKS`);
}

function selectFromJwks(keys: readonly JsonWebKey[], header: Record<string, unknown>, source: string): CandidateKey[] {
  // Keys published for encryption must not verify signatures (RFC 7517 §4.2).
  const usable = keys.filter((k) => k.use !== 'enc');
  const kid = header.kid;
  if (typeof kid === 'string') {
    const matching = usable.filter((k) => k.kid === kid);
    if (matching.length === 0) {
      if (keys.some((k) => k.kid === kid)) throw new KeyError(`the key with kid "${kid}" in the ${source} is an encryption key (use "enc"), not a signing key`);
      const kids = usable.map((k) => (typeof k.kid === 'string' ? `"${k.kid}"` : '(no kid)'));
      throw new KeyError(`no key in the ${source} has kid "${kid}" (its keys: ${kids.join(', ') || 'none'})`);
    }
    return matching.map(candidateFromJwk);
  }
  if (usable.length === 0) throw new KeyError(`the ${source} has no signing keys`);
  return usable.map(candidateFromJwk);
}

async function candidatesFor(input: KeyInput, header: Record<string, unknown>, options: VerifyOptions): Promise<CandidateKey[]> {
  switch (input.kind) {
    case 'secret':
      return [{ key: input.bytes, algorithms: ['HS256', 'HS384', 'HS512'], description: input.description }];
    case 'pem': {
      const key = publicKeyFromPem(input.pem, input.pemType);
      return [{ key, algorithms: algorithmsForPublicKey(key), description: input.description }];
    }
    case 'jwk':
      return [candidateFromJwk(input.jwk)];
    case 'jwks':
      return selectFromJwks(input.jwks.keys, header, 'JWKS');
    case 'jwks-url': {
      const jwks = await fetchJwks(input.url, options.fetchTimeoutMs ?? 5000);
      return selectFromJwks(jwks.keys, header, `JWKS at ${input.url}`);
    }
  }
}

function timeOf(decoded: DecodedJws | undefined, claims: Record<string, unknown> | undefined, options: VerifyOptions): { time: VerifyResult['time']; timeMessage: string } {
  const now = options.now ?? Date.now();
  const tolerance = Math.max(0, options.clockToleranceSec ?? 0) * 1000;
  const seconds = (name: string): number | undefined => {
    const v = claims?.[name];
    return typeof v === 'number' && Number.isFinite(v) ? v * 1000 : undefined;
  };
  if (!claims) {
    return { time: 'unknown', timeMessage: decoded ? 'the payload is not a JSON claims set, so it has no exp/nbf' : 'the claims could not be read' };
  }
  const exp = seconds('exp');
  const nbf = seconds('nbf');
  if (nbf !== undefined && now + tolerance < nbf) return { time: 'not-yet-valid', timeMessage: `not valid before ${describeTime(nbf, now).text}` };
  if (exp === undefined) return { time: 'no-exp', timeMessage: 'no exp claim: the token never expires' };
  if (now - tolerance >= exp) return { time: 'expired', timeMessage: `expired ${describeTime(exp, now).text}` };
  return { time: 'valid', timeMessage: `valid until ${describeTime(exp, now).text}` };
}

/** True when jose rejected the token itself (as opposed to failing to use the key). */
function isTokenRejection(err: unknown): boolean {
  return err instanceof joseErrors.JWSSignatureVerificationFailed
    || err instanceof joseErrors.JWSInvalid
    || err instanceof joseErrors.JWEDecryptionFailed
    || err instanceof joseErrors.JWEInvalid
    || (err instanceof joseErrors.JOSENotSupported && /Extension Header Parameter/.test(err.message));
}

function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'the signature does not match';
  if (err instanceof joseErrors.JOSENotSupported && /Extension Header Parameter/.test(err.message)) {
    return `${err.message}: the token marks an extension as critical ("crit") that the verifier does not implement, so RFC 7515 §4.1.11 requires rejecting it`;
  }
  return err instanceof Error ? err.message : String(err);
}

function decryptionKey(input: KeyInput): KeyObject | Uint8Array {
  switch (input.kind) {
    case 'secret':
      return input.bytes;
    case 'jwk':
      if (input.jwk.kty === 'oct') return (decodeBase64UrlSegment(input.jwk.k as string) as { bytes: Buffer }).bytes;
      if (typeof input.jwk.d === 'string') return createPrivateKey({ key: input.jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
      break;
    case 'pem':
      if (input.pemType.endsWith('-private')) return createPrivateKey(input.pem);
      break;
    default:
      break;
  }
  throw new KeyError(`decrypting a JWE needs the shared key or the private key; a ${input.description} cannot decrypt`);
}

async function verifyJwe(token: string, decoded: DecodedJwt & { kind: 'jwe' }, input: KeyInput, options: VerifyOptions): Promise<VerifyResult> {
  const base = { alg: decoded.alg, keyDescription: input.description, decoded };
  let key: KeyObject | Uint8Array;
  try {
    key = decryptionKey(input);
  } catch (err) {
    return { ...base, signature: 'key-error', signatureMessage: (err as Error).message, time: 'unknown', timeMessage: 'the JWE is encrypted; its claims are unknown' };
  }
  try {
    const secretKey = key instanceof Uint8Array ? createSecretKey(key) : key;
    const { plaintext } = await compactDecrypt(cleanTokenInput(token), secretKey);
    const text = Buffer.from(plaintext).toString('utf8');
    let claims: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) claims = parsed as Record<string, unknown>;
    } catch {
      claims = undefined;
    }
    const time = claims ? timeOf(undefined, claims, options) : { time: 'unknown' as const, timeMessage: 'the decrypted content is not a JSON claims set' };
    return { ...base, signature: 'valid', signatureMessage: `decrypted and authenticated (${decoded.alg}, ${decoded.enc})`, ...time, plaintext: text };
  } catch (err) {
    return { ...base, signature: isTokenRejection(err) ? 'invalid' : 'key-error', signatureMessage: `could not decrypt: ${describeJoseError(err)}`, time: 'unknown', timeMessage: 'the JWE is encrypted; its claims are unknown' };
  }
}

/**
 * Verifies a token's signature with a key (parsed `KeyInput`, or the text the user gave) and
 * reports time validity separately. The accepted algorithm comes from the key's type, never from
 * the token alone, which defeats algorithm confusion (an RS256 public key used as an HS256 secret).
 */
export async function verifyJwt(token: string, key: KeyInput | string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const decoded = decodeJwt(token, options.now !== undefined ? { now: options.now } : {});
  try {
    if (decoded.kind === 'malformed') {
      return { signature: 'malformed', signatureMessage: decoded.error.message, time: 'unknown', timeMessage: 'not a token', decoded };
    }
    let input: KeyInput;
    if (typeof key === 'string') {
      const parsed = parseKeyInput(key);
      if (!parsed.ok) {
        return { signature: 'key-error', signatureMessage: parsed.error, ...(decoded.kind === 'jws' ? timeOf(decoded, claimsOf(decoded), options) : { time: 'unknown' as const, timeMessage: 'the JWE is encrypted' }), alg: decoded.alg, decoded };
      }
      input = parsed.key;
    } else {
      input = key;
    }
    if (decoded.kind === 'jwe') return await verifyJwe(token, decoded, input, options);

    const time = timeOf(decoded, claimsOf(decoded), options);
    const base = { alg: decoded.alg, decoded, ...time };
    if (decoded.unsecured) {
      return { ...base, signature: 'unsigned', signatureMessage: `alg "${decoded.alg}"${decoded.signature ? '' : ' with an empty signature'}: the token is not signed, so nothing can be verified; verifiers must reject it` };
    }
    if (!SUPPORTED_JWS_ALGORITHMS.includes(decoded.alg)) {
      return { ...base, signature: 'unsupported', signatureMessage: `alg "${decoded.alg}" is not supported (supported: ${SUPPORTED_JWS_ALGORITHMS.join(', ')})` };
    }
    if (options.algorithms && !options.algorithms.includes(decoded.alg)) {
      return { ...base, signature: 'invalid', signatureMessage: `alg "${decoded.alg}" is not in the allowed list (${options.algorithms.join(', ')})` };
    }
    let candidates: CandidateKey[];
    try {
      candidates = await candidatesFor(input, decoded.header, options);
    } catch (err) {
      return { ...base, signature: 'key-error', signatureMessage: err instanceof KeyError ? err.message : `the key could not be used: ${(err as Error).message}`, keyDescription: input.description };
    }
    const compatible = candidates.filter((c) => c.algorithms.includes(decoded.alg));
    if (compatible.length === 0) {
      const first = candidates[0];
      const hmacWithPublic = decoded.alg.startsWith('HS') && input.kind !== 'secret' && !(input.kind === 'jwk' && input.jwk.kty === 'oct');
      const message = hmacWithPublic
        ? `the token says alg "${decoded.alg}" (HMAC) but the key given is an asymmetric one (${first?.description ?? input.description}); accepting it would let anyone who knows the public key forge tokens (algorithm confusion, RFC 8725 §2.1), so it is rejected`
        : `alg "${decoded.alg}" cannot be verified with the ${first?.description ?? input.description} (it allows ${first?.algorithms.join(', ') || 'no JWS algorithm'})`;
      return { ...base, signature: 'invalid', signatureMessage: message, keyDescription: input.description };
    }
    let tokenError: string | undefined;
    let keyError: string | undefined;
    for (const candidate of compatible) {
      try {
        await compactVerify(`${decoded.signingInput}.${decoded.signature}`, candidate.key, { algorithms: [decoded.alg] });
        return {
          ...base,
          signature: 'valid',
          signatureMessage: `signature valid (${decoded.alg}, ${candidate.description})`,
          keyDescription: candidate.description,
          ...(candidate.kid !== undefined ? { keyId: candidate.kid } : {}),
        };
      } catch (err) {
        if (isTokenRejection(err)) tokenError ??= describeJoseError(err);
        else keyError ??= describeJoseError(err);
      }
    }
    const keyDescription = compatible.length === 1 ? compatible[0].description : input.description;
    if (tokenError === undefined && keyError !== undefined) {
      return { ...base, signature: 'key-error', signatureMessage: `the key cannot verify ${decoded.alg}: ${keyError}`, keyDescription };
    }
    const tried = compatible.length > 1 ? ` (tried ${compatible.length} keys)` : '';
    const reason = tokenError ?? 'the signature does not match';
    const hint = /does not match/.test(reason) ? ': the token was altered or signed with another key' : '';
    return { ...base, signature: 'invalid', signatureMessage: `${reason}${tried}${hint}`, keyDescription };
  } catch (err) {
    return { signature: 'key-error', signatureMessage: `verification failed unexpectedly: ${err instanceof Error ? err.message : String(err)}`, time: 'unknown', timeMessage: '', decoded };
  }
}

function claimsOf(decoded: DecodedJws): Record<string, unknown> | undefined {
  return decoded.payloadKind === 'json' ? (decoded.payload as Record<string, unknown>) : undefined;
}
