import { isLoopbackHost } from '../net/loopback';

/** The parts of a request URL the cookie rules look at. */
export interface RequestOrigin {
  readonly scheme: string;
  /** Lower-case host name without brackets or port. */
  readonly host: string;
  readonly path: string;
  /** True for https/wss, and for loopback hosts, which browsers treat as potentially trustworthy. */
  readonly secureContext: boolean;
  /** True when the request went over a scheme that encrypts (https/wss). */
  readonly encrypted: boolean;
  /** True for localhost, *.localhost, 127.0.0.0/8 and ::1. */
  readonly loopback: boolean;
  readonly isIp: boolean;
}

/**
 * Reads scheme, host and path from a URL string or object. Returns undefined when the URL does
 * not parse; rules then skip the checks that need the origin instead of throwing.
 */
export function requestOrigin(url: string | URL | undefined): RequestOrigin | undefined {
  if (url === undefined) return undefined;
  // The same URL string comes back for each Set-Cookie of a response and each rule that reads it:
  // parsed once (the answer is immutable, so sharing it is safe).
  if (typeof url === 'string') {
    if (url !== lastUrl) {
      lastOrigin = parseOrigin(url);
      lastUrl = url;
    }
    return lastOrigin;
  }
  return parseOrigin(url);
}

/**
 * The host of a request URL, as {@link requestOrigin} gives it (undefined when the URL does not
 * parse). An http(s) or ws(s) URL's host is read from its scheme and authority alone, which are
 * parsed once per distinct authority: a rule that reads only the host (credentialed CORS, answered
 * on many paths of one API) does not parse every URL.
 */
export function requestHost(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const authority = authorityPrefix(url);
  if (authority === undefined) return requestOrigin(url)?.host;
  let host = hostsByAuthority.get(authority);
  if (host === undefined) {
    host = parseOrigin(`${authority}/`)?.host ?? null;
    if (hostsByAuthority.size >= MAX_HOSTS_REMEMBERED) hostsByAuthority.clear();
    hostsByAuthority.set(authority, host);
  }
  return host ?? undefined;
}

const MAX_HOSTS_REMEMBERED = 256;
/** Host per `scheme://authority` (null: it does not parse). */
const hostsByAuthority = new Map<string, string | null>();
const SPECIAL_SCHEME = /^(?:https?|wss?):\/\//i;

/**
 * `scheme://authority` of an http(s)/ws(s) URL whose host the rest of it cannot change: the
 * authority ends at the first `/`, `\`, `?` or `#` (the URL standard's terminators for these
 * schemes), and holds no space or control character (the parser drops tabs and newlines anywhere,
 * which could join a host across them), and is not empty. Undefined otherwise: the whole URL is parsed.
 */
function authorityPrefix(url: string): string | undefined {
  const scheme = SPECIAL_SCHEME.exec(url);
  if (scheme === null) return undefined;
  let end = scheme[0].length;
  for (; end < url.length; end++) {
    const c = url.charCodeAt(end);
    if (c === 0x2f || c === 0x5c || c === 0x3f || c === 0x23) break;
    if (c <= 0x20 || c === 0x7f) return undefined;
  }
  // "http:///host": the parser skips the extra slashes, so the host is further on.
  if (end === scheme[0].length) return undefined;
  return url.slice(0, end);
}

let lastUrl: string | undefined;
let lastOrigin: RequestOrigin | undefined;

function parseOrigin(url: string | URL): RequestOrigin | undefined {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return undefined;
  }
  const scheme = parsed.protocol.replace(/:$/, '').toLowerCase();
  const host = parsed.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const loopback = isLoopbackHost(host);
  const encrypted = scheme === 'https' || scheme === 'wss';
  const isIp = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
  return Object.freeze({ scheme, host, path: parsed.pathname || '/', secureContext: encrypted || loopback, encrypted, loopback, isIp });
}
