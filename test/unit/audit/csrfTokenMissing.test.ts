import { strict as assert } from 'node:assert';
import { auditSession } from '../../../src/core/audit/auditSession';
import { IncrementalAudit } from '../../../src/core/audit/incrementalAudit';
import type { Finding } from '../../../src/core/findings';
import { type ScriptedExchange, scriptedCapture } from './scriptedCapture';

// Made-up session ids and tokens.
const SID = 'k3Jd9sLq2mXv8NpR4tYw7ZbC1eFgHiJ0';
const CSRF = 'Zq8wE2rT9yU4iO1pA6sD3fG8hJ5kL0zX';
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

/** A login that sets the session cookie with `attributes`, then the requests of a logged-in user. */
function session(attributes: string, after: readonly ScriptedExchange[]): ScriptedExchange[] {
  return [
    { method: 'POST', path: '/login', form: { username: 'ada', password: 'made-up-password' }, status: 302, setCookies: [`shop_session=${SID}; Path=/; HttpOnly; Secure${attributes}`] },
    ...after,
  ];
}

/** The csrf-token-missing findings of the whole-session audit, checked against the incremental audit of the same capture. */
function csrfFindings(exchanges: readonly ScriptedExchange[]): Finding[] {
  const store = scriptedCapture(exchanges);
  try {
    const whole = auditSession(store, {}, { now: NOW, analyzeJwt: false });
    const incremental = new IncrementalAudit({}, { now: NOW, analyzeJwt: false });
    incremental.addAll(store.snapshot().exchanges);
    assert.deepEqual(incremental.findings().map((f) => [f.ruleId, f.message]), whole.map((f) => [f.ruleId, f.message]));
    return whole.filter((f) => f.ruleId === 'csrf-token-missing');
  } finally {
    store.dispose();
  }
}

const transfer: ScriptedExchange = { method: 'POST', path: '/account/transfer', cookie: `shop_session=${SID}`, form: { to: 'DE89370400440532013000', amount: '100' }, status: 302 };

describe('csrf-token-missing', () => {
  it('reports a form post authenticated by a session cookie without SameSite and without a token', () => {
    const [f, ...rest] = csrfFindings(session('', [transfer]));
    assert.deepEqual(rest, []);
    assert.equal(f.severity, 'warning');
    assert.equal(f.subject, 'shop_session');
    assert.match(f.message, /^POST \/account\/transfer changed state with session cookie "shop_session" \(no SameSite\)/);
    assert.match(f.message, /Require a CSRF token/);
    assert.equal(f.evidence?.header, 'POST /account/transfer');
  });

  it('reports SameSite=None cookies, once per method and path', () => {
    const found = csrfFindings(session('; SameSite=None', [transfer, { ...transfer, form: { to: 'x', amount: '5' } }, { ...transfer, method: 'DELETE', path: '/account/cards/7', form: undefined, status: 204 }]));
    assert.deepEqual(found.map((f) => f.message.split(' changed')[0]), ['POST /account/transfer', 'DELETE /account/cards/7']);
    assert.match(found[0].message, /\(SameSite=None\)/);
  });

  it('leaves cookies protected by SameSite=Lax or Strict alone', () => {
    assert.deepEqual(csrfFindings(session('; SameSite=Lax', [transfer])), []);
    assert.deepEqual(csrfFindings(session('; SameSite=Strict', [transfer])), []);
  });

  it('accepts a token in a form field, a header, a double-submit cookie, or X-Requested-With', () => {
    assert.deepEqual(csrfFindings(session('', [{ ...transfer, form: { authenticity_token: CSRF, to: 'x', amount: '1' } }])), []);
    assert.deepEqual(csrfFindings(session('', [{ ...transfer, form: { csrfmiddlewaretoken: CSRF, amount: '1' } }])), []);
    assert.deepEqual(csrfFindings(session('', [{ ...transfer, form: { _token: CSRF, amount: '1' } }])), []);
    assert.deepEqual(csrfFindings(session('', [{ ...transfer, requestHeaders: { 'X-CSRF-Token': CSRF } }])), []);
    assert.deepEqual(csrfFindings(session('', [{ ...transfer, cookie: `shop_session=${SID}; XSRF-TOKEN=${CSRF}` }])), []);
    assert.deepEqual(csrfFindings(session('', [{ ...transfer, requestHeaders: { 'X-Requested-With': 'XMLHttpRequest' } }])), []);
  });

  it('leaves bearer-authenticated API calls alone, but not Basic (the browser adds it by itself)', () => {
    const api: ScriptedExchange = { ...transfer, path: '/api/transfers', requestHeaders: { Authorization: 'Bearer made.up.token' } };
    assert.deepEqual(csrfFindings(session('', [api])), []);
    const basic: ScriptedExchange = { ...transfer, requestHeaders: { Authorization: 'Basic YWRhOm1hZGUtdXA=' } };
    assert.equal(csrfFindings(session('', [basic])).length, 1);
  });

  it('needs a success: a rejected request (403) is the protection working', () => {
    assert.deepEqual(csrfFindings(session('', [{ ...transfer, status: 403 }])), []);
  });

  it('ignores safe methods, the login itself, and cookies whose SameSite the capture never saw', () => {
    assert.deepEqual(csrfFindings(session('', [{ ...transfer, method: 'GET', form: undefined }])), []);
    assert.deepEqual(csrfFindings([{ ...transfer }]), []);
    assert.deepEqual(csrfFindings([{ method: 'POST', path: '/login', cookie: `shop_session=${SID}`, form: { username: 'ada', password: 'made-up-password' }, status: 302, setCookies: [`shop_session=${CSRF}; Path=/`] }]), []);
  });

  it('ignores preference cookies', () => {
    const prefs: ScriptedExchange[] = [
      { path: '/', setCookies: ['theme=dark; Path=/'] },
      { method: 'POST', path: '/preferences', cookie: 'theme=dark', form: { theme: 'light' }, status: 204 },
    ];
    assert.deepEqual(csrfFindings(prefs), []);
  });

  it('is info for a JSON body, which needs a preflight cross-site, and says what that depends on', () => {
    const json: ScriptedExchange = { method: 'POST', path: '/api/cart', cookie: `shop_session=${SID}`, requestHeaders: { 'Content-Type': 'application/json' }, status: 201 };
    const [f] = csrfFindings(session('', [json]));
    assert.equal(f.severity, 'info');
    assert.match(f.message, /application\/json body needs a CORS preflight/);
  });
});
