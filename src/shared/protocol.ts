/**
 * The one message protocol between the extension and the Session webview.
 * Data only, never HTML: the webview renders every string with textContent.
 */

/** Actions the webview may ask for. An allowlist: the extension maps each to a command it owns. */
export const WEBVIEW_ACTIONS = ['startCapture', 'stopCapture', 'importHar', 'exportHar', 'clearSession', 'openProxiedApp', 'decodeToken', 'goToCode'] as const;
export type WebviewAction = (typeof WEBVIEW_ACTIONS)[number];

export type Severity = 'error' | 'warning' | 'info';

export interface FindingRow {
  /** Stable identity of the finding across updates (rule, subject, exchange, message). */
  readonly key?: string;
  readonly ruleId: string;
  readonly severity: Severity;
  readonly subject: string;
  readonly message: string;
  readonly docs: string;
  readonly exchangeId?: number;
  /** Set when a Verify … on the Server probe confirmed or refuted the finding on the dev server. */
  readonly confirmation?: 'confirmed' | 'refuted';
  /** The badge of a probed finding: "confirmed on the server", "server rejects the old id". */
  readonly confirmationLabel?: string;
  /** Why the probe concluded what it did (the badge's longer text). */
  readonly confirmationReason?: string;
  /** Each exchange that proves the finding when one is not enough (the logout probe's before and after). */
  readonly evidence?: readonly FindingEvidenceRow[];
}

/** One piece of a finding's evidence: a captured exchange or a request a probe sent. */
export interface FindingEvidenceRow {
  /** What it shows: "before the logout, with cookie sid: logged in". */
  readonly label: string;
  /** "GET http://127.0.0.1:3000/profile", query strings cut (they may carry a token). */
  readonly request: string;
  /** The answer's status; absent when none came. */
  readonly status?: number;
  /** The captured exchange, for Show exchange; absent for a request the probe sent. */
  readonly exchangeId?: number;
}

/** When a credential stops working, in the local clock (already corrected for server skew). */
export interface ExpiryView {
  /** 'session' = until the browser closes; 'none' = no expiry known. */
  readonly kind: 'absolute' | 'idle' | 'session' | 'none';
  readonly expiresAt?: number;
  readonly notBefore?: number;
  /** Rolling (idle) timeout, when the server renews the credential on activity. */
  readonly idleTimeoutMs?: number;
  /** A hard limit that renewing does not extend, when there is one besides the idle timeout. */
  readonly absoluteExpiresAt?: number;
  /** Server clock minus local clock that was corrected for (0 when none). */
  readonly skewMs?: number;
  /** A short note such as "server clock 3 min ahead; corrected". */
  readonly note?: string;
}

export interface CookieChangeRow {
  readonly kind: 'created' | 'value-changed' | 'attributes-changed' | 'deleted' | 'expired' | 'evicted';
  readonly time: number;
  /** Why, for 'evicted' (a browser cookie limit). */
  readonly reason?: string;
  /** Changed attribute names, for attribute changes. */
  readonly attributes?: readonly string[];
  readonly exchangeId?: number;
  /** "GET /login" of the exchange behind the change, when still in the capture. */
  readonly request?: string;
}

export interface CookieRow {
  readonly key: string;
  readonly name: string;
  /** The value, masked unless the user revealed it (see SessionViewState.masked). */
  readonly value: string;
  readonly domain: string;
  readonly path: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly sameSite?: string;
  readonly partitioned: boolean;
  readonly size: number;
  readonly isSession: boolean;
  readonly origin: 'set-by-response' | 'seen-in-request' | 'browser-jar';
  readonly expiry: ExpiryView;
  readonly changes: number;
  /** The latest changes of this cookie, newest first (no values: they are secrets). */
  readonly history: readonly CookieChangeRow[];
  readonly lastExchangeId?: number;
  /** What a framework's signed session cookie holds, read without its key (Flask, Django, cookie-session, express-session). */
  readonly decoded?: {
    readonly framework: string;
    readonly readable: boolean;
    /** Pretty JSON or text of the content; masked like the value when it is the session id itself. */
    readonly content?: string;
    readonly signedAt?: number;
    readonly note: string;
  };
  /** What became of it: absent (or 'live') for a cookie in the jar; the panel greys the others behind "show gone". */
  readonly state?: 'live' | 'deleted' | 'expired' | 'evicted' | 'rejected';
  /** When a gone cookie went, or was refused (epoch ms). */
  readonly endedAt?: number;
  /** Why it was evicted or rejected, in words. */
  readonly goneReason?: string;
  /** The exchange that deleted or offered a gone cookie. */
  readonly goneExchangeId?: number;
  /** The last Set-Cookie header of a gone cookie, its value masked like `value`. */
  readonly lastSetCookie?: string;
  /** No Domain attribute: sent back to the exact host only. */
  readonly hostOnly?: boolean;
  readonly priority?: string;
  /** Expires as written in the Set-Cookie header. */
  readonly expiresRaw?: string;
  /** Max-Age in seconds as received. */
  readonly maxAge?: number;
  /** The effective expiry per the jar (Max-Age wins over Expires), epoch ms; absent for session cookies. */
  readonly expiresAt?: number;
  /** Findings about this cookie (findings whose subject is its name). */
  readonly findings?: number;
  /** Why a browser would refuse this cookie or not send it, in words; absent when it would not. */
  readonly browserNotes?: readonly string[];
  /** The capture source that produced it: 'browser-jar' when read from the browser's own jar. */
  readonly capturedBy?: RowSource;
}

export interface TokenRow {
  readonly key: string;
  readonly kind: string;
  readonly source: string;
  readonly name: string;
  readonly value: string;
  /** Decoded JWT claims as pretty JSON text, when the token is a readable JWT. */
  readonly claims?: string;
  readonly expiry: ExpiryView;
  readonly exchangeId?: number;
  /** The JWT header as pretty JSON text, when the token is a JWT. */
  readonly header?: string;
  /** 'decoded': the user decoded it (Decode JWT…), it was not seen in the traffic. */
  readonly origin?: 'traffic' | 'decoded';
  /** The last signature check of this token in this window (Verify JWT Signature…). */
  readonly verification?: { readonly signature: string; readonly message: string; readonly at: number };
  /** The capture source it was first seen by: 'localStorage'/'sessionStorage' for a page's web storage. */
  readonly capturedBy?: RowSource;
}

export interface CaptureView {
  readonly running: boolean;
  readonly proxyUrl?: string;
  readonly target?: string;
  /** Where the data came from when no capture runs (an imported HAR's file name). */
  readonly source?: string;
  readonly exchanges: number;
}

/** Status classes of the timeline filter; 'failed' = no response (aborted, refused, timed out). */
export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx', 'failed'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number] | 'other';

/** One exchange in the timeline: what it was and what it did to the session. No header values, no cookie values. */
export interface ExchangeRow {
  readonly id: number;
  /** When the request was received (epoch ms). */
  readonly time: number;
  readonly method: string;
  /** Path plus query, as in the request line. */
  readonly path: string;
  /** The host, only when it is not the capture's target (imported HARs with several hosts). */
  readonly host?: string;
  readonly status?: number;
  readonly statusClass: StatusClass;
  /** 'pending' while streaming, 'complete', or why it did not complete. */
  readonly state: string;
  readonly durationMs?: number;
  /** Response body bytes on the wire. */
  readonly size?: number;
  readonly cookiesSent: number;
  readonly cookiesCreated: number;
  readonly cookiesChanged: number;
  readonly cookiesDeleted: number;
  /** Tokens first seen in this exchange (issued), and tokens it carried that were seen before (sent). */
  readonly tokensIssued: number;
  readonly tokensSent: number;
  readonly findings: number;
  /** Cookies created, changed or deleted, or a token issued. */
  readonly sessionChanged: boolean;
  /** Request and response header names, lower-case, for the text filter (never the values). */
  readonly headerNames: readonly string[];
  /** Names of cookies sent and set, for the text filter. */
  readonly cookieNames: readonly string[];
  /** The capture source that recorded it. */
  readonly capturedBy?: RowSource;
}

export interface SessionViewState {
  readonly capture: CaptureView;
  /** The timeline, oldest first. */
  readonly exchanges: readonly ExchangeRow[];
  readonly cookies: readonly CookieRow[];
  readonly tokens: readonly TokenRow[];
  readonly findings: readonly FindingRow[];
  readonly masked: boolean;
  /** Actions offered in the empty state and toolbar, only those the extension implements. */
  readonly actions: readonly { readonly action: WebviewAction; readonly label: string }[];
  /** The extension's clock when the state was made, to correct the webview's countdowns. */
  readonly now: number;
  readonly expiringSoonMs: number;
  /** In-flight rules and keep-alive active in the capture (absent: none). Each has an off switch (`ruleOff`). */
  readonly rules?: readonly RuleRow[];  /**
   * Exchanges older than `exchanges[0]` not sent yet: the first state of a long session carries only
   * the newest rows, so the panel draws at once; the next deltas bring the rest, in slices that
   * each say how many are still to come ({@link SessionViewDelta.olderExchanges}).
   */
  readonly olderExchanges?: number;
}

/** Rows added or changed (by key) and keys removed, for one keyed list. */
export interface RowChanges<Row, Key> {
  readonly upsert: readonly Row[];
  readonly remove: readonly Key[];
  /** Every key in display order, for short lists whose order is not their key's (cookies, tokens, findings). */
  readonly order?: readonly Key[];
}

/**
 * What changed since the state of version `baseVersion`; applying it gives version `version`.
 * Only the lists that changed are present; the scalar parts of the state come every time (they are small).
 */
export interface SessionViewDelta {
  readonly baseVersion: number;
  readonly version: number;
  readonly capture: CaptureView;
  readonly masked: boolean;
  readonly actions: SessionViewState['actions'];
  readonly now: number;
  readonly expiringSoonMs: number;
  readonly exchanges?: RowChanges<ExchangeRow, number>;
  readonly cookies?: RowChanges<CookieRow, string>;
  readonly tokens?: RowChanges<TokenRow, string>;
  readonly findings?: RowChanges<FindingRow, string>;
  /** The whole rules list (it is short), whenever the state has one. */
  readonly rules?: readonly RuleRow[];
  /**
   * Present while the older exchanges a long session's first state left out are being sent: how
   * many are still to come after this delta (0 in the delta that completes them). Such a delta's
   * `exchanges.upsert` carries, besides new and changed rows, the next slice of at most
   * {@link OLDER_EXCHANGES_PER_DELTA} older rows, the newest of them first (each slice lies just
   * below the rows the webview holds, in id order within the slice). Absent: nothing older is
   * pending, or (from an extension before slices) the delta brings all older rows at once.
   */
  readonly olderExchanges?: number;
}

/** Older exchanges in one delta after a long session's first state (see {@link SessionViewDelta.olderExchanges}). */
export const OLDER_EXCHANGES_PER_DELTA = 1000;

/** One header line as shown in the detail: values of credentials masked unless revealed. */
export interface HeaderView {
  readonly name: string;
  readonly value: string;
  /** True when the value holds a credential (masked while the panel masks values). */
  readonly secret?: boolean;
}

/** A body preview as the detail shows it. */
export interface BodyView {
  readonly mimeType?: string;
  readonly wireBytes: number;
  readonly truncated: boolean;
  /** The text, JSON pretty-printed; known credentials in it masked unless revealed. */
  readonly text?: string;
  /** Fields of a form body (url-encoded), in order; credential-like fields masked unless revealed. */
  readonly form?: readonly { readonly name: string; readonly value: string }[];
  /** Why there is no text (binary body, decoding failed). */
  readonly note?: string;
}

/** One cookie's change by this exchange: the jar before → after. */
export interface CookieDiffRow {
  /** The cookie's row key (`cookie:<jar key>`). */
  readonly key: string;
  readonly name: string;
  readonly domain: string;
  readonly path: string;
  readonly kind: CookieChangeRow['kind'];
  /** Values before and after, masked unless revealed. */
  readonly before?: string;
  readonly after?: string;
  readonly attributes?: readonly string[];
}

/** Everything about one exchange, sent on request (heads are not kept for all rows in the webview). */
export interface ExchangeDetail {
  readonly id: number;
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  readonly status?: number;
  readonly statusText?: string;
  readonly state: string;
  readonly error?: string;
  readonly startedAt: number;
  readonly durationMs?: number;
  readonly requestHeaders: readonly HeaderView[];
  readonly responseHeaders: readonly HeaderView[];
  readonly requestBody?: BodyView;
  readonly responseBody?: BodyView;
  /** Set-Cookie headers the jar refused, with why. */
  readonly rejectedCookies: readonly { readonly name: string; readonly reason: string }[];
  readonly cookieDiff: readonly CookieDiffRow[];
  readonly tokens: readonly { readonly key: string; readonly kind: string; readonly name: string; readonly source: string; readonly value: string; readonly issued: boolean; readonly claims?: string }[];
  readonly findings: readonly FindingRow[];
  readonly masked: boolean;
}

/**
 * Debug only, never in normal use: with SESSION_LENS_PANEL_TIMING set in the extension host's
 * environment, each state and delta says when the changes it carries reached the panel and when
 * it was built and posted (epoch ms, sub-ms), for bench/panel/webview.ts's latency breakdown.
 */
export interface PanelMessageTiming {
  /** When each change event since the previous message reached the panel. */
  readonly changes: readonly number[];
  /** When the panel began to build this message. */
  readonly postAt: number;
  /** When it was built and handed to webview.postMessage. */
  readonly sentAt: number;
}

export type ToWebview =
  | { readonly type: 'state'; readonly state: SessionViewState; readonly version: number; readonly timing?: PanelMessageTiming }
  | { readonly type: 'delta'; readonly delta: SessionViewDelta; readonly timing?: PanelMessageTiming }
  /** The answer to `exchangeDetail`; `detail` is absent when the exchange is no longer in the capture. */
  | { readonly type: 'exchangeDetail'; readonly id: number; readonly detail?: ExchangeDetail }
  /** Show this token on the Session tab (after Decode JWT…). */
  | { readonly type: 'revealToken'; readonly key: string };

export type FromWebview =
  | { readonly type: 'ready' }
  | { readonly type: 'action'; readonly action: WebviewAction }
  | { readonly type: 'reveal'; readonly masked: boolean }
  | { readonly type: 'copyValue'; readonly key: string }
  /** Open the code that sets this cookie (by name). */
  | { readonly type: 'goToCode'; readonly cookie: string }
  /** Open a rule's documentation page (the id is checked against the catalog). */
  | { readonly type: 'openDocs'; readonly ruleId: string }
  /** The webview missed a delta (version gap) or lost its state: send the full state. */
  | { readonly type: 'resync' }
  /** Send the detail of one exchange. */
  | { readonly type: 'exchangeDetail'; readonly id: number }
  /** Run Verify JWT Signature… on the token behind this row key (the value stays in the extension). */
  | { readonly type: 'verifyToken'; readonly key: string }
  /** Run Copy Request as curl on this exchange. */
  | { readonly type: 'copyAsCurl'; readonly id: number }
  /** Turn an in-flight rule (or keep-alive) off, by its `RuleRow.id`. */
  | { readonly type: 'ruleOff'; readonly id: string }
  /** Start an in-flight rule on a cookie from its row (while capturing): the extension asks for anything else it needs. */
  | { readonly type: 'cookieRule'; readonly action: CookieRuleAction; readonly cookie: string }
  /** Tamper JWT in Requests… from a token row (the extension asks which place and how). */
  | { readonly type: 'tamperToken' };

/** In-flight rules a cookie row offers. */
export const COOKIE_RULE_ACTIONS = ['expire', 'drop', 'replace', 'shorten'] as const;
export type CookieRuleAction = (typeof COOKIE_RULE_ACTIONS)[number];

/** Ids of rule rows: in-flight rules (`r1`, `r2`…) and the keep-alive. */
export const RULE_ROW_ID = /^(?:r\d{1,9}|keep-alive)$/;

/** One active in-flight rule (or the keep-alive) in the panel's Rules strip. Never carries a credential value. */
export interface RuleRow {
  readonly id: string;
  /** 'expire-now', 'drop', 'replace', 'tamper-jwt', 'shorten-lifetime', or 'keep-alive'. */
  readonly kind: string;
  /** "Drop cookie sid from requests", "Keep-alive: GET /profile every 15:00". */
  readonly label: string;
  /** Exchanges it changed (or requests it sent) so far. */
  readonly hits: number;
  /** The last exchange it changed, with the dev server's answer. */
  readonly last?: { readonly exchangeId: number; readonly request: string; readonly status?: number };
  /**
   * Shorten lifetime: when the cookie the browser was last given dies (epoch ms), and when the
   * server's own lifetime would have ended it (absent for a browser-session cookie).
   */
  readonly shortened?: { readonly expiresAt: number; readonly serverExpiresAt?: number };
}

/** Validates a message from the webview; anything else is dropped. */
export function parseFromWebview(message: unknown): FromWebview | undefined {
  if (message === null || typeof message !== 'object') return undefined;
  const m = message as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return { type: 'ready' };
    case 'action':
      return typeof m.action === 'string' && (WEBVIEW_ACTIONS as readonly string[]).includes(m.action)
        ? { type: 'action', action: m.action as WebviewAction }
        : undefined;
    case 'reveal':
      return typeof m.masked === 'boolean' ? { type: 'reveal', masked: m.masked } : undefined;
    case 'openDocs':
      return typeof m.ruleId === 'string' && /^[a-z][a-z0-9-]{2,60}$/.test(m.ruleId) ? { type: 'openDocs', ruleId: m.ruleId } : undefined;
    case 'goToCode':
      return typeof m.cookie === 'string' && m.cookie.length <= 4096 ? { type: 'goToCode', cookie: m.cookie } : undefined;
    case 'copyValue':
      return typeof m.key === 'string' && m.key.length <= 512 ? { type: 'copyValue', key: m.key } : undefined;
    case 'resync':
      return { type: 'resync' };
    case 'exchangeDetail':
      return typeof m.id === 'number' && Number.isSafeInteger(m.id) && m.id >= 0 ? { type: 'exchangeDetail', id: m.id } : undefined;
    case 'verifyToken':
      return typeof m.key === 'string' && m.key.startsWith('token:') && m.key.length <= 512 ? { type: 'verifyToken', key: m.key } : undefined;
    case 'copyAsCurl':
      return typeof m.id === 'number' && Number.isSafeInteger(m.id) && m.id >= 0 ? { type: 'copyAsCurl', id: m.id } : undefined;
    case 'ruleOff':
      return typeof m.id === 'string' && RULE_ROW_ID.test(m.id) ? { type: 'ruleOff', id: m.id } : undefined;
    case 'cookieRule':
      return (COOKIE_RULE_ACTIONS as readonly unknown[]).includes(m.action) && typeof m.cookie === 'string' && m.cookie.length > 0 && m.cookie.length <= 4096
        ? { type: 'cookieRule', action: m.action as CookieRuleAction, cookie: m.cookie } : undefined;
    case 'tamperToken':
      return { type: 'tamperToken' };
    default:
      return undefined;
  }
}

/** Which capture source a row came from: the panel's source badge. */
export type RowSource = 'proxy' | 'har' | 'browser' | 'browser-jar' | 'localStorage' | 'sessionStorage';

/** The source badge's text (`short`) and its accessible name and tooltip (`long`). */
export const ROW_SOURCE_LABELS: Readonly<Record<RowSource, { readonly short: string; readonly long: string }>> = {
  proxy: { short: 'proxy', long: 'Source: the capture proxy' },
  har: { short: 'HAR', long: 'Source: an imported HAR file' },
  browser: { short: 'CDP', long: 'Source: the browser, through the DevTools Protocol' },
  'browser-jar': { short: 'jar', long: "Source: the browser's own cookie jar (DevTools Protocol)" },
  localStorage: { short: 'localStorage', long: "Source: the page's localStorage (DevTools Protocol)" },
  sessionStorage: { short: 'sessionStorage', long: "Source: the page's sessionStorage (DevTools Protocol)" },
};
