import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, CompactEncrypt } from 'jose';
import { isLoopbackHost, parseKeyInput, type KeyInput } from '../../../src/core/jwt/keyInput';
import { verifyJwt } from '../../../src/core/jwt/verify';
import * as V from '../../fixtures/jwt/vectors';
import { b64url, hmacToken, NOW, sec } from './tokens';

function key(text: string): KeyInput {
  const parsed = parseKeyInput(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.key;
}

const pem = (k: KeyObject, type: 'spki' | 'pkcs8'): string => k.export({ type, format: 'pem' }) as string;
const jwkText = (k: KeyObject, extra: Record<string, string> = {}): string => JSON.stringify({ ...k.export({ format: 'jwk' }), ...extra });

describe('verifyJwt: RFC vectors', () => {
  it('V1 HS256 verifies with the JWK; signature valid and time expired are separate', async () => {
    const r = await verifyJwt(V.V1, V.V1_JWK, { now: NOW });
    assert.equal(r.signature, 'valid', r.signatureMessage);
    assert.equal(r.time, 'expired');
    assert.match(r.timeMessage, /2011-03-22T18:43:00.000Z/);
  });

  it('V1 verifies with the same key given as a base64url secret', async () => {
    const k = JSON.parse(V.V1_JWK).k as string;
    assert.equal((await verifyJwt(V.V1, `base64url:${k}`)).signature, 'valid');
  });

  it('V2 RS256 verifies with the public JWK and with its SPKI PEM', async () => {
    assert.equal((await verifyJwt(V.V2, V.V2_PUBLIC_JWK)).signature, 'valid');
    const spki = pem(createPublicKey({ key: JSON.parse(V.V2_PUBLIC_JWK), format: 'jwk' }), 'spki');
    assert.equal((await verifyJwt(V.V2, spki)).signature, 'valid');
  });

  it('V3 ES256 verifies; the DER form of the same signature is rejected', async () => {
    assert.equal((await verifyJwt(V.V3, V.V3_JWK)).signature, 'valid');
    const [h, p, s] = V.V3.split('.');
    const raw = Buffer.from(s, 'base64url');
    const int = (b: Buffer): Buffer => {
      let v = b;
      while (v.length > 1 && v[0] === 0) v = v.subarray(1);
      return v[0] & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v;
    };
    const r = int(raw.subarray(0, 32));
    const sPart = int(raw.subarray(32));
    const body = Buffer.concat([Buffer.from([2, r.length]), r, Buffer.from([2, sPart.length]), sPart]);
    const der = Buffer.concat([Buffer.from([0x30, body.length]), body]);
    const result = await verifyJwt(`${h}.${p}.${der.toString('base64url')}`, V.V3_JWK);
    assert.equal(result.signature, 'invalid');
  });

  it('V4 unsecured: verification fails as unsigned', async () => {
    const r = await verifyJwt(V.V4, V.V1_JWK);
    assert.equal(r.signature, 'unsigned');
    assert.match(r.signatureMessage, /not signed/);
  });

  it('V5 JWE decrypts with its key to the RFC plaintext', async () => {
    const r = await verifyJwt(V.V5, V.V5_JWK);
    assert.equal(r.signature, 'valid', r.signatureMessage);
    assert.equal(r.plaintext, V.V5_PLAINTEXT);
    assert.equal((await verifyJwt(`Bearer "${V.V5}"`, V.V5_JWK)).plaintext, V.V5_PLAINTEXT, 'pasted with a prefix and quotes');
  });

  it('V5 with a wrong key: invalid; with a public key: key-error', async () => {
    assert.equal((await verifyJwt(V.V5, '{"kty":"oct","k":"AAAAAAAAAAAAAAAAAAAAAA"}')).signature, 'invalid');
    assert.equal((await verifyJwt(V.V5, V.V2_PUBLIC_JWK)).signature, 'key-error');
  });

  it('V7 tampered payload with the V1 key: invalid, no exception', async () => {
    const r = await verifyJwt(V.V7_TAMPERED, V.V1_JWK);
    assert.equal(r.signature, 'invalid');
    assert.equal(r.time, 'unknown');
  });

  it('V7 four segments: malformed', async () => {
    assert.equal((await verifyJwt(V.V7_FOUR_SEGMENTS, V.V1_JWK)).signature, 'malformed');
  });

  it('V7 "hello" verifies with the secret "secret" even though the payload is not JSON', async () => {
    const r = await verifyJwt(V.V7_HELLO_SECRET, 'secret');
    assert.equal(r.signature, 'valid');
    assert.equal(r.time, 'unknown');
  });
});

describe('verifyJwt: algorithm confusion (VECTORS V2 negative)', () => {
  const spki = pem(createPublicKey({ key: JSON.parse(V.V2_PUBLIC_JWK), format: 'jwk' }), 'spki');
  const [, payload] = V.V2.split('.');
  const header = b64url({ alg: 'HS256' });

  for (const [name, secret] of [['PEM text', spki], ['DER bytes', createPublicKey(spki).export({ type: 'spki', format: 'der' })]] as const) {
    it(`HS256 token HMAC-ed with the public key (${name}) is rejected by a verifier holding the RSA key`, async () => {
      const forged = `${header}.${payload}.${createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url')}`;
      for (const k of [spki, V.V2_PUBLIC_JWK, `{"keys":[${V.V2_PUBLIC_JWK}]}`]) {
        const r = await verifyJwt(forged, k);
        assert.equal(r.signature, 'invalid', r.signatureMessage);
        assert.match(r.signatureMessage, /algorithm confusion/);
      }
    });
  }

  it('the PEM refused as a shared secret', () => {
    assert.equal(parseKeyInput(`base64:${Buffer.from(spki).toString('base64')}`).ok, true, 'opaque bytes are allowed');
    const r = parseKeyInput(spki);
    assert.ok(r.ok && r.key.kind === 'pem');
  });

  it('an RS256 token is not accepted with an HMAC secret', async () => {
    const r = await verifyJwt(V.V2, 'some-shared-secret');
    assert.equal(r.signature, 'invalid');
  });
});

describe('verifyJwt: every algorithm round-trips against jose-signed tokens', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec: Record<string, ReturnType<typeof generateKeyPairSync>> = {
    ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    ES384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
    ES512: generateKeyPairSync('ec', { namedCurve: 'P-521' }),
  };
  const ed = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const claims = { sub: 'user-1', iss: 'https://issuer.test', aud: 'api' };

  async function sign(alg: string, privateKey: KeyObject | Uint8Array, kid?: string): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', ...(kid ? { kid } : {}) }).setIssuedAt(sec(NOW)).setExpirationTime(sec(NOW) + 600).sign(privateKey);
  }

  for (const alg of ['HS256', 'HS384', 'HS512']) {
    it(`${alg}: UTF-8 secret, base64url secret, oct JWK; wrong secret invalid`, async () => {
      const secret = `round-trip-${alg}-0123456789abcdef0123456789abcdef0123456789abcdef`;
      const token = await sign(alg, new TextEncoder().encode(secret));
      const opts = { now: NOW };
      assert.equal((await verifyJwt(token, secret, opts)).signature, 'valid');
      assert.equal((await verifyJwt(token, `base64url:${Buffer.from(secret).toString('base64url')}`, opts)).signature, 'valid');
      const r = await verifyJwt(token, JSON.stringify({ kty: 'oct', k: Buffer.from(secret).toString('base64url') }), opts);
      assert.equal(r.signature, 'valid');
      assert.equal(r.time, 'valid');
      assert.equal((await verifyJwt(token, `${secret}x`, opts)).signature, 'invalid');
    });
  }

  const asymmetric: [string, ReturnType<typeof generateKeyPairSync>][] = [
    ...['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'].map((a) => [a, rsa] as [string, typeof rsa]),
    ...Object.entries(ec),
    ['EdDSA', ed],
    ['Ed25519', ed],
  ];
  for (const [alg, pair] of asymmetric) {
    it(`${alg}: SPKI PEM, PKCS#8 private PEM, JWK, JWKS by kid; another key invalid`, async () => {
      const token = await sign(alg, pair.privateKey as KeyObject, 'k2');
      const pub = pair.publicKey as KeyObject;
      for (const k of [pem(pub, 'spki'), pem(pair.privateKey as KeyObject, 'pkcs8'), jwkText(pub), jwkText(pair.privateKey as KeyObject)]) {
        const r = await verifyJwt(token, k, { now: NOW });
        assert.equal(r.signature, 'valid', `${alg}: ${r.signatureMessage}`);
        assert.equal(r.time, 'valid');
      }
      const jwks = JSON.stringify({ keys: [{ ...other.publicKey.export({ format: 'jwk' }), kid: 'k1' }, { ...pub.export({ format: 'jwk' }), kid: 'k2' }] });
      const r = await verifyJwt(token, jwks, { now: NOW });
      assert.equal(r.signature, 'valid', r.signatureMessage);
      assert.equal(r.keyId, 'k2');
      const wrong = alg.startsWith('E') && alg !== 'EdDSA' && alg !== 'Ed25519'
        ? (generateKeyPairSync('ec', { namedCurve: (ec[alg].publicKey as KeyObject).asymmetricKeyDetails!.namedCurve! }).publicKey)
        : alg.startsWith('Ed') ? generateKeyPairSync('ed25519').publicKey : other.publicKey;
      assert.equal((await verifyJwt(token, pem(wrong, 'spki'), { now: NOW })).signature, 'invalid');
    });
  }

  it('an ES256 key refuses an ES384 token, an RSA JWK with alg RS256 refuses PS256', async () => {
    const t384 = await sign('ES384', ec.ES384.privateKey as KeyObject);
    assert.equal((await verifyJwt(t384, pem(ec.ES256.publicKey as KeyObject, 'spki'))).signature, 'invalid');
    const ps = await sign('PS256', rsa.privateKey);
    const r = await verifyJwt(ps, jwkText(rsa.publicKey, { alg: 'RS256' }));
    assert.equal(r.signature, 'invalid');
  });

  it('an RSA key below 2048 bits is a key error, not a bad signature', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const token = `${b64url({ alg: 'RS256' })}.${b64url({ sub: 'x' })}.${b64url('sig')}`;
    const r = await verifyJwt(token, pem(small.publicKey, 'spki'));
    assert.equal(r.signature, 'key-error', r.signatureMessage);
    assert.match(r.signatureMessage, /2048/);
  });

  it('a JWKS encryption key (use "enc") never verifies signatures', async () => {
    const token = await sign('RS256', rsa.privateKey, 'enc-key');
    const jwks = JSON.stringify({ keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'enc-key', use: 'enc' }] });
    const r = await verifyJwt(token, jwks);
    assert.equal(r.signature, 'key-error');
    assert.match(r.signatureMessage, /encryption key/);
  });

  it('options.algorithms restricts further', async () => {
    const token = await sign('RS512', rsa.privateKey);
    const r = await verifyJwt(token, pem(rsa.publicKey, 'spki'), { algorithms: ['RS256'] });
    assert.equal(r.signature, 'invalid');
    assert.match(r.signatureMessage, /not in the allowed list/);
  });

  it('JWKS without a matching kid: a clear key error listing the kids', async () => {
    const token = await sign('RS256', rsa.privateKey, 'missing');
    const jwks = JSON.stringify({ keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'a' }, { ...other.publicKey.export({ format: 'jwk' }), kid: 'b' }] });
    const r = await verifyJwt(token, jwks);
    assert.equal(r.signature, 'key-error');
    assert.match(r.signatureMessage, /no key in the JWKS has kid "missing" \(its keys: "a", "b"\)/);
  });

  it('JWKS and a token without kid: tries every compatible key', async () => {
    const token = await sign('RS256', rsa.privateKey);
    const jwks = JSON.stringify({ keys: [other.publicKey.export({ format: 'jwk' }), rsa.publicKey.export({ format: 'jwk' })] });
    assert.equal((await verifyJwt(token, jwks)).signature, 'valid');
  });

  it('crit with an unknown extension is rejected by the verifier', async () => {
    const token = hmacToken({ alg: 'HS256', crit: ['x-unknown'], 'x-unknown': 1 }, claims, 'crit-test-secret');
    const r = await verifyJwt(token, 'crit-test-secret');
    assert.equal(r.signature, 'invalid');
    assert.match(r.signatureMessage, /x-unknown.*RFC 7515 §4.1.11/);
  });

  it('nbf in the future: not-yet-valid; clock tolerance honoured', async () => {
    const token = hmacToken({ alg: 'HS256' }, { nbf: sec(NOW) + 30, exp: sec(NOW) + 600 }, 'nbf-secret');
    assert.equal((await verifyJwt(token, 'nbf-secret', { now: NOW })).time, 'not-yet-valid');
    assert.equal((await verifyJwt(token, 'nbf-secret', { now: NOW, clockToleranceSec: 60 })).time, 'valid');
  });

  it('alg outside the supported set: unsupported', async () => {
    const r = await verifyJwt(hmacToken({ alg: 'HS1' }, { a: 1 }), 'x');
    assert.equal(r.signature, 'unsupported');
  });

  it('a JWE for an RSA key decrypts with the private PEM or JWK; the public key cannot decrypt', async () => {
    const jwe = await new CompactEncrypt(new TextEncoder().encode('{"sub":"enc"}')).setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM' }).encrypt(rsa.publicKey);
    for (const k of [pem(rsa.privateKey, 'pkcs8'), jwkText(rsa.privateKey)]) {
      const r = await verifyJwt(jwe, k);
      assert.equal(r.signature, 'valid', r.signatureMessage);
      assert.equal(r.plaintext, '{"sub":"enc"}');
    }
    const pub = await verifyJwt(jwe, pem(rsa.publicKey, 'spki'));
    assert.equal(pub.signature, 'key-error');
    assert.match(pub.signatureMessage, /needs the shared key or the private key/);
    assert.equal((await verifyJwt(jwe, pem(other.privateKey, 'pkcs8'))).signature, 'invalid');
  });

  it('a JWE encrypted by jose with dir + A256GCM decrypts with the shared key', async () => {
    const k = new Uint8Array(32).fill(7);
    const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify({ sub: 'x', exp: sec(NOW) + 60 })))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(k);
    const r = await verifyJwt(jwe, `base64url:${Buffer.from(k).toString('base64url')}`, { now: NOW });
    assert.equal(r.signature, 'valid', r.signatureMessage);
    assert.equal(r.time, 'valid');
  });
});

describe('verifyJwt: X.509 certificates', () => {
  let dir: string;
  let certPem = '';
  let keyPem = '';
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'sl-jwt-cert-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/CN=session-lens-test', '-days', '1'], { stdio: 'ignore' });
    } catch {
      this.skip();
    }
    certPem = readFileSync(join(dir, 'c.pem'), 'utf8');
    keyPem = readFileSync(join(dir, 'k.pem'), 'utf8');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies with the certificate PEM', async () => {
    const parsed = parseKeyInput(certPem);
    assert.ok(parsed.ok && parsed.key.kind === 'pem' && parsed.key.pemType === 'certificate');
    assert.match(parsed.key.description, /EC public key, curve P-256 \(from an X.509 certificate\)/);
    const token = await new SignJWT({ sub: 'c' }).setProtectedHeader({ alg: 'ES256' }).sign(createPrivateKey(keyPem));
    assert.equal((await verifyJwt(token, certPem)).signature, 'valid');
  });
});

describe('verifyJwt: JWKS URL on loopback', () => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwks = JSON.stringify({ keys: [{ ...pair.publicKey.export({ format: 'jwk' }), kid: 'live', use: 'sig' }] });
  let server: Server;
  let base = '';
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/jwks') res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
      else if (req.url === '/redirect') res.writeHead(302, { location: 'http://127.0.0.2:1/jwks' }).end();
      else if (req.url === '/huge') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"keys":[],"pad":"${'x'.repeat(1024 * 1024 + 16)}"}`);
      } else res.writeHead(404).end('not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fetches the JWKS and picks the key by kid', async () => {
    const token = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'ES256', kid: 'live' }).sign(pair.privateKey);
    const r = await verifyJwt(token, `${base}/jwks`);
    assert.equal(r.signature, 'valid', r.signatureMessage);
    assert.equal(r.keyId, 'live');
  });

  for (const [path, pattern] of [['/missing', /HTTP 404/], ['/redirect', /could not fetch/], ['/huge', /larger than/]] as const) {
    it(`${path}: a key error, no redirect followed`, async () => {
      const token = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'ES256', kid: 'live' }).sign(pair.privateKey);
      const r = await verifyJwt(token, `${base}${path}`);
      assert.equal(r.signature, 'key-error');
      assert.match(r.signatureMessage, pattern);
    });
  }

  it('a closed port: a key error naming the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const r = await verifyJwt(V.V3, `http://127.0.0.1:${port}/jwks`);
    assert.equal(r.signature, 'key-error');
    assert.match(r.signatureMessage, /ECONNREFUSED/);
  });
});

describe('parseKeyInput', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  it('recognises PEM kinds', () => {
    assert.equal(key(pem(rsa.publicKey, 'spki')).kind, 'pem');
    const pkcs1 = rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    const k = key(pkcs1);
    assert.ok(k.kind === 'pem' && k.pemType === 'pkcs1-public');
    const priv = key(pem(rsa.privateKey, 'pkcs8'));
    assert.ok(priv.kind === 'pem' && priv.pemType === 'pkcs8-private');
    assert.match(priv.description, /RSA public key, 2048 bits \(derived from a PKCS#8 private key\)/);
    const sec1 = key(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'sec1', format: 'pem' }) as string);
    assert.ok(sec1.kind === 'pem' && sec1.pemType === 'sec1-private');
  });

  it('recognises JWK, JWKS, URL and secrets', () => {
    assert.equal(key(V.V2_PUBLIC_JWK).kind, 'jwk');
    const set = key(`{"keys":[${V.V2_PUBLIC_JWK.replace('{', '{"kid":"r1",')}]}`);
    assert.equal(set.kind, 'jwks');
    assert.match(set.description, /JWKS with 1 key \(kid "r1"\)/);
    const url = key('http://127.0.0.1:8080/.well-known/jwks.json');
    assert.equal(url.kind, 'jwks-url');
    const s = key('my secret\n');
    assert.ok(s.kind === 'secret' && Buffer.from(s.bytes).toString() === 'my secret', 'one trailing newline dropped, inner space kept');
    const b = key('base64url:AAEC');
    assert.ok(b.kind === 'secret' && b.encoding === 'base64url' && b.bytes.length === 3);
    assert.ok(parseKeyInput('AAEC', { secretEncoding: 'base64url' }).ok);
  });

  const errors: [string, string, RegExp][] = [
    ['empty', '  ', /empty/],
    ['broken PEM', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----', /could not be read/],
    ['unterminated PEM', '-----BEGIN PUBLIC KEY-----\nAAAA', /no complete/],
    ['encrypted private key', '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----', /encrypted private key/],
    ['OpenSSH', '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----', /OpenSSH/],
    ['CSR', '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----', /signing request/],
    ['broken JSON', '{"kty":', /does not parse/],
    ['JSON array', '[{"kty":"oct","k":"AA"}]', /JSON array/],
    ['JSON without kty or keys', '{"alg":"HS256"}', /neither a JWK/],
    ['unknown kty', '{"kty":"XYZ"}', /kty "XYZ"/],
    ['oct without k', '{"kty":"oct"}', /without a "k"/],
    ['RSA JWK missing n', '{"kty":"RSA","e":"AQAB"}', /could not be read/],
    ['empty JWKS', '{"keys":[]}', /no keys/],
    ['bad key in JWKS', '{"keys":[{"kty":"oct","k":"AA"},{"nope":1}]}', /JWKS key 2 has no "kty"/],
    ['remote URL', 'https://example.com/jwks.json', /not this machine/],
    ['private-range URL', 'http://10.0.0.1/jwks', /not this machine/],
    ['file URL', 'file:///etc/passwd', /must be http or https/],
    ['bad base64url secret', 'base64url:ab+c', /standard base64/],
    ['bad base64 secret', 'base64:***', /base64 alphabet/],
  ];
  for (const [name, text, pattern] of errors) {
    it(`error: ${name}`, () => {
      const r = parseKeyInput(text);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.error, pattern);
    });
  }

  it('loopback hosts', () => {
    for (const h of ['localhost', '127.0.0.1', '127.255.0.9', '[::1]', '::1']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['localhost.example.com', '128.0.0.1', '0.0.0.0', '[::ffff:8.8.8.8]', '127.0.0.1.nip.io']) assert.ok(!isLoopbackHost(h), h);
    assert.equal(key('http://2130706433/jwks').kind, 'jwks-url', 'decimal form normalises to 127.0.0.1');
  });
});
