/**
 * The one message protocol between the extension and the Session webview.
 * Data only, never HTML: the webview renders every string with textContent.
 */

/** Actions the webview may ask for. An allowlist: the extension maps each to a command it owns. */
export const WEBVIEW_ACTIONS = ['startCapture', 'stopCapture', 'importHar', 'exportHar', 'clearSession', 'openProxiedApp', 'decodeToken', 'goToCode'] as const;
export type WebviewAction = (typeof WEBVIEW_ACTIONS)[number];

export type Severity = 'error' | 'warning' | 'info';

export interface FindingRow {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly subject: string;
  readonly message: string;
  readonly docs: string;
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
  readonly origin: 'set-by-response' | 'seen-in-request';
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
}

export interface CaptureView {
  readonly running: boolean;
  readonly proxyUrl?: string;
  readonly target?: string;
  /** Where the data came from when no capture runs (an imported HAR's file name). */
  readonly source?: string;
  readonly exchanges: number;
}

export interface SessionViewState {
  readonly capture: CaptureView;
  readonly cookies: readonly CookieRow[];
  readonly tokens: readonly TokenRow[];
  readonly findings: readonly FindingRow[];
  readonly masked: boolean;
  /** Actions offered in the empty state and toolbar, only those the extension implements. */
  readonly actions: readonly { readonly action: WebviewAction; readonly label: string }[];
  /** The extension's clock when the state was made, to correct the webview's countdowns. */
  readonly now: number;
  readonly expiringSoonMs: number;
}

export type ToWebview =
  | { readonly type: 'state'; readonly state: SessionViewState };

export type FromWebview =
  | { readonly type: 'ready' }
  | { readonly type: 'action'; readonly action: WebviewAction }
  | { readonly type: 'reveal'; readonly masked: boolean }
  | { readonly type: 'copyValue'; readonly key: string }
  /** Open the code that sets this cookie (by name). */
  | { readonly type: 'goToCode'; readonly cookie: string }
  /** Open a rule's documentation page (the id is checked against the catalog). */
  | { readonly type: 'openDocs'; readonly ruleId: string };

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
    default:
      return undefined;
  }
}
