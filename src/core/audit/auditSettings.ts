/**
 * What the traffic audit can be told by the user. Mirrors the `sessionLens.*` settings that feed
 * it; every field has a safe default so callers may pass a partial object (or nothing).
 */
export interface AuditSettings {
  /** A session/auth cookie living longer than this (seconds) fires `cookie-long-lifetime`. Default 30 days. */
  readonly maxSessionCookieLifetimeSec: number;
  /** A JWT with `exp - iat` above this (seconds) fires `jwt-long-lifetime`. Default 24 hours. */
  readonly maxTokenLifetimeSec: number;
  /** Extra cookie names to treat as session cookies (exact, case-insensitive; `*` is a wildcard). */
  readonly sessionCookieNames: readonly string[];
  /** Words in a request path (or form) that make an exchange an authentication (login) step. */
  readonly loginPathWords: readonly string[];
  /** Words in a request path that make an exchange a logout. */
  readonly logoutPathWords: readonly string[];
}

/** Defaults used for every field the caller leaves out. */
export const DEFAULT_AUDIT_SETTINGS: AuditSettings = Object.freeze({
  maxSessionCookieLifetimeSec: 30 * 24 * 3600,
  maxTokenLifetimeSec: 24 * 3600,
  sessionCookieNames: Object.freeze([]) as readonly string[],
  loginPathWords: Object.freeze(['login', 'log-in', 'signin', 'sign-in', 'sign_in', 'logon', 'auth', 'authenticate', 'session', 'sessions', 'token', 'callback']) as readonly string[],
  logoutPathWords: Object.freeze(['logout', 'log-out', 'log_out', 'signout', 'sign-out', 'sign_out', 'logoff']) as readonly string[],
});

/**
 * What callers may pass: any subset of {@link AuditSettings}, or the extension's setting names
 * (`sessionLens.maxSessionCookieLifetime`, `maxTokenLifetime`, `loginPaths`, `logoutPaths`), whose
 * path lists ADD words to the built-in ones instead of replacing them.
 */
export type AuditSettingsInput = Partial<AuditSettings> & {
  /** Seconds; same as `maxSessionCookieLifetimeSec`. */
  readonly maxSessionCookieLifetime?: number;
  /** Seconds; same as `maxTokenLifetimeSec`. */
  readonly maxTokenLifetime?: number;
  /** Extra login words, added to `loginPathWords`. */
  readonly loginPaths?: readonly string[];
  /** Extra logout words, added to `logoutPathWords`. */
  readonly logoutPaths?: readonly string[];
};

/** Settings objects this module produced: resolving them again returns them as they are. */
const resolved = new WeakSet<AuditSettings>();

function positiveNumber(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

function stringList(value: unknown, fallback: readonly string[]): readonly string[] {
  if (!Array.isArray(value)) return fallback;
  return value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
}

/**
 * Fills in defaults and drops invalid values (negative numbers, non-strings), so a broken setting
 * falls back to the default rather than disabling a rule or throwing.
 */
export function resolveAuditSettings(partial: AuditSettingsInput | undefined = {}): AuditSettings {
  if (partial && resolved.has(partial as AuditSettings)) return partial as AuditSettings;
  const p = (partial ?? {}) as Record<string, unknown>;
  const words = (base: unknown, extra: unknown, fallback: readonly string[]): readonly string[] => {
    const list = stringList(base, fallback);
    const more = stringList(extra, []);
    return more.length === 0 ? list : [...list, ...more.filter((w) => !list.includes(w))];
  };
  const out: AuditSettings = Object.freeze({
    maxSessionCookieLifetimeSec: positiveNumber(p.maxSessionCookieLifetimeSec ?? p.maxSessionCookieLifetime, DEFAULT_AUDIT_SETTINGS.maxSessionCookieLifetimeSec),
    maxTokenLifetimeSec: positiveNumber(p.maxTokenLifetimeSec ?? p.maxTokenLifetime, DEFAULT_AUDIT_SETTINGS.maxTokenLifetimeSec),
    sessionCookieNames: stringList(p.sessionCookieNames, DEFAULT_AUDIT_SETTINGS.sessionCookieNames),
    loginPathWords: words(p.loginPathWords, p.loginPaths, DEFAULT_AUDIT_SETTINGS.loginPathWords),
    logoutPathWords: words(p.logoutPathWords, p.logoutPaths, DEFAULT_AUDIT_SETTINGS.logoutPathWords),
  });
  resolved.add(out);
  return out;
}
