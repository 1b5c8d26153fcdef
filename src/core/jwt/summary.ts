import type { Finding } from '../findings';
import { analyzeJwt } from './analyze';
import { decodeJwt, type DecodedJwt } from './decode';
import { describeDuration, describeTime } from './time';

/** What a hover (or any short view) says about one token. */
export interface JwtSummary {
  /** "HS256 JWT", "JWE (RSA-OAEP, A256GCM)". */
  readonly title: string;
  /** "expires in 14 min", "expired 3 h ago", "not valid for another 5 min", "no expiry". */
  readonly status: string;
  readonly expired: boolean;
  /** The header, pretty JSON. */
  readonly header: string;
  /** The claims, pretty JSON; absent for JWE and non-JSON payloads. */
  readonly claims?: string;
  /** iat, nbf and exp as ISO time plus "3 h ago". */
  readonly times: readonly { readonly claim: 'iat' | 'nbf' | 'exp'; readonly text: string }[];
  readonly findings: readonly Finding[];
}

function statusOf(decoded: Exclude<DecodedJwt, { kind: 'malformed' }>, now: number): { status: string; expired: boolean } {
  if (decoded.kind === 'jwe') return { status: 'encrypted: claims not readable without the key', expired: false };
  if (decoded.notBefore !== undefined && decoded.notBefore > now) return { status: `not valid for another ${describeDuration(decoded.notBefore - now)}`, expired: false };
  if (decoded.expiresAt === undefined) return { status: 'no expiry (no exp claim)', expired: false };
  const left = decoded.expiresAt - now;
  return left > 0 ? { status: `expires in ${describeDuration(left)}`, expired: false } : { status: `expired ${describeDuration(left)} ago`, expired: true };
}

/**
 * A short, complete description of a JWT for a hover: header, claims, human dates of iat/nbf/exp,
 * time left, and the findings of the JWT rules (no dictionary search: that runs elsewhere, in a
 * worker). Undefined when `token` is not a JWT.
 */
export function jwtSummary(token: string, now: number, options: { maxTokenLifetimeSec?: number } = {}): JwtSummary | undefined {
  const decoded = decodeJwt(token, { now });
  if (decoded.kind === 'malformed') return undefined;
  const { status, expired } = statusOf(decoded, now);
  const findings = analyzeJwt(token, { ...options, checkWeakSecret: false, now });
  if (decoded.kind === 'jwe') {
    return { title: `JWE (${String(decoded.header.alg)}, ${String(decoded.header.enc)})`, status, expired, header: JSON.stringify(decoded.header, null, 2), times: [], findings };
  }
  const times: { claim: 'iat' | 'nbf' | 'exp'; text: string }[] = [];
  if (decoded.issuedAt !== undefined) times.push({ claim: 'iat', text: describeTime(decoded.issuedAt, now).text });
  if (decoded.notBefore !== undefined) times.push({ claim: 'nbf', text: describeTime(decoded.notBefore, now).text });
  if (decoded.expiresAt !== undefined) times.push({ claim: 'exp', text: describeTime(decoded.expiresAt, now).text });
  return {
    title: `${decoded.alg} JWT${decoded.unsecured ? ' (unsigned)' : ''}`,
    status,
    expired,
    header: JSON.stringify(decoded.header, null, 2),
    ...(decoded.payloadKind === 'json' ? { claims: JSON.stringify(decoded.payload, null, 2) } : {}),
    times,
    findings,
  };
}
