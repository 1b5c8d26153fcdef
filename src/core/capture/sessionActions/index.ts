/** Requests Session Lens sends itself through the capture proxy: keep-alive and the OAuth refresh grant. Loopback targets only. */
export { SessionActionError, requireLoopbackTarget, sendOwnRequest, type OwnRequestResult, type ProxyForActions } from './ownRequest';
export { FALLBACK_KEEP_ALIVE_MS, MIN_KEEP_ALIVE_MS, SessionKeepAlive, checkKeepAlivePath, defaultKeepAliveInterval, defaultKeepAliveRequest, keepAliveWhenReady, type KeepAliveOptions, type PendingKeepAlive } from './keepAlive';
export { findRefreshableToken, refreshGrant, refreshOAuthToken, type RefreshGrant, type RefreshableToken } from './oauthRefresh';
