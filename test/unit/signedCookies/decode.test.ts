import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { decodeSignedCookie, findWeakSessionSecret, MAX_DECOMPRESSED_BYTES, untagFlaskJson, verifySignedCookie } from '../../../src/core/signedCookies';
import * as V from '../../fixtures/jwt/vectors';

const b64u = (b: Buffer | string): string => Buffer.from(b).toString('base64url');
/** itsdangerous-shaped timestamp for a time (4 big-endian bytes). */
const ts = (ms: number): string => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(Math.floor(ms / 1000));
  return b64u(b);
};
const SIG27 = 'A'.repeat(27);
const SIG43 = 'B'.repeat(43);
const NOW = Date.UTC(2026, 0, 1);

describe('decodeSignedCookie: formats and edge cases', () => {
  it('itsdangerous: timestamp decoded to epoch ms', () => {
    const data = decodeSignedCookie('session', `${b64u('{"a":1}')}.${ts(NOW)}.${SIG27}`);
    assert.equal(data?.timestamp, NOW);
    assert.deepEqual(data.content, { a: 1 });
  });

  it('itsdangerous: a zip bomb is refused, not decompressed', () => {
    const bomb = deflateSync(Buffer.alloc(MAX_DECOMPRESSED_BYTES * 2, 0x20));
    const data = decodeSignedCookie('session', `.${b64u(bomb)}.${ts(NOW)}.${SIG27}`);
    assert.equal(data?.format, 'itsdangerous');
    assert.equal(data.readable, false);
    assert.match(data.note, /expands beyond 1048576 bytes/);
  });

  it('itsdangerous: compressed but not zlib', () => {
    const data = decodeSignedCookie('session', `.${b64u('not zlib at all')}.${ts(NOW)}.${SIG27}`);
    assert.equal(data?.readable, false);
    assert.match(data!.note, /not valid zlib/);
  });

  it('Django: compressed zip bomb refused; quoted values accepted', () => {
    const bomb = deflateSync(Buffer.alloc(MAX_DECOMPRESSED_BYTES * 2, 0x20));
    const data = decodeSignedCookie('sessionid', `.${b64u(bomb)}:1xUvWh:${SIG43}`);
    assert.equal(data?.format, 'django-signing');
    assert.equal(data.readable, false);
    const quoted = decodeSignedCookie('c', `"${b64u('{"k":"v"}')}:1xUvWh:${SIG43}"`);
    assert.deepEqual(quoted?.content, { k: 'v' });
  });

  it('Django: untimed dumps needs a JSON payload; plain "a:b" text is not recognised', () => {
    assert.deepEqual(decodeSignedCookie('c', `${b64u('[1,2]')}:${SIG43}`)?.content, [1, 2]);
    assert.equal(decodeSignedCookie('c', `user:${SIG43}`), undefined);
    assert.equal(decodeSignedCookie('c', 'a:b:c'), undefined);
  });

  it('JWTs and ordinary ids are left alone', () => {
    for (const v of [V.V1, V.V6, V.PKCE_VERIFIER, 'abc123', 'deleted', '1', 'a.b.c', '%E0%A4%A']) {
      assert.equal(decodeSignedCookie('session', v), undefined, v);
    }
  });

  it('cookie-session: base64 of a non-object is not recognised', () => {
    assert.equal(decodeSignedCookie('session', Buffer.from('[1,2,3]').toString('base64')), undefined);
    assert.equal(decodeSignedCookie('session', Buffer.from('"str"').toString('base64')), undefined);
  });

  it('.sig needs a keygrip-sized value', () => {
    assert.equal(decodeSignedCookie('session.sig', 'short'), undefined);
    assert.equal(decodeSignedCookie('.sig', SIG27), undefined);
  });

  it('express-session: accepts decoded and URL-encoded forms, rejects wrong signature sizes', () => {
    const sig = 'C'.repeat(43);
    assert.equal(decodeSignedCookie('connect.sid', `s:abc.${sig}`)?.format, 'express-session');
    assert.equal(decodeSignedCookie('connect.sid', `s%3Aabc.${sig}`)?.format, 'express-session');
    assert.equal(decodeSignedCookie('connect.sid', `s:abc.${sig.slice(1)}`), undefined);
  });

  it('oversized values are not looked at', () => {
    assert.equal(decodeSignedCookie('session', `${b64u(`{"a":"${'x'.repeat(70_000)}"}`)}.${ts(NOW)}.${SIG27}`), undefined);
  });

  it('untagFlaskJson handles each tag and the " di" escape', () => {
    assert.deepEqual(untagFlaskJson({ ' t': [1, { ' t': [2] }] }), [1, [2]]);
    assert.equal(untagFlaskJson({ ' b': Buffer.from('hi').toString('base64') }), 'hi');
    assert.equal(untagFlaskJson({ ' u': '3b241101-e2bb-4255-8caf-4136c566a962' }), '3b241101-e2bb-4255-8caf-4136c566a962');
    assert.equal(untagFlaskJson({ ' m': '<b>x</b>' }), '<b>x</b>');
    assert.deepEqual(untagFlaskJson({ ' di': { ' t__': 1 } }), { ' t': 1 });
    assert.deepEqual(untagFlaskJson({ a: { ' d': 'Thu, 01 Jan 2026 00:00:00 GMT' } }), { a: 'Thu, 01 Jan 2026 00:00:00 GMT' });
  });
});

describe('decodeSignedCookie fuzz: nothing throws', () => {
  it('random names and values', () => {
    fc.assert(fc.property(fc.string(), fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (name, value) => {
      decodeSignedCookie(name, value);
    }), { numRuns: 2000 });
  });

  it('near-valid itsdangerous, Django, cookie-session and express-session values', () => {
    const payload = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => b64u(JSON.stringify(v))),
      fc.jsonValue({ maxDepth: 3 }).map((v) => `.${b64u(deflateSync(JSON.stringify(v)))}`),
      fc.uint8Array({ maxLength: 64 }).map((b) => `.${b64u(Buffer.from(b))}`),
      fc.string().map((s) => b64u(s)),
      fc.string(),
    );
    const stamp = fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((n) => ts(n * 1000)), fc.string({ maxLength: 8 }), fc.constant('1xUvWh'));
    const sig = fc.oneof(fc.constantFrom(SIG27, SIG43, 'D'.repeat(86)), fc.string({ maxLength: 90 }));
    const value = fc.oneof(
      fc.tuple(payload, stamp, sig).map(([p, t, s]) => `${p}.${t}.${s}`),
      fc.tuple(payload, stamp, sig).map(([p, t, s]) => `${p}:${t}:${s}`),
      fc.tuple(payload, sig).map(([p, s]) => `${p}:${s}`),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? '').toString('base64')),
      fc.tuple(fc.string(), sig).map(([id, s]) => `s:${id}.${s}`),
    );
    fc.assert(fc.property(fc.constantFrom('session', 'session.sig', 'sessionid', 'connect.sid', 'x'), value, (name, v) => {
      const result = decodeSignedCookie(name, v);
      if (result) assert.ok(result.note.length > 0);
      const check = verifySignedCookie(name, v, 'secret', { cookies: { session: v, 'session.sig': SIG27 }, salt: 's' });
      assert.ok(['valid', 'invalid', 'unsupported'].includes(check.result));
    }), { numRuns: 3000 });
  });

  it('findWeakSessionSecret on near-valid values', () => {
    const value = fc.oneof(
      fc.string().map((id) => `s:${id}.${'C'.repeat(43)}`),
      fc.jsonValue({ maxDepth: 2 }).map((v) => `${b64u(JSON.stringify(v))}.${ts(NOW)}.${SIG27}`),
      fc.jsonValue({ maxDepth: 2 }).map((v) => `${b64u(JSON.stringify(v))}:1xUvWh:${SIG43}`),
    );
    fc.assert(fc.property(value, (v) => {
      findWeakSessionSecret('session', v, { cookies: { 'session.sig': SIG27 } });
    }), { numRuns: 100 });
  });
});
