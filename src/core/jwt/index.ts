/** JWT decoding, verification and analysis: the public surface for the CLI and the extension. */
export { cleanTokenInput, decodeJwt, hasClaims, MAX_NESTING_DEPTH, MAX_TOKEN_LENGTH } from './decode';
export type { DecodedJwe, DecodedJws, DecodedJwt, DecodeOptions, JwtPayload, JwtProblem, JwtSegmentName, MalformedJwt, TimeState } from './decode';
export { findJwtsInText, isJwtShaped, jwtShape } from './detect';
export { analyzeDecodedJwt, analyzeJwt, weakSecretFinding, DEFAULT_MAX_TOKEN_LIFETIME_SEC, sensitiveClaims, suspiciousKidReason } from './analyze';
export type { JwtAnalysisContext, TokenLocation } from './analyze';
export { findWeakSecret, MAX_WEAK_SECRET_TOKEN_LENGTH } from './findWeakSecret';
export type { WeakSecretMatch } from './findWeakSecret';
export { WEAK_SECRETS } from './weakSecrets';
export { checkJwksUrl, isLoopbackHost, parseKeyInput, secretKeyInput } from './keyInput';
export type { JsonWebKey, KeyInput, KeyParseResult, ParseKeyOptions, PemType } from './keyInput';
export { SUPPORTED_JWS_ALGORITHMS, verifyJwt } from './verify';
export type { SignatureState, VerifyOptions, VerifyResult } from './verify';
export { describeDuration, describeTime, isoOrUndefined } from './time';
export type { TimeDescription } from './time';
export type { WeakSecretRequest, WeakSecretResponse } from './weakSecretWorker';
export { jwtTextReport } from './report';
export { jwtSummary } from './summary';
export type { JwtSummary } from './summary';
