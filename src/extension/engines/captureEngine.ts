// Entry of dist/engines/capture.js, loaded on first capture or HAR import: proxy, session store,
// cookie jar (tough-cookie with the public suffix list), HAR, and the traffic audit.
export * from '../../core/capture/index';
export { startBrowserCapture, launchBrowser, parseCdpEndpoint, parseOrigins, BrowserCaptureConfigError, BrowserLaunchError } from '../../core/browser/index';
export { auditSession } from '../../core/audit/auditSession';
export { StoreAudit } from '../../core/audit/storeAudit';
export { classifyCookie } from '../../core/audit/classifyCookie';
export { buildExpiryModel, IncrementalExpiryModel } from '../../core/expiry/index';
export { analyzeJwt, weakSecretFinding } from '../../core/jwt/analyze';
export { decodeSignedCookie } from '../../core/signedCookies/decodeSignedCookie';
export { parseSetCookie } from '../../core/cookies/setCookie';
export { currentAuthorization, curlCommand, toCookiesTxt } from '../../core/replay/index';
export { planProbe, ProbeInputError, withProbeFindings } from '../../core/probe/index';
