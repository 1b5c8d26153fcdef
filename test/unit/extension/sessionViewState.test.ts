import * as assert from 'node:assert/strict';
import { SessionStore } from '../../../src/core/session';
import { decodeSignedCookie } from '../../../src/core/signedCookies/decodeSignedCookie';
import { maskValue, maskValueShort } from '../../../src/extension/masking';
import { cookieRows, decodedTokenRows, goneCookieRows, tokenRows, valueOfKey } from '../../../src/extension/sessionViewState';

/** Records one made-up exchange into a real store, as the proxy would. */
function storeWith(setCookies: string[], requestCookie = ''): SessionStore {
  const store = new SessionStore({ throttleMs: 0 });
  const t = Date.UTC(2026, 10, 22, 12);
  const id = store.beginExchange({
    source: 'proxy', method: 'GET', url: 'http://localhost:3000/', path: '/', httpVersion: '1.1', startedAt: t,
    headers: requestCookie ? [{ name: 'Cookie', value: requestCookie }] : [],
  });
  store.addResponse(id, { status: 200, headers: setCookies.map((v) => ({ name: 'Set-Cookie', value: v })), receivedAt: t });
  store.finishExchange(id, { state: 'complete', endedAt: t });
  store.flush();
  return store;
}

describe('Session panel rows (extension adapter, plain data)', () => {
  it('masks values: a short prefix and the length, never the rest', () => {
    assert.equal(maskValue(''), '');
    assert.equal(maskValue('abc'), '•••••••• (3 chars)');
    const masked = maskValue('s%3Aabcdefghijklmnopqrstuvwxyz');
    assert.ok(masked.startsWith('s%3A••'));
    assert.ok(!masked.includes('abcdef'));
    assert.equal(maskValueShort('short-value'), '…');
    assert.equal(maskValueShort('eyJhbGciOiJIUzI1NiJ9.e30.sig'), 'eyJh…');
  });

  it('masked rows never carry the value; Copy still finds it by key', () => {
    const store = storeWith(['sid=s%3Asecret-session-id-123456.sig; Path=/; HttpOnly']);
    const snap = store.snapshot();
    const [row] = cookieRows(snap, true, () => true);
    assert.equal(row.name, 'sid');
    assert.ok(!JSON.stringify(row).includes('secret-session-id'), JSON.stringify(row));
    assert.equal(valueOfKey(snap, row.key), 's%3Asecret-session-id-123456.sig');
    const [revealed] = cookieRows(snap, false, () => true);
    assert.equal(revealed.value, 's%3Asecret-session-id-123456.sig');
  });

  it('lists a cookie\'s changes newest first, with the request behind each, never its values', () => {
    const store = storeWith(['sid=first-secret-value-0001; Path=/; HttpOnly']);
    const t = Date.UTC(2026, 10, 22, 12, 5);
    const id = store.beginExchange({ source: 'proxy', method: 'POST', url: 'http://localhost:3000/login?next=%2F', path: '/login?next=%2F', headers: [], startedAt: t });
    store.addResponse(id, { status: 303, headers: [{ name: 'Set-Cookie', value: 'sid=second-secret-value-0002; Path=/; HttpOnly; Secure' }], receivedAt: t });
    store.finishExchange(id, { state: 'complete', endedAt: t });
    store.flush();
    const [row] = cookieRows(store.snapshot(), false, () => true);
    assert.deepEqual(row.history.map((h) => h.kind), ['value-changed', 'created']);
    assert.equal(row.history[0].request, 'POST /login');
    assert.ok(!JSON.stringify(row.history).includes('secret-value'), JSON.stringify(row.history));
  });

  it('shows what a cookie-session cookie holds, read without the key', () => {
    const content = Buffer.from(JSON.stringify({ user: 'alice', role: 'admin' })).toString('base64');
    const store = storeWith([`session=${content}; Path=/; HttpOnly`, 'session.sig=abcdefghijklmnopqrstuvwxyz0; Path=/; HttpOnly']);
    const rows = cookieRows(store.snapshot(), true, () => true, undefined, decodeSignedCookie);
    const session = rows.find((r) => r.name === 'session')!;
    assert.match(session.decoded?.framework ?? '', /cookie-session/);
    assert.match(session.decoded?.content ?? '', /"user": "alice"/);
  });

  it('one token row per credential, listing every place it was seen', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6NDEwMjQ0NDgwMH0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmUtc2ln';
    const store = storeWith([`jwt=${jwt}; Path=/`], `jwt=${jwt}`);
    const rows = tokenRows(store.snapshot(), true);
    const forJwt = rows.filter((r) => r.kind === 'jwt-in-cookie');
    assert.equal(forJwt.length, 1, JSON.stringify(rows.map((r) => [r.kind, r.source])));
    assert.match(forJwt[0].source, /set-cookie/);
    assert.match(forJwt[0].claims ?? '', /"sub": "alice"/);
    assert.ok(!forJwt[0].value.includes(jwt.slice(10, 40)), 'the token value is masked');
  });

  it('cookie rows carry the DevTools columns and why a browser would refuse the cookie', () => {
    const store = storeWith(['sid=abc; Path=/; Max-Age=3600; Expires=Wed, 21 Oct 2099 07:28:00 GMT; HttpOnly; SameSite=None; Priority=High']);
    const [row] = cookieRows(store.snapshot(), true, () => true, undefined, undefined, [{ ruleId: 'cookie-missing-secure', severity: 'warning', subject: 'sid', message: 'm', docs: '' }]);
    assert.equal(row.maxAge, 3600);
    assert.equal(row.expiresRaw, 'Wed, 21 Oct 2099 07:28:00 GMT');
    assert.equal(row.expiresAt, Date.UTC(2026, 10, 22, 12) + 3600_000, 'Max-Age wins over Expires');
    assert.equal(row.priority, 'High');
    assert.equal(row.hostOnly, true);
    assert.equal(row.findings, 1);
    assert.deepEqual(row.browserNotes, ['Rejected: SameSite=None without Secure.']);
  });

  it('lists deleted and refused cookies as gone rows with their last value (masked), history and Set-Cookie', () => {
    const store = storeWith(['sid=first-secret-value-0001; Path=/; HttpOnly', '__Host-x=1; Path=/']);
    const t = Date.UTC(2026, 10, 22, 12, 5);
    const id = store.beginExchange({ source: 'proxy', method: 'POST', url: 'http://localhost:3000/logout', path: '/logout', headers: [], startedAt: t });
    store.addResponse(id, { status: 302, headers: [{ name: 'Set-Cookie', value: 'sid=; Path=/; Max-Age=0' }], receivedAt: t });
    store.finishExchange(id, { state: 'complete', endedAt: t });
    store.flush();
    const snap = store.snapshot();
    assert.equal(cookieRows(snap, true, () => true).length, 0);
    const gone = goneCookieRows(snap, true, () => true);
    const sid = gone.find((r) => r.name === 'sid')!;
    assert.equal(sid.state, 'deleted');
    assert.equal(sid.key, 'cookie:localhost;/;sid');
    assert.deepEqual(sid.history.map((h) => h.kind), ['deleted', 'created']);
    assert.ok(!JSON.stringify(sid).includes('first-secret'), JSON.stringify(sid));
    assert.match(sid.lastSetCookie ?? '', /^sid=.*; Path=\/; Max-Age=0$/);
    assert.equal(valueOfKey(snap, sid.key), 'first-secret-value-0001', 'Copy of a gone cookie gives its last value');
    const refused = gone.find((r) => r.name === '__Host-x')!;
    assert.equal(refused.state, 'rejected');
    assert.ok(refused.goneReason);
    assert.equal(refused.lastSetCookie, '__Host-x=•••••••• (1 chars); Path=/');
    assert.equal(valueOfKey(snap, refused.key), '1');
  });

  it('a decoded JWT becomes a token row with header, claims and its verification', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6NDEwMjQ0NDgwMH0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmUtc2ln';
    const [row] = decodedTokenRows([{ id: 7, value: jwt }], true, new Map([[jwt, { signature: 'invalid', message: 'wrong key', at: 1 }]]));
    assert.equal(row.key, 'token:decoded-7');
    assert.equal(row.origin, 'decoded');
    assert.equal(row.name, 'JWT of alice');
    assert.match(row.header ?? '', /"alg": "HS256"/);
    assert.match(row.claims ?? '', /"sub": "alice"/);
    assert.equal(row.expiry.expiresAt, 4102444800_000);
    assert.equal(row.verification?.signature, 'invalid');
    assert.ok(!row.value.includes(jwt.slice(10, 40)));
  });
});
