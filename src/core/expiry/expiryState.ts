/**
 * The data a countdown is drawn from, and the pure function that turns it into a state at any
 * instant. This file imports nothing, so the webview (which may not import src/core) can carry
 * an identical copy in src/shared and tick every second without asking the extension host.
 */

/** What bounds a credential's life. */
export type ExpiryKind =
  /** A fixed instant (Max-Age/Expires issued once, JWT exp, OAuth expires_in). */
  | 'absolute'
  /** A rolling (idle) timeout: the server re-issues a later expiry on each response. */
  | 'idle'
  /** A browser-session cookie: lives until the browser session ends. */
  | 'session'
  /** Nothing known bounds it (a JWT without exp, a cookie set before the capture). */
  | 'none';

/** Where a credential stands at an instant. */
export type ExpiryState = 'valid' | 'expiring-soon' | 'expired' | 'not-yet-valid';

/** The kind of credential. */
export type CredentialType = 'cookie' | 'jwt' | 'oauth-token' | 'token';

/** Which attribute or claim the expiry comes from. */
export type ExpirySource = 'max-age' | 'expires' | 'jwt-exp' | 'expires-in' | 'browser-session' | 'unknown';

/** When one credential dies, as plain data. All instants are epoch ms on the LOCAL clock unless named server*. */
export interface CredentialExpiry {
  /** Stable id: `cookie:<domain>;<path>;<name>` or `token:<id>`. Never contains the secret value. */
  readonly id: string;
  readonly type: CredentialType;
  /** What to show: cookie name, or token kind and where it travels. Never the value. */
  readonly label: string;
  readonly kind: ExpiryKind;
  readonly source: ExpirySource;
  /** When it stops working, local clock, corrected for server clock skew: the earlier of the idle and absolute limits. */
  readonly expiresAt?: number;
  /** The same instant on the server's clock (what Expires/exp literally say). */
  readonly serverExpiresAt?: number;
  /** JWT nbf on the local clock, corrected for skew. */
  readonly notBefore?: number;
  /** When it was (last) issued or first seen, local clock. */
  readonly issuedAt: number;
  /** Correction applied: server clock minus local clock (0 when none was needed). */
  readonly skewMs: number;
  /** Rolling timeout length, when the server re-issues the credential with a later expiry. */
  readonly idleTimeoutMs?: number;
  /** Hard limit that re-issuing does not extend (fixed expiry, JWT exp inside a cookie), local clock. */
  readonly absoluteExpiresAt?: number;
  /** `expiring-soon` starts this long before `expiresAt`. */
  readonly expiringSoonMs: number;
  /** The server deleted it (Max-Age=0, past Expires). */
  readonly deleted: boolean;
  /** The state when the model was built; use {@link stateAt} for any other instant. */
  readonly state: ExpiryState;
  /** Human explanations: which attribute won, skew correction, rolling detection, deletion. */
  readonly notes: readonly string[];
  /** Exchange that issued (or first carried) it. */
  readonly exchangeId?: number;
}

/** The state of a credential at `now` (epoch ms, local clock). Pure. */
export function stateAt(expiry: Pick<CredentialExpiry, 'deleted' | 'notBefore' | 'expiresAt' | 'expiringSoonMs'>, now: number): ExpiryState {
  if (expiry.deleted) return 'expired';
  if (expiry.notBefore !== undefined && now < expiry.notBefore) return 'not-yet-valid';
  if (expiry.expiresAt === undefined) return 'valid';
  if (now >= expiry.expiresAt) return 'expired';
  if (expiry.expiresAt - now <= expiry.expiringSoonMs) return 'expiring-soon';
  return 'valid';
}

/** Milliseconds left at `now` (negative once expired), or undefined when nothing bounds it. Pure. */
export function remainingMs(expiry: Pick<CredentialExpiry, 'expiresAt'>, now: number): number | undefined {
  return expiry.expiresAt === undefined ? undefined : expiry.expiresAt - now;
}
