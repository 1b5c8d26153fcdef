/**
 * Typed mirror of the `sessionLens.*` settings contributed in package.json.
 * Keep the two in step: every key here has a `markdownDescription` there.
 */
export interface SessionLensSettings {
  /** Mask cookie and token values in the panel until the user reveals them. */
  readonly maskValues: boolean;
  /** Seconds before expiry at which a credential counts as "expiring soon". */
  readonly expiringSoonSeconds: number;
}

export const DEFAULT_SETTINGS: SessionLensSettings = {
  maskValues: true,
  expiringSoonSeconds: 300,
};
