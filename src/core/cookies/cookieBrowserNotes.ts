import { isLoopbackHost } from '../net/loopback';

/** Name plus value over this many octets makes browsers drop the cookie (6265bis; the same limit as setCookie.ts, which loads tough-cookie). */
const MAX_NAME_VALUE_BYTES = 4096;

/** The attributes of a stored cookie that decide whether a browser keeps it and sends it. */
export interface CookieForBrowser {
  readonly name: string;
  readonly domain: string;
  readonly path: string;
  readonly hostOnly: boolean;
  readonly secure: boolean;
  readonly sameSite?: 'Strict' | 'Lax' | 'None';
  /** SameSite as written, also when invalid. */
  readonly sameSiteRaw?: string;
  readonly partitioned: boolean;
  /** Octets of name plus value. */
  readonly size: number;
}

function hostOf(url: string): { host: string; scheme: string } | undefined {
  try {
    const u = new URL(url);
    return { host: u.hostname, scheme: u.protocol };
  } catch {
    return undefined;
  }
}

function domainMatches(host: string, domain: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  const d = domain.toLowerCase().replace(/^\./, '');
  return h === d || h.endsWith(`.${d}`);
}

/**
 * In words, why a browser would refuse this cookie or not send it back: the rules Chrome,
 * Firefox and Safari apply that a lenient jar (and a proxy on localhost) lets through.
 * `setBy` is the URL of the response that set it, as the browser saw it, when known.
 * Empty when a browser keeps and sends the cookie as the server meant.
 */
export function cookieBrowserNotes(c: CookieForBrowser, setBy?: string): string[] {
  const notes: string[] = [];
  const origin = setBy !== undefined ? hostOf(setBy) : undefined;
  if (c.size > MAX_NAME_VALUE_BYTES) notes.push(`Rejected: name plus value is ${c.size} bytes, over the ${MAX_NAME_VALUE_BYTES}-byte limit of browsers.`);
  // Browsers check the prefixes case-insensitively since 6265bis; older ones only the exact case.
  const lower = c.name.toLowerCase();
  if (lower.startsWith('__secure-') && !c.secure) notes.push('Rejected: the __Secure- prefix requires the Secure attribute.');
  if (lower.startsWith('__host-')) {
    const missing = [...(!c.secure ? ['Secure'] : []), ...(!c.hostOnly ? ['no Domain attribute'] : []), ...(c.path !== '/' ? ['Path=/'] : [])];
    if (missing.length > 0) notes.push(`Rejected: the __Host- prefix requires ${missing.join(', ')}.`);
  }
  if (c.sameSite === 'None' && !c.secure) notes.push('Rejected: SameSite=None without Secure.');
  if (c.partitioned && !c.secure) notes.push('Rejected: Partitioned without Secure.');
  if (origin) {
    if (!c.hostOnly && !domainMatches(origin.host, c.domain)) notes.push(`Rejected: Domain=${c.domain} does not include ${origin.host}, the host that set it.`);
    // localhost and loopback addresses are secure contexts: Secure cookies work there over plain HTTP.
    if (c.secure && origin.scheme === 'http:' && !isLoopbackHost(origin.host)) notes.push(`Rejected: a Secure cookie set by http://${origin.host}; only https pages (and localhost) may set Secure cookies.`);
  }
  if (c.sameSiteRaw !== undefined && c.sameSite === undefined) notes.push(`SameSite=${c.sameSiteRaw} is not a valid value: browsers ignore it and apply their default (Lax in Chrome).`);
  if (c.sameSite === 'Strict') notes.push('Not sent on requests from other sites, including the navigation back from an identity provider (SameSite=Strict).');
  return notes;
}
