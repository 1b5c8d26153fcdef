import * as vscode from 'vscode';
import { type ExchangeDetail, type FromWebview, parseFromWebview, type SessionViewState, type ToWebview, type WebviewAction } from '../shared/protocol';
import { PANEL_POST_PACING, PostPacer } from './postPacer';
import { SessionViewDeltas } from './sessionViewDeltas';
import { webviewHtml } from './webviewHtml';

/** What the Session view needs from the rest of the extension. */
export interface SessionViewSource {
  /** The current state, values masked or not as the user chose. */
  state(): SessionViewState;
  readonly onDidChange: vscode.Event<void>;
  runAction(action: WebviewAction): Thenable<unknown>;
  setMasked(masked: boolean): void;
  /** The unmasked value behind a row key, for Copy. */
  valueOf(key: string): string | undefined;
  /** Opens the code that sets a cookie. */
  goToCode(cookie: string): Thenable<unknown>;
  /** One exchange's heads, bodies and session diff, masked as the panel is; undefined once evicted. */
  exchangeDetail(id: number): ExchangeDetail | undefined;
  /** Runs Verify JWT Signature… on the token behind a row key. */
  verifyToken(key: string): Thenable<unknown>;
  /** Turns an in-flight rule (or the keep-alive) off. */
  turnOffRule?(id: string): void;
}

/**
 * Debug only: with SESSION_LENS_PANEL_TIMING set in the extension host's environment, each state
 * and delta carries when its changes came and when it was built and posted (`timing`), which the
 * webview puts on its performance timeline for bench/panel/webview.ts. Unset, nothing is recorded.
 */
const PANEL_TIMING = (process.env.SESSION_LENS_PANEL_TIMING ?? '') !== '';

/** Epoch ms with the sub-ms part (performance.now on the same clock as the webview's and the bench's). */
const epochNow = () => performance.timeOrigin + performance.now();

/** The Session webview view in the panel. Posts data; the webview renders it. */
export class SessionViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Set once the webview script has said it is ready; until then posts would be lost. */
  private ready = false;
  /** A token to show once the webview is ready (Decode JWT… opened the view). */
  private pendingReveal: string | undefined;
  /** Full state on (re)load, then deltas against what this webview was sent. */
  private readonly deltas = new SessionViewDeltas();
  private readonly pacer = new PostPacer(PANEL_POST_PACING, () => performance.now());
  private postTimer: ReturnType<typeof setTimeout> | undefined;
  /** PANEL_TIMING only: when each change since the last message came. */
  private readonly changeTimes: number[] | undefined = PANEL_TIMING ? [] : undefined;

  constructor(private readonly extensionUri: vscode.Uri, private readonly source: SessionViewSource) {
    this.disposables.push(source.onDidChange(() => {
      // Bounded while nothing is posted (a hidden view): only the latest matter.
      if (this.changeTimes && this.changeTimes.push(epochNow()) > 1000) this.changeTimes.splice(0, 500);
      this.post();
    }));
  }

  /** True once the view has been resolved (used by tests and the focus command). */
  get isResolved(): boolean {
    return this.view !== undefined;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    this.deltas.reset();
    view.webview.options = {
      enableScripts: true,
      enableCommandUris: false,
      // Only our built assets; never the workspace or the home folder.
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
    view.webview.html = webviewHtml(view.webview, this.extensionUri, 'Session Lens');
    this.disposables.push(
      view.webview.onDidReceiveMessage((raw: unknown) => this.receive(parseFromWebview(raw))),
      // Hidden, the webview's document is deallocated (no retainContextWhenHidden) and recreated when
      // shown, and the new document says 'ready': its full state goes then, once (posting it on show
      // as well built and sent a 10,000-row state twice, the first to a document still loading).
      view.onDidChangeVisibility(() => {
        if (view.visible) return;
        this.ready = false;
        this.deltas.reset();
      }),
      view.onDidDispose(() => { if (this.view === view) this.view = undefined; }),
    );
  }

  private receive(message: FromWebview | undefined): void {
    if (!message) return;
    switch (message.type) {
      case 'ready':
      case 'resync':
        this.ready = true;
        this.deltas.reset();
        // A document that just loaded (or lost track) shows nothing until its full state: not paced
        // behind the last message (4x the cost of a 10,000-row state under load was seconds), only counted.
        this.post(true);
        this.flushReveal();
        return;
      case 'exchangeDetail': {
        const detail = this.source.exchangeDetail(message.id);
        this.postMessage({ type: 'exchangeDetail', id: message.id, ...(detail ? { detail } : {}) });
        return;
      }
      case 'action':
        void this.source.runAction(message.action);
        return;
      case 'reveal':
        this.source.setMasked(message.masked);
        return;
      case 'openDocs':
        void vscode.commands.executeCommand('sessionLens.showRuleDocs', message.ruleId);
        return;
      case 'goToCode':
        void this.source.goToCode(message.cookie);
        return;
      case 'verifyToken':
        void this.source.verifyToken(message.key);
        return;
      case 'copyAsCurl':
        // Our own command with a number argument: the exchange id the webview was sent.
        void vscode.commands.executeCommand('sessionLens.copyAsCurl', message.id);
        return;
      case 'copyValue': {
        const value = this.source.valueOf(message.key);
        if (value !== undefined) void vscode.env.clipboard.writeText(value);
        return;
      }
      case 'ruleOff':
        this.source.turnOffRule?.(message.id);
        return;
      case 'cookieRule': {
        // The palette commands, with the cookie from the row: they check that a capture runs and ask for the rest.
        const cookie = message.cookie;
        const run = {
          expire: () => vscode.commands.executeCommand('sessionLens.expireCookieNow', cookie),
          drop: () => vscode.commands.executeCommand('sessionLens.dropCredential', { in: 'cookie', name: cookie }),
          replace: () => vscode.commands.executeCommand('sessionLens.replaceCredential', { in: 'cookie', name: cookie }),
          shorten: () => vscode.commands.executeCommand('sessionLens.shortenCookieLifetime', cookie),
        }[message.action];
        void run();
        return;
      }
      case 'tamperToken':
        void vscode.commands.executeCommand('sessionLens.tamperJwt');
        return;
    }
  }

  /** Shows a token on the Session tab: now if the webview is up, else once it says it is ready. */
  revealToken(key: string): void {
    this.pendingReveal = key;
    this.flushReveal();
  }

  private flushReveal(): void {
    if (this.pendingReveal === undefined || !this.view?.visible || !this.ready) return;
    // After the state that lists the token: posts are delivered in order (so not left to the pacing's timer).
    this.post(true);
    this.postMessage({ type: 'revealToken', key: this.pendingReveal });
    this.pendingReveal = undefined;
  }

  /** Posts what changed, paced (PANEL_POST_PACING); `now`: at once (the full state a new document waits for). */
  private post(now = false): void {
    if (!this.view || !this.ready) return;
    // A hidden view gets nothing; it is sent the full state when it shows again.
    if (!this.view.visible) {
      this.deltas.reset();
      return;
    }
    if (now && this.postTimer !== undefined) {
      clearTimeout(this.postTimer);
      this.postTimer = undefined;
    }
    const wait = now ? 0 : this.pacer.delay();
    if (wait > 0) {
      this.postTimer ??= setTimeout(() => {
        this.postTimer = undefined;
        this.post();
      }, wait);
      return;
    }
    const started = performance.now();
    const message = this.deltas.next(this.source.state());
    this.postMessage(this.changeTimes && message.type !== 'exchangeDetail' && message.type !== 'revealToken'
      ? { ...message, timing: { changes: this.changeTimes.splice(0), postAt: performance.timeOrigin + started, sentAt: epochNow() } }
      : message);
    this.pacer.posted(performance.now() - started);
  }

  private postMessage(message: ToWebview): void {
    if (!this.view || !this.ready) return;
    const view = this.view;
    void view.webview.postMessage(message).then((delivered) => {
      // Not delivered (the webview went away meanwhile): whatever comes next must be the full state.
      if (!delivered && message.type !== 'exchangeDetail') this.deltas.reset();
      // A first state with the newest rows only: the next deltas bring the older ones, a slice each (paced as any post).
      if (delivered && (message.type === 'state' || message.type === 'delta') && this.deltas.sendingOlder) this.post();
    });
  }

  dispose(): void {
    if (this.postTimer !== undefined) clearTimeout(this.postTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
