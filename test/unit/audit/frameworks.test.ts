import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import session from 'express-session';
import { auditSession } from '../../../src/core/audit/auditSession';
import type { Finding } from '../../../src/core/findings';
import type { RuleId } from '../../../src/core/rules/catalog';
import { RecordingClient, flaskPython, listen, startPythonApp } from './recordingClient';

// cookie-session ships no types, and @types/cookie-session clashes with express-session's Request.session.
const cookieSession = createRequire(__filename)('cookie-session') as (options: { name: string; keys: string[]; maxAge: number }) => express.RequestHandler;
type WithClientSession = { session: unknown };

// Made-up signing keys for the test servers only.
const TEST_SECRET = 'session-lens-test-only-not-a-real-secret';

function rules(findings: readonly Finding[]): Set<RuleId> {
  return new Set(findings.map((f) => f.ruleId));
}

function about(findings: readonly Finding[], rule: RuleId, subject: string): Finding[] {
  return findings.filter((f) => f.ruleId === rule && f.subject === subject);
}

describe('audit on real framework traffic', function () {
  this.timeout(30000);

  describe('express-session, defaults and no regenerate/clear', () => {
    let server: Awaited<ReturnType<typeof listen>>;
    let findings: Finding[];
    before(async () => {
      const app = express();
      app.use(express.urlencoded({ extended: false }));
      app.use(session({ secret: TEST_SECRET, resave: false, saveUninitialized: true }));
      app.get('/', (req, res) => {
        (req.session as unknown as { visits?: number }).visits = 1;
        res.send('home');
      });
      app.post('/login', (req, res) => {
        (req.session as unknown as { user?: string }).user = String(req.body.username);
        res.redirect(302, '/');
      });
      app.post('/logout', (req, res) => {
        req.session.destroy(() => res.send('bye'));
      });
      server = await listen(app);
      const client = new RecordingClient(server.base);
      await client.request('GET', '/');
      await client.request('POST', '/login', { form: { username: 'alice', password: 'made-up' } });
      await client.request('GET', '/');
      await client.request('POST', '/logout');
      findings = auditSession(client.snapshot());
      client.dispose();
    });
    after(() => server.close());

    it('finds the fixation: connect.sid survives the login', () => {
      const [f] = about(findings, 'session-fixation', 'connect.sid');
      assert.ok(f, JSON.stringify(findings.map((x) => x.ruleId)));
      assert.equal(f.severity, 'error');
      assert.match(f.message, /POST \/login sent a password/);
      assert.match(f.message, /next request still sent it/);
    });
    it('finds the logout that only destroys the server-side session', () => {
      assert.equal(about(findings, 'session-not-invalidated-on-logout', 'connect.sid').length, 1);
    });
    it('explains the missing Secure on 127.0.0.1 as info, once', () => {
      const secure = about(findings, 'cookie-missing-secure', 'connect.sid');
      assert.equal(secure.length, 1);
      assert.equal(secure[0].severity, 'info');
    });
    it('reports the default name, missing SameSite and the cacheable response once each', () => {
      for (const rule of ['cookie-default-session-name', 'cookie-missing-samesite', 'cookie-cacheable'] as const) {
        assert.equal(about(findings, rule, 'connect.sid').length, 1, rule);
      }
    });
    it('keeps quiet where express-session is right: HttpOnly, entropy of the signed id', () => {
      const r = rules(findings);
      assert.ok(!r.has('cookie-missing-httponly'));
      assert.ok(!r.has('session-id-low-entropy'));
      assert.ok(!r.has('session-id-meaningful'));
    });
    it('every finding carries evidence and a docs link', () => {
      for (const f of findings) {
        assert.ok(typeof f.evidence?.exchangeId === 'number');
        assert.ok(f.evidence?.header);
        assert.ok(f.docs.endsWith(`docs/rules/${f.ruleId}.md`), f.docs);
      }
    });
  });

  describe('express-session, hardened', () => {
    let server: Awaited<ReturnType<typeof listen>>;
    let findings: Finding[];
    let loginCookies: string[] = [];
    before(async () => {
      const app = express();
      app.set('trust proxy', 1);
      app.use(express.urlencoded({ extended: false }));
      app.use((_req, res, next) => {
        res.set('Cache-Control', 'no-store');
        next();
      });
      const cookie = { secure: true, httpOnly: true, sameSite: 'lax' as const, path: '/', maxAge: 3600_000 };
      app.use(session({ name: '__Host-id', secret: TEST_SECRET, resave: false, saveUninitialized: false, proxy: true, cookie }));
      app.post('/cart', (req, res) => {
        (req.session as unknown as { cart?: string }).cart = 'x';
        res.send('added');
      });
      app.post('/login', (req, res) => {
        req.session.regenerate(() => {
          (req.session as unknown as { user?: string }).user = String(req.body.username);
          res.redirect(302, '/');
        });
      });
      app.post('/logout', (req, res) => {
        req.session.destroy(() => {
          res.clearCookie('__Host-id', { path: '/', secure: true, httpOnly: true, sameSite: 'lax' });
          res.send('bye');
        });
      });
      server = await listen(app);
      const client = new RecordingClient(server.base);
      const https = { 'X-Forwarded-Proto': 'https' };
      await client.request('POST', '/cart', { headers: https });
      loginCookies = (await client.request('POST', '/login', { form: { username: 'alice', password: 'made-up' }, headers: https })).setCookies;
      await client.request('POST', '/logout', { headers: https });
      findings = auditSession(client.snapshot());
      client.dispose();
    });
    after(() => server.close());

    it('the login really issued a new id', () => {
      assert.equal(loginCookies.length, 1);
      assert.match(loginCookies[0], /^__Host-id=s%3A/);
    });
    it('has no findings at all', () => {
      assert.deepEqual(findings.map((f) => `${f.ruleId}: ${f.message}`), []);
    });
  });

  describe('cookie-session', () => {
    let server: Awaited<ReturnType<typeof listen>>;
    let good: Finding[];
    let bad: Finding[];
    before(async () => {
      const app = express();
      app.use(cookieSession({ name: 'session', keys: [TEST_SECRET], maxAge: 3600_000 }));
      app.post('/login', (req, res) => {
        (req as unknown as WithClientSession).session = { user: 'alice' };
        res.send('ok');
      });
      app.post('/logout', (req, res) => {
        (req as unknown as WithClientSession).session = null;
        res.send('bye');
      });
      app.post('/api/logout-broken', (_req, res) => {
        res.send('bye');
      });
      server = await listen(app);
      for (const [logout, assign] of [['/logout', (f: Finding[]) => { good = f; }], ['/api/logout-broken', (f: Finding[]) => { bad = f; }]] as const) {
        const client = new RecordingClient(server.base);
        await client.request('POST', '/login');
        await client.request('POST', logout);
        assign(auditSession(client.snapshot()));
        client.dispose();
      }
    });
    after(() => server.close());

    it('a logout that sets the session to null clears the cookie', () => {
      assert.ok(!rules(good).has('session-not-invalidated-on-logout'));
    });
    it('a logout that leaves the signed session cookie is reported for "session" only, not its .sig', () => {
      const found = bad.filter((f) => f.ruleId === 'session-not-invalidated-on-logout');
      assert.deepEqual(found.map((f) => f.subject), ['session']);
    });
    it('a signed session payload is not measured as an id', () => {
      assert.ok(!rules(good).has('session-id-low-entropy'));
      assert.ok(!rules(good).has('session-id-meaningful'));
    });
  });

  describe('Flask (Debian python3-flask)', () => {
    const python = flaskPython();
    const script = (hardened: boolean) => `
import datetime
from flask import Flask, session, request
from werkzeug.serving import make_server
app = Flask(__name__)
app.secret_key = ${JSON.stringify(TEST_SECRET)}
${hardened ? `app.config.update(SESSION_COOKIE_NAME='__Host-id', SESSION_COOKIE_SECURE=True, SESSION_COOKIE_SAMESITE='Lax', PERMANENT_SESSION_LIFETIME=datetime.timedelta(hours=8))` : ''}
@app.after_request
def no_store(resp):
    ${hardened ? "resp.headers['Cache-Control'] = 'no-store'" : 'pass'}
    return resp
@app.post('/login')
def login():
    session.permanent = True
    session['user'] = request.form.get('username', 'alice')
    return 'ok'
@app.post('/logout')
def logout():
    session.clear()
    return 'bye'
srv = make_server('127.0.0.1', 0, app)
print('PORT', srv.port, flush=True)
srv.serve_forever()
`;
    const results: Record<string, { findings: Finding[]; setCookies: string[] }> = {};
    const apps: { stop: () => Promise<void> }[] = [];
    before(async function () {
      if (!python) this.skip();
      for (const hardened of [false, true]) {
        const flask = await startPythonApp(python!, script(hardened));
        apps.push(flask);
        const client = new RecordingClient(flask.base);
        const login = await client.request('POST', '/login', { form: { username: 'alice', password: 'made-up' } });
        const logout = await client.request('POST', '/logout');
        results[hardened ? 'hardened' : 'default'] = { findings: auditSession(client.snapshot()), setCookies: [...login.setCookies, ...logout.setCookies] };
        client.dispose();
      }
    });
    after(async () => {
      for (const a of apps) await a.stop();
    });

    it('really produced Flask session cookies', () => {
      assert.match(results.default.setCookies[0], /^session=[.\w-]+\.[\w-]+\.[\w-]+; Expires=/);
    });
    it('default Flask: permanent session of 31 days is over the 30-day setting', () => {
      const [f] = about(results.default.findings, 'cookie-long-lifetime', 'session');
      assert.ok(f);
      assert.match(f.message, /31 days/);
    });
    it('default Flask: no Secure (explained on localhost), no SameSite', () => {
      assert.equal(about(results.default.findings, 'cookie-missing-secure', 'session')[0].severity, 'info');
      assert.equal(about(results.default.findings, 'cookie-missing-samesite', 'session').length, 1);
      assert.ok(!rules(results.default.findings).has('cookie-missing-httponly'));
    });
    it('session.clear() on logout deletes the cookie: no logout finding', () => {
      assert.ok(!rules(results.default.findings).has('session-not-invalidated-on-logout'));
    });
    it('hardened Flask has no findings', () => {
      assert.deepEqual(results.hardened.findings.map((f) => `${f.ruleId}: ${f.message}`), []);
    });
  });

  describe('PHP built-in server sessions', () => {
    let dir: string;
    const servers: ChildProcess[] = [];
    const router = `<?php
session_start();
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path === '/login' && $_SERVER['REQUEST_METHOD'] === 'POST') {
  if (getenv('SL_REGENERATE')) session_regenerate_id(true);
  $_SESSION['user'] = $_POST['username'] ?? 'alice';
  echo 'ok';
  return true;
}
if ($path === '/logout') {
  $_SESSION = [];
  if (getenv('SL_CLEAR')) setcookie(session_name(), '', ['expires' => time() - 3600, 'path' => '/']);
  session_destroy();
  echo 'bye';
  return true;
}
echo 'home';
return true;
`;
    async function freePort(): Promise<number> {
      const srv = net.createServer();
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      const { port } = srv.address() as net.AddressInfo;
      await new Promise<void>((r) => srv.close(() => r()));
      return port;
    }
    async function startPhp(env: Record<string, string>, ini: string[] = []): Promise<string> {
      const port = await freePort();
      const child = spawn('php', [...ini.flatMap((i) => ['-d', i]), '-S', `127.0.0.1:${port}`, join(dir, 'router.php')], { env: { ...process.env, ...env }, stdio: 'ignore' });
      servers.push(child);
      for (let i = 0; i < 100; i++) {
        const up = await new Promise<boolean>((resolve) => {
          const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve(true); });
          s.on('error', () => resolve(false));
        });
        if (up) return `http://127.0.0.1:${port}`;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('php -S did not start');
    }
    async function run(env: Record<string, string>, ini: string[] = []): Promise<Finding[]> {
      const client = new RecordingClient(await startPhp(env, ini));
      await client.request('GET', '/');
      await client.request('POST', '/login', { form: { username: 'alice', password: 'made-up' } });
      await client.request('GET', '/');
      await client.request('POST', '/logout');
      const findings = auditSession(client.snapshot());
      client.dispose();
      return findings;
    }
    let plain: Finding[];
    let fixed: Finding[];
    let shortIds: Finding[];
    before(async function () {
      dir = mkdtempSync(join(tmpdir(), 'sl-php-'));
      writeFileSync(join(dir, 'router.php'), router);
      plain = await run({});
      fixed = await run({ SL_REGENERATE: '1', SL_CLEAR: '1' });
      shortIds = await run({ SL_REGENERATE: '1', SL_CLEAR: '1' }, ['session.sid_length=22', 'session.sid_bits_per_character=4']);
    });
    after(async () => {
      for (const c of servers) {
        if (c.exitCode === null) {
          const gone = new Promise((r) => c.once('exit', r));
          c.kill('SIGTERM');
          await gone;
        }
      }
      rmSync(dir, { recursive: true, force: true });
    });

    it('no session_regenerate_id: session-fixation on PHPSESSID', () => {
      assert.equal(about(plain, 'session-fixation', 'PHPSESSID').length, 1);
    });
    it('session_destroy() alone leaves the cookie: logout finding', () => {
      assert.equal(about(plain, 'session-not-invalidated-on-logout', 'PHPSESSID').length, 1);
    });
    it('PHP sends no-store with sessions: not cacheable; 32 hex characters are 128 bits', () => {
      assert.ok(!rules(plain).has('cookie-cacheable'));
      assert.ok(!rules(plain).has('session-id-low-entropy'));
    });
    it('regenerate + clear fixes both', () => {
      assert.ok(!rules(fixed).has('session-fixation'));
      assert.ok(!rules(fixed).has('session-not-invalidated-on-logout'));
    });
    it('session.sid_length=22 with 4 bits per character is 88 bits: warning', () => {
      const [f] = about(shortIds, 'session-id-low-entropy', 'PHPSESSID');
      assert.ok(f);
      assert.equal(f.severity, 'warning');
      assert.match(f.message, /88 bits/);
    });
  });
});
