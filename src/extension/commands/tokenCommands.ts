import * as vscode from 'vscode';
import { findJwtsInText, isJwtShaped } from '../../core/jwt/detect';
import { CommandId } from '../commandIds';
import { readSettings } from '../config';
import { jwtEngine } from '../engines/index';
import type { KeyStore } from '../keyStore';
import type { TokenDocuments } from '../tokenDocuments';
import type { WeakSecretChecker } from '../weakSecretChecker';

/** A token from the selection, or the JWT under the cursor, in the active editor. */
function tokenFromEditor(): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const selected = editor.document.getText(editor.selection).trim();
  if (selected) return selected;
  const line = editor.document.lineAt(editor.selection.active.line).text;
  const col = editor.selection.active.character;
  for (const jwt of findJwtsInText(line)) {
    const at = line.indexOf(jwt);
    if (col >= at && col <= at + jwt.length) return jwt;
  }
  return undefined;
}

/**
 * The token to work on: the JWT selected or under the cursor; otherwise an input box that offers
 * the clipboard's JWT. The box shows at once and takes the clipboard when it arrives (a browser
 * host such as code-server may wait on a permission for it), unless the user typed already.
 */
async function askForToken(title: string): Promise<string | undefined> {
  const fromEditor = tokenFromEditor();
  const clean = (s: string) => s.replace(/^bearer\s+/i, '').replace(/^["']|["']$/g, '');
  if (fromEditor && isJwtShaped(clean(fromEditor))) return fromEditor;
  const box = vscode.window.createInputBox();
  box.title = title;
  box.prompt = 'Paste a JWT (a "Bearer " prefix and quotes are ignored)';
  box.value = fromEditor ?? '';
  box.ignoreFocusOut = true;
  const initial = box.value;
  return new Promise<string | undefined>((resolve) => {
    let done = false;
    const finish = (value: string | undefined) => {
      if (done) return;
      done = true;
      resolve(value);
      box.dispose();
    };
    box.onDidAccept(() => finish(box.value));
    box.onDidHide(() => finish(undefined));
    box.show();
    vscode.env.clipboard.readText().then((text) => {
      const clip = text.trim();
      if (done || box.value !== initial || !isJwtShaped(clean(clip))) return;
      box.value = clip;
      box.prompt = 'The JWT from the clipboard: press Enter to use it, or paste another (a "Bearer " prefix and quotes are ignored)';
    }, () => undefined /* no clipboard in this environment */);
  });
}

/** Where decoded and verified tokens show up besides their text document: the Session panel's token view. */
export interface TokenPanel {
  /** Lists a decoded JWT in the panel and shows it there. */
  showDecoded(token: string): void;
  /** Keeps the outcome of a signature check next to the token. */
  verified(token: string, signature: string, message: string): void;
}

/** Decode JWT…, Verify JWT Signature…, Forget Stored Verification Keys. */
export function registerTokenCommands(docs: TokenDocuments, keys: KeyStore, weakSecrets: WeakSecretChecker, panel?: TokenPanel): vscode.Disposable[] {
  let lastToken: string | undefined;

  async function report(token: string, verification?: import('../engines/jwtEngine').VerifyResult): Promise<{ text: string; ok: boolean }> {
    const jwt = jwtEngine();
    const decoded = jwt.decodeJwt(token);
    if (decoded.kind === 'malformed') return { text: decoded.error.message, ok: false };
    const settings = readSettings();
    const findings = jwt.analyzeJwt(token, { maxTokenLifetimeSec: settings.maxTokenLifetime, checkWeakSecret: false });
    const weak = await weakSecrets.check(jwt.cleanTokenInput(token));
    if (weak) findings.unshift(jwt.weakSecretFinding(weak));
    return { text: jwt.jwtTextReport(decoded, Date.now(), verification, findings), ok: true };
  }

  return [
    vscode.commands.registerCommand(CommandId.DecodeToken, async (tokenArg?: unknown) => {
      const token = typeof tokenArg === 'string' ? tokenArg : await askForToken('Session Lens: Decode JWT');
      if (!token) return undefined;
      const { text, ok } = await report(token);
      if (!ok) {
        void vscode.window.showErrorMessage(`Session Lens: not a JWT: ${text}`);
        return undefined;
      }
      lastToken = token;
      const uri = await docs.show('Decoded JWT', text);
      panel?.showDecoded(jwtEngine().cleanTokenInput(token));
      return uri;
    }),

    vscode.commands.registerCommand(CommandId.VerifyToken, async (tokenArg?: unknown, keyArg?: unknown) => {
      const token = typeof tokenArg === 'string' ? tokenArg : lastToken ?? await askForToken('Session Lens: Verify JWT Signature');
      if (!token) return undefined;
      let keyText = typeof keyArg === 'string' ? keyArg : undefined;
      if (keyText === undefined) {
        type Item = vscode.QuickPickItem & { name?: string; paste?: boolean; file?: boolean };
        const items: Item[] = [
          ...keys.names().map((name) => ({ label: `$(key) ${name}`, description: 'stored in VS Code secret storage', name })),
          { label: '$(clippy) Paste a secret, PEM, JWK or JWKS…', paste: true },
          { label: '$(file) Use a key file…', file: true },
        ];
        const pick = await vscode.window.showQuickPick(items, { title: 'Session Lens: Verify JWT Signature', placeHolder: 'Which key verifies the token?' });
        if (!pick) return undefined;
        if (pick.name) keyText = await keys.get(pick.name);
        else if (pick.file) {
          const uri = (await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Key file (PEM, JWK, JWKS or secret)' }))?.[0];
          if (!uri) return undefined;
          keyText = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        } else {
          keyText = await vscode.window.showInputBox({ title: 'Session Lens: Verify JWT Signature', prompt: 'Shared secret (UTF-8, or base64url:… / base64:…), PEM public key or certificate, JWK, JWKS, or a JWKS URL on localhost', password: true, ignoreFocusOut: true });
          if (!keyText) return undefined;
          const name = await vscode.window.showInputBox({ title: 'Remember this key?', prompt: 'A name to keep it under in VS Code secret storage (leave empty to use it once)', ignoreFocusOut: true });
          if (name) await keys.store(name, keyText);
        }
      }
      if (!keyText) return undefined;
      const jwt = jwtEngine();
      const parsed = jwt.parseKeyInput(keyText);
      if (!parsed.ok) {
        void vscode.window.showErrorMessage(`Session Lens: ${parsed.error}`);
        return undefined;
      }
      const verification = await jwt.verifyJwt(token, parsed.key);
      const { text, ok } = await report(token, verification);
      if (!ok) {
        void vscode.window.showErrorMessage(`Session Lens: not a JWT: ${text}`);
        return undefined;
      }
      lastToken = token;
      panel?.verified(jwtEngine().cleanTokenInput(token), verification.signature, verification.signature === 'valid' ? verification.timeMessage : verification.signatureMessage);
      await docs.show('Verified JWT', text);
      const verdict = verification.signature === 'valid' ? 'signature is valid' : `signature ${verification.signature}: ${verification.signatureMessage}`;
      void (verification.signature === 'valid' ? vscode.window.showInformationMessage(`Session Lens: ${verdict}. ${verification.timeMessage}`) : vscode.window.showWarningMessage(`Session Lens: ${verdict}`));
      return verification;
    }),

    vscode.commands.registerCommand(CommandId.ForgetKeys, async () => {
      const n = await keys.forgetAll();
      void vscode.window.showInformationMessage(`Session Lens forgot ${n} stored verification key${n === 1 ? '' : 's'}.`);
      return n;
    }),
  ];
}
