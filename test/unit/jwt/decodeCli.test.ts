import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { build } from 'esbuild';
import { SignJWT } from 'jose';
import { runCli } from '../../../src/cli/main';
import * as V from '../../fixtures/jwt/vectors';
import { hmacToken } from './tokens';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function cli(args: string[], stdinText?: string, cwd = process.cwd()): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const stdin = new PassThrough();
  stdin.end(stdinText ?? '');
  const code = await runCli(['decode', ...args], { stdout, stderr, stdin, cwd });
  return { code, out: stdout.text, err: stderr.text };
}

describe('session-lens decode (runCli)', () => {
  let dir: string;
  let server: Server;
  let jwksUrl = '';
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sl-decode-'));
    writeFileSync(join(dir, 'v1.jwk'), V.V1_JWK);
    writeFileSync(join(dir, 'v2.jwk'), V.V2_PUBLIC_JWK);
    writeFileSync(join(dir, 'secret.txt'), 'secret\n');
    writeFileSync(join(dir, 'broken.pem'), '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n');
    writeFileSync(join(dir, 'ec.pem'), ec.publicKey.export({ type: 'spki', format: 'pem' }));
    server = createServer((_req, res) => res.end(JSON.stringify({ keys: [{ ...ec.publicKey.export({ format: 'jwk' }), kid: 'cli' }] })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('JSON: the documented shape with ISO times, findings, no verified without a key', async () => {
    const { code, out, err } = await cli([V.V1, '--format', 'json']);
    assert.equal(code, 0, err);
    const json = JSON.parse(out);
    assert.deepEqual(json.header, { typ: 'JWT', alg: 'HS256' });
    assert.deepEqual(json.payload, { iss: 'joe', exp: 1300819380, 'http://example.com/is_root': true });
    assert.equal(json.signature, 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    assert.equal(json.expiresAt, V.V1_EXP_ISO);
    assert.equal(json.issuedAt, null);
    assert.equal(json.notBefore, null);
    assert.equal('verified' in json, false);
    assert.deepEqual(json.findings.map((f: { ruleId: string }) => f.ruleId), ['jwt-expired', 'jwt-missing-aud']);
    for (const f of json.findings) assert.deepEqual(Object.keys(f).sort(), ['message', 'ruleId', 'severity']);
    assert.equal(err, '');
  });

  it('--key with the right JWK: exit 0, verified true even though expired', async () => {
    const { code, out } = await cli([V.V1, '--key', join(dir, 'v1.jwk'), '--format', 'json']);
    assert.equal(code, 0);
    const json = JSON.parse(out);
    assert.equal(json.verified, true);
    assert.equal(json.verification.signature, 'valid');
    assert.equal(json.verification.time, 'expired');
  });

  it('--key with a relative path resolves against cwd', async () => {
    assert.equal((await cli([V.V2, '--key', 'v2.jwk'], undefined, dir)).code, 0);
  });

  it('--secret wrong: exit 1, one stderr line, output still printed', async () => {
    const { code, out, err } = await cli([V.V1, '--secret', 'wrong', '--format', 'json']);
    assert.equal(code, 1);
    assert.equal(JSON.parse(out).verified, false);
    assert.match(err, /^session-lens: verification failed: the signature does not match[^\n]*\n$/);
  });

  it('--key file with a secret (trailing newline dropped) verifies V7 "hello"', async () => {
    assert.equal((await cli([V.V7_HELLO_SECRET, '--key', join(dir, 'secret.txt')])).code, 0);
  });

  it('algorithm confusion: HS256 forged with the RSA public key is rejected with exit 1', async () => {
    const forged = hmacToken({ alg: 'HS256' }, { sub: 'admin' }, V.V2_PUBLIC_JWK);
    const { code, err } = await cli([forged, '--key', join(dir, 'v2.jwk')]);
    assert.equal(code, 1);
    assert.match(err, /algorithm confusion/);
  });

  it('alg none with a key: exit 1', async () => {
    assert.equal((await cli([V.V4, '--key', join(dir, 'v1.jwk')])).code, 1);
  });

  it('a JWKS URL on loopback as --key', async () => {
    const token = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'ES256', kid: 'cli' }).sign(ec.privateKey);
    const { code, out } = await cli([token, '--key', jwksUrl, '--format', 'json']);
    assert.equal(code, 0, out);
    assert.equal(JSON.parse(out).verification.keyId, 'cli');
  });

  it('reads the token from stdin with "-", Bearer prefix and newline ignored', async () => {
    const { code, out } = await cli(['-', '--format', 'json'], `Bearer ${V.V6}\n`);
    assert.equal(code, 0);
    assert.equal(JSON.parse(out).payload.name, 'John Doe');
  });

  it('JWE: header only, then decrypted with the key', async () => {
    writeFileSync(join(dir, 'v5.jwk'), V.V5_JWK);
    const plain = JSON.parse((await cli([V.V5, '--format', 'json'])).out);
    assert.equal(plain.encrypted, true);
    assert.equal(plain.payload, null);
    assert.deepEqual(plain.findings.map((f: { ruleId: string }) => f.ruleId), ['jwt-encrypted']);
    const { code, out } = await cli([V.V5, '--key', join(dir, 'v5.jwk'), '--format', 'json']);
    assert.equal(code, 0);
    assert.equal(JSON.parse(out).verification.plaintext, V.V5_PLAINTEXT);
  });

  it('text: readable dates with relative time, verification and findings', async () => {
    const { code, out } = await cli([V.V1, '--key', join(dir, 'v1.jwk')]);
    assert.equal(code, 0);
    assert.match(out, /JWT \(JWS, alg HS256, typ JWT\)/);
    assert.match(out, /expires\s+2011-03-22T18:43:00\.000Z \(\d+ years ago\)/);
    assert.match(out, /state\s+EXPIRED/);
    assert.match(out, /Verified\s+yes: signature valid/);
    assert.match(out, /info\s+jwt-expired/);
  });

  it('text: control characters in claims cannot reach the terminal', async () => {
    const token = hmacToken({ alg: 'HS256' }, { name: 'x\u001b[31mred\u001b[0m', iss: 'i', aud: 'a', exp: 9_999_999_999 });
    const { out } = await cli([token]);
    assert.doesNotMatch(out, /\u001b/);
  });

  const usageErrors: [string, string[], RegExp][] = [
    ['no token', [], /needs a token/],
    ['two tokens', ['a.b.c', 'd.e.f'], /one token, got 2/],
    ['not a token', ['hello'], /^session-lens: not a JWT: input has no '\.' separators/],
    ['4 segments', [V.V7_FOUR_SEGMENTS], /not a JWT: input has 4 segments/],
    ['bad format', [V.V1, '--format', 'xml'], /--format' must be one of text, json/],
    ['unknown option', [V.V1, '--nope'], /unknown option '--nope'/],
    ['missing key file', [V.V1, '--key', 'does-not-exist.pem'], /cannot read key file 'does-not-exist.pem': no such file/],
    ['broken key file', [V.V1, '--key', 'broken.pem'], /key file 'broken.pem': the 'PUBLIC KEY' PEM block could not be read/],
    ['key and secret', [V.V1, '--key', 'v1.jwk', '--secret', 's'], /--key or --secret, not both/],
    ['remote JWKS URL', [V.V1, '--key', 'https://example.com/jwks'], /not this machine/],
    ['PEM as secret', [V.V1, '--secret=-----BEGIN PUBLIC KEY-----'], /PEM key, not a shared secret/],
  ];
  for (const [name, args, pattern] of usageErrors) {
    it(`exit 2, one line, no stack: ${name}`, async () => {
      const { code, out, err } = await cli(args, undefined, dir);
      assert.equal(code, 2);
      assert.equal(out, '');
      assert.match(err, pattern);
      assert.equal(err.trimEnd().split('\n').length, 1, err);
      assert.doesNotMatch(err, /\n\s+at /);
    });
  }

  it('empty stdin: exit 2', async () => {
    const { code, err } = await cli(['-'], '');
    assert.equal(code, 2);
    assert.match(err, /input is empty/);
  });

  it('--help prints the usage', async () => {
    const { code, out } = await cli(['--help']);
    assert.equal(code, 0);
    assert.match(out, /Usage: session-lens decode <token\|-> \[--key FILE\] \[--secret S\] \[--format text\|json\]/);
  });
});

describe('session-lens decode (built CLI in a child process)', () => {
  let dir: string;
  let cliJs = '';
  before(async function () {
    this.timeout(60_000);
    dir = mkdtempSync(join(tmpdir(), 'sl-cli-build-'));
    cliJs = join(dir, 'cli.js');
    await build({
      entryPoints: [join(__dirname, '..', '..', '..', 'src', 'cli', 'main.ts')],
      outfile: cliJs,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      define: { SESSION_LENS_VERSION: '"test"' },
      logLevel: 'silent',
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('decodes from stdin and exits 0; a bad token exits 2 with one line', () => {
    const ok = spawnSync(process.execPath, [cliJs, 'decode', '-', '--format', 'json'], { input: V.V6, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).payload.sub, '1234567890');
    const bad = spawnSync(process.execPath, [cliJs, 'decode', 'not-a-token'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /^session-lens: not a JWT: .*\n$/);
  });

  it('verification failure exits 1', () => {
    const r = spawnSync(process.execPath, [cliJs, 'decode', V.V1, '--secret', 'nope'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
  });
});
