/**
 * Timings of the JWT and signed-cookie code paths that run on every captured token.
 * Run: npx tsx bench/jwt/run.ts   (prints figures; budgets from issue 4: weak-secret check well
 * under 50 ms per token, nothing in decode/analyze/signed-cookie decoding over 100 ms).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { analyzeJwt } from '../../src/core/jwt/analyze';
import { decodeJwt } from '../../src/core/jwt/decode';
import { findWeakSecret, MAX_WEAK_SECRET_TOKEN_LENGTH } from '../../src/core/jwt/findWeakSecret';
import { WEAK_SECRETS } from '../../src/core/jwt/weakSecrets';
import { decodeSignedCookie, findWeakSessionSecret } from '../../src/core/signedCookies';
import { quantile, sampleMs } from '../timing';

const b64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function hs(alg: string, hash: string, payload: unknown, secret: Buffer | string): string {
  const input = `${b64({ alg, typ: 'JWT' })}.${b64(payload)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

function time(label: string, runs: number, fn: () => void): void {
  const samples = sampleMs(runs, 20, fn);
  console.log(`${label.padEnd(58)} median ${quantile(samples, 0.5, 3)} ms  p99 ${quantile(samples, 0.99, 3)} ms  max ${quantile(samples, 1, 3)} ms`);
}

const claims = { sub: 'user-1', iss: 'https://issuer.test', aud: 'api', iat: 1_700_000_000, exp: 1_700_000_900, roles: ['a', 'b'] };
const big = { ...claims, blob: 'x'.repeat(3000) };
const strong = randomBytes(32);

console.log(`weak-secret dictionary: ${WEAK_SECRETS.length} entries\n`);
for (const [alg, hash] of [['HS256', 'sha256'], ['HS384', 'sha384'], ['HS512', 'sha512']]) {
  time(`findWeakSecret ${alg}, no match (full scan), small token`, 300, () => findWeakSecret(hs(alg, hash, claims, strong)));
  time(`findWeakSecret ${alg}, no match (full scan), 4 KB token`, 100, () => findWeakSecret(hs(alg, hash, big, strong)));
}
time(`findWeakSecret HS256, ${MAX_WEAK_SECRET_TOKEN_LENGTH / 1024} KiB token (largest tried)`, 20, () => findWeakSecret(hs('HS256', 'sha256', { d: 'y'.repeat(Math.floor((MAX_WEAK_SECRET_TOKEN_LENGTH * 3) / 4) - 200) }, strong)));
time('decodeJwt, small token', 2000, () => decodeJwt(hs('HS256', 'sha256', claims, strong)));
time('analyzeJwt with weak-secret check, small token', 500, () => analyzeJwt(hs('HS256', 'sha256', claims, strong)));
time('analyzeJwt, 1 MiB payload (decoder size limit)', 5, () => analyzeJwt(`${b64({ alg: 'RS256' })}.${'A'.repeat(1024 * 1024 - 100)}.c2ln`));

const flaskLike = `.${deflateSync(JSON.stringify({ notes: 'lorem '.repeat(500) })).toString('base64url')}.awI4bw.${'A'.repeat(27)}`;
time('decodeSignedCookie, compressed Flask-style cookie', 1000, () => decodeSignedCookie('session', flaskLike));
const bomb = `.${deflateSync(Buffer.alloc(32 * 1024 * 1024)).toString('base64url')}.awI4bw.${'A'.repeat(27)}`;
console.log(`zip bomb: ${bomb.length} characters of cookie expanding to 32 MiB`);
time('decodeSignedCookie, zip bomb (refused at 1 MiB)', 20, () => decodeSignedCookie('session', bomb));

time('findWeakSessionSecret, express-session id (full scan)', 100, () => findWeakSessionSecret('connect.sid', `s:abcdefghijklmnopqrstuvwxyz012345.${'C'.repeat(43)}`));
time('findWeakSessionSecret, Flask cookie (4 schemes, full scan)', 50, () => findWeakSessionSecret('session', `eyJhIjoxfQ.awI4bw.${'A'.repeat(27)}`));
time('findWeakSessionSecret, Django value (4 schemes, full scan)', 50, () => findWeakSessionSecret('sessionid', `eyJhIjoxfQ:1xUvWh:${'B'.repeat(43)}`));

// Worst case over random and near-valid inputs, as in the unit fuzz tests.
let worst = { ms: 0, what: '' };
fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 5000 }), fc.jsonValue().map((v) => `${b64({ alg: 'HS256', crit: ['x'] })}.${b64(v)}.${'A'.repeat(43)}`)), (input) => {
  const t0 = performance.now();
  analyzeJwt(input);
  decodeSignedCookie('session', input);
  const ms = performance.now() - t0;
  if (ms > worst.ms) worst = { ms, what: input.slice(0, 40) };
}), { numRuns: 5000 });
console.log(`\nfuzz worst case (analyzeJwt + decodeSignedCookie, 5000 inputs): ${worst.ms.toFixed(3)} ms for ${JSON.stringify(worst.what)}`);
