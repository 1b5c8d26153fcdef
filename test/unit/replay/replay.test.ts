import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { CookieRecord, Exchange } from '../../../src/core/session/types';
import { jwtSummary } from '../../../src/core/jwt/summary';
import { cookiesFor, curlCommand, currentAuthorization, pathMatches, shellQuote, toCookiesTxt } from '../../../src/core/replay/index';

const NOW = Date.parse('2026-12-07T12:00:00Z');

function cookie(name: string, value: string, extra: Partial<CookieRecord> = {}): CookieRecord {
  return {
    key: `localhost;/;${name}`, name, value, domain: 'localhost', path: '/', hostOnly: true, receivedAt: NOW - 1000,
    secure: false, httpOnly: false, partitioned: false, size: name.length + value.length, firstSeen: NOW - 1000, lastSeen: NOW,
    origin: 'set-by-response', exchangeId: 1, ...extra,
  } as CookieRecord;
}

function exchange(extra: Partial<Exchange>): Exchange {
  return {
    id: 1, source: 'proxy', method: 'GET', url: 'http://localhost:8080/profile', upstreamUrl: 'http://localhost:3000/profile', path: '/profile',
    httpVersion: '1.1', requestHeaders: [], cookiesSent: [], hints: { loginLike: false, logoutLike: false, hasPasswordField: false },
    startedAt: NOW, cookiesSet: [], state: 'complete', tokenIds: [], ...extra,
  } as unknown as Exchange;
}

describe('replay formats of the session', () => {
  it('matches paths as RFC 6265bis does', () => {
    assert.ok(pathMatches('/', '/anything'));
    assert.ok(pathMatches('/app', '/app/x'));
    assert.ok(!pathMatches('/app', '/apple'));
    assert.ok(pathMatches('/app/', '/app/x'));
  });

  it('sends the cookies a browser would: domain, path, Secure on loopback, not expired, longest path first', () => {
    const jar = [
      cookie('a', '1'),
      cookie('deep', '2', { path: '/api' }),
      cookie('gone', '3', { expiresAt: NOW - 1 }),
      cookie('other', '4', { domain: 'example.com' }),
      cookie('sec', '5', { secure: true }),
      cookie('wide', '6', { domain: 'example.com', hostOnly: false }),
    ];
    assert.deepEqual(cookiesFor(new URL('http://localhost:3000/api/me'), jar, NOW).map((c) => c.name), ['deep', 'a', 'sec']);
    assert.deepEqual(cookiesFor(new URL('http://www.example.com/'), jar, NOW).map((c) => c.name), ['wide']);
    assert.deepEqual(cookiesFor(new URL('http://example.org/'), [cookie('sec', '5', { secure: true, domain: 'example.org' })], NOW), []);
  });

  it('writes cookies.txt as curl reads it: #HttpOnly_, subdomain flag, expiry in seconds, live cookies only', () => {
    const text = toCookiesTxt([
      cookie('sid', 's%3Aabc', { httpOnly: true }),
      cookie('wide', 'x', { domain: 'example.com', hostOnly: false, secure: true, expiresAt: NOW + 60_000 }),
      cookie('old', 'y', { expiresAt: NOW - 1 }),
      cookie('bad', 'a\tb'),
    ], NOW);
    const lines = text.split('\n').filter((l) => l && !/^# /.test(l) && !l.startsWith('# Netscape'));
    assert.deepEqual(lines, [
      '#HttpOnly_localhost\tFALSE\t/\tFALSE\t0\tsid\ts%3Aabc',
      `.example.com\tTRUE\t/\tTRUE\t${Math.floor((NOW + 60_000) / 1000)}\twide\tx`,
    ]);
  });

  it('quotes for a POSIX shell so that any value survives', () => {
    const nasty = `it's $(rm -rf ~) \`x\` "q" \\ ; | & \n end`;
    assert.equal(execFileSync('sh', ['-c', `printf %s ${shellQuote(nasty)}`], { encoding: 'utf8' }), nasty);
    assert.equal(shellQuote('http://localhost:3000/a'), 'http://localhost:3000/a');
  });

  it('builds a curl command with the current cookies and Authorization, the recorded body, and no hop-by-hop headers', () => {
    const ex = exchange({
      method: 'POST', path: '/api/items',
      url: 'http://localhost:8080/api/items', upstreamUrl: 'http://localhost:3000/api/items',
      requestHeaders: [
        { name: 'Host', value: 'localhost:8080' }, { name: 'Content-Type', value: 'application/json' }, { name: 'Content-Length', value: '11' },
        { name: 'Cookie', value: 'sid=stale' }, { name: 'Authorization', value: 'Bearer stale' }, { name: 'Connection', value: 'keep-alive' },
      ],
      requestBody: { wireBytes: 11, truncated: false, mimeType: 'application/json', text: '{"a":"it\'s"}' },
    });
    const { command, notes } = curlCommand(ex, { jar: [cookie('sid', 'fresh')], authorization: 'Bearer fresh', now: NOW });
    assert.deepEqual(notes, []);
    assert.equal(command, `curl http://localhost:3000/api/items -H 'Content-Type: application/json' -H 'Authorization: Bearer fresh' -b sid=fresh --data-raw '{"a":"it'\\''s"}'`);
    const truncated = curlCommand({ ...ex, requestBody: { wireBytes: 5_000_000, truncated: true } } as Exchange, { jar: [], now: NOW });
    assert.match(truncated.notes[0], /5000000 bytes\) was not recorded in full/);
    assert.match(truncated.command, / -X POST /);
  });

  it('finds the Authorization last sent to an origin', () => {
    const exchanges = [
      exchange({ id: 1, requestHeaders: [{ name: 'Authorization', value: 'Bearer one' }] }),
      exchange({ id: 2, upstreamUrl: 'http://other:1/x', requestHeaders: [{ name: 'authorization', value: 'Bearer other' }] }),
      exchange({ id: 3, requestHeaders: [{ name: 'authorization', value: 'Bearer two' }] }),
      exchange({ id: 4, requestHeaders: [] }),
    ];
    assert.equal(currentAuthorization(exchanges, 'http://localhost:3000'), 'Bearer two');
    assert.equal(currentAuthorization(exchanges, 'http://nowhere:1'), undefined);
  });
});

describe('JWT summary (hover)', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSFMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

  it('gives claims, human dates, time left and findings', () => {
    const s = jwtSummary(jwt, NOW)!;
    assert.equal(s.title, 'HS256 JWT');
    assert.equal(s.status, 'no expiry (no exp claim)');
    assert.match(s.claims!, /"name": "John Doe"/);
    assert.deepEqual(s.times.map((t) => t.claim), ['iat']);
    assert.match(s.times[0].text, /^2018-01-18T01:30:22\.000Z \(8 years ago\)$/);
    assert.ok(s.findings.some((f) => f.ruleId === 'jwt-no-expiry'));
  });

  it('says how long ago an expired token expired, and is undefined for text that is not a JWT', () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const expired = `${b64({ alg: 'HS256' })}.${b64({ sub: 'a', exp: (NOW - 3 * 3600_000) / 1000 })}.c2ln`;
    const s = jwtSummary(expired, NOW)!;
    assert.equal(s.status, 'expired 3 h ago');
    assert.equal(s.expired, true);
    assert.equal(jwtSummary('not.a.jwt', NOW), undefined);
  });
});
