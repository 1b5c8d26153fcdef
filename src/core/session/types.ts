/**
 * Plain-data types of the capture engine: what the session store holds and hands out.
 *
 * Everything here is JSON-serialisable (times are epoch milliseconds, no Dates, no Maps) so a
 * snapshot can be posted to the webview, printed by the CLI or fed to the audit as is.
 * The same shapes come from a live capture and from an imported HAR.
 * Stability promise: additive changes only.
 */
import type { SessionChange } from './changeFeed';

/** Where an exchange came from. */
/** Where an exchange came from: the capture proxy, an imported HAR, or a browser through the DevTools Protocol. */
export type ExchangeSource = 'proxy' | 'har' | 'browser';

/** One header line as sent on the wire: original case, original order, duplicates kept. */
export interface HeaderField {
  readonly name: string;
  readonly value: string;
}

/** How an exchange ended (or 'pending' while it is still streaming). */
export type ExchangeState =
  | 'pending'
  /** The response was forwarded completely. */
  | 'complete'
  /** The client went away before the response was finished; upstream was aborted. */
  | 'client-aborted'
  /** Upstream refused, was unreachable, or reset mid-response. */
  | 'upstream-error'
  /** A configured timeout ran out: upstream did not answer or its body stalled, or the client's request body stalled. */
  | 'timeout'
  /** An Upgrade (WebSocket) request: the tunnel was opened (101) and is now opaque. */
  | 'upgraded'
  /** The capture stopped while the exchange was in progress (after its grace period); what passed until then is recorded. */
  | 'aborted';

/** A bounded look at a body, decoded (gzip/deflate/br) for analysis only. */
export interface BodyPreview {
  /** Bytes of the body as it went over the wire (before decoding), counted in full. */
  readonly wireBytes: number;
  /** True when the preview stops before the end of the (decoded) body. */
  readonly truncated: boolean;
  /** Content-Encoding that was decoded for the preview, when any. */
  readonly contentEncoding?: string;
  /** Media type from Content-Type, lower-cased, without parameters. */
  readonly mimeType?: string;
  /**
   * The decoded preview as UTF-8 text, for text-like media types only (JSON, form, text, XML,
   * JavaScript), capped by the store's `retainedPreviewBytes`. Absent for binary bodies.
   */
  readonly text?: string;
  /** Why decoding failed (bad gzip, unknown encoding), when it did. */
  readonly decodeError?: string;
}

/** What the request looks like, for the audit's login/logout logic. Computed from method, path and body. */
export interface RequestHints {
  /** Path or form suggests authentication: /login, /signin, /auth, /token, /session, or a password field. */
  readonly loginLike: boolean;
  /** Path suggests logout: /logout, /signout, /logoff, /session with DELETE. */
  readonly logoutLike: boolean;
  /** The body (url-encoded, JSON or multipart) has a field named like a password. */
  readonly hasPasswordField: boolean;
  /** Names of form/JSON top-level fields of the request body (never the values). */
  readonly formFieldNames: readonly string[];
  /** Scheme of the Authorization header (`Bearer`, `Basic`, ...), when present. */
  readonly authorizationScheme?: string;
}

/** What happened to one Set-Cookie header of a response. */
export type SetCookieOutcome =
  /** Stored in the jar (new or replacing a cookie). */
  | 'stored'
  /** Removed a cookie (Max-Age <= 0 or an Expires in the past), or was already expired. */
  | 'deleted'
  /** The jar refused it (bad Domain, prefix rules, unparsable...); `rejectReason` says why. */
  | 'rejected';

/** One Set-Cookie header of a response, as received, and its effect on the jar. */
export interface SetCookieRecord {
  /** The header value exactly as received; parse it with `parseSetCookie` for raw attributes. */
  readonly raw: string;
  readonly name: string;
  readonly value: string;
  readonly outcome: SetCookieOutcome;
  readonly rejectReason?: string;
  /** Key of the affected cookie in the store (see `CookieRecord.key`), when stored or deleted. */
  readonly cookieKey?: string;
  /**
   * The browser's own reasons for refusing the cookie (Chrome's `SetCookieBlockedReason`:
   * `SameSiteNoneInsecure`, `SecureOnly`, `InvalidDomain`...), for browser captures and HARs that
   * carry them; the outcome is then 'rejected'.
   */
  readonly blockedReasons?: readonly string[];
}

/** A cookie the browser held but did not send with a request, with its reasons (browser captures only). */
export interface BlockedRequestCookie {
  readonly name: string;
  readonly value: string;
  readonly domain: string;
  readonly path: string;
  /** Chrome's `CookieBlockedReason`s: `SameSiteLax`, `SecureOnly`, `NotOnPath`, `ThirdPartyPhaseout`... */
  readonly reasons: readonly string[];
}

/** One request/response pair. */
export interface Exchange {
  /** Increasing id, unique within a store (also across `clear()`). */
  readonly id: number;
  readonly source: ExchangeSource;
  readonly method: string;
  /** The URL as the client asked for it (the browser's view: proxy origin, or the HAR entry's URL). */
  readonly url: string;
  /** The URL forwarded upstream (proxied exchanges only). */
  readonly upstreamUrl?: string;
  /** Path plus query, byte-for-byte as in the request line. */
  readonly path: string;
  readonly httpVersion: string;
  readonly requestHeaders: readonly HeaderField[];
  /** Cookies sent in the Cookie header(s), in order. */
  readonly cookiesSent: readonly { readonly name: string; readonly value: string }[];
  readonly requestBody?: BodyPreview;
  readonly hints: RequestHints;
  /** When the request was received (epoch ms). */
  readonly startedAt: number;

  readonly status?: number;
  readonly statusText?: string;
  readonly responseHeaders?: readonly HeaderField[];
  /** Set-Cookie headers of the response, each separate, in order. */
  readonly cookiesSet: readonly SetCookieRecord[];
  readonly responseBody?: BodyPreview;
  /** When the response headers were received (epoch ms): the receipt time that Max-Age counts from. */
  readonly responseReceivedAt?: number;
  /** The server's `Date` header, parsed (epoch ms), for clock-skew correction. */
  readonly serverDate?: number;
  /** The server's `Date` header as written. */
  readonly serverDateRaw?: string;
  /** When the exchange ended (epoch ms): body finished, aborted or failed. */
  readonly endedAt?: number;

  readonly state: ExchangeState;
  /** Human-readable reason for a non-complete state. */
  readonly error?: string;
  /** Ids of the tokens found in this exchange (see `TokenRecord.id`). */
  readonly tokenIds: readonly number[];
  /** True for an Upgrade (WebSocket) request. */
  readonly upgrade?: boolean;
  /** Cookies the browser held for this URL but did not send, with its reasons (browser captures only). */
  readonly blockedRequestCookies?: readonly BlockedRequestCookie[];
  /**
   * What Session Lens changed in this exchange on its way (in-flight rules, keep-alive and
   * refresh requests it sent itself). The recorded headers stay as the browser and the dev
   * server sent them; this list says what the other side received instead. Absent when untouched.
   */
  readonly modifications?: readonly ExchangeModification[];
}

/** Kinds of change Session Lens makes to traffic (see `Exchange.modifications`). */
export type ModificationKind =
  | 'expire-now' | 'drop' | 'replace' | 'tamper-jwt' | 'shorten-lifetime'
  /** The request was sent by Session Lens itself (keep-alive, OAuth refresh), not by the browser. */
  | 'sent-by-session-lens';

/** One change Session Lens made to an exchange. Never carries a credential's value. */
export interface ExchangeModification {
  /** Id of the in-flight rule that made it (absent for requests Session Lens sent itself). */
  readonly ruleId?: string;
  readonly kind: ModificationKind;
  /** Which side was changed: the request sent to the dev server, or the response sent to the browser. */
  readonly side: 'request' | 'response';
  /** Human text: "dropped cookie sid", "Max-Age of sid shortened to 60 s (server: 1800 s)". */
  readonly description: string;
  /** For shorten-lifetime: the lifetime the browser was given, seconds. */
  readonly shortenedToSeconds?: number;
  /** For shorten-lifetime: the server's lifetime in seconds (Max-Age, or Expires minus receipt); absent for a browser-session cookie. */
  readonly serverLifetimeSeconds?: number;
  /** Name of the cookie or header concerned. */
  readonly credential?: string;
}

/** How a cookie became known to the store. */
export type CookieOrigin =
  /** A Set-Cookie header of a captured response. */
  | 'set-by-response'
  /** Only seen in a request's Cookie header: set before the capture began, or by page script. */
  | 'seen-in-request'
  /**
   * Read from the browser's own cookie jar (browser captures: CDP `Storage.getCookies`) and never
   * seen in a Set-Cookie line: set by page script (`document.cookie`) or before the capture began.
   */
  | 'browser-jar';

/** A cookie the browser currently holds, as mirrored by the store's tough-cookie jar. */
export interface CookieRecord {
  /** Identity of the cookie in the jar: `${domain};${path};${name}`. */
  readonly key: string;
  readonly name: string;
  readonly value: string;
  /** Domain, lower-case, no leading dot. For host-only cookies the request host. */
  readonly domain: string;
  readonly path: string;
  /** True when no Domain attribute was given: only sent back to the exact host. */
  readonly hostOnly: boolean;
  /** Expires as received (epoch ms), when present and valid. */
  readonly expires?: number;
  /** Expires as written in the header. */
  readonly expiresRaw?: string;
  /** Max-Age as received (seconds), when present and valid. */
  readonly maxAge?: number;
  /** When the Set-Cookie was received (epoch ms): Max-Age counts from here. */
  readonly receivedAt: number;
  /** The server `Date` of that response (epoch ms), for clock-skew correction. */
  readonly serverDate?: number;
  /** Effective expiry (epoch ms) per the jar: Max-Age wins over Expires. Absent for session cookies. */
  readonly expiresAt?: number;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  /** Normalised SameSite when valid. */
  readonly sameSite?: 'Strict' | 'Lax' | 'None';
  /** SameSite as written (also invalid values). */
  readonly sameSiteRaw?: string;
  readonly partitioned: boolean;
  readonly priority?: 'Low' | 'Medium' | 'High';
  /** Octets of name plus value. */
  readonly size: number;
  /** First time this cookie (this key) was seen (epoch ms). */
  readonly firstSeen: number;
  /** Last time it was set or sent (epoch ms). */
  readonly lastSeen: number;
  readonly origin: CookieOrigin;
  /** The Set-Cookie header that produced the current state (absent for seen-in-request). */
  readonly setCookie?: string;
  /** Exchange that produced the current state. */
  readonly exchangeId: number;
  /** True when the browser's own cookie jar held it at the last read (browser captures only). */
  readonly inBrowserJar?: boolean;
  /** The capture source that produced the current state: its exchange's, or 'browser-jar'. */
  readonly capturedBy?: ExchangeSource | 'browser-jar';
}

/**
 * One cookie of the browser's own jar, as a browser capture reads it (CDP `Network.Cookie`
 * without the protocol types: the session model imports no capture source).
 */
export interface BrowserJarCookie {
  readonly name: string;
  readonly value: string;
  /** As the browser keeps it: a leading dot for a domain cookie, none for a host-only one. */
  readonly domain: string;
  readonly path: string;
  /** Expiry (epoch ms); absent for a session cookie. */
  readonly expires?: number;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly sameSite?: 'Strict' | 'Lax' | 'None';
  readonly partitioned?: boolean;
  readonly priority?: 'Low' | 'Medium' | 'High';
}

/** Kinds of per-cookie history events. */
export type CookieEventKind =
  | 'created' | 'value-changed' | 'attributes-changed' | 'deleted' | 'expired'
  /** Dropped to stay within the browser limits (cookies per domain, in all); `reason` says which. */
  | 'evicted';

/** One change of one cookie. */
export interface CookieHistoryEvent {
  /** Increasing id within the store. */
  readonly seq: number;
  readonly kind: CookieEventKind;
  readonly cookieKey: string;
  readonly name: string;
  readonly domain: string;
  readonly path: string;
  /** When it happened (epoch ms; for 'expired' the expiry time). */
  readonly time: number;
  /** Exchange that caused it (for 'expired', the exchange at which the expiry was noticed, if any). */
  readonly exchangeId?: number;
  readonly oldValue?: string;
  readonly newValue?: string;
  /** For 'attributes-changed' (and value changes that also changed attributes): the attribute names. */
  readonly changedAttributes?: readonly string[];
  /** The Set-Cookie header behind the event, when there was one. */
  readonly setCookie?: string;
  /** Where it was observed ('limit': an eviction). */
  readonly via: 'set-cookie' | 'request-cookie' | 'expiry' | 'limit' | 'browser-jar';
  /** Why, for 'evicted': "more than 180 cookies for localhost", "more than 3300 cookies in all". */
  readonly reason?: string;
}

/** What a token is. */
export type TokenKind =
  | 'bearer'
  | 'basic'
  | 'custom-header'
  | 'oauth-access'
  | 'oauth-refresh'
  | 'oauth-id'
  | 'url-query'
  | 'jwt-in-body'
  | 'jwt-in-header'
  | 'jwt-in-cookie'
  | 'jwt-in-url'
  /** A JWT kept in the page's localStorage or sessionStorage (browser captures). */
  | 'jwt-in-storage'
  /** A storage entry that looks like a token by its key (`token`, `session`, `auth`...) and value. */
  | 'storage-token';

/** Where a token was found. */
export type TokenSource =
  | 'request-header'
  | 'response-header'
  | 'request-body'
  | 'response-body'
  | 'url-query'
  | 'url-fragment'
  | 'request-cookie'
  | 'set-cookie'
  /** A `localStorage` entry of the page (the token's name is the storage key). */
  | 'localStorage'
  /** A `sessionStorage` entry of the page (the token's name is the storage key). */
  | 'sessionStorage';

/** Why a token deserves attention beyond being recorded. */
export type TokenFlag =
  /** HTTP Basic credentials: a reusable password on every request. */
  | 'basic-credentials'
  /** Sent in a URL, where it leaks into logs, history and Referer. */
  | 'token-in-url';

/** A session or access token seen in the traffic. The same (kind, source, name, value) is one record. */
export interface TokenRecord {
  readonly id: number;
  readonly kind: TokenKind;
  readonly source: TokenSource;
  /** Header, field, parameter or cookie name (`Authorization`, `access_token`, `sid`...). */
  readonly name: string;
  readonly value: string;
  /** True when the value is a compact JWS/JWE (see `isJwtShaped`). */
  readonly isJwt: boolean;
  /** Absolute expiry (epoch ms): from `expires_in` relative to the response receipt time, or a JWT `exp`. */
  readonly expiresAt?: number;
  /** What `expiresAt` comes from. */
  readonly expiresAtSource?: 'expires_in' | 'jwt-exp';
  /** OAuth `token_type`, `scope` when the token came from a token response. */
  readonly tokenType?: string;
  readonly scope?: string;
  readonly flags: readonly TokenFlag[];
  /** Exchange where it was first seen. */
  readonly exchangeId: number;
  /** The capture source it was first seen by: its exchange's, or the page's web storage. */
  readonly capturedBy?: ExchangeSource | 'localStorage' | 'sessionStorage';
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Exchange where it was last seen. */
  readonly lastExchangeId: number;
  /** How many times it was seen. */
  readonly count: number;
}

/** Everything the store holds, as plain data. */
export interface SessionSnapshot {
  /** Increases on every change; equal versions mean equal content. */
  readonly version: number;
  /** Oldest first; at most the ring buffer's capacity. */
  readonly exchanges: readonly Exchange[];
  /** How many exchanges were dropped from the ring buffer so far. */
  readonly evictedExchanges: number;
  /** Current jar state, sorted by domain, path, name. */
  readonly cookies: readonly CookieRecord[];
  /** Per-cookie history, oldest first (also of cookies no longer in the jar). */
  readonly cookieHistory: readonly CookieHistoryEvent[];
  readonly tokens: readonly TokenRecord[];
  /** Web storage entries of the captured origins, as the browser holds them now (browser captures only). */
  readonly storage?: readonly StorageItemRecord[];
}

/** Which web storage an entry lives in. */
export type StorageArea = 'localStorage' | 'sessionStorage';

/** One `localStorage`/`sessionStorage` entry of a page origin, as the browser reported it. */
export interface StorageItemRecord {
  /** The page origin that owns the storage (`http://localhost:3000`). */
  readonly origin: string;
  readonly area: StorageArea;
  readonly key: string;
  readonly value: string;
  /** When it was last set (epoch ms). */
  readonly time: number;
}

/**
 * One throttled change notification: everything that changed since the previous one.
 * `changes` is the change feed itself, in order; the other arrays summarise it (derived from
 * `changes`) for readers that only need ids.
 */
export interface SessionChangeEvent {
  /** Store version after these changes (the version of the last change). */
  readonly version: number;
  /** Every change since the previous event, in order, each with the version it produced (see `SessionChange`). */
  readonly changes: readonly SessionChange[];
  /** True when `clear()` ran since the previous event (arrays then describe what came after). */
  readonly cleared: boolean;
  readonly exchangesAdded: readonly number[];
  /** Exchanges that got their response, finished or failed. */
  readonly exchangesUpdated: readonly number[];
  /** Exchanges dropped from the ring buffer. */
  readonly exchangesEvicted: readonly number[];
  /** Cookie changes in order (the cookie's current state is in `snapshot().cookies`). */
  readonly cookieEvents: readonly CookieHistoryEvent[];
  /** New tokens. */
  readonly tokensAdded: readonly TokenRecord[];
  /** Tokens seen again (their `lastSeen`/`count` changed). */
  readonly tokensUpdated: readonly number[];
}

/** A subscription; call `dispose()` to stop listening. Compatible with VS Code's `Disposable`. */
export interface Disposable {
  dispose(): void;
}

/** Receives engine diagnostics (never token values). Compatible with a VS Code LogOutputChannel. */
export interface CaptureLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
