import * as assert from 'node:assert/strict';
import { SessionStore } from '../../../src/core/session';
import { cookieRows, exchangeRows, tokenRows } from '../../../src/extension/sessionViewState';
import { ROW_SOURCE_LABELS } from '../../../src/shared/protocol';

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6NDEwMjQ0NDgwMH0.c2lnbmF0dXJlLW5vdC1jaGVja2VkLWhlcmUtMDAwMDAwMDA';

describe('Session panel rows say which capture source they came from', () => {
  it('exchanges, cookies and tokens carry their source; the browser jar and web storage are told apart', () => {
    const store = new SessionStore({ throttleMs: 0 });
    const t = Date.now();
    const proxied = store.beginExchange({ source: 'proxy', method: 'GET', url: 'http://localhost:3000/', headers: [{ name: 'Authorization', value: `Bearer ${JWT}` }], startedAt: t });
    store.addResponse(proxied, { status: 200, headers: [{ name: 'Set-Cookie', value: 'sid=abc; Path=/' }], receivedAt: t });
    store.finishExchange(proxied, { state: 'complete' });
    const imported = store.beginExchange({ source: 'har', method: 'GET', url: 'http://localhost:3000/har', headers: [], startedAt: t });
    store.addResponse(imported, { status: 200, headers: [{ name: 'Set-Cookie', value: 'from_har=1; Path=/' }], receivedAt: t });
    store.finishExchange(imported, { state: 'complete' });
    const browsed = store.beginExchange({ source: 'browser', method: 'GET', url: 'http://localhost:3000/spa', headers: [], startedAt: t });
    store.addResponse(browsed, { status: 200, headers: [{ name: 'Set-Cookie', value: 'from_cdp=1; Path=/' }], receivedAt: t });
    store.finishExchange(browsed, { state: 'complete' });
    store.setStorageItem({ origin: 'http://localhost:3000', area: 'localStorage', key: 'access_token', value: `${JWT}x` });
    store.syncBrowserCookies([
      { name: 'sid', value: 'abc', domain: 'localhost', path: '/', secure: false, httpOnly: false },
      { name: 'from_har', value: '1', domain: 'localhost', path: '/', secure: false, httpOnly: false },
      { name: 'from_cdp', value: '1', domain: 'localhost', path: '/', secure: false, httpOnly: false },
      { name: 'ui_theme', value: 'dark', domain: 'localhost', path: '/', secure: false, httpOnly: false },
    ], ['http://localhost:3000'], t - 10_000);
    const snap = store.snapshot();

    assert.deepEqual(exchangeRows(snap, []).map((r) => r.capturedBy), ['proxy', 'har', 'browser']);
    const cookies = Object.fromEntries(cookieRows(snap, true, () => false).map((r) => [r.name, r.capturedBy]));
    assert.deepEqual(cookies, { sid: 'proxy', from_har: 'har', from_cdp: 'browser', ui_theme: 'browser-jar' });
    const tokens = Object.fromEntries(tokenRows(snap, true).map((r) => [r.name, r.capturedBy]));
    assert.equal(tokens.Authorization, 'proxy');
    assert.equal(tokens.access_token, 'localStorage');
  });

  it('a token answered in a response and then kept in localStorage is shown as from localStorage, whichever sighting the browser reported first', () => {
    for (const storageFirst of [false, true]) {
      const store = new SessionStore({ throttleMs: 0 });
      const t = Date.now();
      const store_ = (): void => store.setStorageItem({ origin: 'http://localhost:3000', area: 'localStorage', key: 'access_token', value: JWT });
      if (storageFirst) store_();
      const login = store.beginExchange({ source: 'browser', method: 'POST', url: 'http://localhost:3000/api/login', headers: [], startedAt: t });
      const body = Buffer.from(JSON.stringify({ access_token: JWT, token_type: 'Bearer' }));
      store.addResponse(login, { status: 200, headers: [{ name: 'Content-Type', value: 'application/json' }], receivedAt: t });
      store.finishExchange(login, { state: 'complete', responseBody: { bytes: body, wireBytes: body.length, truncated: false, decoded: true } });
      if (!storageFirst) store_();
      const rows = tokenRows(store.snapshot(), true).filter((r) => r.source.split(', ').includes('localStorage'));
      assert.equal(rows.length, 1, `one row for the one value (storage first: ${storageFirst})`);
      assert.equal(rows[0].capturedBy, 'localStorage', `storage first: ${storageFirst}; sources ${rows[0].source}`);
      store.dispose();
    }
  });

  it('every source has words for the badge and for screen readers', () => {
    for (const [source, label] of Object.entries(ROW_SOURCE_LABELS)) {
      assert.ok(label.short.length > 0, source);
      assert.match(label.long, /^Source: /, source);
    }
  });
});
