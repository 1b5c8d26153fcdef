import { strict as assert } from 'node:assert';
import { MAX_REMEMBERED_JWT_SIGHTINGS } from '../../../src/core/audit/jwtSightingAudit';
import { StoreAudit } from '../../../src/core/audit/storeAudit';
import { MAX_REMEMBERED_COOKIE_VALUES } from '../../../src/core/audit/urlTokenAudit';
import { SessionStore } from '../../../src/core/session/sessionStore';

const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const jwt = (sub: string) => `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub, iat: 1_790_000_000, exp: 1_790_003_600 })).toString('base64url')}.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg`;
const sid = (n: number) => `s${String(n).padStart(31, '0')}`;

describe('StoreAudit over a long capture: bounded, with what it forgot counted', function () {
  this.timeout(120_000);

  it('forgets the oldest cookie values and JWT sightings past their caps; a finding made before stays, and a value in a URL is not forgotten', () => {
    const store = new SessionStore({ throttleMs: 0, capacity: 500, maxTokens: 200 });
    const audit = new StoreAudit(store, {}, { now: START, checkWeakSecret: false });
    const exchange = (at: number, path: string, headers: { name: string; value: string }[], setCookie?: string) => {
      const id = store.beginExchange({ source: 'proxy', method: 'GET', url: `http://localhost:3000${path}`, headers, startedAt: at });
      store.addResponse(id, { status: 200, headers: setCookie ? [{ name: 'Set-Cookie', value: setCookie }] : [], receivedAt: at + 1 });
      store.finishExchange(id, { state: 'complete', endedAt: at + 2 });
    };
    // First: a session id in a URL, then carried by the session cookie: session-token-in-url.
    exchange(START, `/reset?token=${sid(0)}`, []);
    exchange(START + 10, '/account', [{ name: 'Cookie', value: `sessionid=${sid(0)}` }]);
    store.flush();
    const early = audit.findings().filter((f) => f.ruleId === 'session-token-in-url');
    assert.ok(early.length > 0, 'the URL finding is made');
    assert.deepEqual(audit.forgotten, { jwtSightings: 0, cookieValues: 0 });

    // Then more new session ids and bearer JWTs than the caps hold (a new login every exchange).
    const count = Math.max(MAX_REMEMBERED_COOKIE_VALUES, MAX_REMEMBERED_JWT_SIGHTINGS) + 1000;
    for (let i = 1; i <= count; i++) {
      exchange(START + 1000 + i * 10, '/api/me', [{ name: 'Cookie', value: `sessionid=${sid(i)}` }, { name: 'Authorization', value: `Bearer ${jwt(`user${i}`)}` }]);
      if (i % 250 === 0) store.flush();
    }
    store.flush();
    const forgotten = audit.forgotten;
    assert.ok(forgotten.cookieValues >= count - MAX_REMEMBERED_COOKIE_VALUES, `cookie values forgotten: ${forgotten.cookieValues}`);
    assert.ok(forgotten.jwtSightings > 0, `JWT sightings forgotten: ${forgotten.jwtSightings}`);
    assert.deepEqual(audit.findings().filter((f) => f.ruleId === 'session-token-in-url'), early, 'the finding made before stays');

    // The value seen in a URL was kept: the cookie carrying it again still names that URL.
    exchange(START + 1000 + (count + 1) * 10, '/account', [{ name: 'Cookie', value: `sessionid=${sid(0)}` }]);
    store.flush();
    assert.deepEqual(audit.findings().filter((f) => f.ruleId === 'session-token-in-url').map((f) => f.message), early.map((f) => f.message));
    audit.dispose();
    store.dispose();
  });
});
