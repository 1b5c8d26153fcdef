import * as assert from 'node:assert/strict';
import { SessionStore } from '../../../src/core/session';
import { decodeSignedCookie } from '../../../src/core/signedCookies/decodeSignedCookie';
import { maskValue, maskValueShort } from '../../../src/extension/masking';
import { cookieRows, tokenRows, valueOfKey } from '../../../src/extension/sessionViewState';

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
});
