import * as vscode from 'vscode';
import type { BrowserCapture, LaunchedBrowser } from '../core/browser/index';
import { removeStaleProfiles } from '../core/browser/browserProfile';
import type { CaptureService } from './captureService';
import { CommandId } from './commandIds';
import { readSettings } from './config';
import { captureEngine } from './engines/index';

/** Debug session types of VS Code's JavaScript debugger that drive a Chrome or Edge browser. */
const BROWSER_DEBUG_TYPES = new Set(['pwa-chrome', 'pwa-msedge', 'chrome', 'msedge']);

/** What a browser capture command returns (also to the host tests). */
export interface BrowserCaptureInfo {
  readonly origins: readonly string[];
  readonly endpoint: string;
  /** The launched browser's process id and throwaway profile (Open Browser with Capture only). */
  readonly browserPid?: number;
  readonly profileDir?: string;
}

interface Running {
  readonly capture: BrowserCapture;
  readonly browser?: LaunchedBrowser;
  readonly label: string;
}

function rootOf(session: vscode.DebugSession): vscode.DebugSession {
  let s = session;
  while (s.parentSession) s = s.parentSession;
  return s;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

const validateUrl = (v: string): string | undefined => (originOf(v) ? undefined : 'An http:// or https:// URL, e.g. http://localhost:3000');

/**
 * Browser captures of this window (Chrome DevTools Protocol): a browser launched with a throwaway
 * profile, a browser the user started with a debugging port, or the browser of a JavaScript debug
 * session (js-debug's CDP proxy). Each writes into the session's store like the proxy does. The
 * engine loads on first use; launched browsers are stopped and their profiles deleted on dispose.
 */
export class BrowserCaptures implements vscode.Disposable {
  private readonly running = new Set<Running>();
  /** Debug sessions of this window by id (the command takes an id). */
  private readonly debugSessions = new Map<string, vscode.DebugSession>();
  /** Top-level debug sessions being captured, and those whose own session offered no CDP proxy (a page session below it is tried). */
  private readonly capturedRoots = new Set<string>();
  private readonly rootsWithoutProxy = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly capture: CaptureService, private readonly log: vscode.LogOutputChannel) {
    // Profiles left by an extension host that crashed: deleted soon after start, off the activation path.
    const cleanup = setTimeout(() => {
      for (const dir of removeStaleProfiles()) this.log.info(`deleted the throwaway browser profile ${dir} left by an earlier session`);
    }, 2000);
    this.disposables.push({ dispose: () => clearTimeout(cleanup) });
    this.disposables.push(
      vscode.debug.onDidStartDebugSession((s) => {
        this.debugSessions.set(s.id, s);
        this.onDebugSession(s);
      }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        this.debugSessions.delete(s.id);
        this.capturedRoots.delete(s.id);
        this.rootsWithoutProxy.delete(s.id);
      }),
    );
  }

  /** The commands: Open Browser with Capture, Attach to Browser…, Capture Debug Session, Stop Browser Capture. */
  commands(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand(CommandId.OpenBrowserWithCapture, (arg?: string | { url?: string; headless?: boolean }) =>
        (typeof arg === 'string' ? this.openBrowser(arg) : this.openBrowser(arg?.url, arg?.headless === true))),
      vscode.commands.registerCommand(CommandId.AttachToBrowser, (arg?: { endpoint?: string; origins?: string[] }) => this.attachToBrowser(arg)),
      vscode.commands.registerCommand(CommandId.CaptureDebugSession, (sessionId?: unknown) => {
        const session = typeof sessionId === 'string' ? this.debugSessions.get(sessionId) : vscode.debug.activeDebugSession;
        return session ? this.captureDebugSession(session) : undefined;
      }),
      vscode.commands.registerCommand(CommandId.StopBrowserCapture, () => this.stopAll()),
    ];
  }

  private trusted(): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showErrorMessage('Session Lens: browser capture needs a trusted workspace. Trust this folder (Workspaces: Manage Workspace Trust) and try again.');
    return false;
  }

  private async askTarget(title: string): Promise<string | undefined> {
    const configured = readSettings().target;
    return vscode.window.showInputBox({ title, prompt: 'URL of your app (its origin is recorded; other sites are not)', value: configured || 'http://localhost:3000', validateInput: validateUrl });
  }

  /** Session Lens: Open Browser with Capture — a browser with a throwaway profile, recording the target's origin until it closes. */
  async openBrowser(targetArg?: string, headless = false): Promise<BrowserCaptureInfo | undefined> {
    if (!this.trusted()) return undefined;
    const target = targetArg ?? await this.askTarget('Session Lens: Open Browser with Capture');
    const origin = originOf(target);
    if (!target || !origin) return undefined;
    const engine = captureEngine();
    const executablePath = readSettings().browserExecutable || undefined;
    let browser: LaunchedBrowser | undefined;
    try {
      browser = await engine.launchBrowser({ url: 'about:blank', ...(executablePath ? { executablePath } : {}), headless });
      const capture = await engine.startBrowserCapture({ endpoint: browser.wsEndpoint, origins: [origin], store: this.capture.storeForSource(), logger: this.log });
      this.track({ capture, browser, label: `browser capture of ${origin}` });
      await capture.openPage(target);
      this.log.info(`browser capture started: ${browser.executablePath} (profile ${browser.profileDir}) recording ${origin}`);
      void vscode.commands.executeCommand(CommandId.ShowSession);
      return { origins: capture.origins, endpoint: capture.wsEndpoint, browserPid: browser.pid, profileDir: browser.profileDir };
    } catch (err) {
      await browser?.close();
      this.fail('could not open a browser with capture', err, 'Open Setting', 'sessionLens.browser.executable');
      return undefined;
    }
  }

  /** Session Lens: Attach to Browser… — a browser the user started with --remote-debugging-port (loopback only). */
  async attachToBrowser(arg?: { endpoint?: string; origins?: string[] }): Promise<BrowserCaptureInfo | undefined> {
    if (!this.trusted()) return undefined;
    const endpoint = arg?.endpoint ?? await vscode.window.showInputBox({
      title: 'Session Lens: Attach to Browser',
      prompt: 'Debugging port of a browser on this machine started with --remote-debugging-port=PORT (or http://127.0.0.1:PORT, ws://127.0.0.1:PORT/devtools/browser/…)',
      value: '9222',
    });
    if (!endpoint) return undefined;
    const origins = arg?.origins ?? [await this.askTarget('Session Lens: Attach to Browser')].filter((o): o is string => !!o);
    if (origins.length === 0) return undefined;
    try {
      const engine = captureEngine();
      const capture = await engine.startBrowserCapture({ endpoint, origins: engine.parseOrigins(origins), store: this.capture.storeForSource(), logger: this.log });
      this.track({ capture, label: `browser capture of ${capture.origins.join(', ')}` });
      this.log.info(`attached to the browser at ${capture.wsEndpoint}, recording ${capture.origins.join(', ')}`);
      void vscode.commands.executeCommand(CommandId.ShowSession);
      return { origins: capture.origins, endpoint: capture.wsEndpoint };
    } catch (err) {
      this.fail('could not attach to the browser', err);
      return undefined;
    }
  }

  /** Records the browser of a JavaScript debug session through js-debug's CDP proxy. */
  async captureDebugSession(session: vscode.DebugSession): Promise<BrowserCaptureInfo | undefined> {
    const config = session.configuration as { url?: string; webRoot?: string };
    const origin = originOf(config.url) ?? originOf(readSettings().target);
    if (!origin) {
      void vscode.window.showWarningMessage(`Session Lens: the debug configuration '${session.name}' has no http(s) url, and sessionLens.target is empty: there is no origin to record.`);
      return undefined;
    }
    try {
      const root = rootOf(session);
      const proxy = await vscode.commands.executeCommand<{ host: string; port: number; path?: string } | undefined>('extension.js-debug.requestCDPProxy', session.id);
      if (!proxy) {
        // The browser-level session may have none: its page sessions, when they start, are tried instead.
        if (!session.parentSession) {
          this.rootsWithoutProxy.add(root.id);
          this.log.info(`debug session '${session.name}' offers no CDP proxy; its page sessions will be captured`);
          return undefined;
        }
        throw new Error('the JavaScript debugger offered no CDP proxy for this session');
      }
      this.capturedRoots.add(root.id);
      const host = proxy.host.includes(':') ? `[${proxy.host}]` : proxy.host;
      const engine = captureEngine();
      const capture = await engine.startBrowserCapture({ endpoint: `ws://${host}:${proxy.port}${proxy.path ?? ''}`, origins: [origin], store: this.capture.storeForSource(), logger: this.log });
      this.track({ capture, label: `debug session ${session.name}` });
      this.log.info(`capturing the browser of debug session '${session.name}', recording ${origin}`);
      return { origins: capture.origins, endpoint: capture.wsEndpoint };
    } catch (err) {
      this.fail(`could not capture debug session '${session.name}'`, err);
      return undefined;
    }
  }

  private onDebugSession(session: vscode.DebugSession): void {
    if (!BROWSER_DEBUG_TYPES.has(session.type)) return;
    // Child sessions (one per page) share the top-level session's browser: tried only when it had no proxy.
    if (session.parentSession) {
      const root = rootOf(session).id;
      if (this.rootsWithoutProxy.has(root) && !this.capturedRoots.has(root)) void this.captureDebugSession(session);
      return;
    }
    const mode = readSettings().browserCaptureDebugSessions;
    if (mode === 'never' || !vscode.workspace.isTrusted) return;
    if (mode === 'always') {
      void this.captureDebugSession(session);
      return;
    }
    void vscode.window.showInformationMessage(`Session Lens: capture the cookies, tokens and storage of '${session.name}'?`, 'Capture this browser\'s session', 'Always', 'Don\'t ask again').then(async (choice) => {
      if (!choice) return;
      if (choice !== 'Capture this browser\'s session') {
        await vscode.workspace.getConfiguration('sessionLens').update('browser.captureDebugSessions', choice === 'Always' ? 'always' : 'never', vscode.ConfigurationTarget.Global);
        if (choice !== 'Always') return;
      }
      await this.captureDebugSession(session);
    });
  }

  private track(r: Running): void {
    this.running.add(r);
    this.capture.sourceChanged(r.label);
    void vscode.commands.executeCommand('setContext', 'sessionLens.browserCapturing', true);
    void r.capture.ended.then(async (why) => {
      this.running.delete(r);
      await r.browser?.close();
      if (why !== 'stopped') this.log.info(`${r.label} ended: ${why}`);
      this.capture.sourceChanged();
      void vscode.commands.executeCommand('setContext', 'sessionLens.browserCapturing', this.running.size > 0);
    });
  }

  private fail(what: string, err: unknown, action?: string, setting?: string): void {
    this.log.error(`${what}: ${message(err)}`);
    void vscode.window.showErrorMessage(`Session Lens ${what}: ${message(err)}`, ...(action ? [action] : [])).then((choice) => {
      if (choice && setting) void vscode.commands.executeCommand('workbench.action.openSettings', setting);
    });
  }

  /** Stops every browser capture: launched browsers are closed (profiles deleted), attached ones detached. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map(async (r) => {
      await r.capture.close();
      await r.browser?.close();
    }));
  }

  dispose(): void {
    for (const r of this.running) {
      void r.capture.close();
      // The window is going away: the browser and its profile (session cookies) go now.
      r.browser?.killSync();
    }
    this.running.clear();
    for (const d of this.disposables) d.dispose();
  }
}
