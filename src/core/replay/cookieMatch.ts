import { domainMatch, pathMatch } from 'tough-cookie';
import type { CookieRecord } from '../session/types';
import { isLoopbackHost } from '../net/loopback';

/** RFC 6265bis 5.1.4 path-match (tough-cookie's, as the jar uses). */
export function pathMatches(cookiePath: string, requestPath: string): boolean {
  return pathMatch(requestPath, cookiePath);
}

/** RFC 6265bis 5.1.3 domain-match (tough-cookie's), with host-only cookies sent to their exact host only. */
export function domainMatches(cookie: Pick<CookieRecord, 'domain' | 'hostOnly'>, host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return cookie.hostOnly ? h === cookie.domain : domainMatch(h, cookie.domain) === true;
}

/** True while the cookie has not expired at `now` (session cookies never do here). */
export function isUnexpired(cookie: Pick<CookieRecord, 'expiresAt'>, now: number): boolean {
  return cookie.expiresAt === undefined || cookie.expiresAt > now;
}

/**
 * The cookies a browser would send with a request to `url` from this jar: domain, path, Secure
 * (https, or a loopback/localhost host, which browsers treat as secure) and expiry, in the order
 * RFC 6265bis 5.8.3 gives (longer paths first, then earlier creation).
 */
export function cookiesFor(url: URL, jar: readonly CookieRecord[], now: number): CookieRecord[] {
  const secureContext = url.protocol === 'https:' || isLoopbackHost(url.hostname);
  const path = url.pathname || '/';
  return jar
    .filter((c) => domainMatches(c, url.hostname) && pathMatches(c.path, path) && (!c.secure || secureContext) && isUnexpired(c, now))
    .sort((a, b) => b.path.length - a.path.length || a.firstSeen - b.firstSeen);
}
