import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, decodeJwt, jwtVerify } from 'jose';
import { JWT_SERVER_SECRET, startJwtServer } from '../../fixtures/servers/jwtServers';
import { type RunningServer, listen } from '../../fixtures/servers/upstream';
import { type CapturedHar, type ProbeJson, captureHar, cli } from './probeSession';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sampleApp = require('../../fixtures/sample-app/server.js') as {
  start(port?: number, options?: Record<string, unknown>): Promise<{ url: string; close(): Promise<void> }>;
};

const secret = new TextEncoder().encode(JWT_SERVER_SECRET);

/** A JWT the JWT servers issued: HS256 with their secret, valid for an hour. */
function issuedToken(): Promise<string> {
  return new SignJWT({ sub: 'alice', role: 'user' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt().setExpirationTime('1h').sign(secret);
}

/**
 * The mistake behind "decoded, not verified": a server that reads the claims of whatever JWT it
 * gets (jwt.decode used for auth). It records every token it received, byte for byte.
 */
async function startDecodeOnlyServer(): Promise<RunningServer & { readonly tokens: string[] }> {
  const tokens: string[] = [];
  const server = await listen(http.createServer((req, res) => {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? /(?:^|;\s*)token=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];
    if (token !== undefined) tokens.push(token);
    let sub: unknown;
    try {
      sub = token === undefined ? undefined : decodeJwt(token).sub;
    } catch {
      sub = undefined;
    }
    const body = typeof sub === 'string' ? JSON.stringify({ user: sub }) : JSON.stringify({ error: 'login required' });
    res.writeHead(typeof sub === 'string' ? 200 : 401, { 'Content-Type': 'application/json' });
    res.end(body);
  }));
  return { ...server, tokens };
}

/** A page view that sent the JWT as a bearer token, or in the `token` cookie. */
const viewWith = (token: string, via: 'bearer' | 'cookie') => async (b: { send(path: string, o?: { headers?: http.OutgoingHttpHeaders }): Promise<{ status: number }> }): Promise<void> => {
  const headers = via === 'bearer' ? { authorization: `Bearer ${token}` } : { cookie: `token=${token}` };
  assert.equal((await b.send('/api/me', { headers })).status, 200);
};

async function probeExpiry(har: CapturedHar, target: string, extra: readonly string[]): Promise<ProbeJson> {
  const { code, stdout, stderr } = await cli(['probe', 'expiry', '--har', har.file, '--target', target, '--yes', '--format', 'json', ...extra]);
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout) as ProbeJson;
}

describe('expiry probe via a tampered JWT (--tamper-jwt, --jwt-key)', function () {
  this.timeout(60_000);
  let keyDir: string;
  let keyFile: string;
  before(() => {
    keyDir = mkdtempSync(join(tmpdir(), 'session-lens-key-'));
    keyFile = join(keyDir, 'jwt.key');
    writeFileSync(keyFile, JWT_SERVER_SECRET, { mode: 0o600 });
  });
  after(() => rmSync(keyDir, { recursive: true, force: true }));

  /** Captures `script` against a JWT server of `kind`, runs `body`, stops both. */
  async function withJwtServer(kind: 'strict' | 'lax', via: 'bearer' | 'cookie', body: (har: CapturedHar, url: string) => Promise<void>): Promise<void> {
    const server = await startJwtServer(kind);
    let har: CapturedHar | undefined;
    try {
      har = await captureHar(server.url, viewWith(await issuedToken(), via));
      await body(har, server.url);
    } finally {
      har?.remove();
      await server.close();
    }
  }

  it('a verifier that checks exp (jose jwtVerify): re-signed with its key → refuted', () => withJwtServer('strict', 'bearer', async (har, url) => {
    const out = await probeExpiry(har, url, ['--jwt-key', keyFile]);
    assert.equal(out.verdict, 'refuted', out.reason);
    assert.equal(out.ruleId, 'session-expiry-not-enforced');
    assert.deepEqual(out.requests.map((r) => r.status), [200, 401, 401]);
    assert.match(out.reason, /enforces exp/);
  }));

  it('a verifier that checks exp: without a key, the broken signature is rejected → inconclusive, saying why', () => withJwtServer('strict', 'bearer', async (har, url) => {
    const out = await probeExpiry(har, url, ['--tamper-jwt']);
    assert.equal(out.verdict, 'inconclusive', out.reason);
    assert.deepEqual(out.requests.map((r) => r.status), [200, 401, 401]);
    assert.match(out.reason, /signature no longer matches.*--jwt-key/);
  }));

  it('a verifier that checks the signature but not exp: re-signed with its key → confirmed; the token travels in a cookie', () => withJwtServer('lax', 'cookie', async (har, url) => {
    const out = await probeExpiry(har, url, ['--jwt-key', `secret:${JWT_SERVER_SECRET}`]);
    assert.equal(out.verdict, 'confirmed', out.reason);
    assert.match(out.reason, /JWT in cookie token re-signed with your key/);
    assert.deepEqual(out.requests.map((r) => r.status), [200, 200, 401]);
  }));

  it('a server that only decodes the JWT: the expired token with its old signature reaches it byte-exact and is accepted → confirmed', async () => {
    const server = await startDecodeOnlyServer();
    const token = await issuedToken();
    let har: CapturedHar | undefined;
    try {
      har = await captureHar(server.url, viewWith(token, 'bearer'));
      server.tokens.length = 0;
      const before = Math.floor(Date.now() / 1000);
      const out = await probeExpiry(har, server.url, ['--tamper-jwt']);
      assert.equal(out.verdict, 'confirmed', out.reason);
      assert.match(out.reason, /verifies neither the signature nor exp/);
      assert.deepEqual(out.requests.map((r) => r.status), [200, 200, 401]);
      // The control carries the token as issued; the tampered one differs only in exp, with the original header and signature.
      assert.equal(server.tokens.length, 2);
      assert.equal(server.tokens[0], token);
      const [header, , signature] = token.split('.');
      const [tHeader, tPayload, tSignature] = server.tokens[1].split('.');
      assert.deepEqual([tHeader, tSignature], [header, signature]);
      const claims = JSON.parse(Buffer.from(tPayload, 'base64url').toString()) as Record<string, unknown>;
      const original = decodeJwt(token);
      assert.deepEqual({ ...claims, exp: 0, iat: 0 }, { ...original, exp: 0, iat: 0 });
      assert.ok((claims.exp as number) <= before - 3599 && (claims.exp as number) >= before - 3601 - 60, String(claims.exp));

      // With the key, what reaches the server is a token that verifies with it and has expired.
      server.tokens.length = 0;
      await probeExpiry(har, server.url, ['--jwt-key', keyFile]);
      await assert.rejects(jwtVerify(server.tokens[1], secret), /"exp" claim timestamp check failed/);
      assert.equal((await jwtVerify(server.tokens[1], secret, { clockTolerance: 7200 })).protectedHeader.alg, 'HS256');
    } finally {
      har?.remove();
      await server.close();
    }
  });

  it('the sample app (Express, jose): re-signed with its secret, confirmed when /api/me ignores exp and refuted when it checks', async () => {
    for (const [options, verdict] of [[{ jwtIgnoresExpiry: true }, 'confirmed'], [{}, 'refuted']] as const) {
      const app = await sampleApp.start(0, options);
      let har: CapturedHar | undefined;
      try {
        har = await captureHar(app.url, async (b) => {
          const res = await b.send('/api/token', { method: 'POST', body: JSON.stringify({ username: 'alice', password: 'wonderland' }), headers: { 'content-type': 'application/json' } });
          const { access_token: token } = JSON.parse(res.body.toString()) as { access_token: string };
          assert.equal((await b.send('/api/me', { headers: { authorization: `Bearer ${token}` } })).status, 200);
        });
        const out = await probeExpiry(har, app.url, ['--jwt-key', 'secret:your-256-bit-secret']);
        assert.equal(out.verdict, verdict, out.reason);
        assert.deepEqual(out.requests.map((r) => `${new URL(r.url).pathname} ${r.status}`), ['/api/me 200', `/api/me ${verdict === 'confirmed' ? 200 : 401}`, '/api/me 401']);
      } finally {
        har?.remove();
        await app.close();
      }
    }
  });

  it('bad input exits 2 with a clear message: a key that does not verify the token, an unreadable key file, a tamper flag on another probe, a capture without a JWT', () => withJwtServer('strict', 'bearer', async (har, url) => {
    const wrongKey = await cli(['probe', 'expiry', '--har', har.file, '--target', url, '--yes', '--jwt-key', 'secret:not-the-server-key']);
    assert.equal(wrongKey.code, 2);
    assert.match(wrongKey.stderr, /does not verify the signature of the JWT in the Authorization header: it is not the key the server signs with/);
    const missing = await cli(['probe', 'expiry', '--har', har.file, '--target', url, '--yes', '--jwt-key', join(keyDir, 'absent.pem')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read the --jwt-key file .*absent\.pem: ENOENT/);
    const other = await cli(['probe', 'logout', '--har', har.file, '--target', url, '--yes', '--tamper-jwt']);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /belong to the expiry probe, not logout/);
    const publicKey = await cli(['probe', 'expiry', '--har', har.file, '--target', url, '--yes', '--jwt-key', 'secret:-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----']);
    assert.equal(publicKey.code, 2);
    assert.match(publicKey.stderr, /the JWT key: that PEM is a public key/);
    for (const out of [wrongKey, missing, other, publicKey]) assert.doesNotMatch(out.stderr, /\n\s+at /, 'no stack trace');
  }));

  it('says there is nothing to tamper when the capture carried no JWT', async () => {
    const app = await sampleApp.start(0);
    let har: CapturedHar | undefined;
    try {
      har = await captureHar(app.url, async (b) => { await b.send('/'); });
      const out = await cli(['probe', 'expiry', '--har', har.file, '--target', app.url, '--yes', '--tamper-jwt']);
      assert.equal(out.code, 2);
      assert.match(out.stderr, /no JWT \(in the Authorization header or a cookie\) that a page request/);
    } finally {
      har?.remove();
      await app.close();
    }
  });
});
