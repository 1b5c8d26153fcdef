/**
 * Decoding of compact JWS and JWE (RFC 7515, 7516, 7519) without a key. Never throws: every input
 * gives a `DecodedJwt`, and malformed input says which segment is wrong and how.
 *
 * Choices:
 * - Surrounding whitespace, a leading `Bearer ` and one pair of surrounding quotes are removed
 *   (what users paste from headers and JSON).
 * - An unsecured token (`alg` "none" in any case) is accepted both with its final empty segment
 *   (`header.payload.`, RFC 7519 §6.1) and without it (`header.payload`), because both forms
 *   circulate; `signatureSegmentMissing` records which one was seen and `jwt-alg-none` fires either way.
 * - A payload that is not a JSON object is still a legal JWS; it is shown as text (`payloadKind`).
 */
import { decodeBase64UrlSegment, describeChar, strictUtf8 } from './base64url';
import { duplicateMemberNames, jsonNestingDepth } from './jsonMembers';

/** Longest input the decoder looks at; real tokens are a few KiB. */
export const MAX_TOKEN_LENGTH = 1024 * 1024;

/**
 * Deepest nesting of objects and arrays decoded as JSON claims (real claims are a few levels
 * deep). A deeper payload is shown as text: printing or walking it level by level would
 * overflow the stack.
 */
export const MAX_JSON_DEPTH = 64;

/** How many `cty: JWT` layers are decoded before stopping. */
export const MAX_NESTING_DEPTH = 4;

export type JwtSegmentName = 'header' | 'payload' | 'signature' | 'encryptedKey' | 'iv' | 'ciphertext' | 'tag';

/** Something legal-looking but wrong inside a decodable token; the analyzer reports these as `jwt-malformed`. */
export interface JwtProblem {
  readonly code:
    | 'crit-unknown'
    | 'crit-invalid'
    | 'duplicate-member'
    | 'header-member-type'
    | 'claim-type'
    | 'claim-milliseconds'
    | 'payload-broken-json'
    | 'nesting-too-deep'
    | 'json-too-deep';
  readonly message: string;
}

export type TimeState = 'valid' | 'expired' | 'not-yet-valid' | 'no-exp';

export type JwtPayload = Record<string, unknown> | { readonly nonJson: string };

export interface DecodedJws {
  readonly kind: 'jws';
  readonly alg: string;
  readonly header: Record<string, unknown>;
  /** The header as decoded text, byte for byte (CRLFs kept). */
  readonly headerRaw: string;
  /** The claims object, or `{ nonJson: text }` when the payload is not a JSON object. */
  readonly payload: JwtPayload;
  /** 'json' (claims object), 'text', 'binary' (not UTF-8; shown lossily) or 'jwt' (a nested token, see `nested`). */
  readonly payloadKind: 'json' | 'text' | 'binary' | 'jwt';
  readonly payloadRaw: string;
  /** The signature segment as sent (base64url); empty for unsecured tokens. */
  readonly signature: string;
  readonly signatureBytes: number;
  /** `header.payload` exactly as sent: the bytes the signature covers. */
  readonly signingInput: string;
  readonly typ?: string;
  readonly cty?: string;
  readonly issuedAt?: number;
  readonly notBefore?: number;
  readonly expiresAt?: number;
  /** Time validity at `options.now` (default: the current time). */
  readonly timeState: TimeState;
  /** `alg` is "none" in any letter case, or the signature is empty. */
  readonly unsecured: boolean;
  /** The unsecured form without the final '.' was given. */
  readonly signatureSegmentMissing: boolean;
  /** The decoded inner token when `cty` is JWT. */
  readonly nested?: DecodedJwt;
  readonly problems: readonly JwtProblem[];
}

export interface DecodedJwe {
  readonly kind: 'jwe';
  readonly encrypted: true;
  readonly alg: string;
  readonly enc: string;
  readonly header: Record<string, unknown>;
  readonly headerRaw: string;
  readonly typ?: string;
  readonly cty?: string;
  readonly problems: readonly JwtProblem[];
}

export interface MalformedJwt {
  readonly kind: 'malformed';
  readonly error: { readonly segment?: JwtSegmentName; readonly message: string };
}

export type DecodedJwt = DecodedJws | DecodedJwe | MalformedJwt;

export interface DecodeOptions {
  /** The current time in epoch ms, for `timeState`. */
  readonly now?: number;
}

const JWE_SEGMENTS: readonly JwtSegmentName[] = ['header', 'encryptedKey', 'iv', 'ciphertext', 'tag'];
const SEGMENT_LABEL: Record<JwtSegmentName, string> = {
  header: 'header',
  payload: 'payload',
  signature: 'signature',
  encryptedKey: 'encrypted key',
  iv: 'initialization vector',
  ciphertext: 'ciphertext',
  tag: 'authentication tag',
};

/** Header parameters this decoder understands when listed in `crit` (RFC 7797 `b64`). */
const UNDERSTOOD_CRITICAL = new Set(['b64']);
/** Parameters defined by JWS/JWE themselves may not appear in `crit` (RFC 7515 §4.1.11). */
const REGISTERED_HEADER_PARAMS = new Set([
  'alg', 'jku', 'jwk', 'kid', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'typ', 'cty', 'crit', 'enc', 'zip', 'epk', 'apu', 'apv', 'iv', 'tag', 'p2s', 'p2c',
]);

class Malformed {
  constructor(readonly message: string, readonly segment?: JwtSegmentName) {}
}

function malformed(message: string, segment?: JwtSegmentName): MalformedJwt {
  return { kind: 'malformed', error: segment ? { segment, message } : { message } };
}

function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function snippet(text: string, max = 40): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

/** Removes what users paste around a token: whitespace, an `Authorization: Bearer` prefix, JSON quotes. */
export function cleanTokenInput(input: string): string {
  let s = input.trim();
  const bearer = /^(?:authorization:\s*)?bearer\s+/i.exec(s);
  if (bearer) s = s.slice(bearer[0].length).trim();
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0]) s = s.slice(1, -1).trim();
  return s;
}

function decodeSegment(segments: readonly string[], index: number, name: JwtSegmentName): Buffer {
  const decoded = decodeBase64UrlSegment(segments[index]);
  if (!decoded.ok) throw new Malformed(`${SEGMENT_LABEL[name]} segment (segment ${index + 1}) ${decoded.message}`, name);
  return decoded.bytes;
}

function parseHeader(segment: string, segments: readonly string[]): { header: Record<string, unknown>; raw: string; alg: string } {
  if (segment.length === 0) throw new Malformed('header segment (segment 1) is empty', 'header');
  const bytes = decodeSegment(segments, 0, 'header');
  const raw = strictUtf8(bytes);
  if (raw === undefined) throw new Malformed('header segment (segment 1) does not decode to UTF-8 text, so it is not a JOSE header', 'header');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new Malformed(`header is not JSON: it decodes to ${snippet(raw)} (${(err as Error).message})`, 'header');
  }
  const depth = jsonNestingDepth(raw);
  if (depth > MAX_JSON_DEPTH) throw new Malformed(`header is JSON nested ${depth} levels deep; a JOSE header is a flat object (more than ${MAX_JSON_DEPTH} levels are not decoded)`, 'header');
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Malformed(`header is JSON but ${jsonTypeName(parsed)}, not an object`, 'header');
  }
  const header = parsed as Record<string, unknown>;
  if (!('alg' in header)) throw new Malformed('header has no "alg" member (RFC 7515 §4.1.1 requires one)', 'header');
  if (typeof header.alg !== 'string') throw new Malformed(`header "alg" is ${jsonTypeName(header.alg)}, not a string`, 'header');
  return { header, raw, alg: header.alg };
}

function headerProblems(header: Record<string, unknown>, raw: string): JwtProblem[] {
  const problems: JwtProblem[] = [];
  for (const name of duplicateMemberNames(raw)) {
    // JSON.parse keeps the last duplicate while another parser may keep the first: two verifiers can
    // then disagree on the algorithm or key (RFC 7515 §4, RFC 8725 §2.6 style parser differentials).
    problems.push({
      code: 'duplicate-member',
      message: `header has the member "${name}" more than once; RFC 7515 §4 requires unique names and parsers disagree on which one wins. Reject such tokens.`,
    });
  }
  // A non-string kid is reported by the analyzer as jwt-suspicious-kid.
  for (const name of ['typ', 'cty'] as const) {
    if (name in header && typeof header[name] !== 'string') {
      problems.push({ code: 'header-member-type', message: `header "${name}" is ${jsonTypeName(header[name])}; RFC 7515 defines it as a string, so issue it as one` });
    }
  }
  if ('crit' in header) {
    const crit = header.crit;
    if (!Array.isArray(crit) || crit.length === 0 || !crit.every((c) => typeof c === 'string')) {
      problems.push({ code: 'crit-invalid', message: 'header "crit" must be a non-empty array of strings (RFC 7515 §4.1.11); recipients must reject this token' });
    } else {
      const registered = crit.filter((c) => REGISTERED_HEADER_PARAMS.has(c));
      const absent = crit.filter((c) => !(c in header));
      const unknown = crit.filter((c) => !UNDERSTOOD_CRITICAL.has(c) && !REGISTERED_HEADER_PARAMS.has(c));
      if (registered.length) {
        problems.push({ code: 'crit-invalid', message: `header "crit" lists ${registered.map((c) => `"${c}"`).join(', ')}, which the JOSE specs define; RFC 7515 §4.1.11 forbids that, so the token must be rejected` });
      }
      if (absent.length) {
        problems.push({ code: 'crit-invalid', message: `header "crit" names ${absent.map((c) => `"${c}"`).join(', ')} but the header has no such member; the token must be rejected` });
      }
      if (unknown.length) {
        problems.push({
          code: 'crit-unknown',
          message: `header "crit" marks ${unknown.map((c) => `"${c}"`).join(', ')} as critical, an extension this decoder does not understand; RFC 7515 §4.1.11 says recipients must then reject the token. Remove the extension or make sure every verifier implements it.`,
        });
      }
    }
  }
  return problems;
}

function numericDate(claims: Record<string, unknown>, name: 'exp' | 'nbf' | 'iat', problems: JwtProblem[]): number | undefined {
  if (!(name in claims)) return undefined;
  const value = claims[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    problems.push({
      code: 'claim-type',
      message: `claim "${name}" is ${jsonTypeName(value)} (${snippet(JSON.stringify(value) ?? String(value), 30)}); RFC 7519 NumericDate is a JSON number of seconds since 1970, so libraries reject or ignore it; issue it as a number`,
    });
    return undefined;
  }
  if (Math.abs(value) > 1e11) {
    problems.push({
      code: 'claim-milliseconds',
      message: `claim "${name}" is ${value}, which as seconds is thousands of years away; it looks like milliseconds. NumericDate is seconds: divide by 1000 when issuing.`,
    });
  }
  return value * 1000;
}

function timeStateOf(now: number, exp: number | undefined, nbf: number | undefined): TimeState {
  if (nbf !== undefined && now < nbf) return 'not-yet-valid';
  if (exp === undefined) return 'no-exp';
  // RFC 7519 §4.1.4: the current time must be before exp.
  return now >= exp ? 'expired' : 'valid';
}

function decodeJws(
  segments: readonly string[],
  parsedHeader: { header: Record<string, unknown>; raw: string; alg: string },
  now: number,
  depth: number,
): DecodedJws {
  const { header, raw, alg } = parsedHeader;
  const problems = headerProblems(header, raw);
  const payloadBytes = decodeSegment(segments, 1, 'payload');
  const signatureSegment = segments[2] ?? '';
  const signatureBytes = signatureSegment ? decodeSegment(segments, 2, 'signature').length : 0;

  const strictText = strictUtf8(payloadBytes);
  const payloadRaw = strictText ?? payloadBytes.toString('utf8');
  const cty = typeof header.cty === 'string' ? header.cty : undefined;
  let payload: JwtPayload = { nonJson: payloadRaw };
  let payloadKind: DecodedJws['payloadKind'] = strictText === undefined ? 'binary' : 'text';
  let nested: DecodedJwt | undefined;
  let claims: Record<string, unknown> | undefined;
  let payloadDepth = 0;

  // RFC 7519 §5.2: cty "JWT" means the payload is itself a JWT (nested signing or encryption).
  if (cty !== undefined && cty.toUpperCase() === 'JWT' && strictText !== undefined) {
    if (depth + 1 >= MAX_NESTING_DEPTH) {
      problems.push({ code: 'nesting-too-deep', message: `more than ${MAX_NESTING_DEPTH} nested JWT layers; the inner layers are not decoded (decode the inner token on its own)` });
    } else {
      nested = decodeAt(strictText, now, depth + 1);
      payloadKind = 'jwt';
    }
  } else if (strictText !== undefined && (payloadDepth = jsonNestingDepth(strictText)) > MAX_JSON_DEPTH) {
    problems.push({
      code: 'json-too-deep',
      message: `payload is JSON nested ${payloadDepth} levels deep; more than ${MAX_JSON_DEPTH} levels are shown as text, not as claims. No real claims set is this deep: a token built to exhaust parsers`,
    });
  } else if (strictText !== undefined) {
    try {
      const parsed: unknown = JSON.parse(strictText);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        claims = parsed as Record<string, unknown>;
        payload = claims;
        payloadKind = 'json';
      }
    } catch (err) {
      if (/^\s*[{[]/.test(strictText)) {
        problems.push({
          code: 'payload-broken-json',
          message: `payload starts like JSON but does not parse (${(err as Error).message}); the token was truncated or altered, so it is not a valid claims set. Copy the complete token, or find what changes it in transit`,
        });
      }
    }
  } else if (/^\s*[{[]/.test(payloadRaw)) {
    problems.push({
      code: 'payload-broken-json',
      message: 'payload starts like JSON but is not valid UTF-8; bytes were lost or altered (a character missing from the payload segment?), so it is not a valid claims set. Copy the complete token, or find what changes it in transit',
    });
  }

  const issuedAt = claims ? numericDate(claims, 'iat', problems) : undefined;
  const notBefore = claims ? numericDate(claims, 'nbf', problems) : undefined;
  const expiresAt = claims ? numericDate(claims, 'exp', problems) : undefined;

  return {
    kind: 'jws',
    alg,
    header,
    headerRaw: raw,
    payload,
    payloadKind,
    payloadRaw,
    signature: signatureSegment,
    signatureBytes,
    signingInput: `${segments[0]}.${segments[1]}`,
    ...(typeof header.typ === 'string' ? { typ: header.typ } : {}),
    ...(cty !== undefined ? { cty } : {}),
    ...(issuedAt !== undefined ? { issuedAt } : {}),
    ...(notBefore !== undefined ? { notBefore } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    timeState: timeStateOf(now, expiresAt, notBefore),
    unsecured: alg.toLowerCase() === 'none' || signatureSegment.length === 0,
    signatureSegmentMissing: segments.length === 2,
    ...(nested ? { nested } : {}),
    problems,
  };
}

function decodeJwe(segments: readonly string[], parsedHeader: { header: Record<string, unknown>; raw: string; alg: string }): DecodedJwe {
  const { header, raw, alg } = parsedHeader;
  if (typeof header.enc !== 'string') {
    throw new Malformed('token has 5 segments (the JWE form) but its header has no "enc" string (RFC 7516 §4.1.2)', 'header');
  }
  for (let i = 1; i < 5; i++) decodeSegment(segments, i, JWE_SEGMENTS[i]);
  if (segments[3].length === 0) throw new Malformed('ciphertext segment (segment 4) is empty', 'ciphertext');
  return {
    kind: 'jwe',
    encrypted: true,
    alg,
    enc: header.enc,
    header,
    headerRaw: raw,
    ...(typeof header.typ === 'string' ? { typ: header.typ } : {}),
    ...(typeof header.cty === 'string' ? { cty: header.cty } : {}),
    problems: headerProblems(header, raw),
  };
}

function decodeAt(input: string, now: number, depth: number): DecodedJwt {
  try {
    if (typeof input !== 'string') return malformed('input is not a string');
    const token = cleanTokenInput(input);
    if (token.length === 0) return malformed('input is empty');
    if (token.length > MAX_TOKEN_LENGTH) return malformed(`input is ${token.length} characters; tokens longer than ${MAX_TOKEN_LENGTH} are not decoded`);
    if (token.startsWith('{')) {
      return malformed('input is JSON, not a compact token: JWS/JWE JSON serialization is not a JWT (RFC 7519 §1 requires the compact, dot-separated form)');
    }
    const ws = /\s/.exec(token);
    if (ws) return malformed(`input contains ${describeChar(ws[0])} at position ${ws.index + 1}; a compact token has no whitespace (was it line-wrapped when copied?)`);
    const segments = token.split('.');
    const count = segments.length;
    if (count === 1) return malformed("input has no '.' separators: a JWT has 3 segments (header.payload.signature) or 5 (JWE); a lone base64url string is not a JWT");
    if (count !== 2 && count !== 3 && count !== 5) {
      return malformed(`input has ${count} segments separated by '.'; a JWS has 3 (header.payload.signature) and a JWE 5`);
    }
    const parsedHeader = parseHeader(segments[0], segments);
    const isNone = parsedHeader.alg.toLowerCase() === 'none';
    if (count === 2) {
      if (!isNone) {
        return malformed(`input has 2 segments; a JWS has 3 (header.payload.signature). Only an unsecured token (alg "none") may omit the final '.', and this one says alg "${parsedHeader.alg}"`);
      }
      return decodeJws(segments, parsedHeader, now, depth);
    }
    if (count === 5) return decodeJwe(segments, parsedHeader);
    if ('enc' in parsedHeader.header) {
      return malformed('header has "enc", so it belongs to a JWE, but the token has 3 segments; a compact JWE has 5', 'header');
    }
    return decodeJws(segments, parsedHeader, now, depth);
  } catch (err) {
    if (err instanceof Malformed) return malformed(err.message, err.segment);
    return malformed(`could not decode: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Decodes a compact JWS/JWE (or an unsecured JWT); never throws. */
export function decodeJwt(token: string, options: DecodeOptions = {}): DecodedJwt {
  const now = typeof options.now === 'number' && Number.isFinite(options.now) ? options.now : Date.now();
  return decodeAt(token, now, 0);
}

/** True for a JWS whose payload is a JSON claims object. */
export function hasClaims(decoded: DecodedJwt): decoded is DecodedJws & { payload: Record<string, unknown> } {
  return decoded.kind === 'jws' && decoded.payloadKind === 'json';
}
