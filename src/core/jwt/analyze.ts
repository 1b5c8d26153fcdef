/**
 * The JWT rules of the catalog (RULES.md, "JWT" rows with mode T) applied to one token as seen in
 * traffic. Every message says what is wrong and what to change. Never throws.
 */
import { type Finding, makeFinding } from '../findings';
import { type DecodedJws, type DecodedJwt, cleanTokenInput, decodeJwt } from './decode';
import { findWeakSecret, type WeakSecretMatch } from './findWeakSecret';
import { describeDuration, describeTime } from './time';

/** Where the token was seen. */
export interface TokenLocation {
  readonly kind: 'cookie' | 'header' | 'body' | 'url' | 'other' | 'storage';
  /** Cookie, header or parameter name; for web storage, the storage key. */
  readonly name?: string;
  /** For web storage: which one (`localStorage` survives the tab; both are readable by any script of the origin). */
  readonly storageArea?: 'localStorage' | 'sessionStorage';
  /** For cookies: whether the cookie has HttpOnly; undefined when unknown (seen only in a Cookie header). */
  readonly httpOnly?: boolean;
}

export interface JwtAnalysisContext {
  /** Current time, epoch ms (default Date.now()). */
  readonly now?: number;
  /** `sessionLens.maxTokenLifetime`: longest acceptable exp − iat, seconds (default 24 h). */
  readonly maxTokenLifetimeSec?: number;
  readonly location?: TokenLocation;
  /**
   * Try the built-in list of well-known HMAC secrets (default true). About a millisecond per token;
   * the extension turns it off here and runs `findWeakSecret` in a worker instead.
   */
  readonly checkWeakSecret?: boolean;
  /** Shown as the finding subject; default: the location's name, else "JWT". */
  readonly subject?: string;
}

export const DEFAULT_MAX_TOKEN_LIFETIME_SEC = 24 * 60 * 60;

const HEADER_KEY_PARAMS = ['jwk', 'jku', 'x5u', 'x5c'] as const;

/** Claim names whose presence in a readable payload leaks a secret or personal data. */
const SENSITIVE_NAME_WORDS: ReadonlyMap<string, string> = new Map([
  ['password', 'a password'], ['passwd', 'a password'], ['pwd', 'a password'], ['passphrase', 'a password'],
  ['secret', 'a secret'], ['apikey', 'an API key'], ['privatekey', 'a private key'], ['creditcard', 'a card number'],
  ['cardnumber', 'a card number'], ['ccnumber', 'a card number'], ['pan', 'a card number'], ['cvv', 'a card security code'],
  ['cvc', 'a card security code'], ['ssn', 'a social security number'], ['socialsecuritynumber', 'a social security number'],
  ['iban', 'a bank account number'], ['pin', 'a PIN'],
]);

function nameWords(name: string): string[] {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  // Joined forms too, so "api_key", "apiKey" and "private-key" match "apikey"/"privatekey".
  const joined: string[] = [];
  for (let i = 0; i + 1 < words.length; i++) joined.push(words[i] + words[i + 1]);
  if (words.length > 2) joined.push(words.join(''));
  return [...words, ...joined];
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function sensitiveValueKind(value: string): string | undefined {
  const digits = value.replace(/[ -]/g, '');
  if (/^\d{13,19}$/.test(digits) && /^[\d -]+$/.test(value) && luhnValid(digits)) return 'a card number';
  if (/^\d{3}-\d{2}-\d{4}$/.test(value)) return 'a social security number';
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) return 'a private key';
  return undefined;
}

/** Paths of claims that look sensitive, e.g. `user.password (a password)`. Bounded walk. */
export function sensitiveClaims(claims: Record<string, unknown>): string[] {
  const found: string[] = [];
  let visited = 0;
  const walk = (value: unknown, path: string, depth: number): void => {
    if (depth > 6 || visited++ > 2000 || found.length >= 10) return;
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${path}[${i}]`, depth + 1));
      return;
    }
    if (value !== null && typeof value === 'object') {
      for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
        const childPath = path ? `${path}.${name}` : name;
        // Only values that can hold the secret count: "password_changed_at": 1700000000 or
        // "has_password": true are metadata, not leaks.
        const holdsData = typeof v === 'string' ? v.length > 0 : typeof v === 'number' && name.toLowerCase().includes('pin');
        const kind = holdsData ? nameWords(name).map((w) => SENSITIVE_NAME_WORDS.get(w)).find(Boolean) : undefined;
        if (kind && !(kind === 'a PIN' && !/^\d{4,8}$/.test(String(v)))) found.push(`${childPath} (${kind})`);
        else walk(v, childPath, depth + 1);
      }
      return;
    }
    if (typeof value === 'string') {
      const kind = sensitiveValueKind(value);
      if (kind) found.push(`${path || 'payload'} (${kind})`);
    }
  };
  walk(claims, '', 0);
  return found;
}

/** Why a `kid` value looks like an injection attempt, or undefined when it looks ordinary. */
export function suspiciousKidReason(kid: unknown): string | undefined {
  if (kid === undefined) return undefined;
  if (typeof kid !== 'string') return `kid is ${Array.isArray(kid) ? 'an array' : kid === null ? 'null' : `a ${typeof kid}`}, not a string`;
  if (/\.\.[\\/]|[\\/]\.\.(?:$|[\\/])/.test(kid)) return 'kid contains a path traversal (../)';
  if (/^(?:\/|[A-Za-z]:\\|\\\\|file:)/.test(kid)) return 'kid is a file path';
  if (/[\0\r\n]/.test(kid)) return 'kid contains control characters';
  if (/['"`]/.test(kid)) return 'kid contains quotes (SQL or command injection)';
  if (/;|--|\/\*|\b(?:union\s+select|select\s.+\sfrom|or\s+1\s*=\s*1|sleep\s*\(|drop\s+table)\b/i.test(kid)) return 'kid contains SQL syntax';
  if (/[()*|&]/.test(kid) && /[=()]/.test(kid)) return 'kid contains LDAP filter characters';
  if (/[<>]/.test(kid)) return 'kid contains markup characters';
  if (/\$\{|\$\(|`/.test(kid)) return 'kid contains template or shell expansion syntax';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(kid)) return 'kid is a URL';
  return undefined;
}

function headerFindings(header: Record<string, unknown>, subject: string, findings: Finding[]): void {
  const present = HEADER_KEY_PARAMS.filter((p) => p in header);
  if (present.length) {
    const urls = present.filter((p) => p === 'jku' || p === 'x5u').map((p) => `${p} ${JSON.stringify(String(header[p])).slice(0, 120)}`);
    findings.push(makeFinding('jwt-header-key', subject,
      `The header carries its own key or a key URL (${present.join(', ')}${urls.length ? `: ${urls.join(', ')}` : ''}). A verifier that trusts it lets the sender pick the key and forge tokens. Verify only with keys you configure (a pinned JWKS), and ignore header-supplied keys or allow-list their URLs.`));
  }
  const kidReason = suspiciousKidReason(header.kid);
  if (kidReason) {
    findings.push(makeFinding('jwt-suspicious-kid', subject,
      `${kidReason}: ${JSON.stringify(header.kid)?.slice(0, 80)}. If the server uses kid to read a file or query a database, this can make it load an attacker-chosen key. Treat kid as an opaque lookup key: match it against a fixed set of known key ids and reject anything else.`));
  }
}

function claimFindings(decoded: DecodedJws, claims: Record<string, unknown>, context: JwtAnalysisContext, now: number, subject: string, findings: Finding[]): void {
  const { expiresAt, issuedAt, notBefore } = decoded;
  if (!('exp' in claims)) {
    findings.push(makeFinding('jwt-no-expiry', subject,
      'The token has no "exp" claim, so a stolen copy works forever. Issue access and session tokens with a short expiry (for example expiresIn: "15m") and renew them with a refresh token.'));
  }
  if (expiresAt !== undefined && now >= expiresAt) {
    findings.push(makeFinding('jwt-expired', subject, `Expired ${describeTime(expiresAt, now).text}. Servers must reject it; the client should renew the token instead of sending it.`));
  } else if (notBefore !== undefined && now < notBefore) {
    findings.push(makeFinding('jwt-expired', subject, `Not valid before ${describeTime(notBefore, now).text}. If the issuer and this machine disagree on the time, check the clocks or allow a small leeway for nbf.`));
  }
  const maxSec = context.maxTokenLifetimeSec ?? DEFAULT_MAX_TOKEN_LIFETIME_SEC;
  if (expiresAt !== undefined && Number.isFinite(maxSec) && maxSec > 0) {
    const start = issuedAt ?? notBefore;
    const lifetime = start !== undefined ? expiresAt - start : expiresAt > now ? expiresAt - now : undefined;
    if (lifetime !== undefined && lifetime > maxSec * 1000) {
      const basis = start !== undefined ? `lives ${describeDuration(lifetime)} (exp − ${issuedAt !== undefined ? 'iat' : 'nbf'})` : `is still valid for ${describeDuration(lifetime)}`;
      findings.push(makeFinding('jwt-long-lifetime', subject,
        `The token ${basis}, longer than the ${describeDuration(maxSec * 1000)} allowed (sessionLens.maxTokenLifetime). A stolen token stays useful that long: shorten exp and renew with refresh tokens.`));
    }
  }
  if (!('aud' in claims)) {
    findings.push(makeFinding('jwt-missing-aud', subject,
      'No "aud" (audience) claim: a token issued for one service can be replayed against another that trusts the same issuer. Set aud when issuing and check it when verifying (RFC 8725 §3.9).'));
  }
  if (!('iss' in claims)) {
    findings.push(makeFinding('jwt-missing-iss', subject,
      'No "iss" (issuer) claim: verifiers cannot tell which issuer (and so which key) the token is from. Set iss when issuing and check it when verifying (RFC 8725 §3.8).'));
  }
  const sensitive = sensitiveClaims(claims);
  if (sensitive.length) {
    findings.push(makeFinding('jwt-sensitive-claims', subject,
      `The payload is readable by anyone holding the token (it is only base64url-encoded) and contains ${sensitive.join(', ')}. Keep secrets and personal data out of JWT claims; store them server-side and put only an id in the token, or use an encrypted JWT (JWE).`));
  }
}

function malformedFinding(message: string, subject: string): Finding {
  return makeFinding('jwt-malformed', subject, `Not a legal JWT: ${message}. Issue tokens with a standard JWT library, and make verifiers reject such input.`);
}

function problemFinding(message: string, subject: string): Finding {
  return makeFinding('jwt-malformed', subject, `Not a legal JWT: ${message}.`);
}

function analyzeDecoded(token: string, decoded: DecodedJwt, context: JwtAnalysisContext, now: number, subject: string, depth: number): Finding[] {
  const findings: Finding[] = [];
  if (decoded.kind === 'malformed') {
    findings.push(malformedFinding(decoded.error.message, subject));
    return findings;
  }
  for (const problem of decoded.problems) findings.push(problemFinding(problem.message, subject));
  headerFindings(decoded.header, subject, findings);
  if (decoded.kind === 'jwe') {
    findings.push(makeFinding('jwt-encrypted', subject,
      `Encrypted JWT (JWE, alg ${decoded.alg}, enc ${decoded.enc}): the header is shown, the claims need the decryption key. Give the key to decrypt it here; expiry cannot be checked without it.`));
    return findings;
  }
  if (decoded.unsecured) {
    const why = decoded.alg.toLowerCase() === 'none' ? `alg "${decoded.alg}"` : `alg "${decoded.alg}" with an empty signature`;
    findings.push(makeFinding('jwt-alg-none', subject,
      `The token is unsigned (${why}), so anyone can forge or alter it. Sign tokens (HS256 with a strong secret, or RS256/ES256/EdDSA) and make every verifier require a signature with an explicit algorithms allow-list that excludes "none" in any letter case.`));
  } else if (context.checkWeakSecret !== false && depth === 0) {
    const weak = findWeakSecret(token);
    if (weak) findings.push(weakSecretFinding(weak, subject));
  }
  if (context.location?.kind === 'cookie' && context.location.httpOnly === false) {
    findings.push(makeFinding('jwt-readable-storage', subject,
      `The JWT is stored in cookie ${context.location.name ? `'${context.location.name}' ` : ''}without HttpOnly, so any script on the page (an XSS payload included) can read and exfiltrate it. Set HttpOnly (and Secure, SameSite) on the cookie, and keep tokens out of localStorage.`));
  }
  if (context.location?.kind === 'storage') {
    const area = context.location.storageArea ?? 'web storage';
    findings.push(makeFinding('jwt-readable-storage', subject,
      `The JWT is kept in ${area}${context.location.name ? ` under the key '${context.location.name}'` : ''}, where any script on the page (an XSS payload included) can read and exfiltrate it. Keep tokens in an HttpOnly, Secure, SameSite cookie (or in memory only), not in ${area}.`));
  }
  if (decoded.payloadKind === 'json') {
    claimFindings(decoded, decoded.payload as Record<string, unknown>, context, now, subject, findings);
  }
  if (decoded.nested && depth < 3) {
    const inner = analyzeDecoded(decoded.payloadRaw, decoded.nested, { ...context, location: undefined }, now, `${subject} (inner token)`, depth + 1);
    findings.push(...inner);
  }
  return findings;
}

/** The `jwt-weak-secret` finding for a dictionary match (also used when the check ran in a worker). */
export function weakSecretFinding(weak: Pick<WeakSecretMatch, 'alg' | 'display'>, subject = 'JWT'): Finding {
  return makeFinding('jwt-weak-secret', subject,
    `The ${weak.alg} signature verifies with the well-known secret ${weak.display}, so anyone can forge tokens. Replace it with a random secret of at least 32 bytes (e.g. openssl rand -base64 32) kept out of source control, and revoke tokens signed with the old one.`);
}

/** Applies the JWT rules to a token. `token` may carry whitespace or a `Bearer ` prefix. Never throws. */
export function analyzeJwt(token: string, context: JwtAnalysisContext = {}): Finding[] {
  const now = typeof context.now === 'number' && Number.isFinite(context.now) ? context.now : Date.now();
  const subject = context.subject ?? context.location?.name ?? 'JWT';
  try {
    const decoded = decodeJwt(token, { now });
    return analyzeDecoded(typeof token === 'string' ? cleanTokenInput(token) : '', decoded, context, now, subject, 0);
  } catch (err) {
    return [malformedFinding(`could not be analysed (${err instanceof Error ? err.message : String(err)})`, subject)];
  }
}

/** Findings for an already-decoded token (the raw token is needed for the weak-secret check). */
export function analyzeDecodedJwt(token: string, decoded: DecodedJwt, context: JwtAnalysisContext = {}): Finding[] {
  const now = typeof context.now === 'number' && Number.isFinite(context.now) ? context.now : Date.now();
  const subject = context.subject ?? context.location?.name ?? 'JWT';
  try {
    return analyzeDecoded(cleanTokenInput(token), decoded, context, now, subject, 0);
  } catch (err) {
    return [malformedFinding(`could not be analysed (${err instanceof Error ? err.message : String(err)})`, subject)];
  }
}
