import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyzeJwt } from '../../../src/core/jwt/analyze';
import { decodeJwt } from '../../../src/core/jwt/decode';
import { findWeakSecret } from '../../../src/core/jwt/findWeakSecret';
import { parseKeyInput } from '../../../src/core/jwt/keyInput';
import { verifyJwt } from '../../../src/core/jwt/verify';
import * as V from '../../fixtures/jwt/vectors';
import { describeTime } from '../../../src/core/jwt/time';
import { b64url, hmacToken } from './tokens';

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const headerObject = fc.record(
  {
    alg: fc.oneof(fc.constantFrom('HS256', 'RS256', 'ES256', 'none', 'NoNe', 'A128KW', 'dir', ''), fc.string(), jsonValue),
    typ: fc.oneof(fc.constant('JWT'), jsonValue),
    cty: fc.oneof(fc.constantFrom('JWT', 'jwt'), jsonValue),
    kid: fc.oneof(fc.string(), jsonValue),
    crit: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), jsonValue),
    enc: fc.oneof(fc.constant('A128GCM'), jsonValue),
    jku: fc.string(),
  },
  { requiredKeys: [] },
);
const claims = fc.record(
  {
    exp: fc.oneof(fc.integer(), fc.double(), jsonValue),
    nbf: fc.oneof(fc.integer(), jsonValue),
    iat: fc.oneof(fc.integer(), fc.constant(1e300), jsonValue),
    aud: jsonValue,
    password: jsonValue,
    nested: jsonValue,
  },
  { requiredKeys: [] },
);
const segment = fc.oneof(
  fc.base64String().map((s) => s.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')),
  fc.string({ maxLength: 40 }),
  fc.constant(''),
);

/** Near-valid tokens: real JSON headers and claims, then mutated segments, separators and lengths. */
const nearValidToken = fc
  .tuple(
    fc.oneof(headerObject.map((h) => b64url(h)), fc.string().map(b64url), segment),
    fc.oneof(claims.map((c) => b64url(c)), fc.string().map(b64url), segment, fc.constant(V.V4)),
    fc.array(segment, { minLength: 0, maxLength: 4 }),
    fc.constantFrom('.', '..', '', ' ', '\n'),
  )
  .map(([h, p, rest, sep]) => [h, p, ...rest].join(sep === '' ? '.' : sep === ' ' || sep === '\n' ? `.${sep}` : sep));

const anyText = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme', maxLength: 200 }));

describe('JWT properties', () => {
  it('any JSON object claims set round-trips through encode and decodeJwt', () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), (claims, extraHeader) => {
      const header: Record<string, unknown> = { ...extraHeader, alg: 'HS256' };
      delete header.enc;
      const token = hmacToken(header, claims);
      const d = decodeJwt(token);
      assert.equal(d.kind, 'jws', d.kind === 'malformed' ? d.error.message : '');
      if (d.kind !== 'jws') return;
      if (d.payloadKind === 'json') assert.deepEqual(d.payload, JSON.parse(JSON.stringify(claims)));
      else assert.equal(typeof header.cty === 'string' && header.cty.toUpperCase() === 'JWT', true, 'only cty JWT turns an object payload into a nested token');
      assert.equal(d.alg, 'HS256');
    }), { numRuns: 200 });
  });

  it('describeTime never throws and always gives a phrase', () => {
    fc.assert(fc.property(fc.double(), fc.double(), (t, now) => {
      const d = describeTime(t, now);
      assert.ok(d.relative.length > 0 && d.text.length > 0);
    }), { numRuns: 1000 });
  });
});

describe('JWT fuzz: nothing throws out of core', () => {
  it('decodeJwt on random text and near-valid tokens', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, nearValidToken), fc.option(fc.double(), { nil: undefined }), (input, now) => {
        const d = decodeJwt(input, { now });
        assert.ok(d.kind === 'jws' || d.kind === 'jwe' || d.kind === 'malformed');
        if (d.kind === 'malformed') assert.ok(d.error.message.length > 0);
      }),
      { numRuns: 2000 },
    );
  });

  it('analyzeJwt on random text and near-valid tokens with random contexts', () => {
    const context = fc.record(
      {
        now: fc.oneof(fc.double(), fc.integer()),
        maxTokenLifetimeSec: fc.oneof(fc.double(), fc.integer()),
        location: fc.record({ kind: fc.constantFrom('cookie', 'header', 'body', 'url', 'other') as fc.Arbitrary<'cookie'>, name: fc.string(), httpOnly: fc.boolean() }, { requiredKeys: ['kind'] }),
        checkWeakSecret: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(anyText, nearValidToken), context, (input, ctx) => {
        for (const f of analyzeJwt(input, ctx)) assert.ok(f.ruleId.startsWith('jwt-') && f.message.length > 0);
      }),
      { numRuns: 1500 },
    );
  });

  it('findWeakSecret on near-valid HS tokens', () => {
    fc.assert(fc.property(fc.oneof(anyText, nearValidToken), (input) => {
      findWeakSecret(input);
    }), { numRuns: 500 });
  });

  it('parseKeyInput on random text, PEM-like and JSON-like input', () => {
    const pemLike = fc.tuple(fc.constantFrom('PUBLIC KEY', 'CERTIFICATE', 'PRIVATE KEY', 'RSA PUBLIC KEY', 'EC PRIVATE KEY', 'EC PARAMETERS', 'X'), fc.base64String())
      .map(([label, body]) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`);
    const jwkLike = fc.record({ kty: fc.oneof(fc.constantFrom('oct', 'RSA', 'EC', 'OKP'), jsonValue), k: jsonValue, n: fc.string(), e: fc.string(), crv: fc.constantFrom('P-256', 'Ed25519', 'X'), x: fc.string(), y: fc.string(), d: fc.string() }, { requiredKeys: [] });
    const input = fc.oneof(
      anyText,
      pemLike,
      jwkLike.map((j) => JSON.stringify(j)),
      fc.array(jwkLike, { maxLength: 3 }).map((keys) => JSON.stringify({ keys })),
      fc.webUrl().map((u) => u),
      fc.string().map((s) => `base64url:${s}`),
      fc.string().map((s) => `base64:${s}`),
    );
    fc.assert(fc.property(input, (text) => {
      const r = parseKeyInput(text);
      if (!r.ok) assert.ok(r.error.length > 0);
    }), { numRuns: 1500 });
  });

  it('verifyJwt on near-valid tokens resolves, never rejects', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyText, nearValidToken), fc.constantFrom('secret', V.V1_JWK, V.V2_PUBLIC_JWK, '{"keys":[]}', 'http://example.com/x'), async (token, key) => {
        const r = await verifyJwt(token, key);
        assert.ok(typeof r.signatureMessage === 'string');
      }),
      { numRuns: 300 },
    );
  });
});
