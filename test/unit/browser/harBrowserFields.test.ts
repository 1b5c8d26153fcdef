import { strict as assert } from 'node:assert';
import { REDACTED, SessionStore, exportHar, importHar } from '../../../src/core/capture';
import { analyzeJwt } from '../../../src/core/jwt';
import { jwtItems } from '../../../src/core/audit/jwtTrafficFindings';
import { resolveAuditSettings } from '../../../src/core/audit/auditSettings';

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6NDEwMjQ0NDgwMH0.c2lnbmF0dXJlLW5vdC1jaGVja2VkLWhlcmUtMDAwMDAwMDA';

/** A HAR as Chrome's own export would carry the blocked cookies (CDP shapes), plus our web storage. */
function browserHar(): unknown {
  return {
    log: {
      version: '1.2', creator: { name: 'WebInspector', version: '537.36' }, pages: [],
      entries: [{
        startedDateTime: '2026-01-01T00:00:00.000Z', time: 5,
        request: {
          method: 'GET', url: 'http://localhost:3000/spa', httpVersion: 'HTTP/1.1', headers: [], cookies: [],
          _blockedCookies: [
            { cookie: { name: 'pref', value: 'dark', domain: 'localhost', path: '/admin' }, blockedReasons: ['NotOnPath'] },
            { cookie: { name: 'sent', value: 'yes', domain: 'localhost', path: '/' }, blockedReasons: [] },
          ],
        },
        response: {
          status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', cookies: [], content: { size: 0, mimeType: 'text/html' },
          headers: [{ name: 'Set-Cookie', value: 'tracker=t-0001; Path=/; SameSite=None' }, { name: 'Set-Cookie', value: 'sid=s-0001; Path=/; HttpOnly' }],
          _blockedCookies: [{ cookieLine: 'tracker=t-0001; Path=/; SameSite=None', blockedReasons: ['SameSiteNoneInsecure'] }],
        },
        timings: { send: 0, wait: 5, receive: 0 },
      }],
      _storage: [
        { origin: 'http://localhost:3000', area: 'localStorage', key: 'access_token', value: JWT, time: '2026-01-01T00:00:01.000Z' },
        { origin: 'http://localhost:3000', area: 'sessionStorage', key: 'theme', value: 'dark' },
        { origin: 'http://localhost:3000', area: 'cookieStorage', key: 'x', value: 'y' },
      ],
    },
  };
}

describe('HAR: cookies the browser blocked and web storage', () => {
  it('imports Chrome-shaped _blockedCookies (the refused Set-Cookie never reaches the jar) and log._storage tokens', () => {
    const store = new SessionStore();
    const result = importHar(store, browserHar());
    assert.deepEqual(result.warnings, ['log._storage item without origin, area (localStorage or sessionStorage) and key, skipped']);
    const snap = store.snapshot();
    const ex = snap.exchanges[0];
    assert.deepEqual(ex.blockedRequestCookies, [{ name: 'pref', value: 'dark', domain: 'localhost', path: '/admin', reasons: ['NotOnPath'] }]);
    const tracker = ex.cookiesSet.find((c) => c.name === 'tracker')!;
    assert.equal(tracker.outcome, 'rejected');
    assert.deepEqual(tracker.blockedReasons, ['SameSiteNoneInsecure']);
    assert.match(tracker.rejectReason!, /the browser blocked it \(SameSiteNoneInsecure\)/);
    assert.deepEqual(snap.cookies.map((c) => c.name), ['sid']);
    const stored = snap.tokens.find((t) => t.source === 'localStorage')!;
    assert.equal(stored.kind, 'jwt-in-storage');
    assert.equal(stored.name, 'access_token');
    assert.equal(stored.expiresAt, 4102444800 * 1000);
    assert.ok(!snap.tokens.some((t) => t.name === 'theme'), 'a value that is no token stays an entry only');
    assert.deepEqual(snap.storage?.map((s) => `${s.area}:${s.key}`), ['localStorage:access_token', 'sessionStorage:theme']);
  });

  it('exports them again, redacted by default, and the round trip keeps them', () => {
    const store = new SessionStore();
    importHar(store, browserHar());
    const redacted = exportHar(store.snapshot());
    const res = redacted.log.entries[0].response as { _blockedCookies: { name: string; value: string; cookieLine: string; blockedReasons: string[] }[] };
    assert.deepEqual(res._blockedCookies, [{ name: 'tracker', value: REDACTED, cookieLine: `tracker=${REDACTED}; Path=/; SameSite=None`, blockedReasons: ['SameSiteNoneInsecure'] }]);
    assert.ok(!JSON.stringify(redacted).includes(JWT), 'the storage token is redacted');
    const full = exportHar(store.snapshot(), { redact: false });
    const again = new SessionStore();
    importHar(again, JSON.parse(JSON.stringify(full)));
    const snap = again.snapshot();
    assert.deepEqual(snap.exchanges[0].cookiesSet.find((c) => c.name === 'tracker')?.blockedReasons, ['SameSiteNoneInsecure']);
    assert.deepEqual(snap.exchanges[0].blockedRequestCookies?.map((c) => c.reasons), [['NotOnPath']]);
    assert.equal(snap.tokens.find((t) => t.source === 'localStorage')?.value, JWT);
  });

  it('jwt-readable-storage names the storage and cites the key', () => {
    const store = new SessionStore();
    importHar(store, browserHar());
    const snap = store.snapshot();
    const items = jwtItems(snap.exchanges, snap.tokens, snap.cookies, resolveAuditSettings({}), Date.parse('2026-01-01T00:00:02Z'), analyzeJwt, false);
    const readable = items.filter((i) => i.finding.ruleId === 'jwt-readable-storage');
    assert.equal(readable.length, 1);
    assert.match(readable[0].finding.message, /kept in localStorage under the key 'access_token'/);
    assert.equal(readable[0].finding.evidence?.header, 'localStorage["access_token"]');
  });
});
