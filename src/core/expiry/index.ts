/** The expiry model behind the countdowns: plain data plus a pure `stateAt`. */
export { buildExpiryModel } from './expiryModel';
export type { ExpiryModel, ExpiryModelOptions, ExpirySourceData } from './expiryModel';
export { remainingMs, stateAt } from './expiryState';
export type { CredentialExpiry, CredentialType, ExpiryKind, ExpirySource, ExpiryState } from './expiryState';
export { DEFAULT_SKEW_THRESHOLD_MS, clockSkewByHost, estimateClockSkew } from './clockSkew';
export type { ClockSkew } from './clockSkew';
export { MAX_COOKIE_LIFETIME_MS, cookieIssuanceExpiry, jwtTimes } from './credentialTimes';
export type { CookieIssuanceExpiry, JwtTimes } from './credentialTimes';
export { IncrementalExpiryModel } from './incrementalExpiryModel';
