import { DEFAULT_AUDIT_SETTINGS } from '../audit/auditSettings';
import { loginReason } from '../audit/authSteps';
import { type SessionCookieInfo, pathOnly, sessionCookies } from '../audit/trafficFacts';
import type { Exchange, HeaderField, SessionSnapshot, TokenRecord } from '../session/types';
import type { ProbeRequest } from './types';

/**
 * Request headers a replay never copies: hop-by-hop fields, the ones it sets itself (Host,
 * Content-Length, Cookie, Authorization) and the ones that would change the answer's shape
 * (conditional requests answer 304, compression hides the body).
 */
const NOT_REPLAYED = new Set([
  'host', 'content-length', 'cookie', 'authorization', 'connection', 'keep-alive', 'proxy-connection', 'proxy-authorization',
  'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect', 'accept-encoding',
  'if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range',
]);

/** The cookie and Authorization a replay sends; `undefined` leaves the header out. */
export interface ReplayCredentials {
  readonly cookies: readonly { readonly name: string; readonly value: string }[];
  readonly authorization?: string;
}

/** The facts of a captured session the probes work from: which cookies hold the session, which exchanges log in. */
export class CapturedSession {
  readonly exchanges: readonly Exchange[];
  readonly tokensById: ReadonlyMap<number, TokenRecord>;
  private readonly sessionInfo: ReadonlyMap<string, SessionCookieInfo>;

  constructor(readonly snapshot: SessionSnapshot, readonly origin: string) {
    this.exchanges = snapshot.exchanges;
    this.tokensById = new Map(snapshot.tokens.map((t) => [t.id, t]));
    this.sessionInfo = sessionCookies(this.exchanges, DEFAULT_AUDIT_SETTINGS, (ex) => this.loginReason(ex) !== undefined);
  }

  /** Why `ex` counts as a login (see the audit's loginReason), or undefined. */
  loginReason(ex: Exchange): string | undefined {
    return loginReason(ex, DEFAULT_AUDIT_SETTINGS, this.tokensById);
  }

  /** True when cookie `name` holds the session (by name and value, or because a login changed it). */
  isSessionCookie(name: string): boolean {
    return this.sessionInfo.get(name)?.isSession === true;
  }

  /** How the audit classified cookie `name`, when it saw it. */
  cookieInfo(name: string): SessionCookieInfo | undefined {
    return this.sessionInfo.get(name);
  }

  /** The URL of a captured exchange's path on the target. */
  targetUrl(ex: Pick<Exchange, 'path'>): string {
    return `${this.origin}${ex.path.startsWith('/') ? ex.path : `/${ex.path}`}`;
  }

  /** The Authorization header a request sent, if any. */
  static authorizationOf(ex: Exchange): string | undefined {
    return ex.requestHeaders.find((h) => h.name.toLowerCase() === 'authorization')?.value;
  }

  /** The credentials `ex` sent as captured: every cookie and the Authorization header. */
  static credentialsOf(ex: Exchange): ReplayCredentials {
    const authorization = CapturedSession.authorizationOf(ex);
    return { cookies: ex.cookiesSent, ...(authorization !== undefined ? { authorization } : {}) };
  }

  /** The credentials of `ex` without the session: no session cookie, no Authorization (other cookies kept). */
  withoutSession(ex: Exchange): ReplayCredentials {
    return { cookies: ex.cookiesSent.filter((c) => !this.isSessionCookie(c.name)) };
  }

  /** `ex` as a request to the target, with `credentials` instead of what it carried. */
  replay(ex: Exchange, credentials: ReplayCredentials): ProbeRequest {
    const headers: HeaderField[] = ex.requestHeaders.filter((h) => !NOT_REPLAYED.has(h.name.toLowerCase()));
    if (credentials.cookies.length > 0) headers.push({ name: 'Cookie', value: credentials.cookies.map((c) => `${c.name}=${c.value}`).join('; ') });
    if (credentials.authorization !== undefined) headers.push({ name: 'Authorization', value: credentials.authorization });
    const body = ex.requestBody?.text;
    return { method: ex.method, url: this.targetUrl(ex), headers, ...(body !== undefined && body !== '' ? { body } : {}) };
  }

  /** `METHOD /path` of an exchange, for messages. */
  static line(ex: Exchange): string {
    return `${ex.method} ${pathOnly(ex)}`;
  }
}

/** The Location of a captured answer as a path (the capture's own origin dropped), for comparing with a replay. */
export function capturedLocation(ex: Exchange): string | undefined {
  const location = ex.responseHeaders?.find((h) => h.name.toLowerCase() === 'location')?.value;
  if (location === undefined) return undefined;
  try {
    const base = new URL(ex.url);
    const u = new URL(location, base);
    return u.origin === base.origin || (ex.upstreamUrl !== undefined && u.origin === new URL(ex.upstreamUrl).origin) ? `${u.pathname}${u.search}` : u.href;
  } catch {
    return location;
  }
}

/** True for a GET answered 2xx that is neither a login nor a logout: a page to judge the session by. */
export function isPlainPageView(ex: Exchange, session: CapturedSession): boolean {
  return ex.method.toUpperCase() === 'GET' && ex.status !== undefined && ex.status >= 200 && ex.status < 300
    && !ex.hints.logoutLike && session.loginReason(ex) === undefined && ex.upgrade !== true;
}
