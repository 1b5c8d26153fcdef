import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { auditSession } from '../../../src/core/audit/auditSession';
import { classifyCookie } from '../../../src/core/audit/classifyCookie';
import { auditSetCookie } from '../../../src/core/audit/cookieRules';
import { estimateSessionIdEntropy } from '../../../src/core/audit/sessionIdEntropy';
import { buildExpiryModel } from '../../../src/core/expiry/expiryModel';
import { stateAt } from '../../../src/core/expiry/expiryState';
import { type ScriptedExchange, scriptedCapture } from './scriptedCapture';

const caseVariants = (word: string) => fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length })
  .map((flags) => [...word].map((c, i) => (flags[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

const attributeName = fc.oneof(
  fc.constantFrom('Expires', 'Max-Age', 'Domain', 'Path', 'Secure', 'HttpOnly', 'SameSite', 'Partitioned', 'Priority').chain(caseVariants),
  fc.string({ unit: 'binary-ascii', maxLength: 12 }),
);
const attributeValue = fc.oneof(
  fc.constantFrom('', 'None', 'lax', 'Strict', 'foo', '/', '/a/b', '0', '-1', '1.5', '+5', '34560001', 'localhost', '.example.com', 'co.uk', '127.0.0.1',
    'Thu, 01 Jan 1970 00:00:00 GMT', 'Wed, 21 Oct 2015 07:28:00 GMT', 'Fri, 31 Dec 9999 23:59:59 GMT', 'not a date'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: -1e12, max: 1e12 }).map(String),
);
const cookieName = fc.oneof(
  fc.constantFrom('sid', 'connect.sid', 'PHPSESSID', '__Host-sid', '__secure-x', '__HOST-', 'session', 'token', ''),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const cookieValue = fc.oneof(
  fc.constantFrom('', 'deleted', 's%3Aabc.def', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig', '"quoted"', '12345'),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.base64String({ maxLength: 64 }),
);
const setCookieHeader = fc.tuple(cookieName, cookieValue, fc.array(fc.tuple(attributeName, fc.option(attributeValue)), { maxLength: 8 }), fc.boolean())
  .map(([name, value, attrs, raw]) => raw
    ? `${name}${value}`
    : [`${name}=${value}`, ...attrs.map(([n, v]) => (v === null ? n : `${n}=${v}`))].join('; '));
const requestUrl = fc.oneof(
  fc.constantFrom('http://localhost:3000/', 'https://site.example/login', 'http://127.0.0.1/', 'http://[::1]:8080/x', 'https://a.b.example.co.uk/', 'not a url', ''),
  fc.webUrl(),
);

// Speed is measured by the benchmarks (bench/), never asserted here: a timed assertion fails on a busy machine.
describe('fuzz: the audit and the expiry model on random input', function () {
  this.timeout(60000);

  it('auditSetCookie never throws and returns well-formed findings', () => {
    fc.assert(fc.property(setCookieHeader, requestUrl, fc.option(fc.boolean()), fc.integer({ min: -1e13, max: 1e13 }), (header, url, isSession, receivedAt) => {
      const findings = auditSetCookie(header, { requestUrl: url, receivedAt, ...(isSession !== null ? { isSession } : {}) });
      for (const f of findings) {
        assert.ok(f.ruleId && f.message && f.docs);
        assert.ok(['error', 'warning', 'info'].includes(f.severity));
      }
    }), { numRuns: 3000 });
  });

  it('classification and the entropy estimate never throw', () => {
    fc.assert(fc.property(cookieName, cookieValue, (name, value) => {
      classifyCookie(name, value, { sessionCookieNames: [name, '*', '**x*'] });
      const e = estimateSessionIdEntropy(value);
      assert.ok(Number.isFinite(e.bits) && e.bits >= 0);
    }), { numRuns: 3000 });
  });

  it('huge headers are handled: a 64 KB value, 500 attributes', () => {
    const big = auditSetCookie(`sid=${'x'.repeat(65536)}; Path=/${'p'.repeat(5000)}`, { requestUrl: 'http://localhost/', receivedAt: 0 });
    assert.ok(big.some((f) => f.ruleId === 'cookie-oversize'), big.map((f) => f.ruleId).join(', '));
    const many = auditSetCookie(`sid=1; ${Array.from({ length: 500 }, (_, i) => `A${i}=${'v'.repeat(100)}`).join('; ')}`, { requestUrl: 'http://localhost/', receivedAt: 0 });
    assert.ok(many.every((f) => f.ruleId && f.message && f.docs));
    assert.equal(typeof classifyCookie('x', `eyJ${'A'.repeat(60000)}`).isSession, 'boolean');
  });

  const exchange: fc.Arbitrary<ScriptedExchange> = fc.record({
    method: fc.constantFrom('GET', 'POST', 'HEAD', 'DELETE', 'PUT'),
    path: fc.oneof(
      fc.constantFrom('/', '/login', '/logout', '/auth/callback?code=x', '/s;jsessionid=abc', '/cb#access_token=abcdefgh', '/api?token=abcdefghijkl'),
      fc.string({ unit: 'binary-ascii', maxLength: 30 }).map((s) => `/${s}`),
    ),
    status: fc.constantFrom(200, 302, 401, 500, 204),
    cookie: fc.array(fc.tuple(cookieName, cookieValue), { maxLength: 3 }).map((pairs) => pairs.map(([n, v]) => `${n}=${v}`).join('; ')),
    setCookies: fc.array(setCookieHeader, { maxLength: 4 }),
    responseHeaders: fc.record({
      'Cache-Control': fc.constantFrom('no-store', 'public, max-age=60', ''),
      'Access-Control-Allow-Origin': fc.constantFrom('*', 'null', 'http://a.example', ''),
      'Access-Control-Allow-Credentials': fc.constantFrom('true', 'false'),
    }),
  });

  it('auditSession and buildExpiryModel never throw on random captures', () => {
    fc.assert(fc.property(fc.array(exchange, { maxLength: 12 }), fc.integer({ min: 0, max: 4e12 }), (steps, now) => {
      const store = scriptedCapture(steps);
      try {
        const findings = auditSession(store, {}, { now, checkWeakSecret: false });
        const keys = findings.map((f) => `${f.ruleId}|${f.subject}|${f.message}`);
        assert.equal(new Set(keys).size, keys.length, 'a finding repeated');
        const model = buildExpiryModel(store, { clock: () => now });
        for (const c of model.credentials) {
          assert.equal(stateAt(c, now), c.state);
          assert.ok(['absolute', 'idle', 'session', 'none'].includes(c.kind));
        }
      } finally {
        store.dispose();
      }
    }), { numRuns: 300 });
  });
});
