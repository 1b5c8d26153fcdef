import * as vscode from 'vscode';
import type { Exchange } from '../../core/session/types';
import type { CaptureService } from '../captureService';
import { CommandId } from '../commandIds';
// In the capture engine bundle (tough-cookie): loaded already whenever there is a session.
import { captureEngine } from '../engines/index';

/** The context key that is true while there is a session (captured or imported) to act on. */
export const HAS_SESSION_CONTEXT = 'sessionLens.hasSession';

function noSession(): undefined {
  void vscode.window.showInformationMessage('Session Lens: nothing captured yet. Start a capture or import a HAR first.');
  return undefined;
}

async function pickExchange(exchanges: readonly Exchange[]): Promise<Exchange | undefined> {
  const items = [...exchanges].reverse().filter((e) => e.state !== 'pending').map((e) => ({
    label: `${e.method} ${e.path.length > 120 ? `${e.path.slice(0, 117)}…` : e.path}`,
    description: e.status !== undefined ? String(e.status) : e.state,
    detail: new Date(e.startedAt).toLocaleTimeString(),
    exchange: e,
  }));
  const pick = await vscode.window.showQuickPick(items, { title: 'Session Lens: Copy Request as curl', placeHolder: 'The request to replay with the current cookies and Authorization', matchOnDescription: true });
  return pick?.exchange;
}

/** A value as the quick pick shows it: its first and last characters only (the panel masks values too). */
function masked(value: string): string {
  return value.length <= 8 ? '•'.repeat(value.length) : `${value.slice(0, 4)}…${value.slice(-2)} (${value.length} characters)`;
}

/**
 * Copy Request as curl…, Copy Cookies as cookies.txt and Copy Cookie or Token Value…: the session as something other tools
 * replay. Both put live values on the clipboard, only when the user asks, and say so.
 */
export function registerReplayCommands(capture: CaptureService): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandId.CopyAsCurl, async (exchangeId?: unknown): Promise<string | undefined> => {
      const snapshot = capture.snapshot();
      if (!snapshot || snapshot.exchanges.length === 0) return noSession();
      // An exchange id (from the panel), "METHOD /path" (the newest such request: keybindings, scripts), or a pick.
      const exchange = typeof exchangeId === 'number' ? snapshot.exchanges.find((e) => e.id === exchangeId)
        : typeof exchangeId === 'string' ? [...snapshot.exchanges].reverse().find((e) => `${e.method} ${e.path}` === exchangeId)
          : await pickExchange(snapshot.exchanges);
      if (!exchange) {
        if (exchangeId !== undefined) void vscode.window.showWarningMessage('Session Lens: that request is no longer in the session (older requests are dropped after sessionLens.capture.maxExchanges).');
        return undefined;
      }
      let origin: string;
      try {
        origin = new URL(exchange.upstreamUrl ?? exchange.url).origin;
      } catch {
        return undefined;
      }
      const { currentAuthorization, curlCommand } = captureEngine();
      const authorization = currentAuthorization(snapshot.exchanges, origin);
      const { command, notes } = curlCommand(exchange, { jar: snapshot.cookies, now: Date.now(), ...(authorization !== undefined ? { authorization } : {}) });
      await vscode.env.clipboard.writeText(command);
      void vscode.window.showInformationMessage(`Session Lens: copied ${exchange.method} ${exchange.path.split('?')[0]} as curl with the current session cookies${authorization !== undefined ? ' and Authorization' : ''} (values in the clear).${notes.length ? ` Note: ${notes.join('; ')}.` : ''}`);
      return command;
    }),
    vscode.commands.registerCommand(CommandId.CopyValue, async (name?: unknown): Promise<string | undefined> => {
      const snapshot = capture.snapshot();
      if (!snapshot || (snapshot.cookies.length === 0 && snapshot.tokens.length === 0)) return noSession();
      const items = [
        ...snapshot.cookies.map((c) => ({ label: c.name, description: `cookie · ${c.domain}${c.path}`, detail: masked(c.value), value: c.value })),
        ...[...snapshot.tokens].reverse().map((t) => ({ label: t.name, description: `${t.kind} · from ${t.source}`, detail: masked(t.value), value: t.value })),
      ];
      // A name (keybindings, scripts): the cookie of that name, else the newest token of that name.
      const pick = typeof name === 'string' ? items.find((i) => i.label === name)
        : await vscode.window.showQuickPick(items, { title: 'Session Lens: Copy Cookie or Token Value', placeHolder: 'The cookie or token whose value to copy (in the clear)', matchOnDescription: true });
      if (!pick) {
        if (name !== undefined) void vscode.window.showWarningMessage('Session Lens: no cookie or token of that name in the session.');
        return undefined;
      }
      await vscode.env.clipboard.writeText(pick.value);
      void vscode.window.showInformationMessage(`Session Lens: copied the value of ${pick.label} (${pick.description.split(' · ')[0]}; in the clear).`);
      return pick.value;
    }),
    vscode.commands.registerCommand(CommandId.CopyCookiesTxt, async (): Promise<string | undefined> => {
      const snapshot = capture.snapshot();
      if (!snapshot) return noSession();
      const text = captureEngine().toCookiesTxt(snapshot.cookies, Date.now());
      const count = text.split('\n').filter((l) => l !== '' && (!l.startsWith('#') || l.startsWith('#HttpOnly_'))).length;
      await vscode.env.clipboard.writeText(text);
      void vscode.window.showInformationMessage(`Session Lens: copied ${count} live cookie${count === 1 ? '' : 's'} in cookies.txt format (for curl -b FILE or wget --load-cookies; values in the clear).`);
      return text;
    }),
  ];
}
