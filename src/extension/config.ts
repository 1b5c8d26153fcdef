import * as vscode from 'vscode';
import { DEFAULT_SETTINGS, type SessionLensSettings } from '../shared/settings';

/** Reads the `sessionLens.*` settings into their typed mirror, falling back to safe defaults. */
export function readSettings(scope?: vscode.ConfigurationScope): SessionLensSettings {
  const c = vscode.workspace.getConfiguration('sessionLens', scope);
  const seconds = c.get<number>('expiringSoonSeconds', DEFAULT_SETTINGS.expiringSoonSeconds);
  return {
    maskValues: c.get<boolean>('maskValues', DEFAULT_SETTINGS.maskValues),
    expiringSoonSeconds: Number.isFinite(seconds) && seconds >= 0 ? seconds : DEFAULT_SETTINGS.expiringSoonSeconds,
  };
}

/** Calls `listener` when any `sessionLens.*` setting changes. */
export function onDidChangeSettings(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('sessionLens')) listener();
  });
}
