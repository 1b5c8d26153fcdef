import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Cookie, CookieJar } from 'tough-cookie';
import { CookieMirror } from '../../../src/core/session/cookieMirror';

const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const HOSTS = ['example.test', 'A.Example.TEST', 'a.example.test', 'b.a.example.test', 'other.test', '127.0.0.1', 'localhost'];
const PATHS = ['/', '', '/api', '/%61pi/x', '/api%2Fitems', '/%zz', '/api/items', '/api/items/7', '/apix', '/login?next=/api', '/a#f'];
const NAMES = ['sid', 'theme', 'csrf'];

const url = fc.tuple(fc.constantFrom('http', 'https'), fc.constantFrom(...HOSTS), fc.constantFrom(...PATHS)).map(([s, h, p]) => `${s}://${h}${p}`);
const setCookie = fc.tuple(
  fc.constantFrom(...NAMES), fc.constantFrom('v1', 'v2', ''),
  fc.subarray(['Secure', 'Path=/api', 'Path=/', 'Domain=example.test', 'Domain=a.example.test', 'Max-Age=0', 'Max-Age=5', 'Domain=test']),
).map(([n, v, a]) => [`${n}=${v}`, ...a].join('; '));

type Op =
  | { kind: 'set'; url: string; raw: string }
  | { kind: 'send'; url: string; sent: { name: string; value: string }[] }
  | { kind: 'browser'; host: string; name: string; value: string; path: string; secure: boolean; keep: boolean }
  | { kind: 'sweep' }
  | { kind: 'clear' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), url, raw: setCookie }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('send' as const), url, sent: fc.array(fc.record({ name: fc.constantFrom(...NAMES), value: fc.constantFrom('v1', 'v2', 'v3') }), { maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('browser' as const), host: fc.constantFrom(...HOSTS), name: fc.constantFrom(...NAMES), value: fc.constantFrom('v1', 'b'), path: fc.constantFrom('/', '/api'), secure: fc.boolean(), keep: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'sweep' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

/** The mirror's private parts this test compares: its cached answer and the jar it stands for. */
interface MirrorInside {
  jar: CookieJar;
  cookiesFor(url: string): Cookie[] | undefined;
}

const shown = (cookies: readonly Cookie[] | undefined) => cookies?.map((c) => `${c.domain};${c.path};${c.key}=${c.value}`);

describe('CookieMirror: the cookies a request sends', function () {
  this.timeout(60_000);

  it('the cached answer for every URL equals what the jar answers, after any sequence of Set-Cookie, sent cookies, browser-jar reads, expiry and clear', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const mirror = new CookieMirror();
      const inside = mirror as unknown as MirrorInside;
      let time = START;
      let exchangeId = 0;
      for (const o of ops) {
        time += 1000;
        const ctx = { time, exchangeId: ++exchangeId, source: 'proxy' as const };
        if (o.kind === 'set') mirror.applySetCookie(o.raw, o.url, ctx);
        else if (o.kind === 'send') mirror.observeRequestCookies(o.url, o.sent, ctx);
        else if (o.kind === 'browser') {
          const jar = o.keep ? [{ name: o.name, value: o.value, domain: o.host, path: o.path, secure: o.secure, httpOnly: false }] : [];
          mirror.syncBrowserJar(jar, () => true, { ...ctx, readAt: time - 500 });
        } else if (o.kind === 'sweep') mirror.sweepExpired(time);
        else mirror.clear();
        for (const host of HOSTS) {
          for (const path of PATHS) {
            for (const scheme of ['http', 'https']) {
              const u = `${scheme}://${host}${path}`;
              const expected = shown(inside.jar.getCookiesSync(u, { expire: false, http: true }));
              assert.deepEqual(shown(inside.cookiesFor(u)), expected, `${u} after ${JSON.stringify(o)}`);
            }
          }
        }
      }
    }), { numRuns: 150 });
  });

  it('a request that sends a cookie set for its host touches that cookie, and one set later for a parent domain is matched too', () => {
    const mirror = new CookieMirror();
    mirror.applySetCookie('sid=one; Path=/', 'https://a.example.test/login', { time: START, exchangeId: 1 });
    assert.deepEqual(mirror.observeRequestCookies('https://a.example.test/api', [{ name: 'sid', value: 'one' }], { time: START + 1000, exchangeId: 2 }), []);
    mirror.applySetCookie('wide=w; Domain=example.test; Path=/', 'https://example.test/', { time: START + 2000, exchangeId: 3 });
    // Asked again for the same URL: the parent domain's new cookie is known, so sending it creates nothing.
    assert.deepEqual(mirror.observeRequestCookies('https://a.example.test/api', [{ name: 'wide', value: 'w' }], { time: START + 3000, exchangeId: 4 }), []);
    assert.equal(mirror.record('example.test;/;wide')?.lastSeen, START + 3000);
  });
});
