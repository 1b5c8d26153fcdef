import assert from 'node:assert/strict';
import { findWeakSecret, MAX_WEAK_SECRET_TOKEN_LENGTH } from '../../../src/core/jwt/findWeakSecret';
import { WEAK_SECRETS } from '../../../src/core/jwt/weakSecrets';
import * as V from '../../fixtures/jwt/vectors';
import { hmacToken, unsignedToken } from './tokens';

describe('weak secret dictionary', () => {
  it('has at least 200 distinct entries including the issue examples', () => {
    const texts = WEAK_SECRETS.map((s) => (typeof s === 'string' ? s : `hex:${Buffer.from(s).toString('hex')}`));
    assert.ok(texts.length >= 200, String(texts.length));
    assert.equal(new Set(texts).size, texts.length, 'no duplicates');
    for (const s of ['secret', 'your-256-bit-secret', 'keyboard cat', 'changeme', 'shhhhh', 'mysecret', 'jwt_secret', 'supersecret', '']) {
      assert.ok(texts.includes(s), s);
    }
  });

  it('finds every entry for HS256, HS384 and HS512', () => {
    for (const [alg, hash] of [['HS256', 'sha256'], ['HS384', 'sha384'], ['HS512', 'sha512']]) {
      for (const secret of WEAK_SECRETS.filter((_, i) => i % 37 === 0)) {
        const match = findWeakSecret(hmacToken({ alg }, { sub: 'x' }, Buffer.from(secret), hash));
        assert.ok(match, `${alg} ${String(secret)}`);
        assert.equal(match.alg, alg);
      }
    }
  });

  it('reports bytes secrets as hex and the empty secret readably', () => {
    const bytes = WEAK_SECRETS.find((s) => typeof s !== 'string')!;
    assert.match(findWeakSecret(hmacToken({ alg: 'HS256' }, { a: 1 }, Buffer.from(bytes)))!.secret, /^hex:/);
    assert.equal(findWeakSecret(hmacToken({ alg: 'HS256' }, { a: 1 }, ''))!.display, '(empty string)');
  });

  it('V7 joserfc token: secret "secret"', () => {
    assert.equal(findWeakSecret(V.V7_HELLO_SECRET)?.secret, 'secret');
  });

  it('undefined for strong secrets, other algorithms, unsigned and garbage; never throws', () => {
    assert.equal(findWeakSecret(hmacToken({ alg: 'HS256' }, { a: 1 }, 'f1d2e3c4b5a6-strong-random')), undefined);
    assert.equal(findWeakSecret(V.V2), undefined);
    assert.equal(findWeakSecret(hmacToken({ alg: 'hs256' }, { a: 1 }, 'secret')), undefined, 'alg names are case-sensitive');
    assert.equal(findWeakSecret(unsignedToken({ alg: 'none' }, { a: 1 })), undefined);
    for (const junk of ['', '.', '..', 'a.b.c', '!!.??.##', `${'eyJ'.repeat(10)}.x.y`, undefined as unknown as string]) {
      assert.equal(findWeakSecret(junk), undefined);
    }
    assert.equal(findWeakSecret(hmacToken({ alg: 'HS256' }, 'x'.repeat(MAX_WEAK_SECRET_TOKEN_LENGTH), 'secret')), undefined, 'oversized tokens are skipped');
  });
});
