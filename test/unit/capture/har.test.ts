import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarFormatError, REDACTED, SessionStore, exportHar, importHar, parseHar } from '../../../src/core/capture';

const fixture = (name: string): string => readFileSync(join(__dirname, '../../fixtures/har', name), 'utf8');

describe('HAR import', () => {
  it('imports a Chrome HAR: cookies, seen-in-request cookies, base64 bodies, h2 headers, failed entries', () => {
    const store = new SessionStore();
    const result = importHar(store, fixture('chrome.har'));
    assert.equal(result.imported, 5);
    assert.equal(result.skipped, 0);
    assert.equal(result.creator, 'WebInspector 537.36');
    const snap = store.snapshot();
    assert.ok(snap.exchanges.every((e) => e.source === 'har'));

    const ga = snap.cookies.find((c) => c.name === '_ga')!;
    assert.equal(ga.origin, 'seen-in-request');
    assert.ok(!snap.cookies.some((c) => c.name === 'connect.sid'), 'deleted by the logout response');
    const sidHistory = snap.cookieHistory.filter((e) => e.name === 'connect.sid');
    assert.deepEqual(sidHistory.map((e) => e.kind), ['created', 'deleted']);
    assert.equal(sidHistory[0].time, Date.parse('2026-01-01T00:00:00.000Z') + 1.2 + 0.1 + 10.5);
    assert.equal(sidHistory[1].exchangeId, snap.exchanges[3].id);

    const first = snap.exchanges[0];
    assert.equal(first.serverDate, Date.parse('Thu, 01 Jan 2026 00:00:00 GMT'));
    const tokenEx = snap.exchanges[1];
    assert.equal(tokenEx.hints.loginLike, true);
    assert.deepEqual(tokenEx.hints.formFieldNames, ['username', 'password']);

    const access = snap.tokens.find((t) => t.kind === 'oauth-access')!;
    assert.ok(access.isJwt);
    assert.equal(access.expiresAt, (tokenEx.responseReceivedAt ?? 0) + 3600_000);
    assert.ok(snap.tokens.some((t) => t.kind === 'oauth-refresh' && t.value === 'made-up-refresh-token-0001'));
    assert.ok(snap.tokens.some((t) => t.kind === 'bearer' && t.value === access.value));
    const inUrl = snap.tokens.find((t) => t.kind === 'url-query')!;
    assert.equal(inUrl.name, 'access_token');
    assert.deepEqual(inUrl.flags, ['token-in-url']);
    assert.equal(snap.exchanges[2].httpVersion, '2.0');

    const failed = snap.exchanges[4];
    assert.equal(failed.state, 'upstream-error');
    assert.equal(failed.error, 'net::ERR_BLOCKED_BY_CLIENT');
  });

  it('reads _sessionLens.modifications back, and skips with a warning the items it did not write (never inventing a marking)', () => {
    const entry = (modifications: unknown) => ({
      startedDateTime: '2026-01-01T00:00:00.000Z', time: 1,
      request: { method: 'GET', url: 'http://127.0.0.1:3000/profile', httpVersion: 'HTTP/1.1', headers: [{ name: 'Cookie', value: 'sid=abc' }] },
      response: { status: 200, statusText: 'OK', headers: [], content: { size: 0, mimeType: 'text/html' } },
      timings: { send: 0, wait: 1, receive: 0 },
      _sessionLens: { exchangeId: 1, state: 'complete', source: 'proxy', modifications },
    });
    const good = { ruleId: 'r1', kind: 'drop', side: 'request', description: 'modified by Session Lens: dropped cookie sid', credential: 'sid' };
    const store = new SessionStore();
    const result = importHar(store, { log: { version: '1.2', entries: [
      entry([good, { kind: 'steal', side: 'request', description: 'x' }, { kind: 'drop', side: 'sideways', description: 'x' }, 'drop']),
      entry('dropped'),
      entry([{ kind: 'shorten-lifetime', side: 'response', description: 'y'.repeat(5000), shortenedToSeconds: -1, serverLifetimeSeconds: 1800 }]),
    ] } });
    assert.equal(result.imported, 3);
    assert.equal(result.skipped, 0);
    assert.deepEqual(result.warnings, [
      '_sessionLens.modifications item without a known kind, a side (request or response) and a description (skipped) (×3)',
      '_sessionLens.modifications is not an array (ignored)',
    ]);
    const [first, second, third] = store.snapshot().exchanges;
    assert.deepEqual(first.modifications, [good]);
    assert.equal(second.modifications, undefined);
    assert.equal(third.modifications![0].description.length, 1000);
    assert.equal(third.modifications![0].shortenedToSeconds, undefined);
    assert.equal(third.modifications![0].serverLifetimeSeconds, 1800);
  });

  it('imports a Firefox HAR with Set-Cookie joined by newlines and a custom CSRF header', () => {
    const store = new SessionStore();
    assert.equal(importHar(store, fixture('firefox.har')).imported, 2);
    const cookies = store.getCookies();
    assert.deepEqual(cookies.map((c) => c.name).sort(), ['csrftoken', 'sessionid']);
    const session = cookies.find((c) => c.name === 'sessionid')!;
    assert.equal(session.maxAge, 1209600);
    // Max-Age wins over Expires, counted from the receipt time.
    assert.equal(session.expiresAt, session.receivedAt + 1209600_000);
    assert.equal(session.sameSite, 'Lax');
    assert.equal(store.snapshot().exchanges[0].cookiesSet.length, 2);
    assert.ok(store.getTokens().some((t) => t.kind === 'custom-header' && t.name === 'X-CSRFToken'));
    const login = store.snapshot().exchanges[0];
    assert.equal(login.hints.hasPasswordField, true);
    assert.equal(login.startedAt, Date.parse('2026-01-02T09:00:00.000Z'));
  });

  it('imports an Insomnia HAR whose cookies are only in the cookies array', () => {
    const store = new SessionStore();
    importHar(store, fixture('insomnia.har'));
    const host = store.getCookies().find((c) => c.name === '__Host-session')!;
    assert.equal(host.secure, true);
    assert.equal(host.hostOnly, true);
    assert.equal(host.sameSite, 'Strict');
    const kinds = store.getTokens().map((t) => t.kind).sort();
    assert.deepEqual(kinds, ['basic', 'oauth-access', 'oauth-id']);
    const basic = store.getTokens().find((t) => t.kind === 'basic')!;
    assert.deepEqual(basic.flags, ['basic-credentials']);
    assert.equal(store.getTokens().find((t) => t.kind === 'oauth-access')?.tokenType, 'bearer');
  });

  it('tolerates odd entries and reports them', () => {
    const store = new SessionStore();
    const result = importHar(store, {
      log: {
        entries: [
          null,
          { request: { url: 'relative/path' } },
          { request: { url: 'http://localhost/x', method: 'get' }, response: { status: 200, headers: 'nope', content: { text: 42 } } },
          { request: { url: 'http://localhost/y', headers: [{ name: 'Cookie' }, { value: 'x' }] }, startedDateTime: 'yesterday' },
        ],
      },
    });
    assert.equal(result.imported, 2);
    assert.equal(result.skipped, 2);
    assert.equal(result.warnings.length, 3);
    assert.equal(store.snapshot().exchanges[0].method, 'GET');
  });

  it('says clearly what is wrong with input that is not a HAR', () => {
    assert.throws(() => parseHar('{'), (e: unknown) => e instanceof HarFormatError && /^not JSON/.test(e.message));
    assert.throws(() => parseHar('[]'), /top level is not a JSON object/);
    assert.throws(() => parseHar('{"log":{}}'), /"log.entries" is not an array/);
    assert.throws(() => parseHar('{"foo":1}'), /no "log" object/);
    assert.doesNotThrow(() => parseHar('\ufeff{"log":{"entries":[]}}'));
  });
});

describe('HAR export', () => {
  it('round-trips a Chrome HAR through export and import', () => {
    const a = new SessionStore();
    importHar(a, fixture('chrome.har'));
    const doc = exportHar(a.snapshot(), { redact: false });
    assert.equal(doc.log.version, '1.2');
    assert.equal(doc.log.entries.length, 5);
    const b = new SessionStore();
    importHar(b, JSON.parse(JSON.stringify(doc)));
    const view = (s: SessionStore) => ({
      cookies: s.getCookies().map((c) => [c.key, c.value, c.origin, c.expiresAt]),
      history: s.getCookieHistory().map((e) => [e.kind, e.cookieKey, e.time]),
      tokens: s.getTokens().map((t) => [t.kind, t.source, t.name, t.value, t.expiresAt]),
      states: s.snapshot().exchanges.map((e) => [e.method, e.url, e.status, e.state]),
    });
    assert.deepEqual(view(b), view(a));
  });

  it('redacts by default: values gone, names and attributes kept', () => {
    const a = new SessionStore();
    importHar(a, fixture('chrome.har'));
    const text = JSON.stringify(exportHar(a.snapshot()));
    for (const secret of ['made-up-session-id-0001', 'made-up-refresh-token-0001', 'made-up-url-token-123', 'made-up-pass', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9']) {
      assert.ok(!text.includes(secret), `${secret} leaked`);
    }
    assert.ok(text.includes(`connect.sid=${REDACTED}; Path=/; Expires=Thu, 01 Jan 2026 00:30:00 GMT; HttpOnly`));
    assert.ok(text.includes(`Bearer ${REDACTED}`));
  });
});
