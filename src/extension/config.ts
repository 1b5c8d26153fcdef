import * as vscode from 'vscode';
import { DEFAULT_SETTINGS, type SessionLensSettings } from '../shared/settings';

function num(c: vscode.WorkspaceConfiguration, key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = c.get<number>(key, fallback);
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : fallback;
}

function bool(c: vscode.WorkspaceConfiguration, key: string, fallback: boolean): boolean {
  const v = c.get<boolean>(key, fallback);
  return typeof v === 'boolean' ? v : fallback;
}

function str(c: vscode.WorkspaceConfiguration, key: string, fallback: string): string {
  const v = c.get<string>(key, fallback);
  return typeof v === 'string' ? v.trim() : fallback;
}

function strings(c: vscode.WorkspaceConfiguration, key: string, fallback: readonly string[]): readonly string[] {
  const v = c.get<unknown>(key, fallback);
  return Array.isArray(v) ? v.filter((h): h is string => typeof h === 'string' && h.trim() !== '').map((h) => h.trim()) : fallback;
}

const RULE_LEVELS = new Set(['off', 'on', 'error', 'warning', 'info']);

function ruleSettings(v: unknown): SessionLensSettings['lintRules'] {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: Record<string, 'off' | 'on' | 'error' | 'warning' | 'info'> = {};
  for (const [k, level] of Object.entries(v as Record<string, unknown>)) {
    if (typeof level === 'string' && RULE_LEVELS.has(level)) out[k] = level as 'off';
    else if (level === false) out[k] = 'off';
    else if (level === true) out[k] = 'on';
  }
  return out;
}

/** Reads the `sessionLens.*` settings into their typed mirror; a bad value falls back to its safe default. */
export function readSettings(scope?: vscode.ConfigurationScope): SessionLensSettings {
  const c = vscode.workspace.getConfiguration('sessionLens', scope);
  const d = DEFAULT_SETTINGS;
  return {
    maskValues: bool(c, 'maskValues', d.maskValues),
    expiringSoonSeconds: num(c, 'expiringSoonSeconds', d.expiringSoonSeconds, 0),
    target: str(c, 'target', d.target),
    proxyPort: num(c, 'proxy.port', d.proxyPort, 0, 65535),
    proxyBindAddress: str(c, 'proxy.bindAddress', d.proxyBindAddress) || d.proxyBindAddress,
    proxyAllowNonLoopback: bool(c, 'proxy.allowNonLoopback', d.proxyAllowNonLoopback),
    proxyRewriteHost: bool(c, 'proxy.rewriteHost', d.proxyRewriteHost),
    proxyRequireValidCertificates: bool(c, 'proxy.requireValidCertificates', d.proxyRequireValidCertificates),
    proxyPreviewBytes: num(c, 'proxy.previewBytes', d.proxyPreviewBytes, 0, 64 * 1024 * 1024),
    proxyResponseTimeoutSeconds: num(c, 'proxy.responseTimeoutSeconds', d.proxyResponseTimeoutSeconds, 0),
    proxyRequestBodyTimeoutSeconds: num(c, 'proxy.requestBodyTimeoutSeconds', d.proxyRequestBodyTimeoutSeconds, 0),
    proxyIdleTimeoutSeconds: num(c, 'proxy.idleTimeoutSeconds', d.proxyIdleTimeoutSeconds, 0),
    proxyStopGraceSeconds: num(c, 'proxy.stopGraceSeconds', d.proxyStopGraceSeconds, 0, 600),
    captureMaxExchanges: num(c, 'capture.maxExchanges', d.captureMaxExchanges, 10, 1_000_000),
    captureTokenHeaders: strings(c, 'capture.tokenHeaders', d.captureTokenHeaders),
    maxSessionCookieLifetime: num(c, 'maxSessionCookieLifetime', d.maxSessionCookieLifetime, 1),
    maxTokenLifetime: num(c, 'maxTokenLifetime', d.maxTokenLifetime, 1),
    sessionCookieNames: strings(c, 'sessionCookieNames', d.sessionCookieNames),
    loginPaths: strings(c, 'loginPaths', d.loginPaths),
    logoutPaths: strings(c, 'logoutPaths', d.logoutPaths),
    lintEnable: bool(c, 'lint.enable', d.lintEnable),
    lintRules: ruleSettings(c.get<unknown>('lint.rules', d.lintRules)),
    lintExclude: strings(c, 'lint.exclude', d.lintExclude),
    lintLanguages: strings(c, 'lint.languages', d.lintLanguages),
    maxSessionIdleTimeout: num(c, 'maxSessionIdleTimeout', d.maxSessionIdleTimeout, 1),
    browserExecutable: str(c, 'browser.executable', d.browserExecutable),
    browserCaptureDebugSessions: oneOf(c, 'browser.captureDebugSessions', ['ask', 'always', 'never'] as const, d.browserCaptureDebugSessions),
  };
}

/** A setting that must be one of `choices`; the default otherwise. */
function oneOf<T extends string>(c: vscode.WorkspaceConfiguration, key: string, choices: readonly T[], fallback: T): T {
  const v = c.get<unknown>(key, fallback);
  return typeof v === 'string' && (choices as readonly string[]).includes(v) ? v as T : fallback;
}

/** Calls `listener` when any `sessionLens.*` setting changes. */
export function onDidChangeSettings(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('sessionLens')) listener();
  });
}
