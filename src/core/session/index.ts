/**
 * The session model: exchanges, cookies with their history, tokens, the store that holds them
 * and the plain-data types every reader uses. Capture sources (the proxy, HAR import, the
 * browser) write into a SessionStore; the audit, the expiry model, the panel and the CLI read
 * from it. Nothing here knows how traffic was captured.
 */
export * from './types';
export { SessionStore, type SessionStoreOptions, type RequestInput, type ResponseInput, type FinishInput } from './sessionStore';
export { type BodyInput, DEFAULT_PREVIEW_BYTES } from './bodyPreview';
export { DEFAULT_TOKEN_HEADERS, jwtExpiry } from './tokenExtractor';
export { cookiesSeen, type CookieSeen, type CookieSeenState } from './cookiesSeen';
export { summarizeChanges } from './changeFeed';
export type * from './changeFeed';
