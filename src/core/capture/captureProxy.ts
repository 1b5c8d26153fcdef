import * as net from 'node:net';
import { isLocalhostName, isLoopbackHost } from '../net/loopback';
import { DEFAULT_PREVIEW_BYTES } from '../session/bodyPreview';
import { SessionStore } from '../session/sessionStore';
import type { CaptureLogger } from '../session/types';
import { InFlightRules } from './rules/inFlightRules';
import { Relay } from './wireRelay';

/** Timeouts of the proxy, in milliseconds; 0 disables one. */
export interface CaptureProxyTimeouts {
  /** Once the request is sent, upstream must send response headers within this time, else 504 (default 120 000). */
  readonly responseMs?: number;
  /**
   * A browser connection may stay idle between requests this long before the proxy closes it
   * (default 300 000: at least as long as browsers keep an idle connection (Chrome 5 min,
   * Firefox 115 s), so the browser normally closes first and never reuses one the proxy is
   * closing; abandoned connections are still freed).
   */
  readonly idleMs?: number;
  /**
   * A request body may stall this long (no byte passes) before the exchange is ended and
   * recorded as a timeout (default 60 000, as nginx's client_body_timeout): the client gets 408,
   * or 504 when the stall is the dev server's (it stopped reading while the client waits).
   */
  readonly requestBodyMs?: number;
  /** A response body may stall this long between chunks before both sides are cut (default 0: never; SSE and long polls idle). */
  readonly bodyIdleMs?: number;
}

/** Options of `startCaptureProxy`. */
export interface CaptureProxyOptions {
  /** The dev server: `http://localhost:3000` or `https://...`. */
  readonly target: string;
  /** Address to listen on (default 127.0.0.1). Anything but loopback needs `allowNonLoopback`. */
  readonly host?: string;
  /** Port to listen on (default 0: a free one). */
  readonly port?: number;
  /** Permit a non-loopback `host`: the proxy then exposes the dev server and its cookies to the network. */
  readonly allowNonLoopback?: boolean;
  /** Send `Host: <target host>` upstream instead of the client's Host (default false: kept). */
  readonly rewriteHost?: boolean;
  /** Require valid TLS certificates upstream. Default: false for loopback https targets (self-signed dev certs), true otherwise. */
  readonly rejectUnauthorized?: boolean;
  /** Bytes of each body read for analysis (default 1 MiB); forwarding is never limited. */
  readonly previewBytes?: number;
  /** Largest request or response head accepted, bytes (default 64 KiB; larger requests get 431, larger responses 502). */
  readonly maxHeaderBytes?: number;
  readonly timeouts?: CaptureProxyTimeouts;
  /**
   * How long `close()` lets exchanges in progress finish before it ends them, recorded as
   * 'aborted' (default 3000 ms; 0: end them at once).
   */
  readonly stopGraceMs?: number;
  /** Store to record into (default: a new one). */
  readonly store?: SessionStore;
  readonly logger?: CaptureLogger;
  /**
   * In-flight rules (default: a new, empty set, at `CaptureProxy.rules`). They live as long as
   * the capture: `close()` clears them.
   */
  readonly rules?: InFlightRules;
}

/** A running capture proxy. */
export interface CaptureProxy {
  /** The address the proxy listens on, as a URL: `http://127.0.0.1:<port>`. */
  readonly url: string;
  /**
   * Where to point the browser. The same as `url`, except that with the default address and a
   * target named `localhost` (or `<name>.localhost`) it keeps that name: browsers keep cookies
   * per host name, not per port, so the browser then sends the cookies it holds for the dev
   * server and accepts `Domain=localhost` ones, as it does without the proxy. (`localhost`
   * reaches the proxy: browsers fall back from ::1 to 127.0.0.1.)
   */
  readonly browseUrl: string;
  readonly port: number;
  readonly host: string;
  /** Normalised target origin. */
  readonly target: string;
  readonly store: SessionStore;
  /** The in-flight rules of this capture (expire, drop, replace, tamper, shorten); cleared by `close()`. */
  readonly rules: InFlightRules;
  /**
   * Resolves once everything the proxy has forwarded so far is in the store. Recording runs
   * just after forwarding (never in its way), so read the store after this when it must be
   * complete (tests, a summary at the end).
   */
  recorded(): Promise<void>;
  /**
   * Stops listening at once and closes idle connections and WebSocket tunnels; exchanges in
   * progress may finish during a grace period (`stopGraceMs`, or `graceMs` here), then the
   * rest are ended, recorded as 'aborted' with error "capture stopped" and the bytes that
   * passed, their clients reset. Resolves once every connection is closed and everything is
   * in the store. Call it again to shorten the wait: `close({ graceMs: 0 })` (a second
   * Ctrl+C) ends it now.
   */
  close(options?: CaptureProxyCloseOptions): Promise<void>;
}

/** Options of `CaptureProxy.close`. */
export interface CaptureProxyCloseOptions {
  /** Milliseconds exchanges in progress may take to finish (default: the proxy's `stopGraceMs`). */
  readonly graceMs?: number;
}

/** Defaults of the timeouts (see CaptureProxyTimeouts). */
export const DEFAULT_RESPONSE_MS = 120_000;
export const DEFAULT_IDLE_MS = 300_000;
export const DEFAULT_REQUEST_BODY_MS = 60_000;

/** Default of `stopGraceMs`: long enough for a page's pending requests, short enough for Ctrl+C. */
export const DEFAULT_STOP_GRACE_MS = 3000;

/** A bad target URL or listen address: the message is one line for the user. */
export class CaptureConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureConfigError';
  }
}

/** Parses and checks a target URL; throws CaptureConfigError with a clear message. */
export function parseTarget(target: string): URL {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new CaptureConfigError(`target '${target}' is not a URL (expected e.g. http://localhost:3000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CaptureConfigError(`target '${target}' must be http:// or https://`);
  if (url.username || url.password) throw new CaptureConfigError(`target '${target}' must not contain credentials`);
  if (url.pathname !== '/' || url.search || url.hash) throw new CaptureConfigError(`target '${target}' must be an origin without path or query (e.g. ${url.origin})`);
  return url;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new CaptureConfigError(`${name} must be a number of at least 0 (got ${String(value)})`);
  return Math.floor(value);
}

/**
 * True when connecting to `connectHost:connectPort` would reach the proxy's own socket at
 * `host:port`: the same address, a localhost name, or loopback on both sides (a loopback
 * target on the other IP family is refused too: browsing `localhost:<port>` could not tell the
 * two apart). Other names and addresses of this machine are caught per request (Relay).
 */
function isOwnAddress(connectHost: string, connectPort: number, host: string, port: number): boolean {
  if (connectPort !== port) return false;
  const target = connectHost.toLowerCase();
  if (target === host.toLowerCase() || isLocalhostName(target)) return true;
  const wildcard = host === '0.0.0.0' || host === '::';
  return isLoopbackHost(target) && (wildcard || isLoopbackHost(host));
}

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : '80';
}

/**
 * Starts the capture proxy: a faithful reverse proxy from `host:port` to `target` that records
 * every exchange in `store`. Bodies stream both ways unchanged; analysis reads only a bounded
 * preview and can never break forwarding.
 *
 * Heads are forwarded as received: header names keep their case and order, every Set-Cookie
 * stays separate, hop-by-hop headers (Connection, Keep-Alive, Expect, Upgrade) reach the dev
 * server, whose answers (100 Continue, 101 Switching Protocols) reach the browser. See
 * wireRelay.ts for the few deliberate changes (redirects, Host when asked, HTTP/1.0 clients).
 * Throws CaptureConfigError for a bad target, address, port or option.
 */
export { isLoopbackHost };

export async function startCaptureProxy(options: CaptureProxyOptions): Promise<CaptureProxy> {
  const target = parseTarget(options.target);
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger;
  if (!isLoopbackHost(host)) {
    // Listening beyond loopback hands the dev app and every captured cookie to the network.
    if (!options.allowNonLoopback) throw new CaptureConfigError(`refusing to listen on ${host}: the capture proxy binds to loopback (127.0.0.1) unless non-loopback addresses are explicitly allowed`);
    logger?.warn(`Session Lens capture proxy listens on ${host}: anyone who can reach it can use your dev server through it`);
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CaptureConfigError(`port ${port} is not a TCP port (0-65535)`);
  const stopGraceMs = nonNegative('stopGraceMs', options.stopGraceMs, DEFAULT_STOP_GRACE_MS);
  const store = options.store ?? new SessionStore({ logger });
  const rules = options.rules ?? new InFlightRules({ cookies: () => store.getCookies() });
  const connectHost = target.hostname.replace(/^\[|\]$/g, '');
  const relay = new Relay({
    targetOrigin: target.origin,
    targetHost: target.host,
    targetProtocol: target.protocol as 'http:' | 'https:',
    connectHost,
    connectPort: Number(target.port || defaultPort(target.protocol)),
    rejectUnauthorized: options.rejectUnauthorized ?? !isLoopbackHost(connectHost),
    rewriteHost: options.rewriteHost ?? false,
    previewBytes: nonNegative('previewBytes', options.previewBytes, DEFAULT_PREVIEW_BYTES),
    maxHeaderBytes: nonNegative('maxHeaderBytes', options.maxHeaderBytes, 64 * 1024) || 64 * 1024,
    responseMs: nonNegative('timeouts.responseMs', options.timeouts?.responseMs, DEFAULT_RESPONSE_MS),
    bodyIdleMs: nonNegative('timeouts.bodyIdleMs', options.timeouts?.bodyIdleMs, 0),
    idleMs: nonNegative('timeouts.idleMs', options.timeouts?.idleMs, DEFAULT_IDLE_MS),
    requestBodyMs: nonNegative('timeouts.requestBodyMs', options.timeouts?.requestBodyMs, DEFAULT_REQUEST_BODY_MS),
    store,
    logger,
    rules,
  });

  // allowHalfOpen: a client may send FIN after its request and still wait for the response.
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => relay.accept(socket));
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      relay.close();
      reject(new CaptureConfigError(err.code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use` : `cannot listen on ${host}:${port}: ${err.message}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  // Checked once listening: with port 0 the port is known only now.
  if (isOwnAddress(connectHost, Number(target.port || defaultPort(target.protocol)), host, boundPort)) {
    relay.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw new CaptureConfigError(`target ${target.origin} is the capture proxy's own address (${urlHost}:${boundPort}): every request would come back to the proxy; the target must be the dev server, or the proxy must listen on another port`);
  }
  server.on('error', (err) => relay.reportOnce('server error', err));
  relay.proxyUrl = `http://${urlHost}:${boundPort}`;
  relay.proxyHost = `${urlHost}:${boundPort}`;
  logger?.info(`Session Lens capture proxy ${relay.proxyUrl} → ${target.origin}`);

  const browseHost = host === '127.0.0.1' && isLocalhostName(target.hostname) ? target.hostname.toLowerCase() : urlHost;
  let serverClosed: Promise<void> | undefined;
  return {
    url: relay.proxyUrl,
    browseUrl: `http://${browseHost}:${boundPort}`,
    port: boundPort,
    host,
    target: target.origin,
    store,
    rules,
    recorded: () => relay.settled(),
    close(closeOptions?: CaptureProxyCloseOptions): Promise<void> {
      const graceMs = nonNegative('graceMs', closeOptions?.graceMs, stopGraceMs);
      // The callback comes once the connections are closed too (the relay's stop closes them).
      serverClosed ??= new Promise<void>((resolve) => server.close(() => resolve()));
      const closed = serverClosed;
      // Rules are per capture: traffic after the stop is no longer changed.
      rules.clear();
      return relay.stop(graceMs).then(() => closed);
    },
  };
}
