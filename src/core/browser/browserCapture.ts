import CDP from 'chrome-remote-interface';
import type Protocol from 'devtools-protocol';
import type { SessionStore } from '../session/sessionStore';
import type { CaptureLogger } from '../session/types';
import { BrowserCaptureConfigError, type CdpEndpoint, checkLoopbackWsUrl, parseCdpEndpoint, storageOrigin } from './cdpEndpoint';
import { CookieJarReader, DEFAULT_JAR_REFRESH_MS } from './cookieJarReader';
import { NetworkRecorder } from './networkRecorder';

/** Options of `startBrowserCapture`. */
export interface BrowserCaptureOptions {
  /** The browser's debugging endpoint (see `parseCdpEndpoint`), or a ws:// URL handed out by js-debug or `launchBrowser`. */
  readonly endpoint: string | CdpEndpoint;
  /** Origins to record (`http://localhost:3000`); requests and storage of other origins are not recorded. */
  readonly origins: readonly string[];
  readonly store: SessionStore;
  readonly logger?: CaptureLogger;
  /** Milliseconds to wait for the endpoint to answer (default 10 s). */
  readonly connectTimeoutMs?: number;
  /**
   * How often the browser's cookie jar is read while attached (default 2 s; 0: only at attach,
   * after responses that set cookies, after page loads and at stop).
   */
  readonly jarRefreshMs?: number;
}

/** A running browser capture. */
export interface BrowserCapture {
  readonly origins: readonly string[];
  /** The browser-level WebSocket URL connected to. */
  readonly wsEndpoint: string;
  /** Resolves when the connection ends: the browser closed or crashed (the reason), or `close()` was called ('stopped'). */
  readonly ended: Promise<string>;
  /**
   * Opens `url` in a page that records from its first request: the browser's blank start page
   * when there is one, else a new tab. (A page told to load a URL before it is attached would
   * send its first request unseen.)
   */
  openPage(url: string): Promise<void>;
  /** Detaches (the browser keeps running); what is in flight is recorded as aborted. */
  close(): Promise<void>;
}

/** Target types whose network traffic is recorded. */
const NETWORK_TARGETS = new Set(['page', 'iframe', 'worker', 'service_worker', 'shared_worker']);
/** Target types that have web storage and frames of their own. */
const PAGE_TARGETS = new Set(['page', 'iframe']);
/** Request bodies the browser includes in its events (larger ones are not read). */
const MAX_POST_DATA = 64 * 1024;

/** The part of chrome-remote-interface's client used here, typed for any method (flat sessions included). */
interface CdpConnection {
  send(method: string, params: object, sessionId?: string): Promise<unknown>;
  on(event: 'event', listener: (message: { method: string; params: Record<string, unknown>; sessionId?: string }) => void): void;
  on(event: 'disconnect', listener: () => void): void;
  close(): Promise<void>;
}

/** Resolves the WebSocket URL of an endpoint: a ws:// one as is, an http:// one through `/json/version`. */
async function wsUrlOf(endpoint: CdpEndpoint, timeoutMs: number): Promise<string> {
  if (endpoint.kind === 'ws') return endpoint.url;
  const version = await withTimeout(CDP.Version({ host: endpoint.host, port: endpoint.port }), timeoutMs, `http://${endpoint.host}:${endpoint.port}`)
    .catch((err: Error) => {
      throw new BrowserCaptureConfigError(`no browser debugging endpoint at http://${endpoint.host}:${endpoint.port} (${err.message}): start the browser with --remote-debugging-port=${endpoint.port}`);
    });
  const url = (version as { webSocketDebuggerUrl?: string }).webSocketDebuggerUrl;
  if (!url) throw new BrowserCaptureConfigError(`http://${endpoint.host}:${endpoint.port}/json/version names no webSocketDebuggerUrl: is it a Chromium-based browser?`);
  return checkLoopbackWsUrl(url);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Browser capture through the Chrome DevTools Protocol: a second capture source next to the
 * proxy, writing into the same store. Attaches to every page, frame and worker of the browser
 * (also those opened later; new ones wait until recording is on), and records the requests of
 * the chosen origins with their raw headers and the browser's reasons for blocked cookies, and
 * the `localStorage`/`sessionStorage` entries of those origins. Works on a browser-level endpoint
 * and on a single page's (js-debug's CDP proxy).
 */
export async function startBrowserCapture(options: BrowserCaptureOptions): Promise<BrowserCapture> {
  const endpoint = typeof options.endpoint === 'string' ? parseCdpEndpoint(options.endpoint) : options.endpoint;
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  const wsEndpoint = await wsUrlOf(endpoint, timeoutMs);
  const origins = new Set(options.origins);
  const wanted = (url: string): boolean => {
    try {
      return origins.has(new URL(url).origin);
    } catch {
      return false;
    }
  };
  let client: CdpConnection;
  try {
    // local: the protocol description bundled with the library (a js-debug proxy serves none).
    client = await withTimeout(CDP({ target: wsEndpoint, local: true }), timeoutMs, wsEndpoint) as unknown as CdpConnection;
  } catch (err) {
    throw new BrowserCaptureConfigError(`cannot connect to the browser at ${wsEndpoint}: ${(err as Error).message}`);
  }
  const store = options.store;
  const recorders = new Map<string, NetworkRecorder>();
  const awaitingResponse = (): boolean => [...recorders.values()].some((r) => r.awaitingResponse());
  const caughtUp = async (): Promise<void> => { await Promise.all([...recorders.values()].map((r) => r.caughtUp())); };
  const jar = new CookieJarReader((method, params = {}) => client.send(method, params), store, [...origins], (m) => options.logger?.warn(m), awaitingResponse, Date.now, caughtUp);
  const jarMayHaveChanged = (): void => { void jar.refresh(); };
  /** Pages being recorded: session id → target id and the URL they were attached at. */
  const pages = new Map<string, { targetId: string; url: string }>();
  /** Target id → resolves with its session id once recording is on in it. */
  const ready = new Map<string, { promise: Promise<string>; resolve(sessionId: string): void }>();
  const readyFor = (targetId: string): { promise: Promise<string>; resolve(sessionId: string): void } => {
    let entry = ready.get(targetId);
    if (!entry) {
      let resolve: (sessionId: string) => void = () => undefined;
      const promise = new Promise<string>((r) => { resolve = r; });
      entry = { promise, resolve };
      ready.set(targetId, entry);
    }
    return entry;
  };
  let stopping = false;
  let resolveEnded: (reason: string) => void = () => undefined;
  const ended = new Promise<string>((resolve) => { resolveEnded = resolve; });

  const send = (sessionId: string | undefined) => (method: string, params: Record<string, unknown> = {}): Promise<unknown> =>
    (sessionId === undefined ? client.send(method, params) : client.send(method, params, sessionId));

  const storageEvent = (method: string, p: Record<string, unknown>): void => {
    const origin = storageOrigin((p.storageId ?? {}) as Protocol.DOMStorage.StorageId);
    if (origin === undefined || !origins.has(origin)) return;
    const area = (p.storageId as Protocol.DOMStorage.StorageId).isLocalStorage ? 'localStorage' : 'sessionStorage';
    if (method === 'DOMStorage.domStorageItemAdded' || method === 'DOMStorage.domStorageItemUpdated') {
      store.setStorageItem({ origin, area, key: String(p.key), value: String(p.newValue ?? '') });
    } else if (method === 'DOMStorage.domStorageItemRemoved') {
      store.removeStorageItems(origin, area, String(p.key));
    } else if (method === 'DOMStorage.domStorageItemsCleared') {
      store.removeStorageItems(origin, area);
    }
  };

  /** Reads the storage a page of a captured origin already holds (attaching to a running browser). */
  const readStorage = async (sessionId: string | undefined, url: string): Promise<void> => {
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      return;
    }
    if (!origins.has(origin)) return;
    for (const isLocalStorage of [true, false]) {
      try {
        const r = await send(sessionId)('DOMStorage.getDOMStorageItems', { storageId: { storageKey: `${origin}/`, isLocalStorage } }) as Protocol.DOMStorage.GetDOMStorageItemsResponse;
        for (const [key, value] of r.entries) store.setStorageItem({ origin, area: isLocalStorage ? 'localStorage' : 'sessionStorage', key, value });
      } catch {
        // Not loaded in this page: its events will tell.
      }
    }
  };

  /** Turns recording on in a target (the root connection when sessionId is undefined), then lets it run. */
  const instrument = async (sessionId: string | undefined, type: string, url: string, waiting: boolean): Promise<void> => {
    const s = send(sessionId);
    const key = sessionId ?? '';
    const jobs: Promise<unknown>[] = [];
    if (NETWORK_TARGETS.has(type)) {
      if (!recorders.has(key)) recorders.set(key, new NetworkRecorder(store, s, wanted, jarMayHaveChanged));
      jobs.push(s('Network.enable', { maxPostDataSize: MAX_POST_DATA }));
    }
    if (PAGE_TARGETS.has(type)) {
      jobs.push(s('DOMStorage.enable'));
      // Frames of other processes and workers started by the page.
      jobs.push(s('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true }));
    }
    const results = await Promise.allSettled(jobs);
    if (sessionId === undefined && results.length > 0 && results.every((r) => r.status === 'rejected')) recorders.delete(key);
    if (waiting) await s('Runtime.runIfWaitingForDebugger').catch(() => undefined);
    // After resuming: a page paused at start answers no storage query.
    if (PAGE_TARGETS.has(type)) await readStorage(sessionId, url);
  };

  client.on('event', (message) => {
    const { method, params, sessionId } = message;
    if (method.startsWith('Network.')) {
      recorders.get(sessionId ?? '')?.handle(method, params);
    } else if (method.startsWith('DOMStorage.')) {
      storageEvent(method, params);
    } else if (method === 'Target.attachedToTarget') {
      const p = params as unknown as Protocol.Target.AttachedToTargetEvent;
      if (p.targetInfo.type === 'page') pages.set(p.sessionId, { targetId: p.targetInfo.targetId, url: p.targetInfo.url });
      void instrument(p.sessionId, p.targetInfo.type, p.targetInfo.url, p.waitingForDebugger).then(
        () => readyFor(p.targetInfo.targetId).resolve(p.sessionId),
        (err: Error) => options.logger?.warn(`Session Lens browser capture: cannot record ${p.targetInfo.type} ${p.targetInfo.url}: ${err.message}`),
      );
    } else if (method === 'Target.detachedFromTarget') {
      const id = (params as unknown as Protocol.Target.DetachedFromTargetEvent).sessionId;
      recorders.get(id)?.dispose('the page was closed before the response finished');
      recorders.delete(id);
      pages.delete(id);
    }
  });
  let disconnected = false;
  const onDisconnect = (): void => {
    if (disconnected) return;
    disconnected = true;
    jar.dispose();
    for (const r of recorders.values()) r.dispose(stopping ? 'the capture stopped before the response finished' : 'the browser was closed before the response finished');
    recorders.clear();
    store.flush();
    resolveEnded(stopping ? 'stopped' : 'the browser closed the debugging connection');
  };
  client.on('disconnect', onDisconnect);

  try {
    // A page-level endpoint (js-debug) records on the connection itself; on a browser endpoint these fail and pages are auto-attached.
    const root = await Promise.allSettled([send(undefined)('Target.getTargetInfo')]);
    const info = root[0].status === 'fulfilled' ? (root[0].value as Protocol.Target.GetTargetInfoResponse).targetInfo : undefined;
    if (info && info.type !== 'browser') await instrument(undefined, info.type, info.url, false);
    else await send(undefined)('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true });
    // The browser's own jar: cookies set before the capture, or by page script, that no Set-Cookie shows.
    await jar.start(options.jarRefreshMs ?? DEFAULT_JAR_REFRESH_MS);
  } catch (err) {
    jar.dispose();
    await client.close().catch(() => undefined);
    throw new BrowserCaptureConfigError(`the browser at ${wsEndpoint} refused to be recorded: ${(err as Error).message}`);
  }

  return {
    origins: [...origins],
    wsEndpoint,
    ended,
    openPage: async (url: string) => {
      const blank = [...pages.values()].find((p) => p.url === 'about:blank');
      let targetId = blank?.targetId;
      if (blank) pages.forEach((p) => { if (p === blank) p.url = url; });
      else targetId = (await send(undefined)('Target.createTarget', { url: 'about:blank' }) as Protocol.Target.CreateTargetResponse).targetId;
      const sessionId = await withTimeout(readyFor(targetId!).promise, timeoutMs, 'the new page');
      await send(sessionId)('Page.navigate', { url });
    },
    close: async () => {
      if (stopping) return void (await ended);
      stopping = true;
      // The jar as it is at the end (a cookie a script set since the last read).
      if (!disconnected) await withTimeout(jar.refresh({ final: true }), 2000, 'the cookie jar').catch(() => undefined);
      // The client does not report a disconnect it was asked for.
      await client.close().catch(() => undefined);
      onDisconnect();
      await ended;
    },
  };
}
