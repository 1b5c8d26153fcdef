/**
 * In-flight rules: what the user asked the capture proxy to change in traffic while a capture
 * runs (expire a cookie now, drop or replace a credential, tamper a JWT, shorten a cookie's
 * lifetime). Plain data; `InFlightRules` applies them. Not the lint/audit rule catalog
 * (src/core/rules/): these change traffic, those judge it.
 */

/** Where a credential travels in requests: a cookie of the Cookie header, or a header (Authorization, X-Auth-Token…). */
export type CredentialPlace =
  | { readonly in: 'cookie'; readonly name: string }
  | { readonly in: 'header'; readonly name: string };

/** How a JWT is tampered with. */
export type JwtTamperMode =
  /** `exp` one hour in the past. */
  | 'expired'
  /** `nbf` (and `iat`) one hour in the future. */
  | 'not-yet-valid'
  /** Header `alg: none`, signature stripped (the token ends with a dot). */
  | 'alg-none'
  /** Claims merged into the payload (a null value removes the claim). */
  | 'claims'
  /** Only re-signed with the user's key (payload unchanged). */
  | 'resign';

export const JWT_TAMPER_MODES: readonly JwtTamperMode[] = ['expired', 'not-yet-valid', 'alg-none', 'claims', 'resign'];

/** A rule as the user asks for it. */
export type InFlightRuleSpec =
  /** The next response to the browser carries a deleting Set-Cookie (same name, domain, path; Max-Age=0). Fires once. */
  | { readonly kind: 'expire-now'; readonly cookie: string }
  /** The credential is removed from requests to the dev server. */
  | { readonly kind: 'drop'; readonly place: CredentialPlace }
  /** The credential is sent with another value (for `Authorization: Bearer x`, a value without a scheme keeps `Bearer`). */
  | { readonly kind: 'replace'; readonly place: CredentialPlace; readonly value: string }
  /**
   * The JWT in that place is sent tampered. `signingKey` (a secret, PEM private key or private
   * JWK, as text) re-signs it; without one the original signature is kept, so only a verifier
   * that skips the signature check could accept it (alg-none always strips the signature).
   */
  | { readonly kind: 'tamper-jwt'; readonly place: CredentialPlace; readonly mode: JwtTamperMode; readonly claims?: Readonly<Record<string, unknown>>; readonly signingKey?: string }
  /** Max-Age/Expires of the cookie in responses are rewritten to `seconds` (a browser-session cookie gets a Max-Age). */
  | { readonly kind: 'shorten-lifetime'; readonly cookie: string; readonly seconds: number };

export type InFlightRuleKind = InFlightRuleSpec['kind'];

/** An active rule: the spec with its id, label and how often it changed traffic. Never carries a secret in `label`. */
export type InFlightRule = InFlightRuleSpec & {
  readonly id: string;
  /** "Drop cookie sid from requests". */
  readonly label: string;
  readonly createdAt: number;
  /** Exchanges this rule changed so far. */
  readonly hits: number;
};

/** A rule that cannot be applied as given; the message is one line for the user. */
export class InFlightRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InFlightRuleError';
  }
}

/** Default of shorten-lifetime, seconds. */
export const DEFAULT_SHORT_LIFETIME_SECONDS = 60;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Characters a header value may not carry (they would end or split the head). */
const HEADER_VALUE_BAD = /[\x00-\x08\x0a-\x1f\x7f]/;
/** Outside cookie-octet plus space (RFC 6265 §4.1.1; spaces and commas are tolerated by servers, `;` never). */
const COOKIE_VALUE_BAD = /[\x00-\x1f\x7f;]/;

function placeText(place: CredentialPlace): string {
  return place.in === 'cookie' ? `cookie ${place.name}` : `header ${place.name}`;
}

const TAMPER_TEXT: Readonly<Record<JwtTamperMode, string>> = {
  expired: 'as expired',
  'not-yet-valid': 'as not yet valid',
  'alg-none': 'with alg none, unsigned',
  claims: 'with edited claims',
  resign: 're-signed',
};

/** The label of a rule, for the panel, the status line and exchange marks. */
export function describeRule(spec: InFlightRuleSpec): string {
  switch (spec.kind) {
    case 'expire-now': return `Expire cookie ${spec.cookie} now`;
    case 'drop': return `Drop ${placeText(spec.place)} from requests`;
    case 'replace': return `Replace ${placeText(spec.place)}`;
    case 'tamper-jwt': return `Send JWT in ${placeText(spec.place)} ${TAMPER_TEXT[spec.mode]}${spec.signingKey !== undefined && spec.mode !== 'alg-none' && spec.mode !== 'resign' ? ', re-signed' : ''}`;
    case 'shorten-lifetime': return `Shorten lifetime of cookie ${spec.cookie} to ${spec.seconds} s`;
  }
}

function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new InFlightRuleError(`${what} name is missing`);
  if (!TOKEN.test(name)) throw new InFlightRuleError(`'${name.slice(0, 60)}' is not a valid ${what} name`);
  return name;
}

function checkPlace(place: CredentialPlace | undefined): void {
  if (place === undefined || (place.in !== 'cookie' && place.in !== 'header')) throw new InFlightRuleError('say where the credential travels: a cookie or a header');
  checkName(place.name, place.in);
  if (place.in === 'header' && /^(?:host|content-length|transfer-encoding|connection|upgrade|expect|te|trailer)$/i.test(place.name)) {
    throw new InFlightRuleError(`${place.name} frames the request; in-flight rules change credentials only (Cookie, Authorization, token headers)`);
  }
}

/** Checks a rule as given (CLI, palette, webview); throws InFlightRuleError with a specific message. */
export function validateRule(spec: InFlightRuleSpec): void {
  switch (spec.kind) {
    case 'expire-now':
      checkName(spec.cookie, 'cookie');
      return;
    case 'shorten-lifetime':
      checkName(spec.cookie, 'cookie');
      if (!Number.isInteger(spec.seconds) || spec.seconds < 1 || spec.seconds > 400 * 24 * 3600) throw new InFlightRuleError(`the shortened lifetime must be a whole number of seconds from 1 to 34560000 (got ${String(spec.seconds)})`);
      return;
    case 'drop':
      checkPlace(spec.place);
      return;
    case 'replace':
      checkPlace(spec.place);
      if (typeof spec.value !== 'string') throw new InFlightRuleError('the replacement value is missing');
      if (spec.place.in === 'cookie' && COOKIE_VALUE_BAD.test(spec.value)) throw new InFlightRuleError('a cookie value cannot contain control characters or ;');
      if (spec.place.in === 'header' && HEADER_VALUE_BAD.test(spec.value)) throw new InFlightRuleError('a header value cannot contain control characters or line breaks');
      return;
    case 'tamper-jwt':
      checkPlace(spec.place);
      if (!JWT_TAMPER_MODES.includes(spec.mode)) throw new InFlightRuleError(`unknown JWT tampering '${String(spec.mode)}' (one of ${JWT_TAMPER_MODES.join(', ')})`);
      if (spec.mode === 'claims' && (typeof spec.claims !== 'object' || spec.claims === null || Array.isArray(spec.claims))) throw new InFlightRuleError('claims must be a JSON object, e.g. {"role":"admin"}');
      if (spec.mode === 'resign' && spec.signingKey === undefined) throw new InFlightRuleError('re-signing needs a key: a secret, a PEM private key or a private JWK');
      return;
    default:
      throw new InFlightRuleError(`unknown rule kind '${String((spec as { kind?: unknown }).kind)}'`);
  }
}
