import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import express from 'express';
import session from 'express-session';
import { SessionStore } from '../../../src/core/session/sessionStore';
import type { HeaderField } from '../../../src/core/session/types';
import { estimateClockSkew } from '../../../src/core/expiry/clockSkew';
import { cookieIssuanceExpiry } from '../../../src/core/expiry/credentialTimes';
import { buildExpiryModel } from '../../../src/core/expiry/expiryModel';
import { type CredentialExpiry, remainingMs, stateAt } from '../../../src/core/expiry/expiryState';
import { parseSetCookie } from '../../../src/core/cookies/setCookie';
import { RecordingClient, listen } from '../audit/recordingClient';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const SEC = 1000;

/** A capture built through the real session store, with every time chosen by the test. */
class FakeCapture {
  readonly store = new SessionStore({ throttleMs: 0, now: () => T0 });

  add(o: { at: number; url?: string; method?: string; serverDate?: number; setCookies?: string[]; requestHeaders?: HeaderField[]; json?: unknown }): number {
    const url = o.url ?? 'http://localhost:3000/';
    const id = this.store.beginExchange({ source: 'har', method: o.method ?? 'GET', url, headers: o.requestHeaders ?? [], startedAt: o.at - 20 });
    const headers: HeaderField[] = [];
    if (o.serverDate !== undefined) headers.push({ name: 'Date', value: new Date(o.serverDate).toUTCString() });
    for (const sc of o.setCookies ?? []) headers.push({ name: 'Set-Cookie', value: sc });
    if (o.json !== undefined) headers.push({ name: 'Content-Type', value: 'application/json' });
    this.store.addResponse(id, { status: 200, headers, receivedAt: o.at });
    const body = o.json !== undefined ? Buffer.from(JSON.stringify(o.json)) : undefined;
    this.store.finishExchange(id, { state: 'complete', endedAt: o.at + 5, ...(body ? { responseBody: { bytes: body, wireBytes: body.length, truncated: false } } : {}) });
    return id;
  }

  model(now = T0, options: { expiringSoonSeconds?: number } = {}) {
    return buildExpiryModel(this.store, { clock: () => now, ...options });
  }

  cookie(name: string, now = T0): CredentialExpiry {
    const c = this.model(now).credentials.find((x) => x.type === 'cookie' && x.label === name);
    assert.ok(c, `no credential for cookie ${name}`);
    return c;
  }
}

/** An HS256 JWT with the given claims, signed with a made-up test key. */
function jwt(claims: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}`;
  return `${input}.${createHmac('sha256', 'made-up-test-key').update(input).digest('base64url')}`;
}

const httpDate = (ms: number) => new Date(ms).toUTCString();

describe('expiry model', () => {
  describe('one Set-Cookie', () => {
    it('Max-Age counts from receipt and wins over Expires', () => {
      const cap = new FakeCapture();
      cap.add({ at: T0, serverDate: T0, setCookies: [`sid=abc; Max-Age=60; Expires=${httpDate(T0 + 86400 * SEC)}`] });
      const c = cap.cookie('sid');
      assert.equal(c.expiresAt, T0 + 60 * SEC);
      assert.equal(c.source, 'max-age');
      assert.equal(c.kind, 'absolute');
      assert.ok(c.notes.some((n) => /wins over Expires/.test(n)));
    });
    it('Expires alone is taken as written when the clocks agree', () => {
      const cap = new FakeCapture();
      cap.add({ at: T0 + 300, serverDate: T0, setCookies: [`sid=abc; Expires=${httpDate(T0 + 3600 * SEC)}`] });
      const c = cap.cookie('sid');
      assert.equal(c.expiresAt, T0 + 3600 * SEC);
      assert.equal(c.skewMs, 0);
      assert.equal(c.source, 'expires');
    });
    it('a cookie without Max-Age or Expires is a browser-session cookie', () => {
      const cap = new FakeCapture();
      cap.add({ at: T0, setCookies: ['sid=abc; HttpOnly'] });
      const c = cap.cookie('sid', T0 + 10 * 86400 * SEC);
      assert.equal(c.kind, 'session');
      assert.equal(c.expiresAt, undefined);
      assert.equal(c.state, 'valid');
      assert.equal(remainingMs(c, T0), undefined);
    });
    it('a deletion is state: deleted and expired', () => {
      const cap = new FakeCapture();
      cap.add({ at: T0, setCookies: ['sid=abc; Max-Age=600'] });
      cap.add({ at: T0 + 5 * SEC, setCookies: ['sid=; Max-Age=0'] });
      const c = cap.cookie('sid');
      assert.equal(c.deleted, true);
      assert.equal(c.state, 'expired');
    });
    it('clamps lifetimes beyond 400 days', () => {
      const e = cookieIssuanceExpiry(parseSetCookie('a=b; Max-Age=34560001')!, T0);
      assert.equal(e.clamped, true);
      assert.equal(e.expiresAt, T0 + 34560000 * SEC);
    });
  });

  describe('clock skew', () => {
    it('server 2 minutes ahead: Expires is moved to the local clock and the model says so', () => {
      const cap = new FakeCapture();
      const server = T0 + 120 * SEC;
      cap.add({ at: T0, serverDate: server, setCookies: [`sid=abc; Expires=${httpDate(server + 3600 * SEC)}`] });
      const model = cap.model();
      assert.equal(model.clocks.length, 1);
      assert.equal(model.clocks[0].skewMs, 120 * SEC);
      assert.equal(model.clocks[0].corrected, true);
      assert.match(model.clocks[0].note, /2 min 0 s ahead/);
      const c = model.credentials.find((x) => x.label === 'sid')!;
      assert.equal(c.expiresAt, T0 + 3600 * SEC);
      assert.equal(c.serverExpiresAt, server + 3600 * SEC);
      assert.equal(c.skewMs, 120 * SEC);
      assert.ok(c.notes.some((n) => /corrected/.test(n)));
    });
    it('Max-Age is immune to skew', () => {
      const cap = new FakeCapture();
      cap.add({ at: T0, serverDate: T0 - 3600 * SEC, setCookies: ['sid=abc; Max-Age=60'] });
      assert.equal(cap.cookie('sid').expiresAt, T0 + 60 * SEC);
    });
    it('a JWT exp on a server 5 minutes behind counts down 5 minutes longer here', () => {
      const cap = new FakeCapture();
      const server = T0 - 300 * SEC;
      const token = jwt({ sub: 'u1', exp: (server + 600 * SEC) / 1000 });
      cap.add({ at: T0, serverDate: server, requestHeaders: [{ name: 'Authorization', value: `Bearer ${token}` }] });
      const c = cap.model().credentials.find((x) => x.type === 'jwt')!;
      assert.equal(c.label, 'Bearer token (Authorization)');
      assert.equal(c.expiresAt, T0 + 600 * SEC);
      assert.equal(c.serverExpiresAt, server + 600 * SEC);
      assert.equal(c.source, 'jwt-exp');
    });
    it('sub-second differences are Date-header noise, not skew', () => {
      const s = estimateClockSkew([-400, -900, -150], 'localhost:3000');
      assert.equal(s.corrected, false);
      assert.equal(s.skewMs, -150);
    });
    it('the largest sample wins: a stale cached Date does not drag the estimate', () => {
      assert.equal(estimateClockSkew([60_000, 59_200, -3_600_000]).skewMs, 60_000);
    });
  });

  describe('idle vs absolute', () => {
    it('re-issued with the same Max-Age on each response: rolling idle timeout', () => {
      const cap = new FakeCapture();
      for (const dt of [0, 10, 25]) cap.add({ at: T0 + dt * SEC, setCookies: ['sid=abc; Max-Age=1800'] });
      const c = cap.cookie('sid', T0 + 25 * SEC);
      assert.equal(c.kind, 'idle');
      assert.equal(c.idleTimeoutMs, 1800 * SEC);
      assert.equal(c.expiresAt, T0 + (25 + 1800) * SEC);
      assert.equal(c.absoluteExpiresAt, undefined);
      assert.ok(c.notes.some((n) => /rolling \(idle\) timeout of 30 min/.test(n)));
    });
    it('Expires-based rolling reads a second short: rounded back to the configured minute', () => {
      const cap = new FakeCapture();
      cap.add({ at: T0 + 990, serverDate: T0, setCookies: [`sid=abc; Expires=${httpDate(T0 + 60 * SEC)}`] });
      cap.add({ at: T0 + 2990, serverDate: T0 + 2 * SEC, setCookies: [`sid=abc; Expires=${httpDate(T0 + 62 * SEC)}`] });
      const c = cap.cookie('sid', T0 + 3 * SEC);
      assert.equal(c.kind, 'idle');
      assert.equal(c.idleTimeoutMs, 60 * SEC);
      assert.equal(c.expiresAt, T0 + 62 * SEC);
    });
    it('a burst of re-issues within a second is not mistaken for anything; the next second is', () => {
      const cap = new FakeCapture();
      for (const dt of [0, 100, 200, 300]) cap.add({ at: T0 + dt, setCookies: ['sid=abc; Max-Age=600'] });
      assert.equal(cap.cookie('sid', T0 + SEC).kind, 'absolute');
      cap.add({ at: T0 + 1300, setCookies: ['sid=abc; Max-Age=600'] });
      const c = cap.cookie('sid', T0 + 2 * SEC);
      assert.equal(c.kind, 'idle');
      assert.equal(c.idleTimeoutMs, 600 * SEC);
    });
    it('re-issued with the same Expires: absolute', () => {
      const cap = new FakeCapture();
      const e = httpDate(T0 + 7200 * SEC);
      cap.add({ at: T0, serverDate: T0, setCookies: [`sid=abc; Expires=${e}`] });
      cap.add({ at: T0 + 60 * SEC, serverDate: T0 + 60 * SEC, setCookies: [`sid=abc; Expires=${e}`] });
      const c = cap.cookie('sid');
      assert.equal(c.kind, 'absolute');
      assert.equal(c.absoluteExpiresAt, T0 + 7200 * SEC);
      assert.equal(c.idleTimeoutMs, undefined);
    });
    it('a rolling cookie holding a JWT: both limits, the earlier counts', () => {
      const cap = new FakeCapture();
      const token = jwt({ sub: 'u1', exp: (T0 + 900 * SEC) / 1000 });
      cap.add({ at: T0, serverDate: T0, setCookies: [`auth=${token}; Max-Age=600; HttpOnly`] });
      cap.add({ at: T0 + 500 * SEC, serverDate: T0 + 500 * SEC, setCookies: [`auth=${token}; Max-Age=600; HttpOnly`] });
      const c = cap.cookie('auth', T0 + 500 * SEC);
      assert.equal(c.kind, 'idle');
      assert.equal(c.idleTimeoutMs, 600 * SEC);
      assert.equal(c.absoluteExpiresAt, T0 + 900 * SEC);
      assert.equal(c.expiresAt, T0 + 900 * SEC);
      assert.equal(c.source, 'jwt-exp');
    });
    it('rolling until an absolute cap shortens the lifetime: both', () => {
      const cap = new FakeCapture();
      cap.add({ at: T0, setCookies: ['sid=abc; Max-Age=600'] });
      cap.add({ at: T0 + 100 * SEC, setCookies: ['sid=abc; Max-Age=600'] });
      cap.add({ at: T0 + 200 * SEC, setCookies: ['sid=abc; Max-Age=400'] });
      const c = cap.cookie('sid', T0 + 200 * SEC);
      assert.equal(c.kind, 'idle');
      assert.equal(c.idleTimeoutMs, 600 * SEC);
      assert.equal(c.absoluteExpiresAt, T0 + 600 * SEC);
      assert.equal(c.expiresAt, T0 + 600 * SEC);
    });
  });

  describe('states over time', () => {
    it('valid → expiring-soon → expired, by the threshold setting', () => {
      const cap = new FakeCapture();
      cap.add({ at: T0, setCookies: ['sid=abc; Max-Age=3600'] });
      const c = cap.model(T0, { expiringSoonSeconds: 600 }).credentials[0];
      assert.equal(c.state, 'valid');
      assert.equal(c.expiringSoonMs, 600 * SEC);
      assert.equal(stateAt(c, T0 + 2999 * SEC), 'valid');
      assert.equal(stateAt(c, T0 + 3000 * SEC), 'expiring-soon');
      assert.equal(stateAt(c, T0 + 3599 * SEC), 'expiring-soon');
      assert.equal(stateAt(c, T0 + 3600 * SEC), 'expired');
      assert.equal(remainingMs(c, T0 + 3000 * SEC), 600 * SEC);
    });
    it('a JWT with nbf in the future is not yet valid, then valid', () => {
      const cap = new FakeCapture();
      const token = jwt({ nbf: (T0 + 60 * SEC) / 1000, exp: (T0 + 7200 * SEC) / 1000 });
      cap.add({ at: T0, requestHeaders: [{ name: 'Authorization', value: `Bearer ${token}` }] });
      const c = cap.model().credentials.find((x) => x.type === 'jwt')!;
      assert.equal(c.state, 'not-yet-valid');
      assert.equal(stateAt(c, T0 + 61 * SEC), 'valid');
    });
    it('the model is plain data that survives JSON', () => {
      const cap = new FakeCapture();
      cap.add({ at: T0, setCookies: ['sid=abc; Max-Age=3600'] });
      const model = cap.model();
      assert.deepEqual(JSON.parse(JSON.stringify(model)), model);
    });
  });

  describe('OAuth tokens', () => {
    it('expires_in counts from the token response; a JWT access token takes the earlier of both', () => {
      const cap = new FakeCapture();
      cap.add({ at: T0, method: 'POST', url: 'http://localhost:3000/oauth/token', json: { access_token: 'opaque-made-up-access-token-1234', token_type: 'Bearer', expires_in: 3600 } });
      const early = jwt({ sub: 'u1', exp: (T0 + 1800 * SEC) / 1000 });
      cap.add({ at: T0 + SEC, method: 'POST', url: 'http://localhost:3000/oauth/token', json: { access_token: early, token_type: 'Bearer', expires_in: 3600 } });
      const tokens = cap.model().credentials.filter((c) => c.type === 'oauth-token');
      assert.equal(tokens.length, 2);
      assert.equal(tokens[0].label, 'OAuth access token (access_token)');
      assert.equal(tokens[0].expiresAt, T0 + 3600 * SEC);
      assert.equal(tokens[0].source, 'expires-in');
      assert.equal(tokens[1].expiresAt, T0 + 1800 * SEC);
      assert.equal(tokens[1].source, 'jwt-exp');
      assert.ok(tokens[1].notes.some((n) => /disagree/.test(n)));
    });
    it('never puts token values in ids or labels', () => {
      const cap = new FakeCapture();
      const secret = 'opaque-made-up-access-token-5678';
      cap.add({ at: T0, method: 'POST', url: 'http://localhost:3000/oauth/token', json: { access_token: secret, expires_in: 60 } });
      const text = JSON.stringify(cap.model().credentials.map((c) => [c.id, c.label, c.notes]));
      assert.ok(!text.includes(secret));
    });
  });

  describe('on real express-session traffic', function () {
    this.timeout(10000);
    it('rolling: true with maxAge is detected as an idle timeout of maxAge', async () => {
      const app = express();
      app.use(session({ secret: 'made-up-test-secret', resave: false, saveUninitialized: true, rolling: true, cookie: { maxAge: 60_000 } }));
      app.get('/', (_req, res) => { res.send('ok'); });
      const server = await listen(app);
      try {
        const client = new RecordingClient(server.base);
        await client.request('GET', '/');
        // Expires has one-second resolution: wait long enough for the re-issued expiry to move.
        await new Promise((r) => setTimeout(r, 1100));
        await client.request('GET', '/');
        const c = buildExpiryModel(client.store).credentials.find((x) => x.label === 'connect.sid')!;
        client.dispose();
        assert.equal(c.kind, 'idle');
        assert.equal(c.idleTimeoutMs, 60_000);
        assert.equal(c.source, 'expires');
      } finally {
        await server.close();
      }
    });
  });

  it('never throws on junk', () => {
    for (const junk of [[], {}, { exchanges: 'x' }, [{}], [null], { snapshot: () => ({}) }] as unknown[]) {
      assert.doesNotThrow(() => buildExpiryModel(junk as never));
    }
  });
});
