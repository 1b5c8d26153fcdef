import assert from 'node:assert/strict';
import { decodeJwt, type DecodedJws, type DecodedJwt } from '../../../src/core/jwt/decode';
import { describeTime, describeDuration } from '../../../src/core/jwt/time';
import * as V from '../../fixtures/jwt/vectors';
import { b64url, hmacToken, NOW, sec, unsignedToken } from './tokens';

function jws(decoded: DecodedJwt): DecodedJws {
  assert.equal(decoded.kind, 'jws', decoded.kind === 'malformed' ? decoded.error.message : decoded.kind);
  return decoded as DecodedJws;
}

function malformed(decoded: DecodedJwt): { segment?: string; message: string } {
  assert.equal(decoded.kind, 'malformed');
  return (decoded as Extract<DecodedJwt, { kind: 'malformed' }>).error;
}

describe('decodeJwt: RFC vectors', () => {
  it('V1 (RFC 7515 A.1): header and payload bytes kept with their CRLFs, dates, typ', () => {
    const d = jws(decodeJwt(V.V1, { now: NOW }));
    assert.equal(d.headerRaw, V.V1_HEADER_RAW);
    assert.equal(d.payloadRaw, V.V1_PAYLOAD_RAW);
    assert.deepEqual(d.header, { typ: 'JWT', alg: 'HS256' });
    assert.deepEqual(d.payload, { iss: 'joe', exp: 1300819380, 'http://example.com/is_root': true });
    assert.equal(d.payloadKind, 'json');
    assert.equal(d.alg, 'HS256');
    assert.equal(d.typ, 'JWT');
    assert.equal(d.signature, 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    assert.equal(d.signatureBytes, 32);
    assert.equal(new Date(d.expiresAt!).toISOString(), V.V1_EXP_ISO);
    assert.equal(d.issuedAt, undefined);
    assert.equal(d.timeState, 'expired');
    assert.equal(d.unsecured, false);
    assert.deepEqual(d.problems, []);
  });

  it('V2 (A.2, RS256): 342-character signature of 256 bytes', () => {
    const d = jws(decodeJwt(V.V2));
    assert.equal(d.alg, 'RS256');
    assert.equal(d.signature.length, 342);
    assert.equal(d.signatureBytes, 256);
  });

  it('V3 (A.3, ES256): R||S signature of 64 bytes', () => {
    const d = jws(decodeJwt(V.V3));
    assert.equal(d.alg, 'ES256');
    assert.equal(d.signatureBytes, 64);
  });

  it('V4 (A.5): unsecured JWT decodes, marked unsecured, with and without the trailing dot', () => {
    const withDot = jws(decodeJwt(V.V4));
    assert.equal(withDot.unsecured, true);
    assert.equal(withDot.signature, '');
    assert.equal(withDot.signatureSegmentMissing, false);
    assert.deepEqual(withDot.header, { alg: 'none' });
    const withoutDot = jws(decodeJwt(V.V4.slice(0, -1)));
    assert.equal(withoutDot.unsecured, true);
    assert.equal(withoutDot.signatureSegmentMissing, true);
    assert.deepEqual(withoutDot.payload, withDot.payload);
  });

  for (const alg of ['None', 'NONE', 'noNE']) {
    it(`V4 variant alg "${alg}" is unsecured`, () => {
      assert.equal(jws(decodeJwt(unsignedToken({ alg }, { sub: 'u1' }))).unsecured, true);
    });
  }

  it('V5 (RFC 7516 A.3): JWE header only, marked encrypted', () => {
    const d = decodeJwt(V.V5);
    assert.equal(d.kind, 'jwe');
    if (d.kind !== 'jwe') return;
    assert.equal(d.encrypted, true);
    assert.deepEqual(d.header, { alg: 'A128KW', enc: 'A128CBC-HS256' });
    assert.equal(d.enc, 'A128CBC-HS256');
    assert.equal('payload' in d, false);
  });

  it('V6 (jwt.io): claims and iat', () => {
    const d = jws(decodeJwt(V.V6, { now: NOW }));
    assert.deepEqual(d.payload, { sub: '1234567890', name: 'John Doe', admin: true, iat: 1516239022 });
    assert.equal(d.issuedAt, 1516239022000);
    assert.equal(d.timeState, 'no-exp');
  });

  it('V7 tampered payload: decodes as a JWS, flagged as broken JSON, no exception', () => {
    const d = jws(decodeJwt(V.V7_TAMPERED));
    assert.notEqual(d.payloadKind, 'json');
    assert.ok(d.problems.some((p) => p.code === 'payload-broken-json'), JSON.stringify(d.problems));
  });

  it('V7 line-wrapped (4 segments): malformed, says 4 segments', () => {
    const e = malformed(decodeJwt(V.V7_FOUR_SEGMENTS));
    assert.match(e.message, /4 segments/);
    assert.match(e.message, /JWS has 3/);
  });

  it('V7 non-JSON payloads: a JWS with a text payload', () => {
    for (const [token, text] of [[V.V7_TEXT_PAYLOAD, 'test'], [V.V7_HELLO_SECRET, 'hello']] as const) {
      const d = jws(decodeJwt(token));
      assert.equal(d.payloadKind, 'text');
      assert.deepEqual(d.payload, { nonJson: text });
      assert.deepEqual(d.problems, []);
    }
  });

  it('JSON-serialized JWS is malformed with an explanation', () => {
    const flattened = JSON.stringify({ protected: b64url({ alg: 'HS256' }), payload: b64url({ a: 1 }), signature: 'abc' });
    assert.match(malformed(decodeJwt(flattened)).message, /JSON serialization is not a JWT/);
  });

  it('a lone base64url string (PKCE verifier) is not a JWT', () => {
    assert.match(malformed(decodeJwt(V.PKCE_VERIFIER)).message, /no '\.' separators/);
  });
});

describe('decodeJwt: precise malformed messages', () => {
  const payload = b64url({ sub: 'x' });
  const cases: [string, string, RegExp, string | undefined][] = [
    ['empty', '', /empty/, undefined],
    ['whitespace only', '  \n', /empty/, undefined],
    ['6 segments', 'a.b.c.d.e.f', /6 segments/, undefined],
    ['header with +', `eyJhbGciOiJIUzI1NiJ9+.${payload}.sig`, /header segment \(segment 1\) contains '\+' at position 21.*standard base64/, 'header'],
    ['header with padding', `${b64url({ alg: 'HS256', typ: 'JWT' })}=.${payload}.sig`, /'=' padding/, 'header'],
    ['header bad length', `eyJhb.${payload}.sig`, /length of 5 characters/, 'header'],
    ['header not JSON', `${b64url('hello')}.${payload}.sig`, /header is not JSON: it decodes to "hello"/, 'header'],
    ['header JSON array', `${b64url('[1]')}.${payload}.sig`, /header is JSON but an array/, 'header'],
    ['header without alg', `${b64url({ typ: 'JWT' })}.${payload}.sig`, /no "alg" member/, 'header'],
    ['alg not a string', `${b64url({ alg: 256 })}.${payload}.sig`, /"alg" is a number/, 'header'],
    ['empty header segment', `.${payload}.sig`, /header segment \(segment 1\) is empty/, 'header'],
    ['payload not base64url', `${b64url({ alg: 'HS256' })}.pay!load.sig`, /payload segment \(segment 2\) is not base64url: '!' at position 4/, 'payload'],
    ['signature not base64url', `${b64url({ alg: 'HS256' })}.${payload}.si%g`, /signature segment \(segment 3\) is not base64url: '%'/, 'signature'],
    ['2 segments with a real alg', `${b64url({ alg: 'HS256' })}.${payload}`, /2 segments.*alg "HS256"/, undefined],
    ['JWE without enc', `${b64url({ alg: 'A128KW' })}.a.b.c.d`, /no "enc"/, 'header'],
    ['JWE header on 3 segments', `${b64url({ alg: 'dir', enc: 'A128GCM' })}.${payload}.sig`, /JWE.*3 segments/, 'header'],
    ['inner whitespace', `${b64url({ alg: 'HS256' })}.${payload.slice(0, 5)}\n${payload.slice(5)}.sig`, /control character U\+000A at position \d+.*line-wrapped/, undefined],
    ['header not UTF-8', `${Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url')}.${payload}.sig`, /does not decode to UTF-8/, 'header'],
  ];
  for (const [name, token, message, segment] of cases) {
    it(name, () => {
      const e = malformed(decodeJwt(token));
      assert.match(e.message, message);
      assert.equal(e.segment, segment);
    });
  }

  it('strips surrounding whitespace and a Bearer prefix', () => {
    assert.equal(jws(decodeJwt(`  Bearer ${V.V6}\n`)).alg, 'HS256');
    assert.equal(jws(decodeJwt(`Authorization: Bearer ${V.V6}`)).alg, 'HS256');
    assert.equal(jws(decodeJwt(`"${V.V6}"`)).alg, 'HS256');
  });

  it('refuses inputs over 1 MiB quickly with a message', () => {
    const e = malformed(decodeJwt(`${b64url({ alg: 'HS256' })}.${'A'.repeat(1024 * 1024 + 10)}.sig`));
    assert.match(e.message, /longer than/);
  });
});

describe('decodeJwt: header checks', () => {
  it('crit with an unknown extension is flagged (RFC 7515 §4.1.11)', () => {
    const d = jws(decodeJwt(hmacToken({ alg: 'HS256', crit: ['x'], x: 1 }, { sub: 'a' })));
    const p = d.problems.find((q) => q.code === 'crit-unknown');
    assert.ok(p);
    assert.match(p.message, /"x".*must then reject/);
  });

  it('crit naming an absent or registered member, or not an array, is invalid', () => {
    for (const crit of [['y'], ['alg'], [], 'x']) {
      const d = jws(decodeJwt(hmacToken({ alg: 'HS256', crit }, { sub: 'a' })));
      assert.ok(d.problems.some((q) => q.code === 'crit-invalid'), JSON.stringify(crit));
    }
  });

  it('crit with the understood b64 extension is not flagged as unknown', () => {
    const d = jws(decodeJwt(hmacToken({ alg: 'HS256', b64: true, crit: ['b64'] }, { sub: 'a' })));
    assert.deepEqual(d.problems, []);
  });

  it('duplicate alg members are detected in the raw header', () => {
    const d = jws(decodeJwt(hmacToken('{"alg":"HS256","typ":"JWT","alg":"none"}', { sub: 'a' })));
    assert.equal(d.alg, 'none', 'JSON.parse keeps the last one');
    const p = d.problems.find((q) => q.code === 'duplicate-member');
    assert.ok(p);
    assert.match(p.message, /"alg" more than once/);
  });

  it('escaped and nested member names do not count as duplicates', () => {
    const d = jws(decodeJwt(hmacToken('{"alg":"HS256","jwk":{"alg":"x","kty":"oct"},"a\\"lg":1}', { sub: 'a' })));
    assert.deepEqual(d.problems.filter((p) => p.code === 'duplicate-member'), []);
  });
});

describe('decodeJwt: claims and nesting', () => {
  it('computes iat/nbf/exp in ms and the time state', () => {
    const payload = { iat: sec(NOW) - 60, nbf: sec(NOW) - 60, exp: sec(NOW) + 3600 };
    const d = jws(decodeJwt(hmacToken({ alg: 'HS256' }, payload), { now: NOW }));
    assert.equal(d.issuedAt, (sec(NOW) - 60) * 1000);
    assert.equal(d.expiresAt, (sec(NOW) + 3600) * 1000);
    assert.equal(d.timeState, 'valid');
    assert.equal(jws(decodeJwt(hmacToken({ alg: 'HS256' }, { nbf: sec(NOW) + 60 }), { now: NOW })).timeState, 'not-yet-valid');
    assert.equal(jws(decodeJwt(hmacToken({ alg: 'HS256' }, { exp: sec(NOW) }), { now: NOW })).timeState, 'expired', 'exp equal to now is expired');
  });

  it('a string exp is reported, not converted', () => {
    const d = jws(decodeJwt(hmacToken({ alg: 'HS256' }, { exp: '1300819380' })));
    assert.equal(d.expiresAt, undefined);
    assert.match(d.problems[0].message, /"exp" is a string/);
  });

  it('an exp in milliseconds is reported', () => {
    const d = jws(decodeJwt(hmacToken({ alg: 'HS256' }, { exp: NOW })));
    assert.ok(d.problems.some((p) => p.code === 'claim-milliseconds'));
  });

  it('cty JWT: decodes the inner token a layer at a time', () => {
    const inner = hmacToken({ alg: 'HS256', typ: 'JWT' }, { sub: 'inner' });
    const outer = hmacToken({ alg: 'HS256', cty: 'JWT' }, inner);
    const d = jws(decodeJwt(outer));
    assert.equal(d.payloadKind, 'jwt');
    assert.equal(d.cty, 'JWT');
    const n = jws(d.nested!);
    assert.deepEqual(n.payload, { sub: 'inner' });
  });

  it('a nested JWE is decoded as far as its header', () => {
    const d = jws(decodeJwt(hmacToken({ alg: 'HS256', cty: 'jwt' }, V.V5)));
    assert.equal(d.nested?.kind, 'jwe');
  });

  it('nesting is bounded', () => {
    let token = hmacToken({ alg: 'HS256' }, { sub: 'core' });
    for (let i = 0; i < 10; i++) token = hmacToken({ alg: 'HS256', cty: 'JWT' }, token);
    let d: DecodedJwt | undefined = decodeJwt(token);
    let depth = 0;
    while (d && d.kind === 'jws' && d.nested) {
      d = d.nested;
      depth++;
    }
    assert.ok(depth <= 4, `depth ${depth}`);
    assert.ok(d && d.kind === 'jws' && d.problems.some((p) => p.code === 'nesting-too-deep'));
  });

  it('binary payloads are shown lossily, not as JSON', () => {
    const d = jws(decodeJwt(`${b64url({ alg: 'HS256' })}.${Buffer.from([0x80, 0x81, 0x00]).toString('base64url')}.c2ln`));
    assert.equal(d.payloadKind, 'binary');
  });
});

describe('describeTime', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  it('ISO plus relative phrases', () => {
    assert.deepEqual(describeTime(now + (3 * 60 + 12) * 60_000, now), {
      iso: '2026-01-01T15:12:00.000Z', relative: 'in 3 h 12 min', text: '2026-01-01T15:12:00.000Z (in 3 h 12 min)',
    });
    assert.equal(describeTime(now - 2 * 86_400_000, now).relative, '2 days ago');
    assert.equal(describeTime(now - 1 * 86_400_000 - 3_600_000, now).relative, '1 day 1 h ago');
    assert.equal(describeTime(now + 45_000, now).relative, 'in 45 s');
    assert.equal(describeTime(now + 500, now).relative, 'now');
    assert.equal(describeTime(now + 40 * 86_400_000, now).relative, 'in 40 days');
    assert.equal(describeTime(Date.UTC(2011, 2, 22), now).relative, '14 years ago');
  });
  it('out-of-range values do not throw', () => {
    assert.equal(describeTime(1e20, now).iso, undefined);
    assert.equal(describeTime(Number.NaN, now).iso, undefined);
    assert.equal(describeDuration(Number.POSITIVE_INFINITY), 'forever');
  });
});
