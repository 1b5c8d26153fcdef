/** The traffic audit: cookie rules on one Set-Cookie, the whole-capture audit, and its incremental form for a growing capture. */
export { auditSession } from './auditSession';
export type { AuditOptions, AuditSource } from './auditSession';
export { IncrementalAudit } from './incrementalAudit';
export type { AuditDelta, TokenLookup } from './incrementalAudit';
export { StoreAudit } from './storeAudit';
export type { AuditChangeOrigin, StoreAuditOptions } from './storeAudit';
export { DEFAULT_AUDIT_SETTINGS, resolveAuditSettings } from './auditSettings';
export type { AuditSettings, AuditSettingsInput } from './auditSettings';
export { DEFAULT_SESSION_COOKIE_NAMES, classifyCookie, cookieValueKind } from './classifyCookie';
export type { ClassifyCookieOptions, CookieClassification, CookieValueKind } from './classifyCookie';
export { MAX_COOKIE_LIFETIME_SEC, auditParsedSetCookie, auditSetCookie, cookieLifetimeSec, isDeletion } from './cookieRules';
export type { CookieRuleContext } from './cookieRules';
export type { JwtAnalyzer } from './jwtTrafficFindings';
export { estimateSessionIdEntropy, sessionIdPart } from './sessionIdEntropy';
export type { EntropyEstimate } from './sessionIdEntropy';
