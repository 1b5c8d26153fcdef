// Entry of dist/engines/jwt.js, loaded on the first Decode/Verify: decoding, findings, report, and verification with jose.
export { analyzeJwt, cleanTokenInput, decodeJwt, jwtSummary, jwtTextReport, parseKeyInput, verifyJwt, weakSecretFinding } from '../../core/jwt/index';
export type { KeyInput, VerifyResult } from '../../core/jwt/index';
