import { isLoopbackHost } from '../net/loopback';

/** A debugging endpoint or an origin the user gave is unusable: the message is one line for the user. */
export class BrowserCaptureConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrowserCaptureConfigError';
  }
}

/** A browser's DevTools endpoint as the user gave it. */
export type CdpEndpoint =
  /** `http://127.0.0.1:9222`: the browser's HTTP endpoint, asked for its WebSocket URL (`/json/version`). */
  | { readonly kind: 'http'; readonly host: string; readonly port: number }
  /** `ws://127.0.0.1:9222/devtools/browser/<id>`: a WebSocket URL to connect to as is. */
  | { readonly kind: 'ws'; readonly url: string };

/**
 * Parses `--cdp`: `http://HOST:PORT`, a bare port, or `ws://HOST:PORT/...`. Only loopback hosts
 * are accepted: a debugging port gives full control of the browser, and its traffic (cookies
 * included) is not encrypted.
 */
export function parseCdpEndpoint(text: string): CdpEndpoint {
  const trimmed = text.trim();
  if (/^\d{1,5}$/.test(trimmed)) return { kind: 'http', host: '127.0.0.1', port: checkPort(Number(trimmed), text) };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new BrowserCaptureConfigError(`the debugging endpoint '${text}' is not a URL: give http://127.0.0.1:PORT or ws://127.0.0.1:PORT/devtools/browser/…`);
  }
  if (!['http:', 'ws:'].includes(url.protocol)) {
    throw new BrowserCaptureConfigError(`the debugging endpoint '${text}' must be http:// or ws:// on this machine (https:// and wss:// are not what browsers serve it on)`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!isLoopbackHost(host, { subdomains: false })) {
    throw new BrowserCaptureConfigError(`refusing to attach to ${host}: the debugging endpoint must be on this machine (127.0.0.1, localhost or ::1)`);
  }
  const port = url.port === '' ? 80 : Number(url.port);
  if (url.protocol === 'ws:') return { kind: 'ws', url: url.toString() };
  return { kind: 'http', host, port: checkPort(port, text) };
}

function checkPort(port: number, text: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new BrowserCaptureConfigError(`the debugging endpoint '${text}' has no valid port (1-65535)`);
  return port;
}

/** Checks a WebSocket URL a browser handed out (`/json/version`) is on loopback too. */
export function checkLoopbackWsUrl(wsUrl: string): string {
  let url: URL;
  try {
    url = new URL(wsUrl);
  } catch {
    throw new BrowserCaptureConfigError(`the browser answered with a debugging URL that is not a URL: ${wsUrl}`);
  }
  if (url.protocol !== 'ws:' || !isLoopbackHost(url.hostname.replace(/^\[|\]$/g, ''), { subdomains: false })) {
    throw new BrowserCaptureConfigError(`refusing the debugging URL ${url.protocol}//${url.host}: it must be ws:// on this machine`);
  }
  return url.toString();
}

/**
 * The origins to capture (`--origin`): each an http(s) URL, reduced to its origin
 * (`http://localhost:3000/app` → `http://localhost:3000`).
 */
export function parseOrigins(list: readonly string[]): string[] {
  const out = new Set<string>();
  for (const text of list) {
    let url: URL;
    try {
      url = new URL(text.trim());
    } catch {
      throw new BrowserCaptureConfigError(`the origin '${text}' is not a URL: give the app's address, e.g. http://localhost:3000`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BrowserCaptureConfigError(`the origin '${text}' must be http:// or https://`);
    out.add(url.origin);
  }
  return [...out];
}

/** The origin of a storage id (`securityOrigin`, or a storage key `http://host:port/` with a partition suffix). */
export function storageOrigin(storageId: { securityOrigin?: string; storageKey?: string }): string | undefined {
  const raw = storageId.securityOrigin || storageId.storageKey;
  if (!raw) return undefined;
  try {
    return new URL(raw.split('^')[0]).origin;
  } catch {
    return undefined;
  }
}
