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
