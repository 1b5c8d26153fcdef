/** In-flight rules of the capture proxy: what they are, how they are written as text, and the set the relay applies. */
export * from './inFlightRule';
export { InFlightRules, shortenSetCookie, type InFlightRulesOptions, type RequestRewrite, type ResponseRewrite } from './inFlightRules';
export { parseRuleSpec, RULE_SPEC_GRAMMAR } from './ruleSpec';
export { parseSigningKey, tamperJwt, verifiesWith, type JwtTamper, type SigningKey } from './jwtTamper';
