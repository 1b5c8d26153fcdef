/**
 * Typed mirror of the `sessionLens.*` settings contributed in package.json.
 * Keep the two in step: every key here has a `markdownDescription` there.
 */
export interface SessionLensSettings {
  /** Mask cookie and token values in the panel until the user reveals them. */
  readonly maskValues: boolean;
  /** Seconds before expiry at which a credential counts as "expiring soon". */
  readonly expiringSoonSeconds: number;
  /** The dev server to capture, e.g. `http://localhost:3000`; empty = ask. */
  readonly target: string;
  /** Port of the capture proxy; 0 = a free port. */
  readonly proxyPort: number;
  /** Address the proxy listens on; loopback unless `proxyAllowNonLoopback`. */
  readonly proxyBindAddress: string;
  /** Permit a non-loopback bind address (exposes the dev server and its cookies to the network). */
  readonly proxyAllowNonLoopback: boolean;
  /** Send `Host: <target>` upstream instead of the browser's Host. */
  readonly proxyRewriteHost: boolean;
  /** Require valid TLS certificates also for https targets on loopback. */
  readonly proxyRequireValidCertificates: boolean;
  /** Bytes of each body read to look for tokens. */
  readonly proxyPreviewBytes: number;
  /** Seconds upstream has, once a request is sent, to send response headers before the proxy answers 504; 0 = no limit. */
  readonly proxyResponseTimeoutSeconds: number;
  /** Seconds a request body may stall before the proxy answers 408 (504 when the dev server stopped reading); 0 = no limit. */
  readonly proxyRequestBodyTimeoutSeconds: number;
  /** Seconds a browser connection may stay idle between requests before the proxy closes it; 0 = no limit. */
  readonly proxyIdleTimeoutSeconds: number;
  /** Seconds requests in progress may take to finish when the capture stops; the rest are recorded as aborted. */
  readonly proxyStopGraceSeconds: number;
  /** Exchanges kept in the capture's ring buffer. */
  readonly captureMaxExchanges: number;
  /** Extra request/response header names that carry tokens. */
  readonly captureTokenHeaders: readonly string[];
  /** Seconds a session cookie may live before `cookie-long-lifetime` fires. */
  readonly maxSessionCookieLifetime: number;
  /** Seconds between a JWT's iat and exp before `jwt-long-lifetime` fires. */
  readonly maxTokenLifetime: number;
  /** Extra cookie names treated as session cookies (`*` wildcard). */
  readonly sessionCookieNames: readonly string[];
  /** Extra words in a request path that mark a login. */
  readonly loginPaths: readonly string[];
  /** Extra words in a request path that mark a logout. */
  readonly logoutPaths: readonly string[];
  /** Lint open documents and offer quick fixes. */
  readonly lintEnable: boolean;
  /** Per-rule lint setting: "off", "on", or a severity. */
  readonly lintRules: Readonly<Record<string, 'off' | 'on' | 'error' | 'warning' | 'info'>>;
  /** Globs of files the lint and Scan Workspace skip. */
  readonly lintExclude: readonly string[];
  /** Languages to lint; empty = all supported. */
  readonly lintLanguages: readonly string[];
  /** Minutes of session idle timeout above which `session-long-idle-timeout` is reported. */
  readonly maxSessionIdleTimeout: number;
  /** Chrome, Edge or Chromium executable for Open Browser with Capture; empty = the first found. */
  readonly browserExecutable: string;
  /** When a Chrome/Edge debug session starts: ask to capture it, always capture it, or never. */
  readonly browserCaptureDebugSessions: 'ask' | 'always' | 'never';
}

export const DEFAULT_SETTINGS: SessionLensSettings = {
  maskValues: true,
  expiringSoonSeconds: 300,
  target: '',
  proxyPort: 0,
  proxyBindAddress: '127.0.0.1',
  proxyAllowNonLoopback: false,
  proxyRewriteHost: false,
  proxyRequireValidCertificates: false,
  proxyPreviewBytes: 1024 * 1024,
  proxyResponseTimeoutSeconds: 120,
  proxyRequestBodyTimeoutSeconds: 60,
  proxyIdleTimeoutSeconds: 300,
  proxyStopGraceSeconds: 3,
  captureMaxExchanges: 5000,
  captureTokenHeaders: [],
  maxSessionCookieLifetime: 30 * 24 * 3600,
  maxTokenLifetime: 24 * 3600,
  sessionCookieNames: [],
  loginPaths: [],
  logoutPaths: [],
  lintEnable: true,
  lintRules: {},
  lintExclude: [],
  lintLanguages: [],
  maxSessionIdleTimeout: 30,
  browserExecutable: '',
  browserCaptureDebugSessions: 'ask',
};
