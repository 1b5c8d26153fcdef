/** The traffic audit: cookie rules on one Set-Cookie, and the whole-capture audit. */
export { auditSession } from './auditSession';
export type { AuditOptions, AuditSource } from './auditSession';
export { DEFAULT_AUDIT_SETTINGS, resolveAuditSettings } from './auditSettings';
export type { AuditSettings, AuditSettingsInput } from './auditSettings';
export { DEFAULT_SESSION_COOKIE_NAMES, classifyCookie, cookieValueKind } from './classifyCookie';
export type { ClassifyCookieOptions, CookieClassification, CookieValueKind } from './classifyCookie';
export { MAX_COOKIE_LIFETIME_SEC, auditParsedSetCookie, auditSetCookie, cookieLifetimeSec, isDeletion } from './cookieRules';
export type { CookieRuleContext } from './cookieRules';
export type { JwtAnalyzer } from './jwtTrafficFindings';
export { estimateSessionIdEntropy, sessionIdPart } from './sessionIdEntropy';
export type { EntropyEstimate } from './sessionIdEntropy';
