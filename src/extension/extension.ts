import * as vscode from 'vscode';
import { RULES } from '../core/rules/catalog';
import { CaptureService } from './captureService';
import { CommandId, SESSION_VIEW_ID } from './commandIds';
import { registerCaptureCommands } from './commands/captureCommands';
import { HAS_SESSION_CONTEXT, registerReplayCommands } from './commands/replayCommands';
import { registerTokenCommands } from './commands/tokenCommands';
import { registerProbeCommands } from './commands/probeCommands';
import { registerTraceCommands } from './commands/traceCommands';
import { CookieSetterIndex } from './trace/cookieSetterIndex';
import { RuntimeTrace } from './trace/runtimeTrace';
import { JwtHoverProvider } from './jwtHover';
import { KeyStore } from './keyStore';
import { TOKEN_SCHEME, TokenDocuments } from './tokenDocuments';
import { onDidChangeSettings, readSettings } from './config';
import { SessionLensCodeActions } from './lint/codeActions';
import { LintService } from './lint/lintService';
import { scanWorkspace } from './lint/scanWorkspace';
import { SessionController } from './sessionController';
import { SessionViewProvider } from './sessionView';
import { setRuleDocsRoot, showRuleDocs } from './ruleDocs';
import { SessionStatusBar } from './statusBar';
import { WeakSecretChecker } from './weakSecretChecker';
import { InFlightActions } from './inFlightActions';
import { KeepAliveStatus } from './keepAliveStatus';
import { registerInFlightRuleCommands } from './commands/inFlightRuleCommands';
import { BrowserCaptures } from './browserCaptures';

/** What activate() returns: a small read-only API, used by the host tests and other extensions. */
export interface SessionLensApi {
  /** Milliseconds activate() took. */
  readonly activationTimeMs: number;
  /** True once the Session webview view has been resolved. */
  isSessionViewResolved(): boolean;
  /** The state the Session panel shows now (values masked as in the panel). */
  sessionViewState(): ReturnType<SessionController['state']>;
  /** The status bar item's text. */
  statusBarText(): string;
  /** Recomputes the traffic-to-code diagnostics now. */
  refreshTrace(): Promise<void>;
  /** The text of a decoded-token document. */
  tokenDocumentText(uri: vscode.Uri): string | undefined;
  /** The keep-alive status bar item's text ('' while keep-alive is off). */
  keepAliveStatusText(): string;
  /** Lint engines not yet freed, and documents linted incrementally. */
  lintEngineState(): { linters: number; documents: number };
}

/** Lists the rules and opens the chosen one's page. */
async function pickRuleDocs(): Promise<void> {
  const pick = await vscode.window.showQuickPick([...RULES.values()].map((r) => ({ label: r.id, description: r.severity, detail: r.title })), { title: 'Session Lens: Show Rule Documentation', matchOnDetail: true });
  if (pick) await showRuleDocs(pick.label);
}

declare const __sessionLensLoadStart: number | undefined;
declare const __sessionLensLoadEnd: number | undefined;

export function activate(context: vscode.ExtensionContext): SessionLensApi {
  const started = performance.now();
  setRuleDocsRoot(context.extensionUri);
  const log = vscode.window.createOutputChannel('Session Lens', { log: true });
  const capture = new CaptureService(log, () => readSettings());
  const weakSecrets = new WeakSecretChecker(context.extensionUri, log);
  const controller = new SessionController(capture, weakSecrets);
  const sessionView = new SessionViewProvider(context.extensionUri, controller);
  const statusBar = new SessionStatusBar(capture, controller);
  const lint = new LintService(context.extensionUri, log);
  const tokenDocs = new TokenDocuments();
  const setterIndex = new CookieSetterIndex(lint);
  const trace = new RuntimeTrace(capture, controller, setterIndex, log);
  let hasSession = false;
  const inFlight = new InFlightActions(capture, log);
  controller.showRules(inFlight);
  const keepAliveStatus = new KeepAliveStatus(inFlight);
  const browserCaptures = new BrowserCaptures(capture, log);

  controller.offer({ action: 'startCapture', label: 'Start Capture…', command: CommandId.StartCapture, when: () => !capture.status.running });
  controller.offer({ action: 'openProxiedApp', label: 'Open in Browser', command: CommandId.OpenProxiedApp, when: () => capture.status.running });
  controller.offer({ action: 'stopCapture', label: 'Stop Capture', command: CommandId.StopCapture, when: () => capture.status.running });
  controller.offer({ action: 'importHar', label: 'Import HAR…', command: CommandId.ImportHar });
  controller.offer({ action: 'exportHar', label: 'Export HAR…', command: CommandId.ExportHar, when: () => capture.snapshot() !== undefined });
  controller.offer({ action: 'decodeToken', label: 'Decode JWT…', command: CommandId.DecodeToken });
  controller.offer({ action: 'goToCode', label: 'Go to Code…', command: CommandId.GoToCode, when: () => capture.snapshot() !== undefined });
  controller.offer({ action: 'clearSession', label: 'Clear', command: CommandId.ClearSession, when: () => capture.snapshot() !== undefined });

  context.subscriptions.push(
    log,
    weakSecrets,
    capture,
    controller,
    sessionView,
    statusBar,
    vscode.window.registerWebviewViewProvider(SESSION_VIEW_ID, sessionView),
    vscode.commands.registerCommand(CommandId.ShowSession, () => vscode.commands.executeCommand(`${SESSION_VIEW_ID}.focus`)),
    ...registerCaptureCommands(capture, log),
    tokenDocs,
    vscode.workspace.registerTextDocumentContentProvider(TOKEN_SCHEME, tokenDocs),
    ...registerTokenCommands(tokenDocs, new KeyStore(context), weakSecrets, {
      showDecoded: (token) => {
        const key = controller.addDecodedToken(token);
        void vscode.commands.executeCommand(`${SESSION_VIEW_ID}.focus`).then(() => sessionView.revealToken(key));
      },
      verified: (token, signature, message) => controller.recordVerification(token, signature, message),
    }),
    lint,
    setterIndex,
    trace,
    ...registerTraceCommands(trace),
    ...registerReplayCommands(capture),
    ...registerProbeCommands(capture, controller, log),
    inFlight,
    keepAliveStatus,
    ...registerInFlightRuleCommands(inFlight),
    vscode.languages.registerHoverProvider([{ scheme: 'file' }, { scheme: 'untitled' }], new JwtHoverProvider()),
    capture.onDidChange(() => {
      const has = capture.sessionStore !== undefined; // no snapshot copy just for the context key
      if (has !== hasSession) {
        hasSession = has;
        void vscode.commands.executeCommand('setContext', HAS_SESSION_CONTEXT, has);
      }
    }),
    vscode.commands.registerCommand(CommandId.ShowRuleDocs, (ruleId?: unknown) => (typeof ruleId === 'string' ? showRuleDocs(ruleId) : pickRuleDocs())),
    vscode.commands.registerCommand(CommandId.ScanWorkspace, () => scanWorkspace(lint, log)),
    vscode.languages.registerCodeActionsProvider({ scheme: '*' }, new SessionLensCodeActions(lint), { providedCodeActionKinds: SessionLensCodeActions.kinds }),
    browserCaptures,
    ...browserCaptures.commands(),
    onDidChangeSettings(() => {
      controller.refresh();
      statusBar.update();
      lint.relintAll();
    }),
  );
  void vscode.commands.executeCommand('setContext', 'sessionLens.capturing', false);
  void vscode.commands.executeCommand('setContext', HAS_SESSION_CONTEXT, false);

  const activationTimeMs = performance.now() - started;
  // Evaluating the bundle itself (banner to footer); VS Code's own work before calling activate() is not ours.
  const loadMs = typeof __sessionLensLoadStart === 'number' && typeof __sessionLensLoadEnd === 'number' ? __sessionLensLoadEnd - __sessionLensLoadStart : undefined;
  log.info(`Session Lens activated in ${activationTimeMs.toFixed(1)} ms${loadMs !== undefined ? ` (bundle evaluated in ${loadMs.toFixed(1)} ms before that)` : ''}`);
  return {
    activationTimeMs,
    isSessionViewResolved: () => sessionView.isResolved,
    sessionViewState: () => controller.state(),
    statusBarText: () => statusBar.text,
    tokenDocumentText: (uri) => tokenDocs.textOf(uri),
    refreshTrace: () => trace.refresh(),
    keepAliveStatusText: () => keepAliveStatus.text,
    lintEngineState: () => lint.engineState(),
  };
}

export function deactivate(): void {
  // Everything, the capture proxy included, is disposed through context.subscriptions.
}
