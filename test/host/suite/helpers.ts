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
