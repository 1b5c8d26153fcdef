import * as vscode from 'vscode';
import type { ProbeKind, ProbeResult } from '../../core/probe/types';
import type { CaptureService } from '../captureService';
import { CommandId } from '../commandIds';
// In the capture engine bundle: loaded already whenever there is a session.
import { captureEngine } from '../engines/index';
import type { SessionController } from '../sessionController';

/** Options a caller (a keybinding, a test) may pass; without them the command asks. */
interface ProbeCommandOptions {
  /** The loopback dev server to probe (default: the capture's target, or asked for an imported HAR). */
  readonly target?: string;
  /** Send without the modal confirmation, as `session-lens probe --yes`. */
  readonly yes?: boolean;
  /**
   * Expiry only: tamper the captured JWT instead of replaying an expired credential, as
   * `--tamper-jwt` / `--jwt-key` (`key`: secret, PEM private key or private JWK). Without it and
   * with a JWT in the capture, the command asks.
   */
  readonly tamperJwt?: { readonly key?: string } | false;
}

type ExpiryWay = vscode.QuickPickItem & { readonly way: 'expired' | 'resign' | 'keep-signature' };

const EXPIRY_WAYS: readonly ExpiryWay[] = [
  { label: 'Replay an expired credential', detail: 'a session cookie or JWT of the capture whose expiry has passed', way: 'expired' },
  { label: 'Tamper the JWT: re-sign with exp in the past…', detail: 'with the key the server signs with (secret, PEM or JWK): shows whether the server checks exp', way: 'resign' },
  { label: 'Tamper the JWT: exp in the past, original signature', detail: 'no key: a server that verifies signatures rejects it anyway; one that accepts it checks neither', way: 'keep-signature' },
];

/** How to run the expiry probe: undefined when the user cancelled. */
async function askExpiryTamper(): Promise<{ readonly key?: string } | false | undefined> {
  const picked = await vscode.window.showQuickPick(EXPIRY_WAYS, { title: `Session Lens: ${TITLES.expiry}`, placeHolder: 'Which expired credential to send' });
  if (!picked) return undefined;
  if (picked.way === 'expired') return false;
  if (picked.way === 'keep-signature') return {};
  const key = await vscode.window.showInputBox({
    title: `Session Lens: ${TITLES.expiry}: signing key`,
    prompt: 'The key the server signs its JWTs with: HMAC secret, PEM private key or private JWK (kept in memory for this probe only)',
    password: true,
    ignoreFocusOut: true,
  });
  return key ? { key } : undefined;
}

const TITLES: Record<ProbeKind, string> = {
  logout: 'Verify Logout on the Server',
  expiry: 'Verify Expiry on the Server',
  unissued: 'Verify Unissued Session Id on the Server',
  fixation: 'Verify Fixation on the Server',
};

/** The origin the session's requests went to: the live capture's target, else the newest exchange's upstream or URL. */
function defaultTarget(capture: CaptureService): string | undefined {
  if (capture.status.target) return capture.status.target;
  const exchanges = capture.snapshot()?.exchanges ?? [];
  const last = exchanges[exchanges.length - 1];
  try {
    return last ? new URL(last.upstreamUrl ?? last.url).origin : undefined;
  } catch {
    return undefined;
  }
}

async function askTarget(capture: CaptureService, kind: ProbeKind): Promise<string | undefined> {
  if (capture.status.running && capture.status.target) return capture.status.target;
  return vscode.window.showInputBox({
    title: `Session Lens: ${TITLES[kind]}`,
    prompt: 'The dev server to send the probe requests to (loopback only: localhost, 127.0.0.1, ::1)',
    value: defaultTarget(capture) ?? 'http://127.0.0.1:3000',
    ignoreFocusOut: true,
  });
}

/** A URL for the log: a query string may carry a token (session-token-in-url), and tokens are never logged. */
function loggedUrl(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : `${url.slice(0, q)}?…`;
}

function logResult(log: vscode.LogOutputChannel, result: ProbeResult): void {
  log.info(`Probe ${result.probe}: ${result.verdict} (${result.ruleId})`);
  result.requests.forEach((r, i) => log.info(`  ${i + 1}. ${r.method} ${loggedUrl(r.url)} → ${r.status ?? `no answer (${r.error ?? 'failed'})`}: ${r.why}`));
  log.info(`  Why: ${result.reason}`);
}

/**
 * Verify Logout / Expiry / Unissued Session Id / Fixation on the Server: the active probes on the
 * captured session. They send requests only to a loopback dev server, only after a modal that
 * lists every request; results go to the output channel and, confirmed or refuted, to the findings.
 */
export function registerProbeCommands(capture: CaptureService, controller: SessionController, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const probe = async (kind: ProbeKind, options: unknown): Promise<ProbeResult | undefined> => {
    const opts: ProbeCommandOptions = typeof options === 'object' && options !== null ? options as ProbeCommandOptions : {};
    const snapshot = capture.snapshot();
    if (!snapshot || snapshot.exchanges.length === 0) {
      void vscode.window.showInformationMessage('Session Lens: nothing captured yet. Capture a session (or import a HAR) first, then verify it on the server.');
      return undefined;
    }
    const target = typeof opts.target === 'string' ? opts.target : await askTarget(capture, kind);
    if (target === undefined) return undefined;
    let tamperJwt = kind === 'expiry' && (opts.tamperJwt === false || (typeof opts.tamperJwt === 'object' && opts.tamperJwt !== null)) ? opts.tamperJwt : undefined;
    if (kind === 'expiry' && tamperJwt === undefined) {
      tamperJwt = snapshot.tokens.some((t) => t.isJwt) ? await askExpiryTamper() : false;
      if (tamperJwt === undefined) return undefined;
    }
    const engine = captureEngine();
    let plan;
    try {
      plan = engine.planProbe(kind, snapshot, target, tamperJwt ? { tamperJwt: typeof tamperJwt.key === 'string' ? { key: tamperJwt.key } : {} } : {});
    } catch (err) {
      if (!(err instanceof engine.ProbeInputError)) throw err;
      void vscode.window.showWarningMessage(`Session Lens: cannot ${TITLES[kind].toLowerCase()}: ${err.message}.`);
      return undefined;
    }
    if (opts.yes !== true) {
      const detail = plan.steps.map((s, i) => `${i + 1}. ${s.method} ${s.url}\n    ${s.why}`).join('\n');
      const send = 'Send Requests';
      const answer = await vscode.window.showWarningMessage(
        `Send ${plan.steps.length} request${plan.steps.length === 1 ? '' : 's'} to ${plan.target}?`,
        { modal: true, detail: `${detail}\n\nProbes change state on the server (a replayed login logs in). Run them against development servers only.` },
        send,
      );
      if (answer !== send) return undefined;
    }
    let result: ProbeResult;
    try {
      result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Session Lens: ${TITLES[kind]}…` }, () => plan.run());
    } catch (err) {
      if (!(err instanceof engine.ProbeInputError)) throw err;
      void vscode.window.showWarningMessage(`Session Lens: ${err.message}.`);
      return undefined;
    }
    logResult(log, result);
    if (result.finding) controller.recordProbeFinding(result.finding);
    const verdict = result.verdict === 'confirmed' ? `confirmed ${result.ruleId}` : result.verdict === 'refuted' ? `refuted ${result.ruleId}` : 'inconclusive';
    void vscode.window.showInformationMessage(`Session Lens: ${kind} probe ${verdict}. ${result.reason}`, 'Show Output').then((pick) => { if (pick) log.show(true); });
    return result;
  };
  return [
    vscode.commands.registerCommand(CommandId.VerifyLogout, (options?: unknown) => probe('logout', options)),
    vscode.commands.registerCommand(CommandId.VerifyExpiry, (options?: unknown) => probe('expiry', options)),
    vscode.commands.registerCommand(CommandId.VerifyUnissued, (options?: unknown) => probe('unissued', options)),
    vscode.commands.registerCommand(CommandId.VerifyFixation, (options?: unknown) => probe('fixation', options)),
  ];
}
