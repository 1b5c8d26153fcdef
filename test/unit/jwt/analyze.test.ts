import assert from 'node:assert/strict';
import { analyzeJwt, sensitiveClaims, suspiciousKidReason, type JwtAnalysisContext } from '../../../src/core/jwt/analyze';
import { RULES, type RuleId } from '../../../src/core/rules/catalog';
import * as V from '../../fixtures/jwt/vectors';
import { hmacToken, NOW, sec, unsignedToken } from './tokens';

const good = { iss: 'https://issuer.test', aud: 'api', sub: 'u1', iat: sec(NOW) - 60, exp: sec(NOW) + 900 };
const goodToken = hmacToken({ alg: 'HS256', typ: 'JWT', kid: 'key-2024-01' }, good, 'a-long-random-test-secret-9f8e7d6c5b4a');

function ids(token: string, context: JwtAnalysisContext = {}): RuleId[] {
  return analyzeJwt(token, { now: NOW, ...context }).map((f) => f.ruleId);
}

function only(token: string, rule: RuleId, context: JwtAnalysisContext = {}): string {
  const found = analyzeJwt(token, { now: NOW, ...context }).filter((f) => f.ruleId === rule);
  assert.equal(found.length, 1, `${rule} expected once, got ${ids(token, context).join(', ')}`);
  return found[0].message;
}

describe('analyzeJwt', () => {
  it('a well-formed short-lived token with iss/aud has no findings', () => {
    assert.deepEqual(ids(goodToken), []);
  });

  it('findings carry catalog severity, docs link and subject', () => {
    const [f] = analyzeJwt(V.V4, { now: NOW, location: { kind: 'cookie', name: 'auth' } });
    assert.equal(f.ruleId, 'jwt-alg-none');
    assert.equal(f.severity, RULES.get('jwt-alg-none')!.severity);
    assert.match(f.docs, /jwt-alg-none\.md$/);
    assert.equal(f.subject, 'auth');
  });

  describe('jwt-alg-none', () => {
    it('fires for V4, with and without the trailing dot', () => {
      assert.match(only(V.V4, 'jwt-alg-none'), /unsigned \(alg "none"\).*allow-list/);
      only(V.V4.slice(0, -1), 'jwt-alg-none');
    });
    for (const alg of ['None', 'NONE', 'noNE']) {
      it(`fires for alg "${alg}"`, () => only(unsignedToken({ alg }, good), 'jwt-alg-none'));
    }
    it('fires for an HS256 header with an empty signature', () => {
      assert.match(only(unsignedToken({ alg: 'HS256' }, good), 'jwt-alg-none'), /empty signature/);
    });
    it('does not fire for a signed token', () => assert.ok(!ids(goodToken).includes('jwt-alg-none')));
  });

  describe('jwt-weak-secret', () => {
    it('fires for V7 "hello" (secret "secret") and names the secret', () => {
      assert.match(only(V.V7_HELLO_SECRET, 'jwt-weak-secret'), /well-known secret "secret".*openssl rand/);
    });
    for (const [alg, hash] of [['HS256', 'sha256'], ['HS384', 'sha384'], ['HS512', 'sha512']]) {
      it(`fires for ${alg} with "keyboard cat", "your-256-bit-secret", "changeme"`, () => {
        for (const secret of ['keyboard cat', 'your-256-bit-secret', 'changeme']) {
          only(hmacToken({ alg }, good, secret, hash), 'jwt-weak-secret');
        }
      });
    }
    it('is quiet for a random secret, and when turned off', () => {
      assert.ok(!ids(goodToken).includes('jwt-weak-secret'));
      assert.ok(!ids(V.V7_HELLO_SECRET, { checkWeakSecret: false }).includes('jwt-weak-secret'));
    });
  });

  describe('jwt-no-expiry', () => {
    it('fires for V6 (jwt.io) together with missing aud/iss', () => {
      const found = ids(V.V6);
      for (const id of ['jwt-no-expiry', 'jwt-missing-aud', 'jwt-missing-iss'] as const) assert.ok(found.includes(id), id);
      // The jwt.io example is signed with jwt.io's own default secret, which the dictionary knows.
      assert.ok(found.includes('jwt-weak-secret'));
    });
    it('is quiet with exp', () => assert.ok(!ids(goodToken).includes('jwt-no-expiry')));
  });

  describe('jwt-expired', () => {
    it('fires (info) for V1 with the date and relative time', () => {
      const message = only(V.V1, 'jwt-expired');
      assert.match(message, /Expired 2011-03-22T18:43:00\.000Z \(\d+ years ago\)/);
    });
    it('fires for nbf in the future', () => {
      assert.match(only(hmacToken({ alg: 'HS256' }, { ...good, nbf: sec(NOW) + 300 }), 'jwt-expired'), /Not valid before .*in 5 min/);
    });
    it('is quiet for a current token', () => assert.ok(!ids(goodToken).includes('jwt-expired')));
  });

  describe('jwt-long-lifetime', () => {
    const long = hmacToken({ alg: 'HS256' }, { ...good, exp: sec(NOW) + 30 * 86400 });
    it('fires when exp − iat exceeds 24 h by default', () => {
      assert.match(only(long, 'jwt-long-lifetime'), /lives 30 days \(exp − iat\), longer than the 1 day allowed/);
    });
    it('honours maxTokenLifetimeSec', () => {
      assert.ok(!ids(long, { maxTokenLifetimeSec: 31 * 86400 }).includes('jwt-long-lifetime'));
      only(goodToken, 'jwt-long-lifetime', { maxTokenLifetimeSec: 600 });
    });
    it('without iat uses the remaining lifetime', () => {
      const { iat: _iat, ...noIat } = { ...good, exp: sec(NOW) + 3 * 86400 };
      assert.match(only(hmacToken({ alg: 'HS256' }, noIat), 'jwt-long-lifetime'), /still valid for 3 days/);
    });
    it('is quiet for 15 minutes', () => assert.ok(!ids(goodToken).includes('jwt-long-lifetime')));
  });

  describe('jwt-readable-storage', () => {
    it('fires for a cookie without HttpOnly', () => {
      assert.match(only(goodToken, 'jwt-readable-storage', { location: { kind: 'cookie', name: 'token', httpOnly: false } }), /cookie 'token' without HttpOnly/);
    });
    it('is quiet with HttpOnly, when unknown, and outside cookies', () => {
      assert.ok(!ids(goodToken, { location: { kind: 'cookie', name: 'token', httpOnly: true } }).includes('jwt-readable-storage'));
      assert.ok(!ids(goodToken, { location: { kind: 'cookie', name: 'token' } }).includes('jwt-readable-storage'));
      assert.ok(!ids(goodToken, { location: { kind: 'header', name: 'authorization', httpOnly: false } }).includes('jwt-readable-storage'));
    });
  });

  describe('jwt-header-key', () => {
    for (const param of ['jwk', 'jku', 'x5u', 'x5c']) {
      it(`fires for ${param}`, () => {
        const value = param === 'jwk' ? { kty: 'oct', k: 'AA' } : param === 'x5c' ? ['MIIB'] : 'https://attacker.example/keys';
        assert.match(only(hmacToken({ alg: 'HS256', [param]: value }, good), 'jwt-header-key'), new RegExp(`${param}.*Verify only with keys you configure`));
      });
    }
    it('is quiet for kid and x5t', () => assert.ok(!ids(hmacToken({ alg: 'HS256', kid: 'a', x5t: 'b' }, good)).includes('jwt-header-key')));
  });

  describe('jwt-suspicious-kid', () => {
    for (const kid of ['../../../../dev/null', '/dev/null', "key' OR '1'='1", 'k; DROP TABLE keys', '*)(uid=*', '"><svg onload=alert(1)>', '${jndi:ldap://x}', 'http://attacker.example/k']) {
      it(`fires for ${JSON.stringify(kid)}`, () => only(hmacToken({ alg: 'HS256', kid }, good), 'jwt-suspicious-kid'));
    }
    it('fires for a non-string kid, once and not also as malformed', () => {
      assert.match(suspiciousKidReason(42)!, /a number/);
      const found = ids(hmacToken({ alg: 'HS256', kid: null }, good));
      assert.deepEqual(found, ['jwt-suspicious-kid']);
    });
    for (const kid of ['key-2024-01', 'NjVBRjY5MDlCMUIwNzU4RTA2QzZFMDQ4QzQ2MDAyQjVDNjk1RTM2Qg', 'a1b2c3', 'rsa_sig.v2', 'thumb=']) {
      it(`is quiet for ${kid}`, () => assert.ok(!ids(hmacToken({ alg: 'HS256', kid }, good)).includes('jwt-suspicious-kid')));
    }
  });

  describe('jwt-sensitive-claims', () => {
    it('fires for passwords, card numbers, SSNs, nested too, without echoing values', () => {
      const token = hmacToken({ alg: 'HS256' }, { ...good, user: { password: 'hunter2', ssn: '078-05-1120' }, api_key: 'k-123', note: '4111 1111 1111 1111' });
      const message = only(token, 'jwt-sensitive-claims');
      assert.match(message, /user\.password \(a password\)/);
      assert.match(message, /user\.ssn/);
      assert.match(message, /api_key \(an API key\)/);
      assert.match(message, /note \(a card number\)/);
      assert.doesNotMatch(message, /hunter2|4111/);
    });
    it('is quiet for metadata about secrets and ordinary numbers', () => {
      const claims = { ...good, password_changed_at: 1700000000, has_password: true, secretary: 'x', order: '1234567890123', spin: 'up' };
      assert.deepEqual(sensitiveClaims(claims), [], JSON.stringify(sensitiveClaims(claims)));
    });
  });

  describe('jwt-missing-aud / jwt-missing-iss', () => {
    it('fire when absent and are quiet when present', () => {
      const { aud: _a, iss: _i, ...rest } = good;
      const found = ids(hmacToken({ alg: 'HS256' }, rest));
      assert.ok(found.includes('jwt-missing-aud') && found.includes('jwt-missing-iss'));
      assert.ok(!ids(goodToken).includes('jwt-missing-aud') && !ids(goodToken).includes('jwt-missing-iss'));
    });
  });

  describe('jwt-encrypted', () => {
    it('fires for V5 (info) and nothing about claims', () => {
      assert.deepEqual(ids(V.V5), ['jwt-encrypted']);
    });
    it('is quiet for a JWS', () => assert.ok(!ids(goodToken).includes('jwt-encrypted')));
  });

  describe('jwt-malformed', () => {
    it('fires for V7 four segments with the segment count', () => {
      assert.match(only(V.V7_FOUR_SEGMENTS, 'jwt-malformed'), /4 segments/);
    });
    it('fires for V7 tampered payload', () => only(V.V7_TAMPERED, 'jwt-malformed'));
    it('fires for crit with an unknown extension and for duplicate alg', () => {
      assert.match(only(hmacToken({ alg: 'HS256', crit: ['x'], x: 1 }, good), 'jwt-malformed'), /crit/);
      assert.match(only(hmacToken('{"alg":"HS256","alg":"HS512"}', good), 'jwt-malformed'), /"alg" more than once/);
    });
    it('fires for a non-string typ', () => assert.match(only(hmacToken({ alg: 'HS256', typ: 1 }, good), 'jwt-malformed'), /"typ" is a number/));
    it('fires for JSON serialization', () => only('{"payload":"e30","signatures":[]}', 'jwt-malformed'));
    it('is quiet for V7 text payloads (a legal JWS)', () => assert.ok(!ids(V.V7_TEXT_PAYLOAD).includes('jwt-malformed')));
  });

  it('analyses the inner token of a nested JWT', () => {
    const inner = unsignedToken({ alg: 'none' }, { sub: 'x' });
    const outer = hmacToken({ alg: 'HS256', cty: 'JWT' }, inner, 'a-long-random-test-secret-9f8e7d6c5b4a');
    const findings = analyzeJwt(outer, { now: NOW });
    const none = findings.find((f) => f.ruleId === 'jwt-alg-none');
    assert.ok(none);
    assert.match(none.subject, /inner token/);
  });
});
