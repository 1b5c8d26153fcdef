/**
 * Decodes cookies made by the real frameworks at test time: express cookie-session and
 * express-session served on 127.0.0.1, a Flask app (Debian python3-flask) and Django's signing
 * (python3-django). Nothing real is committed: every value is generated here.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express, { type Request, type RequestHandler } from 'express';
import session from 'express-session';
import { decodeSignedCookie, findWeakSessionSecret, verifySignedCookie } from '../../../src/core/signedCookies';

// cookie-session ships no type declarations; only its middleware factory is used.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cookieSession = require('cookie-session') as (options: Record<string, unknown>) => RequestHandler;
const sessionOf = (req: Request): Record<string, unknown> => (req as unknown as { session: Record<string, unknown> }).session;

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'signedCookies');
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function pythonHas(module: string): boolean {
  try {
    execFileSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** name → value of the Set-Cookie headers of a response (values as sent). */
function setCookies(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of response.headers.getSetCookie()) {
    const pair = line.split(';')[0];
    const eq = pair.indexOf('=');
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

describe('signed cookies from real express apps', () => {
  let server: Server;
  let base = '';
  before(async () => {
    const app = express();
    app.use('/cs', cookieSession({ name: 'session', keys: ['test-only-key-1', 'test-only-key-2'] }));
    app.get('/cs', (req, res) => {
      sessionOf(req).user = { id: 7, name: 'dora' };
      sessionOf(req).roles = ['admin'];
      res.end('ok');
    });
    app.use('/unsigned', cookieSession({ name: 'prefs', signed: false }));
    app.get('/unsigned', (req, res) => {
      sessionOf(req).theme = 'dark';
      res.end('ok');
    });
    app.use('/weak-cs', cookieSession({ name: 'weak', keys: ['secret'] }));
    app.get('/weak-cs', (req, res) => {
      sessionOf(req).n = 1;
      res.end('ok');
    });
    app.use('/es', session({ secret: 'test-only-session-secret', resave: false, saveUninitialized: true }));
    app.get('/es', (req, res) => {
      res.end(req.sessionID);
    });
    // The express-session README's example secret.
    app.use('/weak-es', session({ name: 'weak.sid', secret: 'keyboard cat', resave: false, saveUninitialized: true }));
    app.get('/weak-es', (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => {
      server = app.listen(0, '127.0.0.1', () => resolve());
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('cookie-session: the session JSON and its .sig companion', async () => {
    const cookies = setCookies(await fetch(`${base}/cs`));
    const data = decodeSignedCookie('session', cookies.session, cookies);
    assert.equal(data?.format, 'cookie-session');
    assert.equal(data.readable, true);
    assert.deepEqual(data.content, { user: { id: 7, name: 'dora' }, roles: ['admin'] });
    assert.match(data.note, /signed by the companion cookie 'session\.sig'/);
    const sig = decodeSignedCookie('session.sig', cookies['session.sig']);
    assert.equal(sig?.format, 'cookie-session-signature');
    assert.equal(sig.readable, false);
    assert.equal(sig.signatureAlgorithm, 'HMAC-SHA1');
  });

  it('cookie-session with signed: false: the note says it may be unsigned', async () => {
    const cookies = setCookies(await fetch(`${base}/unsigned`));
    assert.equal(cookies['prefs.sig'], undefined);
    const data = decodeSignedCookie('prefs', cookies.prefs, cookies);
    assert.deepEqual(data?.content, { theme: 'dark' });
    assert.match(data!.note, /may be unsigned/);
  });

  it('express-session: the session id, signature marked unverifiable', async () => {
    const response = await fetch(`${base}/es`);
    const id = await response.text();
    const cookies = setCookies(response);
    assert.match(cookies['connect.sid'], /^s%3A/, 'the cookie is URL-encoded as sent');
    const data = decodeSignedCookie('connect.sid', cookies['connect.sid']);
    assert.equal(data?.format, 'express-session');
    assert.deepEqual(data.content, { sessionId: id });
    assert.equal(data.signatureAlgorithm, 'HMAC-SHA256');
    assert.match(data.note, /cannot be checked without the secret/);
    assert.equal(verifySignedCookie('connect.sid', cookies['connect.sid'], 'test-only-session-secret').result, 'valid');
    assert.equal(verifySignedCookie('connect.sid', cookies['connect.sid'], 'other').result, 'invalid');
    assert.equal(findWeakSessionSecret('connect.sid', cookies['connect.sid']), undefined);
  });

  it('express-session signed with "keyboard cat": found by the dictionary', async () => {
    const cookies = setCookies(await fetch(`${base}/weak-es`));
    const weak = findWeakSessionSecret('weak.sid', cookies['weak.sid']);
    assert.equal(weak?.secret, 'keyboard cat');
    assert.equal(weak.format, 'express-session');
  });

  it('cookie-session: verified with its first key through the .sig companion; a weak key is found', async () => {
    const cookies = setCookies(await fetch(`${base}/cs`));
    assert.equal(verifySignedCookie('session', cookies.session, 'test-only-key-1', { cookies }).result, 'valid');
    assert.equal(verifySignedCookie('session.sig', cookies['session.sig'], 'test-only-key-1', { cookies }).result, 'valid');
    assert.equal(verifySignedCookie('session', cookies.session, 'test-only-key-2', { cookies }).result, 'invalid', 'keygrip signs with the first key');
    assert.equal(verifySignedCookie('session', cookies.session, 'test-only-key-1').result, 'unsupported', 'no companion, nothing to check');
    const weakCookies = setCookies(await fetch(`${base}/weak-cs`));
    assert.equal(findWeakSessionSecret('weak', weakCookies.weak, { cookies: weakCookies })?.secret, 'secret');
  });
});

describe('signed cookies from a real Flask app (python3-flask)', () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  let base = '';
  before(async function () {
    if (!pythonHas('flask')) this.skip();
    // "dev" is the Flask tutorial's SECRET_KEY.
    child = spawn(PYTHON, [join(FIXTURES, 'flask_app.py'), 'dev'], { stdio: 'pipe' });
    const port = await new Promise<string>((resolve, reject) => {
      let out = '';
      child!.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child!.once('exit', (code) => reject(new Error(`flask app exited with ${code}`)));
    });
    base = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.stdin.end();
    const timer = setTimeout(() => child?.kill(), 5000);
    await exited;
    clearTimeout(timer);
  });

  it('a small session: JSON content and the signing time', async () => {
    const before = Date.now();
    const cookies = setCookies(await fetch(`${base}/small`));
    const data = decodeSignedCookie('session', cookies.session);
    assert.equal(data?.format, 'itsdangerous');
    assert.deepEqual(data.content, { user_id: 42, name: 'alice' });
    assert.equal(data.compressed, undefined);
    assert.equal(data.signatureAlgorithm, 'HMAC-SHA1');
    assert.ok(Math.abs(data.timestamp! - before) < 120_000, `timestamp ${data.timestamp} vs ${before}`);
  });

  it('a large session: zlib-compressed with a leading dot', async () => {
    const cookies = setCookies(await fetch(`${base}/big`));
    assert.ok(cookies.session.startsWith('.'));
    const data = decodeSignedCookie('session', cookies.session);
    assert.equal(data?.compressed, true);
    assert.deepEqual(data.content, { notes: 'lorem ipsum '.repeat(60) });
  });

  it("Flask's tagged JSON (tuples, bytes, flashes) is untagged", async () => {
    const cookies = setCookies(await fetch(`${base}/tagged`));
    const data = decodeSignedCookie('session', cookies.session);
    assert.deepEqual(data?.content, { pair: ['a', 'b'], raw: 'bytes!', _flashes: [['message', 'Saved']] });
  });

  it('signature: verified with the app secret, and "dev" is found by the dictionary', async () => {
    for (const path of ['/small', '/big']) {
      const cookies = setCookies(await fetch(`${base}${path}`));
      const check = verifySignedCookie('session', cookies.session, 'dev');
      assert.equal(check.result, 'valid', check.message);
      assert.match(check.scheme!, /salt cookie-session/);
      assert.equal(verifySignedCookie('session', cookies.session, 'prod-secret').result, 'invalid');
      assert.equal(findWeakSessionSecret('session', cookies.session)?.secret, 'dev');
    }
  });
});

describe('Django signed values (python3-django)', () => {
  let values: Record<string, string> = {};
  before(function () {
    if (!pythonHas('django')) this.skip();
    values = JSON.parse(execFileSync(PYTHON, [join(FIXTURES, 'django_signing.py'), 'changeme'], { encoding: 'utf8', timeout: 30_000 })) as Record<string, string>;
  });

  it('signing.dumps', () => {
    const data = decodeSignedCookie('data', values.dumps);
    assert.equal(data?.format, 'django-signing');
    assert.deepEqual(data.content, { cart: [1, 2], user: 'bob' });
    assert.equal(data.signatureAlgorithm, 'HMAC-SHA256');
    assert.ok(data.timestamp && Math.abs(data.timestamp - Date.now()) < 300_000);
  });

  it('signing.dumps(compress=True): the dotted, compressed form', () => {
    assert.ok(values.dumps_compressed.startsWith('.'));
    const data = decodeSignedCookie('data', values.dumps_compressed);
    assert.equal(data?.compressed, true);
    assert.deepEqual(data.content, { notes: 'lorem ipsum '.repeat(60) });
  });

  it('the signed_cookies session backend', () => {
    const data = decodeSignedCookie('sessionid', values.session);
    assert.equal(data?.format, 'django-signing');
    assert.deepEqual(data.content, { user: 'carol', _auth_user_id: '7' });
  });

  it('set_signed_cookie: the clear-text value', () => {
    const data = decodeSignedCookie('theme', values.signed_cookie);
    assert.equal(data?.format, 'django-signing');
    assert.equal(data.content, 'dark');
    assert.match(data.note, /clear text/);
  });

  it('signatures verify with SECRET_KEY (and the salt for set_signed_cookie); "changeme" is found', () => {
    for (const [name, value] of [['data', values.dumps], ['data', values.dumps_compressed], ['sessionid', values.session]]) {
      assert.equal(verifySignedCookie(name, value, 'changeme').result, 'valid');
      assert.equal(verifySignedCookie(name, value, 'other').result, 'invalid');
      assert.equal(findWeakSessionSecret(name, value)?.secret, 'changeme');
    }
    assert.equal(verifySignedCookie('theme', values.signed_cookie, 'changeme', { salt: 'prefs' }).result, 'valid');
    assert.equal(verifySignedCookie('theme', values.signed_cookie, 'changeme').result, 'invalid', 'the salt is part of the key');
  });
});
