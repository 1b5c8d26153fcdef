import { classifyCookie } from '../../audit/classifyCookie';
import { buildExpiryModel } from '../../expiry/expiryModel';
import { cookiesFor } from '../../replay/cookieMatch';
import type { Disposable, Exchange } from '../../session/types';
import { type OwnRequestResult, type ProxyForActions, SessionActionError, requireLoopbackTarget, sendOwnRequest } from './ownRequest';

/** Used when no idle timeout or lifetime of the session cookie is known: 5 minutes. */
export const FALLBACK_KEEP_ALIVE_MS = 5 * 60_000;
/** Never more often than this. */
export const MIN_KEEP_ALIVE_MS = 1000;

/** Request headers not repeated: the proxy's jar gives the cookies, the sender frames the request. */
const NOT_REPEATED = /^(?:cookie|host|content-length|transfer-encoding|connection|keep-alive|upgrade|te|trailer|expect|proxy-connection|if-none-match|if-modified-since)$/i;

/** True for a GET that a browser sent (not Session Lens), answered 2xx, carrying a session cookie. */
function isSessionGet(ex: Exchange): boolean {
  return ex.method === 'GET' && ex.state === 'complete' && !ex.upgrade && ex.status !== undefined && ex.status >= 200 && ex.status < 300
    && !ex.modifications?.some((m) => m.kind === 'sent-by-session-lens')
    && ex.cookiesSent.some((c) => classifyCookie(c.name, c.value).isSession);
}

/** The default request to repeat: the last successful GET that sent a session cookie; undefined when none was captured. */
export function defaultKeepAliveRequest(exchanges: readonly Exchange[]): Exchange | undefined {
  for (let i = exchanges.length - 1; i >= 0; i--) if (isSessionGet(exchanges[i])) return exchanges[i];
  return undefined;
}

/**
 * The default interval for `request`: half the idle timeout detected for a session cookie it
 * sent (the server renews it on each response), else half that cookie's lifetime as issued,
 * else FALLBACK_KEEP_ALIVE_MS. `why` says which, for the user.
 */
export function defaultKeepAliveInterval(proxy: Pick<ProxyForActions, 'store'>, request: Exchange): { ms: number; why: string } {
  const sent = new Set(request.cookiesSent.filter((c) => classifyCookie(c.name, c.value).isSession).map((c) => c.name));
  const model = buildExpiryModel(proxy.store);
  const creds = model.credentials.filter((c) => c.type === 'cookie' && sent.has(c.label) && !c.deleted);
  const idle = creds.find((c) => c.idleTimeoutMs !== undefined);
  if (idle?.idleTimeoutMs !== undefined) return { ms: Math.max(MIN_KEEP_ALIVE_MS, Math.floor(idle.idleTimeoutMs / 2)), why: `half the idle timeout of ${idle.label}` };
  const cookie = proxy.store.getCookies().find((c) => sent.has(c.name) && c.expiresAt !== undefined);
  if (cookie?.expiresAt !== undefined) return { ms: Math.max(MIN_KEEP_ALIVE_MS, Math.floor((cookie.expiresAt - cookie.receivedAt) / 2)), why: `half the lifetime of ${cookie.name} as issued` };
  return { ms: FALLBACK_KEEP_ALIVE_MS, why: 'no idle timeout or lifetime known' };
}

/**
 * Throws unless `path` is an origin-relative path (and query) that can go in a request line as
 * it is: it starts with one `/` and holds only visible ASCII (no spaces, CR or LF that would
 * split the request, no `//host` that names another server).
 */
export function checkKeepAlivePath(path: string): void {
  if (!/^\/(?!\/)[\x21-\x7e]*$/.test(path) || path.length > 8192) {
    throw new SessionActionError(`the keep-alive request must be a path on the dev server such as /profile or /api/me?x=1 (visible ASCII, no spaces; got ${JSON.stringify(path.slice(0, 100))})`);
  }
}

/** A keep-alive that waits for its request: see {@link keepAliveWhenReady}. */
export interface PendingKeepAlive extends Disposable {
  /** Resolves with the keep-alive once started, or undefined when disposed before. */
  readonly started: Promise<SessionKeepAlive | undefined>;
}

/**
 * Starts a keep-alive as soon as the capture has a request to repeat: at once if it has one,
 * else when the first successful GET that sent a session cookie ends (from the command line the
 * capture starts before the developer logs in). Errors of the options (a bad path or interval)
 * are thrown at once; `dispose()` stops it, started or not.
 */
export function keepAliveWhenReady(proxy: ProxyForActions, options: Omit<KeepAliveOptions, 'request'> = {}): PendingKeepAlive {
  requireLoopbackTarget(proxy, 'Keep session alive');
  if (options.path !== undefined) checkKeepAlivePath(options.path);
  if (options.intervalMs !== undefined && (!Number.isFinite(options.intervalMs) || options.intervalMs < MIN_KEEP_ALIVE_MS)) {
    throw new SessionActionError(`the keep-alive interval must be at least ${MIN_KEEP_ALIVE_MS / 1000} s`);
  }
  let keepAlive: SessionKeepAlive | undefined;
  let disposed = false;
  let resolveStarted: (k: SessionKeepAlive | undefined) => void = () => undefined;
  const started = new Promise<SessionKeepAlive | undefined>((resolve) => { resolveStarted = resolve; });
  const start = (request: Exchange): void => {
    keepAlive = new SessionKeepAlive(proxy, { ...options, request });
    keepAlive.start();
    resolveStarted(keepAlive);
  };
  const ready = defaultKeepAliveRequest(proxy.store.snapshot().exchanges);
  let waiting: Disposable | undefined;
  if (ready) start(ready);
  else {
    waiting = proxy.store.onDidFinishExchange((ex) => {
      if (keepAlive || disposed || !isSessionGet(ex)) return;
      waiting?.dispose();
      start(ex);
    });
  }
  return {
    started,
    dispose: () => {
      disposed = true;
      waiting?.dispose();
      keepAlive?.dispose();
      resolveStarted(undefined);
    },
  };
}

/** Options of a keep-alive. */
export interface KeepAliveOptions {
  /** The exchange whose request is repeated (default: defaultKeepAliveRequest). */
  readonly request?: Exchange;
  /**
   * Another path (and query) to GET instead of the request's own, with the request's other
   * headers: the request of the user's choice. Checked by {@link checkKeepAlivePath}.
   */
  readonly path?: string;
  /** Milliseconds between two requests (default: defaultKeepAliveInterval). */
  readonly intervalMs?: number;
  /** Each result, or the error of a request that failed (the keep-alive goes on). */
  readonly onResult?: (result: OwnRequestResult | SessionActionError) => void;
}

/**
 * Keep session alive: repeats one GET through the capture proxy, with the cookies the proxy's
 * jar holds for it, every `intervalMs`, so a rolling session does not time out while the
 * developer is elsewhere. Loopback dev servers only. Each request is recorded and marked.
 * Off until `start()`; `dispose()` stops it.
 */
export class SessionKeepAlive implements Disposable {
  readonly request: Exchange;
  readonly intervalMs: number;
  /** Why this interval (shown to the user). */
  readonly intervalReason: string;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  sent = 0;

  constructor(private readonly proxy: ProxyForActions, private readonly options: KeepAliveOptions = {}) {
    requireLoopbackTarget(proxy, 'Keep session alive');
    const request = options.request ?? defaultKeepAliveRequest(proxy.store.snapshot().exchanges);
    if (request === undefined) throw new SessionActionError('no successful GET that sent a session cookie was captured yet: browse a logged-in page through the proxy first, or choose a request');
    if (request.method !== 'GET') throw new SessionActionError(`keep-alive repeats GET requests only (got ${request.method} ${request.path}): repeating other methods could change data`);
    this.request = request;
    if (options.path !== undefined) checkKeepAlivePath(options.path);
    if (options.intervalMs !== undefined) {
      if (!Number.isFinite(options.intervalMs) || options.intervalMs < MIN_KEEP_ALIVE_MS) throw new SessionActionError(`the keep-alive interval must be at least ${MIN_KEEP_ALIVE_MS / 1000} s`);
      this.intervalMs = Math.floor(options.intervalMs);
      this.intervalReason = 'chosen';
    } else {
      const d = defaultKeepAliveInterval(proxy, request);
      this.intervalMs = d.ms;
      this.intervalReason = d.why;
    }
  }

  /** The path each request GETs. */
  get path(): string {
    return this.options.path ?? this.request.path;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Sends the request once now (also what each tick does); resolves with its result. */
  async sendNow(): Promise<OwnRequestResult> {
    const ex = this.request;
    const url = new URL(ex.url);
    const jar = cookiesFor(url, this.proxy.store.getCookies(), Date.now());
    const headers: [string, string][] = ex.requestHeaders.filter((h) => !NOT_REPEATED.test(h.name)).map((h) => [h.name, h.value]);
    if (jar.length > 0) headers.push(['Cookie', jar.map((c) => `${c.name}=${c.value}`).join('; ')]);
    this.sent++;
    const path = this.options.path ?? ex.path;
    return sendOwnRequest(this.proxy, { method: 'GET', path, host: url.host, headers }, `sent by Session Lens: keep-alive (GET ${path})`);
  }

  private async tick(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      const result = await this.sendNow();
      this.options.onResult?.(result);
    } catch (err) {
      this.options.onResult?.(err instanceof SessionActionError ? err : new SessionActionError(String(err)));
    } finally {
      this.inFlight = false;
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
