import * as vscode from 'vscode';
import type { CaptureProxy } from '../core/capture/index';
import type { SessionSnapshot, SessionStore } from '../core/session';
import type { SessionLensSettings } from '../shared/settings';

/** A HAR export: its text and whether the session had already dropped exchanges. */
export interface HarExportText {
  readonly text: string;
  /** Exchanges in the file. */
  readonly exchanges: number;
  /** Older exchanges the session had dropped (ring buffer) and that the file therefore lacks. */
  readonly dropped: number;
}

/** What the capture is showing right now. */
export interface CaptureStatus {
  readonly running: boolean;
  /** Where to point the browser (the proxy's `browseUrl`). */
  readonly proxyUrl?: string;
  readonly target?: string;
  /** Label of imported data (a HAR file name) when no live capture produced it. */
  readonly source?: string;
}

// The engine bundle loads on first use, so activation stays light.
import { captureEngine } from './engines/index';
import { createReadStream } from 'node:fs';

/** Longest stretch (ms) a HAR import keeps the extension host busy before letting other work run. */
const IMPORT_SLICE_MS = 8;
/** Entries of an imported HAR held at most to put them in time order (further out of order: applied late, with a warning). */
const IMPORT_ORDER_WINDOW_ENTRIES = 1000;

/** Bytes already in memory (a file of another file system), handed to the streamed import a chunk at a time. */
async function* inChunks(bytes: Uint8Array): AsyncGenerator<Buffer> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < buffer.length; at += 64 * 1024) yield buffer.subarray(at, at + 64 * 1024);
}

/**
 * One session per window: the store that capture and HAR import fill, and the proxy.
 * Everything the panel, status bar and diagnostics show comes from here.
 */
export class CaptureService implements vscode.Disposable {
  private store: SessionStore | undefined;
  private proxy: CaptureProxy | undefined;
  private source: string | undefined;
  private storeSubscription: { dispose(): void } | undefined;
  private cachedSnapshot: SessionSnapshot | undefined;
  private cachedModelVersion = -1;
  private cachedStore: SessionStore | undefined;
  /** The first drop from the ring buffer was logged (once per session; Clear Session resets it). */
  private dropLogged = false;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires (throttled by the store) when the session data or the capture state changes. */
  readonly onDidChange = this.changed.event;
  private readonly storeCreated = new vscode.EventEmitter<SessionStore>();
  /**
   * Fires when the session's store is created, before this service subscribes to it: a reader
   * that subscribes here (the traffic audit) has taken in each store change when `onDidChange` fires.
   */
  readonly onDidCreateStore = this.storeCreated.event;

  constructor(private readonly log: vscode.LogOutputChannel, private readonly settings: () => SessionLensSettings) {}

  get status(): CaptureStatus {
    return this.proxy
      ? { running: true, proxyUrl: this.proxy.browseUrl, target: this.proxy.target }
      : { running: false, ...(this.source ? { source: this.source } : {}) };
  }

  /** The running capture proxy (its in-flight rules live on it), or undefined. */
  get runningProxy(): CaptureProxy | undefined {
    return this.proxy;
  }

  /** The session's store, or undefined before anything was captured or imported. */
  get sessionStore(): SessionStore | undefined {
    return this.store;
  }

  /** The current session as plain data, or undefined before anything was captured or imported. */
  snapshot(): SessionSnapshot | undefined {
    const store = this.store;
    if (!store) return undefined;
    // The panel, the status bar (every second) and the trace all read it: copy the store once per change
    // of its data (findings the audit publishes onto the feed are no change of the snapshot).
    if (this.cachedSnapshot === undefined || this.cachedModelVersion !== store.modelVersion || this.cachedStore !== store) {
      this.cachedSnapshot = store.snapshot();
      this.cachedModelVersion = store.modelVersion;
      this.cachedStore = store;
    }
    return this.cachedSnapshot;
  }

  private ensureStore(): SessionStore {
    if (this.store) return this.store;
    const { SessionStore } = captureEngine();
    const s = this.settings();
    const store = new SessionStore({
      capacity: s.captureMaxExchanges,
      analysisBytes: s.proxyPreviewBytes,
      tokenHeaders: s.captureTokenHeaders,
      logger: this.log,
      // An exchange's start is delivered at once and its end waits out the throttle: at the
      // store's default 100 ms that alone broke the panel's 100 ms from a request finishing to its
      // row. One frame, as the panel's own least interval between messages: a request's end that
      // comes right after its start is delivered with the next frame, and the panel posts it at
      // once. Readers pace themselves (the panel: PANEL_POST_PACING, a fifth of the host at most).
      throttleMs: 16,
    });
    this.store = store;
    // The audit subscribes first (onDidCreateStore), so a change is audited before anyone reads it.
    this.storeCreated.fire(store);
    this.storeSubscription = store.onDidChange((e) => {
      if (e.cleared) this.dropLogged = false;
      if (!this.dropLogged && e.exchangesEvicted.length > 0) {
        this.dropLogged = true;
        this.log.warn(`more than ${store.exchangeCapacity} requests: keeping the last ${store.exchangeCapacity} in memory (sessionLens.capture.maxExchanges); older ones are dropped and will not be in Export HAR`);
      }
      this.changed.fire();
    });
    return store;
  }

  /**
   * The session's store for another capture source (the browser): created on first use, with the
   * same readers as the proxy's. Sources call `sourceChanged()` when they start or stop.
   */
  storeForSource(): SessionStore {
    return this.ensureStore();
  }

  /** Tells the panel and the status bar that a capture source started or stopped. */
  sourceChanged(label?: string): void {
    if (label !== undefined && !this.proxy) this.source = label;
    this.changed.fire();
  }

  /** Starts the proxy in front of `target`. Throws the engine's one-line errors for bad settings. */
  async start(target: string): Promise<CaptureProxy> {
    if (this.proxy) throw new Error(`a capture is already running (${this.proxy.url} → ${this.proxy.target}); stop it first`);
    const { startCaptureProxy } = captureEngine();
    const store = this.ensureStore();
    const s = this.settings();
    const proxy = await startCaptureProxy({
      target,
      host: s.proxyBindAddress,
      port: s.proxyPort,
      allowNonLoopback: s.proxyAllowNonLoopback,
      rewriteHost: s.proxyRewriteHost,
      ...(s.proxyRequireValidCertificates ? { rejectUnauthorized: true } : {}),
      previewBytes: s.proxyPreviewBytes,
      timeouts: {
        responseMs: s.proxyResponseTimeoutSeconds * 1000,
        requestBodyMs: s.proxyRequestBodyTimeoutSeconds * 1000,
        idleMs: s.proxyIdleTimeoutSeconds * 1000,
      },
      stopGraceMs: s.proxyStopGraceSeconds * 1000,
      store,
      logger: this.log,
    });
    this.proxy = proxy;
    this.source = undefined;
    this.log.info(`capture started: ${proxy.url} → ${proxy.target}`);
    await vscode.commands.executeCommand('setContext', 'sessionLens.capturing', true);
    this.changed.fire();
    return proxy;
  }

  /** Stops the proxy and logs a summary; the captured data stays until Clear Session. */
  async stop(): Promise<void> {
    const proxy = this.proxy;
    if (!proxy) return;
    this.proxy = undefined;
    await proxy.close();
    const snap = this.snapshot();
    this.log.info(`capture stopped: ${snap?.exchanges.length ?? 0} requests, ${snap?.cookies.length ?? 0} cookies, ${snap?.tokens.length ?? 0} tokens recorded`);
    this.source = `capture of ${proxy.target}`;
    await vscode.commands.executeCommand('setContext', 'sessionLens.capturing', false);
    this.changed.fire();
  }

  /**
   * Imports a HAR file into the session, streamed: the file is read a chunk at a time (never
   * whole, as text or as JSON, for a `file:` URI) and applied in slices of IMPORT_SLICE_MS with the
   * event loop free between them, so other extensions and commands keep answering during a large
   * import and the panel shows it growing. Returns the engine's import summary.
   */
  async importHarFile(uri: vscode.Uri, label: string): Promise<import('../core/capture/index').HarImportResult & { readonly droppedFromMemory: number; readonly keptInMemory: number }> {
    const { importHarStream } = captureEngine();
    const store = this.ensureStore();
    const evictedBefore = store.evictedExchangeCount;
    if (!this.proxy) this.source = label;
    const chunks = uri.scheme === 'file'
      ? (createReadStream(uri.fsPath, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>)
      : inChunks(await vscode.workspace.fs.readFile(uri));
    // At most 1,000 entries wait to be put in time order (as in `session-lens audit`): the session
    // grows in the panel while the file is read instead of when a file under the byte window ends.
    const result = await importHarStream(store, chunks, { sliceMs: IMPORT_SLICE_MS, orderWindowEntries: IMPORT_ORDER_WINDOW_ENTRIES });
    store.flush();
    if (!this.proxy) this.source = label;
    this.changed.fire();
    // Requests of this import the ring buffer could not keep (their findings are kept by the audit).
    return { ...result, droppedFromMemory: store.evictedExchangeCount - evictedBefore, keptInMemory: store.exchangeCapacity };
  }

  /**
   * The session as HAR 1.2 text; values redacted unless `redact` is false. When the session had
   * dropped exchanges, `log.comment` and `dropped` say so.
   */
  async exportHar(redact: boolean): Promise<HarExportText | undefined> {
    const snap = this.snapshot();
    if (!snap) return undefined;
    const { exportHar } = captureEngine();
    return { text: JSON.stringify(exportHar(snap, { redact }), null, 2), exchanges: snap.exchanges.length, dropped: snap.evictedExchanges };
  }

  clear(): void {
    this.store?.clear();
    this.store?.flush();
    if (!this.proxy) this.source = undefined;
    this.changed.fire();
  }

  dispose(): void {
    // The window is going away: no grace for requests in progress (they are recorded as aborted).
    void this.proxy?.close({ graceMs: 0 });
    this.proxy = undefined;
    this.storeSubscription?.dispose();
    this.store?.dispose();
    this.changed.dispose();
    this.storeCreated.dispose();
  }
}
