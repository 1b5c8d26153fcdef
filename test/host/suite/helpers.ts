import * as path from 'node:path';
import * as vscode from 'vscode';

export { type SampleApp, startSampleApp } from '../../support/sampleApp';

export const EXTENSION_ID = 'session-lens.session-lens';

/** The API the extension's activate() returns (see src/extension/extension.ts). */
export interface SessionLensApi {
  readonly activationTimeMs: number;
  isSessionViewResolved(): boolean;
  sessionViewState(): import('../../../src/shared/protocol').SessionViewState;
  statusBarText(): string;
  tokenDocumentText(uri: vscode.Uri): string | undefined;
  refreshTrace(): Promise<void>;
  keepAliveStatusText(): string;
  lintEngineState(): { linters: number; documents: number };
}

export async function sessionLensApi(): Promise<SessionLensApi> {
  const ext = vscode.extensions.getExtension<SessionLensApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);
  return ext.activate();
}

/** Polls `probe` until it returns something truthy. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A path in the repository (the launcher passes its root; the electron launcher runs from it). */
export function repo(...parts: string[]): string {
  return path.join(process.env.SESSION_LENS_REPO ?? path.resolve(__dirname, '..', '..'), ...parts);
}

/**
 * Resolves with `probe(uri's diagnostics)` once it is truthy: checked now and on every change of
 * the diagnostics of `uri` (the event we mean, not a poll). `safetyMs` only turns a hang into a
 * failure with a message.
 */
export function diagnosticsEvent<T>(what: string, uri: vscode.Uri, probe: (diagnostics: vscode.Diagnostic[]) => T | undefined | false, safetyMs = 90_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const value = probe(vscode.languages.getDiagnostics(uri));
      if (value === undefined || value === false) return false;
      finish();
      resolve(value);
      return true;
    };
    const subscription = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`no change of the diagnostics of ${path.basename(uri.fsPath)} brought ${what} (now: ${vscode.languages.getDiagnostics(uri).map((d) => `${d.range.start.line + 1} ${typeof d.code === 'object' ? String(d.code.value) : String(d.code)}`).join(', ') || 'none'})`));
    }, safetyMs);
    function finish(): void {
      clearTimeout(timer);
      subscription.dispose();
    }
    check();
  });
}

/** Keeps the cookies a response sets, as a tiny browser would (name → value). */
export function remember(jar: Map<string, string>, res: Response): void {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
}

/** The Cookie header for the next request from what `remember` kept. */
export const cookieHeader = (jar: Map<string, string>): string => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
