/**
 * The rule catalog: every finding Session Lens reports carries one of these stable ids.
 * Source of truth for ids, default severities and documentation links (see docs/rules/).
 */

export type Severity = 'error' | 'warning' | 'info';

/** Where a rule applies: T = captured traffic or HAR, C = source code and config. */
export type RuleMode = 'T' | 'C';

export interface RuleInfo {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly modes: readonly RuleMode[];
  /** The standard or guidance the rule comes from. */
  readonly source: string;
}

/**
 * Base of the rule documentation links; a rule's page is `${base}${id}.md`. Until a host sets it
 * (the CLI: the docs/rules folder of the installed package as a file: URL, or a base URL the user
 * configures) it is the page's path inside the package. No public web address is assumed: the
 * project publishes none.
 */
let ruleDocsBase = 'docs/rules/';

/** Points every finding's `docs` link at `base` (a URL or path ending in '/'). */
export function setRuleDocsBase(base: string): void {
  ruleDocsBase = base.endsWith('/') ? base : `${base}/`;
}

const rules = [
  // Cookies
  { id: 'cookie-missing-secure', title: 'Session cookie without Secure', severity: 'warning', modes: ['T', 'C'], source: 'OWASP ASVS 5.0 3.3.1' },
  { id: 'cookie-missing-httponly', title: 'Session cookie readable by scripts (no HttpOnly)', severity: 'warning', modes: ['T', 'C'], source: 'OWASP ASVS 5.0 3.3.4' },
  { id: 'cookie-missing-samesite', title: 'Cookie without a valid SameSite', severity: 'info', modes: ['T', 'C'], source: 'OWASP ASVS 5.0 3.3.2' },
  { id: 'cookie-samesite-none-insecure', title: 'SameSite=None without Secure', severity: 'error', modes: ['T', 'C'], source: 'RFC 6265bis storage model step 19' },
  { id: 'cookie-prefix-violation', title: '__Secure-/__Host- prefix requirements not met', severity: 'error', modes: ['T', 'C'], source: 'RFC 6265bis storage model steps 20-21' },
  { id: 'cookie-partitioned-insecure', title: 'Partitioned without Secure', severity: 'error', modes: ['T', 'C'], source: 'CHIPS draft' },
  { id: 'cookie-oversize', title: 'Cookie larger than browsers accept', severity: 'warning', modes: ['T'], source: 'RFC 6265bis; OWASP ASVS 5.0 3.3.5' },
  { id: 'cookie-long-lifetime', title: 'Cookie lives too long', severity: 'warning', modes: ['T', 'C'], source: 'OWASP Session Management Cheat Sheet; RFC 6265bis lifetime limits' },
  { id: 'cookie-broad-domain', title: 'Session cookie shared with subdomains or foreign Domain', severity: 'warning', modes: ['T', 'C'], source: 'OWASP Session Management Cheat Sheet; RFC 6265bis steps 9-10' },
  { id: 'cookie-expires-maxage-conflict', title: 'Max-Age and Expires disagree', severity: 'info', modes: ['T'], source: 'RFC 6265bis' },
  { id: 'cookie-invalid-chars', title: 'Cookie contains characters outside cookie-octet', severity: 'warning', modes: ['T'], source: 'RFC 6265bis' },
  { id: 'cookie-cacheable', title: 'Response setting a cookie may be cached', severity: 'info', modes: ['T'], source: 'OWASP Session Management Cheat Sheet' },
  { id: 'cookie-runtime-mismatch', title: 'Cookie seen in traffic differs from the code that sets it', severity: 'warning', modes: ['T', 'C'], source: 'Session Lens: runtime trace of captured traffic to code' },
  { id: 'cookie-default-session-name', title: 'Default session cookie name reveals the stack', severity: 'info', modes: ['T', 'C'], source: 'OWASP Session Management Cheat Sheet' },
  // Sessions
  { id: 'session-fixation', title: 'Session id not renewed on login', severity: 'error', modes: ['T'], source: 'OWASP ASVS 5.0 7.2.4' },
  { id: 'session-not-invalidated-on-logout', title: 'Session not invalidated on logout', severity: 'warning', modes: ['T'], source: 'OWASP Session Management Cheat Sheet, Session Expiration' },
  { id: 'session-id-low-entropy', title: 'Session id with too little entropy', severity: 'warning', modes: ['T'], source: 'OWASP ASVS 5.0 7.2.3' },
  { id: 'session-token-in-url', title: 'Session or access token in the URL', severity: 'error', modes: ['T', 'C'], source: 'OWASP ASVS 4.0.3 3.1.1' },
  { id: 'session-id-meaningful', title: 'Session id carries meaning', severity: 'warning', modes: ['T'], source: 'OWASP Session Management Cheat Sheet' },
  { id: 'session-hardcoded-secret', title: 'Session signing secret written in code', severity: 'error', modes: ['C'], source: 'OWASP ASVS 5.0 13.3' },
  { id: 'session-expiry-not-enforced', title: 'Server accepts an expired session or token', severity: 'error', modes: ['T'], source: 'OWASP ASVS 5.0 7.3.1/7.3.2; RFC 7519 4.1.4' },
  { id: 'session-id-accepted-unissued', title: 'Server adopts a session id it never issued', severity: 'warning', modes: ['T'], source: 'OWASP ASVS 5.0 7.2.4; OWASP Session Management Cheat Sheet, Session ID Generation and Verification (strict session management)' },
  { id: 'session-long-idle-timeout', title: 'Session idle timeout too long', severity: 'warning', modes: ['C'], source: 'OWASP ASVS 5.0 7.3.1' },
  { id: 'csrf-state-change-on-get', title: 'GET request changes the session', severity: 'warning', modes: ['T'], source: 'OWASP ASVS 5.0 3.5.3' },
  { id: 'csrf-protection-disabled', title: 'CSRF protection switched off', severity: 'warning', modes: ['C'], source: 'OWASP ASVS 5.0 3.5.1' },
  { id: 'csrf-token-missing', title: 'State-changing request without CSRF protection', severity: 'warning', modes: ['T'], source: 'OWASP ASVS 5.0 3.5.1' },
  { id: 'cors-credentialed-wildcard', title: 'Credentialed CORS for any origin', severity: 'error', modes: ['T'], source: 'OWASP ASVS 5.0 3.4.2' },
  // JWT
  { id: 'jwt-alg-none', title: 'Unsigned JWT (alg none)', severity: 'error', modes: ['T', 'C'], source: 'RFC 8725 2.1/3.1; OWASP ASVS 5.0 9.1.2' },
  { id: 'jwt-weak-secret', title: 'JWT signed with a well-known secret', severity: 'error', modes: ['T'], source: 'RFC 8725 3.5' },
  { id: 'jwt-no-expiry', title: 'JWT without exp', severity: 'warning', modes: ['T'], source: 'RFC 7519 4.1.4; OWASP JWT Cheat Sheet' },
  { id: 'jwt-expired', title: 'JWT expired or not yet valid', severity: 'info', modes: ['T'], source: 'RFC 7519' },
  { id: 'jwt-long-lifetime', title: 'JWT lives too long', severity: 'warning', modes: ['T', 'C'], source: 'OWASP JWT Cheat Sheet' },
  { id: 'jwt-readable-storage', title: 'JWT in a cookie readable by scripts', severity: 'warning', modes: ['T'], source: 'OWASP JWT Cheat Sheet' },
  { id: 'jwt-header-key', title: 'JWT header carries or points at its own key', severity: 'warning', modes: ['T'], source: 'OWASP ASVS 5.0 9.1.3' },
  { id: 'jwt-suspicious-kid', title: 'Suspicious kid in JWT header', severity: 'warning', modes: ['T'], source: 'RFC 8725 3.10' },
  { id: 'jwt-sensitive-claims', title: 'Sensitive data in readable JWT claims', severity: 'warning', modes: ['T'], source: 'OWASP Session Management and JWT Cheat Sheets' },
  { id: 'jwt-missing-aud', title: 'JWT without audience', severity: 'info', modes: ['T'], source: 'RFC 8725 3.9' },
  { id: 'jwt-missing-iss', title: 'JWT without issuer', severity: 'info', modes: ['T'], source: 'RFC 8725 3.8' },
  { id: 'jwt-encrypted', title: 'Encrypted JWT (JWE)', severity: 'info', modes: ['T'], source: 'RFC 7516' },
  { id: 'jwt-malformed', title: 'Malformed JWT', severity: 'warning', modes: ['T'], source: 'RFC 7515/7519; RFC 8725 successor' },
  { id: 'jwt-verify-disabled', title: 'JWT verification skipped or weakened', severity: 'error', modes: ['C'], source: 'OWASP ASVS 5.0 9.1.1' },
  { id: 'jwt-hardcoded-secret', title: 'JWT secret written in code', severity: 'error', modes: ['C'], source: 'RFC 8725 3.5' },
  { id: 'jwt-algorithm-confusion', title: 'Verifier open to algorithm confusion', severity: 'error', modes: ['C'], source: 'RFC 8725 2.1' },
] as const satisfies readonly RuleInfo[];

export type RuleId = (typeof rules)[number]['id'];

export const RULES: ReadonlyMap<RuleId, RuleInfo> = new Map(rules.map((r) => [r.id, r]));

export function isRuleId(value: string): value is RuleId {
  return RULES.has(value as RuleId);
}

export function ruleInfo(id: RuleId): RuleInfo {
  return RULES.get(id)!;
}

/** The documentation link shown with every finding of the rule. */
export function ruleDocsUrl(id: RuleId): string {
  return `${ruleDocsBase}${id}.md`;
}
