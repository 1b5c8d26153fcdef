import type * as ToughCookie from 'tough-cookie';

/**
 * A Set-Cookie header parsed the way RFC 6265bis (section 5.7) reads it, keeping what was
 * actually written. tough-cookie stores cookies; this keeps the raw attributes the audit needs
 * (prefix case, invalid SameSite values, both Max-Age and Expires, Partitioned, Priority, sizes).
 */
export interface ParsedSetCookie {
  /** The header value as received. */
  readonly raw: string;
  readonly name: string;
  readonly value: string;
  /** Every attribute in order, name as written, value trimmed (undefined for flags). */
  readonly attributes: readonly { readonly name: string; readonly value: string | undefined }[];
  /** Expires as a date, when it parses as a cookie-date. */
  readonly expires?: Date;
  /** Expires as written, also when it does not parse. */
  readonly expiresRaw?: string;
  /** Max-Age in seconds when it is a valid integer (per 6265bis: optional '-' then digits). */
  readonly maxAge?: number;
  readonly maxAgeRaw?: string;
  /** Domain without a leading dot, lower-cased; undefined when absent or empty. */
  readonly domain?: string;
  readonly domainRaw?: string;
  /** Path when it starts with '/', else undefined (the default path applies). */
  readonly path?: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  /** Normalised SameSite when the value is one of Strict/Lax/None (any case). */
  readonly sameSite?: 'Strict' | 'Lax' | 'None';
  /** SameSite as written, also when invalid (browsers then use "Default"). */
  readonly sameSiteRaw?: string;
  readonly partitioned: boolean;
  readonly priority?: 'Low' | 'Medium' | 'High';
  /** Octets of name plus value (the 4096 limit of 6265bis). */
  readonly nameValueBytes: number;
}

/** Attribute values over this many octets are ignored by browsers (6265bis 5.7). */
export const MAX_ATTRIBUTE_VALUE_BYTES = 1024;
/** Name plus value over this many octets makes browsers drop the cookie. */
export const MAX_NAME_VALUE_BYTES = 4096;

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

function normaliseSameSite(v: string): ParsedSetCookie['sameSite'] {
  switch (v.toLowerCase()) {
    case 'strict': return 'Strict';
    case 'lax': return 'Lax';
    case 'none': return 'None';
    default: return undefined;
  }
}

function normalisePriority(v: string): ParsedSetCookie['priority'] {
  switch (v.toLowerCase()) {
    case 'low': return 'Low';
    case 'medium': return 'Medium';
    case 'high': return 'High';
    default: return undefined;
  }
}

/**
 * Parses one Set-Cookie header value. Returns undefined when browsers would ignore the
 * header outright (empty name and value, or a name-value pair containing a CTL).
 * Never throws.
 */
export function parseSetCookie(header: string): ParsedSetCookie | undefined {
  if (typeof header !== 'string') return undefined;
  const semi = header.indexOf(';');
  const pair = semi === -1 ? header : header.slice(0, semi);
  const rest = semi === -1 ? '' : header.slice(semi + 1);
  const eq = pair.indexOf('=');
  const name = (eq === -1 ? '' : pair.slice(0, eq)).trim();
  const value = (eq === -1 ? pair : pair.slice(eq + 1)).trim();
  if (name === '' && value === '') return undefined;

  const attributes: { name: string; value: string | undefined }[] = [];
  let expires: Date | undefined;
  let expiresRaw: string | undefined;
  let maxAge: number | undefined;
  let maxAgeRaw: string | undefined;
  let domain: string | undefined;
  let domainRaw: string | undefined;
  let path: string | undefined;
  let secure = false;
  let httpOnly = false;
  let sameSite: ParsedSetCookie['sameSite'];
  let sameSiteRaw: string | undefined;
  let partitioned = false;
  let priority: ParsedSetCookie['priority'];

  for (const part of rest.split(';')) {
    if (part.trim() === '') continue;
    const aeq = part.indexOf('=');
    const attrName = (aeq === -1 ? part : part.slice(0, aeq)).trim();
    const attrValue = aeq === -1 ? undefined : part.slice(aeq + 1).trim();
    attributes.push({ name: attrName, value: attrValue });
    // Browsers ignore attribute values longer than 1024 octets.
    if (attrValue !== undefined && utf8Length(attrValue) > MAX_ATTRIBUTE_VALUE_BYTES) continue;
    const v = attrValue ?? '';
    switch (attrName.toLowerCase()) {
      case 'expires': {
        expiresRaw = v;
        expires = cookieDate(v);
        break;
      }
      case 'max-age': {
        maxAgeRaw = v;
        maxAge = /^-?\d+$/.test(v) ? Number(v) : undefined;
        break;
      }
      case 'domain': {
        domainRaw = v;
        const d = v.startsWith('.') ? v.slice(1) : v;
        domain = d === '' ? undefined : d.toLowerCase();
        break;
      }
      case 'path':
        path = v.startsWith('/') ? v : undefined;
        break;
      case 'secure':
        secure = true;
        break;
      case 'httponly':
        httpOnly = true;
        break;
      case 'samesite':
        sameSiteRaw = v;
        sameSite = normaliseSameSite(v);
        break;
      case 'partitioned':
        partitioned = true;
        break;
      case 'priority':
        priority = normalisePriority(v);
        break;
      default:
        break;
    }
  }

  return {
    raw: header,
    name,
    value,
    attributes,
    ...(expires ? { expires } : {}),
    ...(expiresRaw !== undefined ? { expiresRaw } : {}),
    ...(maxAge !== undefined ? { maxAge } : {}),
    ...(maxAgeRaw !== undefined ? { maxAgeRaw } : {}),
    ...(domain !== undefined ? { domain } : {}),
    ...(domainRaw !== undefined ? { domainRaw } : {}),
    ...(path !== undefined ? { path } : {}),
    secure,
    httpOnly,
    ...(sameSite ? { sameSite } : {}),
    ...(sameSiteRaw !== undefined ? { sameSiteRaw } : {}),
    partitioned,
    ...(priority ? { priority } : {}),
    nameValueBytes: utf8Length(name) + utf8Length(value),
  };
}

/** Parses a Cookie request header into name/value pairs in order (duplicates kept). */
export function parseCookieHeader(header: string): { name: string; value: string }[] {
  if (typeof header !== 'string') return [];
  const out: { name: string; value: string }[] = [];
  for (const part of header.split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const name = (eq === -1 ? '' : part.slice(0, eq)).trim();
    const value = (eq === -1 ? part : part.slice(eq + 1)).trim();
    out.push({ name, value });
  }
  return out;
}

/**
 * tough-cookie (and its public-suffix list, tldts: 160 KB of the CLI bundle) is loaded at the first
 * Expires to read: `session-lens scan` meets Set-Cookie strings in code only now and then, and
 * evaluating both cost about 10 ms of every scan's start.
 */
let toughCookie: typeof ToughCookie | undefined;

/** An Expires value read as RFC 6265's cookie-date algorithm does (tough-cookie's parseDate). */
function cookieDate(value: string): Date | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  toughCookie ??= require('tough-cookie') as typeof ToughCookie;
  return toughCookie.parseDate(value) ?? undefined;
}
