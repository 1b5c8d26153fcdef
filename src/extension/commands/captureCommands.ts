import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeSecretFileAtomic } from '../../core/files/atomicFile';
import { findLoopbackListeners } from '../../core/net/listeningPorts';
import type { CaptureService } from '../captureService';
import { CommandId } from '../commandIds';
import { readSettings } from '../config';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Asks which dev server to capture: the configured target, servers listening on loopback, or a typed URL. */
async function pickTarget(exclude: number[]): Promise<string | undefined> {
  const configured = readSettings().target;
  const ports = await findLoopbackListeners(exclude);
  type Item = vscode.QuickPickItem & { url?: string };
  const items: Item[] = [];
  if (configured) items.push({ label: configured, description: 'sessionLens.target', url: configured });
  for (const p of ports) {
    const url = `http://localhost:${p}`;
    if (url !== configured) items.push({ label: url, description: 'listening on loopback', url });
  }
  items.push({ label: '$(edit) Enter a URL…', alwaysShow: true });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Session Lens: Start Capture',
    placeHolder: 'Which dev server should the capture proxy sit in front of?',
  });
  if (!picked) return undefined;
  if (picked.url) return picked.url;
  return vscode.window.showInputBox({
    title: 'Session Lens: Start Capture',
    prompt: 'URL of your dev server (an origin such as http://localhost:3000)',
    value: configured || 'http://localhost:3000',
    validateInput: (v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : 'Use an http:// or https:// URL';
      } catch {
        return 'Not a URL: use e.g. http://localhost:3000';
      }
    },
  });
}

/** Start/Stop Capture, Open Proxied App, Import/Export HAR, Clear Session. */
export function registerCaptureCommands(capture: CaptureService, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandId.StartCapture, async (targetArg?: unknown): Promise<string | undefined> => {
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showErrorMessage('Session Lens: starting a capture proxy needs a trusted workspace. Trust this folder (Workspaces: Manage Workspace Trust) and try again.');
        return undefined;
      }
      if (capture.status.running) {
        void vscode.window.showInformationMessage(`Session Lens is already capturing ${capture.status.target} at ${capture.status.proxyUrl}.`);
        return capture.status.proxyUrl;
      }
      const target = typeof targetArg === 'string' ? targetArg : await pickTarget([]);
      if (!target) return undefined;
      try {
        const proxy = await capture.start(target);
        void vscode.commands.executeCommand(CommandId.ShowSession);
        if (typeof targetArg !== 'string') {
          // The address the user's browser reaches (a forwarded port in a remote workspace).
          const browseUrl = (await vscode.env.asExternalUri(vscode.Uri.parse(proxy.browseUrl))).toString();
          void vscode.window.showInformationMessage(`Session Lens is capturing ${proxy.target}. Browse through ${browseUrl}.`, 'Open in Browser').then((choice) => {
            if (choice) void vscode.commands.executeCommand(CommandId.OpenProxiedApp);
          });
        }
        return proxy.browseUrl;
      } catch (err) {
        log.error(`could not start the capture: ${message(err)}`);
        void vscode.window.showErrorMessage(`Session Lens could not start the capture: ${message(err)}`);
        return undefined;
      }
    }),

    vscode.commands.registerCommand(CommandId.StopCapture, async () => {
      await capture.stop();
    }),

    vscode.commands.registerCommand(CommandId.OpenProxiedApp, async () => {
      const url = capture.status.proxyUrl;
      if (!url) {
        void vscode.window.showInformationMessage('Session Lens: no capture is running. Start one first.');
        return false;
      }
      // In a remote workspace (SSH, WSL, containers, Codespaces, code-server) the proxy runs next to
      // the dev server: asExternalUri forwards its port and gives the address the browser can reach.
      const external = await vscode.env.asExternalUri(vscode.Uri.parse(url));
      log.info(`opening ${external.toString(true)}${external.toString() !== vscode.Uri.parse(url).toString() ? ` (forwarded from ${url})` : ''}`);
      await vscode.env.openExternal(external);
      return external.toString();
    }),

    vscode.commands.registerCommand(CommandId.ImportHar, async (uriArg?: unknown) => {
      const uri = uriArg instanceof vscode.Uri ? uriArg : (await vscode.window.showOpenDialog({
        title: 'Session Lens: Import HAR',
        canSelectMany: false,
        filters: { 'HTTP Archive': ['har', 'json'], 'All files': ['*'] },
      }))?.[0];
      if (!uri) return undefined;
      const name = path.basename(uri.path);
      try {
        const stat = await vscode.workspace.fs.stat(uri);
        if (stat.type & vscode.FileType.Directory) throw new Error('it is a folder');
      } catch (err) {
        void vscode.window.showErrorMessage(`Session Lens could not read ${name}: ${message(err)}`);
        return undefined;
      }
      try {
        const result = await capture.importHarFile(uri, name);
        log.info(`imported ${name}: ${result.imported} entries${result.skipped ? `, ${result.skipped} skipped` : ''}${result.creator ? ` (from ${result.creator})` : ''}`);
        for (const w of result.warnings) log.warn(`${name}: ${w}`);
        if (result.droppedFromMemory > 0) {
          // Never silently: the timeline and Export HAR hold only the newest requests.
          const note = `${name} has ${result.imported} requests; the session keeps the newest ${result.keptInMemory} in memory (sessionLens.capture.maxExchanges), so the oldest ${result.droppedFromMemory} are not in the timeline or in Export HAR. Their findings are kept.`;
          log.warn(note);
          void vscode.window.showWarningMessage(`Session Lens: ${note}`, 'Open Setting').then((choice) => {
            if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'sessionLens.capture.maxExchanges');
          });
        }
        void vscode.commands.executeCommand(CommandId.ShowSession);
        return result;
      } catch (err) {
        void vscode.window.showErrorMessage(`Session Lens could not import ${name}: ${message(err)}`);
        return undefined;
      }
    }),

    vscode.commands.registerCommand(CommandId.ExportHar, async (arg?: { uri?: vscode.Uri; redact?: boolean }) => {
      if (!capture.snapshot()) {
        void vscode.window.showInformationMessage('Session Lens: nothing to export yet. Start a capture or import a HAR first.');
        return undefined;
      }
      let redact = arg?.redact;
      if (redact === undefined) {
        const choice = await vscode.window.showQuickPick([
          { label: 'Redact cookie and token values', description: 'recommended: safe to share', redact: true },
          { label: 'Include values', description: 'the file will contain live session tokens', redact: false },
        ], { title: 'Session Lens: Export HAR' });
        if (!choice) return undefined;
        redact = choice.redact;
      }
      const uri = arg?.uri ?? await vscode.window.showSaveDialog({ title: 'Session Lens: Export HAR', filters: { 'HTTP Archive': ['har'] }, saveLabel: 'Export' });
      if (!uri) return undefined;
      const har = await capture.exportHar(redact);
      if (har === undefined) return undefined;
      try {
        // A HAR holds live session values: owner-only, and replaced whole or not at all.
        if (uri.scheme === 'file') await writeSecretFileAtomic(uri.fsPath, har.text);
        else await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(har.text));
      } catch (err) {
        void vscode.window.showErrorMessage(`Session Lens could not export to ${path.basename(uri.path)}: ${message(err)}`);
        return undefined;
      }
      log.info(`exported ${har.exchanges} requests to ${uri.fsPath}${redact ? ' (values redacted)' : ' (values included)'}`);
      if (har.dropped > 0) {
        const note = `The export has the last ${har.exchanges} requests: ${har.dropped} older ones had already been dropped from memory (sessionLens.capture.maxExchanges) and are not in ${path.basename(uri.path)}.`;
        log.warn(note);
        void vscode.window.showWarningMessage(`Session Lens: ${note}`);
      }
      return uri;
    }),

    vscode.commands.registerCommand(CommandId.ClearSession, () => {
      capture.clear();
    }),
  ];
}
