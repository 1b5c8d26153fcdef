import { strict as assert } from 'node:assert';
import { auditSetCookie, type CookieRuleContext } from '../../../src/core/audit/cookieRules';
import type { RuleId } from '../../../src/core/rules/catalog';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const https: CookieRuleContext = { requestUrl: 'https://site.example/login', receivedAt: NOW, exchangeId: 7 };
const local: CookieRuleContext = { requestUrl: 'http://localhost:3000/login', receivedAt: NOW };

function ids(header: string, ctx: CookieRuleContext = https): RuleId[] {
  return auditSetCookie(header, ctx).map((f) => f.ruleId);
}

function only(header: string, rule: RuleId, ctx: CookieRuleContext = https) {
  return auditSetCookie(header, ctx).filter((f) => f.ruleId === rule);
}

describe('cookie rules on one Set-Cookie', () => {
  describe('cookie-prefix-violation: RFC 6265bis C1 vectors', () => {
    const rejected = [
      '__Secure-SID=12345; Domain=site.example',
      '__secure-SID=12345; Domain=site.example',
      '__SECURE-SID=12345; Domain=site.example',
      '__Host-SID=12345',
      '__Host-SID=12345; Secure',
      '__Host-SID=12345; Domain=site.example',
      '__Host-SID=12345; Domain=site.example; Path=/',
      '__host-SID=12345; Secure',
      '__host-SID=12345; Domain=site.example',
      '__HOST-SID=12345; Domain=site.example; Path=/',
      '__Host-SID=12345; Secure; Domain=site.example; Path=/',
      '__host-SID=12345; Secure; Domain=site.example; Path=/',
      '__HOST-SID=12345; Secure; Domain=site.example; Path=/',
    ];
    const accepted = [
      '__Secure-SID=12345; Domain=site.example; Secure',
      '__secure-SID=12345; Domain=site.example; Secure',
      '__SECURE-SID=12345; Domain=site.example; Secure',
      '__Host-SID=12345; Secure; Path=/',
      '__host-SID=12345; Secure; Path=/',
      '__HOST-SID=12345; Secure; Path=/',
    ];
    for (const header of rejected) {
      it(`rejects ${header}`, () => {
        const found = only(header, 'cookie-prefix-violation');
        assert.equal(found.length, 1);
        assert.equal(found[0].severity, 'error');
        assert.equal(found[0].subject, header.split('=')[0]);
        assert.equal(found[0].evidence?.header, `Set-Cookie: ${header}`);
        assert.equal(found[0].evidence?.exchangeId, 7);
      });
    }
    for (const header of accepted) {
      it(`accepts ${header}`, () => assert.deepEqual(only(header, 'cookie-prefix-violation'), []));
    }
    it('names the case-confused prefix of __SeCuRe-SID=evil', () => {
      const [f] = only('__SeCuRe-SID=evil', 'cookie-prefix-violation');
      assert.match(f.message, /written "__SeCuRe-"/);
      assert.match(f.message, /Add Secure/);
    });
    it('says exactly what a __Host- cookie lacks', () => {
      const [f] = only('__Host-SID=12345; Domain=site.example; Path=/app', 'cookie-prefix-violation');
      assert.match(f.message, /add Secure, remove Domain=site\.example, set Path=\/ instead of Path=\/app/);
    });
    it('rejects a nameless cookie whose value starts with a prefix', () => {
      assert.equal(only('=__Host-SID=evil; Secure; Path=/', 'cookie-prefix-violation').length, 1);
    });
    it('accepts the CHIPS canonical form', () => {
      assert.deepEqual(ids('__Host-name=value; Secure; Path=/; SameSite=None; Partitioned;'), []);
    });
  });

  describe('cookie-missing-secure', () => {
    it('warns on an https session cookie without Secure', () => {
      const [f] = only('sid=abc123def456ghi789jkl; HttpOnly; SameSite=Lax', 'cookie-missing-secure');
      assert.equal(f.severity, 'warning');
      assert.match(f.message, /Add Secure/);
    });
    it('on http://localhost explains instead of shouting', () => {
      const [f] = only('sid=abc123def456ghi789jkl; HttpOnly; SameSite=Lax', 'cookie-missing-secure', local);
      assert.equal(f.severity, 'info');
      assert.match(f.message, /browsers treat localhost as a secure origin/);
      assert.match(f.message, /production over HTTPS must set Secure/);
    });
    it('on 127.0.0.1 too', () => {
      const [f] = only('sid=abc123def456ghi789jkl', 'cookie-missing-secure', { ...local, requestUrl: 'http://127.0.0.1:8080/' });
      assert.equal(f.severity, 'info');
    });
    it('on plain http to a real host says the cookie is readable on the network', () => {
      const [f] = only('sid=abc123def456ghi789jkl', 'cookie-missing-secure', { ...https, requestUrl: 'http://intranet.example/' });
      assert.equal(f.severity, 'warning');
      assert.match(f.message, /plain HTTP/);
    });
    it('is quiet with Secure, and for a non-session cookie', () => {
      assert.deepEqual(only('sid=abc123def456ghi789jkl; Secure', 'cookie-missing-secure'), []);
      assert.deepEqual(only('theme=dark', 'cookie-missing-secure'), []);
    });
    it('the caller can say a cookie is a session cookie', () => {
      assert.equal(only('theme=dark', 'cookie-missing-secure', { ...https, isSession: true }).length, 1);
    });
  });

  describe('cookie-missing-httponly', () => {
    it('fires for a session cookie readable by scripts', () => {
      assert.equal(only('PHPSESSID=0a1b2c3d4e5f60718293a4b5c6d7e8f9; Secure', 'cookie-missing-httponly').length, 1);
    });
    it('is quiet with HttpOnly or for a preference cookie', () => {
      assert.deepEqual(only('PHPSESSID=0a1b2c3d4e5f60718293a4b5c6d7e8f9; Secure; HttpOnly', 'cookie-missing-httponly'), []);
      assert.deepEqual(only('lang=en', 'cookie-missing-httponly'), []);
    });
  });

  describe('cookie-missing-samesite', () => {
    it('fires when a session cookie has none', () => {
      assert.match(only('sid=abc123def456ghi789jkl; Secure; HttpOnly', 'cookie-missing-samesite')[0].message, /no SameSite/);
    });
    it('fires for an invalid value on any cookie', () => {
      const [f] = only('theme=dark; SameSite=foo', 'cookie-missing-samesite');
      assert.match(f.message, /SameSite=foo/);
      assert.equal(f.severity, 'info');
    });
    it('is quiet for Lax/Strict/None in any case', () => {
      for (const v of ['Lax', 'strict', 'NONE']) {
        assert.deepEqual(only(`sid=abc123def456ghi789jkl; Secure; HttpOnly; SameSite=${v}`, 'cookie-missing-samesite'), []);
      }
    });
  });

  describe('cookie-samesite-none-insecure', () => {
    it('fires for SameSite=None without Secure, on localhost too', () => {
      assert.equal(only('a=b; SameSite=None', 'cookie-samesite-none-insecure')[0].severity, 'error');
      assert.equal(only('a=b; SameSite=None', 'cookie-samesite-none-insecure', local).length, 1);
    });
    it('is quiet with Secure', () => {
      assert.deepEqual(only('a=b; SameSite=None; Secure', 'cookie-samesite-none-insecure'), []);
    });
  });

  describe('cookie-partitioned-insecure', () => {
    it('fires for Partitioned without Secure', () => {
      assert.equal(only('a=b; Partitioned; Path=/', 'cookie-partitioned-insecure').length, 1);
    });
    it('is quiet with Secure', () => {
      assert.deepEqual(only('a=b; Partitioned; Secure', 'cookie-partitioned-insecure'), []);
    });
  });

  describe('cookie-oversize', () => {
    it('accepts exactly 4096 octets of name and value and rejects 4097', () => {
      assert.deepEqual(only(`a=${'x'.repeat(4095)}`, 'cookie-oversize'), []);
      const [f] = only(`a=${'x'.repeat(4096)}`, 'cookie-oversize');
      assert.match(f.message, /4097 octets/);
    });
    it('counts octets, not characters', () => {
      assert.equal(only(`a=${'é'.repeat(2048)}`, 'cookie-oversize').length, 1);
    });
    it('flags an attribute value over 1024 octets, not one of 1024', () => {
      assert.match(only(`a=b; Path=/${'p'.repeat(1024)}`, 'cookie-oversize')[0].message, /Path value of 1025 octets/);
      assert.deepEqual(only(`a=b; Path=/${'p'.repeat(1023)}`, 'cookie-oversize'), []);
    });
  });

  describe('cookie-long-lifetime', () => {
    it('fires for a session cookie over the setting (default 30 days)', () => {
      const [f] = only(`sid=abc123def456ghi789jkl; Max-Age=${31 * 86400}`, 'cookie-long-lifetime');
      assert.match(f.message, /31 days.*30 days/);
    });
    it('honours the setting', () => {
      const ctx = { ...https, settings: { maxSessionCookieLifetimeSec: 3600 } };
      assert.equal(only('sid=abc123def456ghi789jkl; Max-Age=7200', 'cookie-long-lifetime', ctx).length, 1);
      assert.deepEqual(only('sid=abc123def456ghi789jkl; Max-Age=3600', 'cookie-long-lifetime', ctx), []);
    });
    it('fires for any cookie beyond 400 days, not at 400 days', () => {
      assert.match(only('theme=dark; Max-Age=34560001', 'cookie-long-lifetime')[0].message, /clamp/);
      assert.deepEqual(only('theme=dark; Max-Age=34560000', 'cookie-long-lifetime'), []);
    });
    it('reads Expires against the server Date', () => {
      const serverDate = NOW + 3600_000;
      const expires = new Date(serverDate + 10 * 86400_000).toUTCString();
      const ctx = { ...https, serverDate, settings: { maxSessionCookieLifetimeSec: 10 * 86400 } };
      assert.deepEqual(only(`sid=abc123def456ghi789jkl; Expires=${expires}`, 'cookie-long-lifetime', ctx), []);
    });
    it('ignores browser-session cookies', () => {
      assert.deepEqual(only('sid=abc123def456ghi789jkl', 'cookie-long-lifetime'), []);
    });
  });

  describe('cookie-broad-domain', () => {
    it('fires for a session cookie with Domain', () => {
      assert.match(only('sid=abc123def456ghi789jkl; Domain=site.example', 'cookie-broad-domain')[0].message, /every subdomain/);
    });
    it('fires for a Domain that does not match the host', () => {
      assert.match(only('theme=dark; Domain=other.example', 'cookie-broad-domain')[0].message, /does not match/);
    });
    it('fires for a public suffix', () => {
      const ctx = { ...https, requestUrl: 'https://shop.example.co.uk/' };
      assert.match(only('theme=dark; Domain=co.uk', 'cookie-broad-domain', ctx)[0].message, /public suffix/);
    });
    it('is quiet for host-only cookies and a preference cookie on the parent domain', () => {
      assert.deepEqual(only('sid=abc123def456ghi789jkl', 'cookie-broad-domain'), []);
      assert.deepEqual(only('theme=dark; Domain=site.example', 'cookie-broad-domain', { ...https, requestUrl: 'https://www.site.example/' }), []);
    });
  });

  describe('cookie-expires-maxage-conflict', () => {
    it('fires when they disagree and shows the effective expiry', () => {
      const expires = new Date(NOW + 86400_000).toUTCString();
      const [f] = only(`a=b; Max-Age=60; Expires=${expires}`, 'cookie-expires-maxage-conflict');
      assert.match(f.message, new RegExp(new Date(NOW + 60_000).toISOString()));
    });
    it('is quiet when they agree (as express writes them)', () => {
      const expires = new Date(NOW + 3600_000).toUTCString();
      assert.deepEqual(only(`a=b; Max-Age=3600; Expires=${expires}`, 'cookie-expires-maxage-conflict'), []);
    });
  });

  describe('cookie-invalid-chars', () => {
    it('fires for spaces, quotes, commas and backslashes in values', () => {
      assert.match(only('a=hello world', 'cookie-invalid-chars')[0].message, /U\+0020/);
      assert.equal(only('a={"x":1,"y":2}', 'cookie-invalid-chars').length, 1);
      assert.equal(only('a=b\\c', 'cookie-invalid-chars').length, 1);
    });
    it('fires for separators in the name and for control characters', () => {
      assert.equal(only('a(b)=c', 'cookie-invalid-chars').length, 1);
      assert.match(only('a=b\x01c', 'cookie-invalid-chars')[0].message, /ignore the whole header/);
    });
    it('is quiet for a quoted plain value and base64url', () => {
      assert.deepEqual(only('a="abc"', 'cookie-invalid-chars'), []);
      assert.deepEqual(only('a=eyJhIjoxfQ-_', 'cookie-invalid-chars'), []);
    });
  });

  describe('cookie-default-session-name', () => {
    it('names the stack', () => {
      assert.match(only('JSESSIONID=0A1B2C3D4E5F60718293A4B5C6D7E8F9; Secure; HttpOnly', 'cookie-default-session-name')[0].message, /Java Servlet/);
      assert.match(only('connect.sid=s%3Aabc.def; Secure', 'cookie-default-session-name')[0].message, /express-session/);
    });
    it('is quiet for a neutral name', () => {
      assert.deepEqual(only('__Host-id=abc123def456ghi789jkl; Secure; Path=/', 'cookie-default-session-name'), []);
    });
  });

  describe('deletions and garbage', () => {
    it('a deletion is state, not a finding', () => {
      assert.deepEqual(ids('sid=; Max-Age=0'), []);
      assert.deepEqual(ids('PHPSESSID=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0'), []);
      assert.deepEqual(ids('sid=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT'), []);
    });
    it('returns nothing for a header browsers ignore, and survives junk contexts', () => {
      assert.deepEqual(ids(''), []);
      assert.deepEqual(ids(';;;'), []);
      assert.doesNotThrow(() => auditSetCookie('sid=abc; Domain=..', { requestUrl: 'not a url', receivedAt: NaN }));
    });
    it('a well-configured session cookie has no findings', () => {
      assert.deepEqual(ids('__Host-id=Qm9vb0FqN2tYcDVyVzJ6YkhxTmVMdUc0; Secure; HttpOnly; SameSite=Lax; Path=/; Max-Age=3600'), []);
    });
  });
});
