import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import { auditSession } from '../../../src/core/audit/auditSession';
import { classifyCookie } from '../../../src/core/audit/classifyCookie';
import { estimateSessionIdEntropy } from '../../../src/core/audit/sessionIdEntropy';
import { meaningOf } from '../../../src/core/audit/sessionRules';
import type { Finding } from '../../../src/core/findings';
import type { RuleId } from '../../../src/core/rules/catalog';
import { type ScriptedExchange, scriptedCapture } from './scriptedCapture';

// Made-up session ids (32 letters and digits: about 190 bits).
const SID_A = 'k3Jd9sLq2mXv8NpR4tYw7ZbC1eFgHiJ0';
const SID_B = 'Q7wE2rT9yU4iO1pA6sD3fG8hJ5kL0zXc';
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

function audit(exchanges: readonly ScriptedExchange[], settings = {}) {
  const store = scriptedCapture(exchanges);
  const findings = auditSession(store, settings, { now: NOW + 3600_000 });
  store.dispose();
  return findings;
}

function of(findings: readonly Finding[], rule: RuleId): Finding[] {
  return findings.filter((f) => f.ruleId === rule);
}

function jwt(claims: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}`;
  return `${input}.${createHmac('sha256', 'made-up-but-long-test-key-9f8e7d6c5b4a').update(input).digest('base64url')}`;
}

const good = '; Secure; HttpOnly; SameSite=Lax; Path=/';

describe('session-cookie classification', () => {
  for (const name of ['connect.sid', 'PHPSESSID', 'JSESSIONID', 'ASP.NET_SessionId', 'sessionid', 'laravel_session', '_shop_session', 'sid', 'session', '__Host-sid', 'remember_token', 'auth']) {
    it(`${name} is a session cookie`, () => assert.equal(classifyCookie(name, 'x').isSession, true));
  }
  for (const name of ['theme', 'csrftoken', 'XSRF-TOKEN', '_ga', 'session.sig', 'lang']) {
    it(`${name} is not`, () => assert.equal(classifyCookie(name, 'dark').isSession, false));
  }
  it('recognises values: a JWT, a long random id; not a short word', () => {
    assert.equal(classifyCookie('x', jwt({ sub: '1' })).valueKind, 'jwt');
    assert.equal(classifyCookie('x', jwt({ sub: '1' })).isSession, true);
    assert.equal(classifyCookie('pref', SID_A).isSession, true);
    assert.equal(classifyCookie('pref', 'compact').isSession, false);
  });
  it('says why, and names the framework', () => {
    const c = classifyCookie('JSESSIONID', 'x');
    assert.match(c.reason, /default session cookie name of Java Servlet/);
    assert.equal(c.framework, 'Java Servlet (Tomcat, Jetty, Spring)');
  });
  it('honours configured names with wildcards', () => {
    assert.equal(classifyCookie('acme_login_state', 'x', { sessionCookieNames: ['acme_*'] }).isSession, true);
    assert.match(classifyCookie('ACME', 'x', { sessionCookieNames: ['acme'] }).reason, /setting/);
  });
  it('an express-session signed id is an id; a Flask session is signed data', () => {
    assert.equal(classifyCookie('connect.sid', `s%3A${SID_A}.${'a'.repeat(43)}`).valueKind, 'id');
    assert.equal(classifyCookie('session', 'eyJ1c2VyIjoiYWxpY2UifQ.aUJ2xg.2k1dWq3nZt0mOq3rFz9Yc8Vb7Nn').valueKind, 'signed-data');
  });
});

describe('session id entropy estimate', () => {
  it('measures the id part of an express-session value', () => {
    const e = estimateSessionIdEntropy(`s%3A${SID_A}.${'a'.repeat(43)}`);
    assert.equal(e.measured, SID_A);
    assert.ok(e.bits > 180 && e.bits < 200);
  });
  it('32 hex characters are 128 bits, PHP 5-bit alphabets count 5 bits', () => {
    assert.equal(estimateSessionIdEntropy('0123456789abcdef0123456789abcdef').bits, 128);
    assert.equal(estimateSessionIdEntropy('0123456789abcdefghijklmnopqrstuv').bits, 160);
  });
  it('strips a servlet route suffix', () => {
    assert.equal(estimateSessionIdEntropy('0123456789ABCDEF0123456789ABCDEF.node0').measured, '0123456789ABCDEF0123456789ABCDEF');
  });
  it('sees through a long run of one character', () => {
    assert.ok(estimateSessionIdEntropy('a'.repeat(40)).bits < 64);
  });
});

describe('session rules on a timeline', () => {
  describe('session-fixation', () => {
    const before: ScriptedExchange = { path: '/', setCookies: [`sid=${SID_A}${good}`] };
    it('fires when the id survives a password login', () => {
      const [f] = of(audit([before, { method: 'POST', path: '/login', cookie: `sid=${SID_A}`, form: { user: 'a', password: 'made-up' }, status: 302 }]), 'session-fixation');
      assert.equal(f.subject, 'sid');
      assert.equal(f.evidence?.exchangeId, 2);
    });
    it('fires when a login hands out a new auth credential but keeps the session id', () => {
      const token = jwt({ sub: '1', exp: NOW / 1000 + 7200 });
      const [f] = of(audit([before, { method: 'POST', path: '/api/graphql', cookie: `sid=${SID_A}`, setCookies: [`auth_token=${token}${good}`] }]), 'session-fixation');
      assert.match(f.message, /issued a new cookie "auth_token"/);
    });
    it('is quiet when the login issues a new id', () => {
      assert.deepEqual(of(audit([before, { method: 'POST', path: '/login', cookie: `sid=${SID_A}`, form: { password: 'x' }, setCookies: [`sid=${SID_B}${good}`] }]), 'session-fixation'), []);
    });
    it('is quiet for a failed login and for viewing the login page', () => {
      assert.deepEqual(of(audit([before, { method: 'POST', path: '/login', cookie: `sid=${SID_A}`, form: { password: 'x' }, status: 401 }]), 'session-fixation'), []);
      assert.deepEqual(of(audit([before, { method: 'GET', path: '/login', cookie: `sid=${SID_A}` }]), 'session-fixation'), []);
    });
    it('an OAuth callback carrying a code completes a login', () => {
      const [f] = of(audit([before, { path: '/auth/callback?code=made-up-code-123456&state=xyz', cookie: `sid=${SID_A}`, status: 302 }]), 'session-fixation');
      assert.match(f.message, /completed a single sign-on/);
    });
    it('a token refresh alone (weak path word, nothing new) is not a login', () => {
      assert.deepEqual(of(audit([before, { method: 'POST', path: '/api/session/ping', cookie: `sid=${SID_A}` }]), 'session-fixation'), []);
    });
    it('login words are configurable', () => {
      const steps: ScriptedExchange[] = [before, { method: 'POST', path: '/anmelden', cookie: `sid=${SID_A}` }];
      assert.deepEqual(of(audit(steps), 'session-fixation'), []);
      assert.equal(of(audit(steps, { loginPathWords: ['anmelden'] }), 'session-fixation').length, 1);
    });
    it('the extension setting loginPaths adds words and keeps the built-in ones', () => {
      assert.equal(of(audit([before, { method: 'POST', path: '/anmelden', cookie: `sid=${SID_A}` }], { loginPaths: ['anmelden'] }), 'session-fixation').length, 1);
      assert.equal(of(audit([before, { method: 'POST', path: '/login', cookie: `sid=${SID_A}` }], { loginPaths: ['anmelden'] }), 'session-fixation').length, 1);
    });
    it('promotes a cookie the login changed to a session cookie', () => {
      const steps: ScriptedExchange[] = [
        { path: '/', setCookies: [`appstate=${SID_A}${good}`] },
        { method: 'POST', path: '/login', cookie: `appstate=${SID_A}`, form: { password: 'x' }, setCookies: [`appstate=${SID_B}; Path=/`] },
      ];
      const f = audit(steps);
      assert.equal(of(f, 'cookie-missing-httponly').filter((x) => x.subject === 'appstate').length, 1);
    });
  });

  describe('session-not-invalidated-on-logout', () => {
    it('fires when the logout leaves the cookie alone', () => {
      const [f] = of(audit([{ path: '/', setCookies: [`sid=${SID_A}${good}`] }, { method: 'POST', path: '/logout', cookie: `sid=${SID_A}` }]), 'session-not-invalidated-on-logout');
      assert.match(f.message, /no Set-Cookie cleared or replaced it/);
    });
    it('is quiet when it clears or replaces the cookie', () => {
      assert.deepEqual(of(audit([{ method: 'POST', path: '/logout', cookie: `sid=${SID_A}`, setCookies: ['sid=; Max-Age=0; Path=/'] }]), 'session-not-invalidated-on-logout'), []);
      assert.deepEqual(of(audit([{ method: 'POST', path: '/auth/sign-out', cookie: `sid=${SID_A}`, setCookies: [`sid=${SID_B}${good}`] }]), 'session-not-invalidated-on-logout'), []);
    });
    it('logout words are configurable', () => {
      const steps: ScriptedExchange[] = [{ method: 'POST', path: '/bye', cookie: `sid=${SID_A}` }];
      assert.deepEqual(of(audit(steps), 'session-not-invalidated-on-logout'), []);
      assert.equal(of(audit(steps, { logoutPathWords: ['bye'] }), 'session-not-invalidated-on-logout').length, 1);
    });
  });

  describe('csrf-state-change-on-get', () => {
    it('fires for GET /logout that clears the session', () => {
      const [f] = of(audit([{ path: '/logout', cookie: `sid=${SID_A}`, setCookies: ['sid=; Max-Age=0; Path=/'] }]), 'csrf-state-change-on-get');
      assert.match(f.message, /GET \/logout cleared/);
    });
    it('is quiet for an OAuth callback that renews the session', () => {
      assert.deepEqual(of(audit([{ path: '/auth/callback?code=made-up-code-123456&state=xyz', cookie: `sid=${SID_A}`, status: 302, setCookies: [`sid=${SID_B}${good}`] }]), 'csrf-state-change-on-get'), []);
    });
    it('is quiet for POST /logout and for a GET that re-issues the same id', () => {
      assert.deepEqual(of(audit([{ method: 'POST', path: '/logout', cookie: `sid=${SID_A}`, setCookies: ['sid=; Max-Age=0; Path=/'] }]), 'csrf-state-change-on-get'), []);
      assert.deepEqual(of(audit([{ path: '/home', cookie: `sid=${SID_A}`, setCookies: [`sid=${SID_A}${good}; Max-Age=600`] }]), 'csrf-state-change-on-get'), []);
    });
  });

  describe('session-id-low-entropy', () => {
    it('error below 64 bits', () => {
      const [f] = of(audit([{ path: '/', setCookies: [`sid=12345${good}`] }]), 'session-id-low-entropy');
      assert.equal(f.severity, 'error');
      assert.match(f.message, /16\.6 bits/);
    });
    it('warning between 64 and 128 bits', () => {
      const [f] = of(audit([{ path: '/', setCookies: [`PHPSESSID=0123456789abcdef0123456789${good}`] }]), 'session-id-low-entropy');
      assert.equal(f.severity, 'warning');
      assert.match(f.message, /104 bits/);
    });
    it('quiet at 128 bits and above, and for a cookie only seen in requests it measures that value', () => {
      assert.deepEqual(of(audit([{ path: '/', setCookies: [`sid=0123456789abcdef0123456789abcdef${good}`] }]), 'session-id-low-entropy'), []);
      assert.equal(of(audit([{ path: '/', cookie: 'sid=777' }]), 'session-id-low-entropy').length, 1);
    });
    it('does not measure flags such as remember_me=1', () => {
      assert.deepEqual(of(audit([{ path: '/', setCookies: [`remember_me=1${good}`] }]), 'session-id-low-entropy'), []);
    });
  });

  describe('session-id-meaningful', () => {
    it('an e-mail, a user number, base64 user data', () => {
      assert.equal(meaningOf('alice@example.com'), 'an e-mail address');
      assert.equal(meaningOf('42'), 'a small number, such as a user or row id');
      assert.equal(meaningOf(Buffer.from('uid:42').toString('base64')), 'base64-encoded user data');
      assert.equal(meaningOf('%7B%22user%22%3A42%7D'), 'JSON');
      assert.equal(of(audit([{ path: '/', setCookies: [`sid=alice@example.com${good}`] }]), 'session-id-meaningful').length, 1);
    });
    it('quiet for random ids', () => {
      assert.equal(meaningOf(SID_A), undefined);
      assert.deepEqual(of(audit([{ path: '/', setCookies: [`sid=${SID_A}${good}`] }]), 'session-id-meaningful'), []);
    });
  });

  describe('session-token-in-url', () => {
    it('an access token in the query, a JWT in the query, a servlet ;jsessionid', () => {
      const f = of(audit([
        { path: '/cb?access_token=made-up-access-token-1234' },
        { path: `/api?t=${jwt({ sub: '1' })}` },
        { path: '/shop;jsessionid=0123456789ABCDEF0123456789ABCDEF' },
      ]), 'session-token-in-url');
      assert.deepEqual(f.map((x) => x.subject).sort(), ['access_token', 'jsessionid', 't']);
    });
    it('the value of a session cookie in a path', () => {
      const [f] = of(audit([{ path: '/', setCookies: [`sid=${SID_A}${good}`] }, { path: `/s/${SID_A}/home`, cookie: `sid=${SID_A}` }]), 'session-token-in-url');
      assert.equal(f.subject, 'sid');
      assert.match(f.message, /URL path/);
    });
    it('a token in the fragment of a redirect (implicit flow)', () => {
      const [f] = of(audit([{ path: '/authorize', status: 302, responseHeaders: { Location: 'http://localhost:3000/cb#access_token=made-up-access-token-5678&token_type=bearer' } }]), 'session-token-in-url');
      assert.match(f.message, /fragment/);
      assert.match(f.message, /PKCE/);
    });
    it('quiet for an authorization code and state', () => {
      assert.deepEqual(of(audit([{ path: '/cb?code=made-up-code-123456&state=xyz' }]), 'session-token-in-url'), []);
    });
  });

  describe('cors-credentialed-wildcard', () => {
    const cred = { 'Access-Control-Allow-Credentials': 'true' };
    it('* or null with credentials: error', () => {
      assert.equal(of(audit([{ path: '/api', responseHeaders: { ...cred, 'Access-Control-Allow-Origin': '*' } }]), 'cors-credentialed-wildcard')[0].severity, 'error');
      assert.equal(of(audit([{ path: '/api', responseHeaders: { ...cred, 'Access-Control-Allow-Origin': 'null' } }]), 'cors-credentialed-wildcard').length, 1);
    });
    it('reflecting two different origins: warning', () => {
      const f = of(audit([
        { path: '/api', requestHeaders: { Origin: 'http://a.example' }, responseHeaders: { ...cred, 'Access-Control-Allow-Origin': 'http://a.example' } },
        { path: '/api', requestHeaders: { Origin: 'http://evil.example' }, responseHeaders: { ...cred, 'Access-Control-Allow-Origin': 'http://evil.example' } },
      ]), 'cors-credentialed-wildcard');
      assert.equal(f.length, 1);
      assert.equal(f[0].severity, 'warning');
    });
    it('quiet for one allowed origin, and for * without credentials', () => {
      assert.deepEqual(of(audit([{ path: '/api', requestHeaders: { Origin: 'http://localhost:5173' }, responseHeaders: { ...cred, 'Access-Control-Allow-Origin': 'http://localhost:5173' } }]), 'cors-credentialed-wildcard'), []);
      assert.deepEqual(of(audit([{ path: '/api', responseHeaders: { 'Access-Control-Allow-Origin': '*' } }]), 'cors-credentialed-wildcard'), []);
    });
  });

  describe('cookie-cacheable', () => {
    it('fires for a GET without Cache-Control, and for an explicit public response', () => {
      assert.equal(of(audit([{ path: '/', setCookies: [`sid=${SID_A}${good}`] }]), 'cookie-cacheable').length, 1);
      assert.equal(of(audit([{ method: 'POST', path: '/x', setCookies: [`sid=${SID_A}${good}`], responseHeaders: { 'Cache-Control': 'public, max-age=600' } }]), 'cookie-cacheable').length, 1);
    });
    it('quiet with no-store, private or no-cache="Set-Cookie", and for a plain POST', () => {
      for (const cc of ['no-store', 'private, max-age=0', 'no-cache="Set-Cookie"']) {
        assert.deepEqual(of(audit([{ path: '/', setCookies: [`sid=${SID_A}${good}`], responseHeaders: { 'Cache-Control': cc } }]), 'cookie-cacheable'), [], cc);
      }
      assert.deepEqual(of(audit([{ method: 'POST', path: '/x', setCookies: [`sid=${SID_A}${good}`] }]), 'cookie-cacheable'), []);
    });
  });

  describe('de-duplication and state', () => {
    it('the same bad Set-Cookie on ten responses is reported once per rule', () => {
      const steps = Array.from({ length: 10 }, () => ({ path: '/', setCookies: [`sid=${SID_A}; Path=/`] }));
      const f = audit(steps);
      const counts = new Map<string, number>();
      for (const x of f) counts.set(`${x.ruleId}/${x.subject}`, (counts.get(`${x.ruleId}/${x.subject}`) ?? 0) + 1);
      assert.ok(counts.size > 0);
      for (const [key, n] of counts) assert.equal(n, 1, key);
    });
    it('deletions are state, not findings', () => {
      assert.deepEqual(audit([{ method: 'POST', path: '/x', setCookies: ['sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/', 'PHPSESSID=deleted; Max-Age=0'] }]), []);
    });
    it('errors come first', () => {
      const f = audit([{ path: '/', setCookies: [`sid=12345; SameSite=None`] }]);
      const order = f.map((x) => x.severity);
      assert.deepEqual(order, [...order].sort((a, b) => ['error', 'warning', 'info'].indexOf(a) - ['error', 'warning', 'info'].indexOf(b)));
    });
  });

  describe('JWT findings through analyzeJwt', () => {
    it('a JWT cookie without HttpOnly and without exp', () => {
      const f = audit([{ method: 'POST', path: '/login', form: { password: 'x' }, setCookies: [`token=${jwt({ sub: '1', iss: 'me', aud: 'you' })}; Secure; SameSite=Lax; Path=/`] }]);
      const readable = of(f, 'jwt-readable-storage');
      assert.equal(readable.length, 1);
      assert.equal(readable[0].evidence?.exchangeId, 1);
      assert.match(readable[0].evidence?.header ?? '', /^Set-Cookie: token=/);
      assert.equal(of(f, 'jwt-no-expiry').length, 1);
    });
    it('a superseded expired token is state: only the newest token of a cookie speaks', () => {
      const old = jwt({ sub: '1', iss: 'me', aud: 'you', iat: NOW / 1000 - 7200, exp: NOW / 1000 - 3600 });
      const fresh = jwt({ sub: '1', iss: 'me', aud: 'you', iat: NOW / 1000, exp: NOW / 1000 + 7200 });
      const f = audit([
        { path: '/', setCookies: [`token=${old}${good}`] },
        { path: '/refresh', method: 'POST', setCookies: [`token=${fresh}${good}`] },
      ]);
      assert.deepEqual(of(f, 'jwt-expired'), []);
    });
    it('a Bearer token in a request header', () => {
      const f = audit([{ path: '/api', requestHeaders: { Authorization: `Bearer ${jwt({ sub: '1' })}` } }]);
      assert.ok(of(f, 'jwt-no-expiry').some((x) => x.subject === 'Authorization'));
    });
    it('can be switched off or replaced', () => {
      const steps: ScriptedExchange[] = [{ path: '/api', requestHeaders: { Authorization: `Bearer ${jwt({ sub: '1' })}` } }];
      const store = scriptedCapture(steps);
      assert.deepEqual(auditSession(store, {}, { analyzeJwt: false }).filter((x) => x.ruleId.startsWith('jwt-')), []);
      let calls = 0;
      auditSession(store, {}, { analyzeJwt: () => { calls++; return []; } });
      assert.equal(calls, 1);
      store.dispose();
    });
  });

  describe('through the capture proxy', () => {
    it('judges cookies against the upstream origin, not the local proxy', () => {
      const viaProxy = (upstream: string) => audit([{ path: '/', upstream, setCookies: [`sid=${SID_A}; HttpOnly; SameSite=Lax; Path=/; Domain=staging.example`] }]);
      const remote = viaProxy('https://staging.example/');
      assert.equal(of(remote, 'cookie-missing-secure')[0].severity, 'warning');
      assert.ok(!of(remote, 'cookie-broad-domain').some((f) => /does not match/.test(f.message)));
      const local = audit([{ path: '/', upstream: 'http://localhost:3000/', setCookies: [`sid=${SID_A}; HttpOnly; SameSite=Lax; Path=/`] }]);
      assert.equal(of(local, 'cookie-missing-secure')[0].severity, 'info');
    });
  });

  describe('inputs', () => {
    it('accepts a store, a snapshot or bare exchanges, and junk without throwing', () => {
      const store = scriptedCapture([{ path: '/', setCookies: ['sid=12345'] }]);
      const a = auditSession(store, {}, { now: NOW });
      const b = auditSession(store.snapshot(), {}, { now: NOW });
      const c = auditSession(store.snapshot().exchanges, {}, { now: NOW });
      assert.deepEqual(a, b);
      assert.deepEqual(a.map((x) => x.ruleId), c.map((x) => x.ruleId));
      store.dispose();
      for (const junk of [[], {}, null, { exchanges: 5 }, [null, 1, 'x'], { snapshot: () => { throw new Error('x'); } }] as unknown[]) {
        assert.doesNotThrow(() => auditSession(junk as never));
      }
    });
  });
});
