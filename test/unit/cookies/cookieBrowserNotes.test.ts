import * as assert from 'node:assert/strict';
import { type CookieForBrowser, cookieBrowserNotes } from '../../../src/core/cookies/cookieBrowserNotes';

const base: CookieForBrowser = { name: 'sid', domain: 'app.example.test', path: '/', hostOnly: true, secure: true, sameSite: 'Lax', partitioned: false, size: 40 };

describe('why a browser would refuse a cookie or not send it', () => {
  it('says nothing about a cookie browsers keep and send', () => {
    assert.deepEqual(cookieBrowserNotes(base, 'https://app.example.test/login'), []);
    // localhost is a secure context: Secure over http works there.
    assert.deepEqual(cookieBrowserNotes({ ...base, domain: 'localhost' }, 'http://localhost:3000/'), []);
    assert.deepEqual(cookieBrowserNotes({ ...base, domain: '127.0.0.1' }, 'http://127.0.0.1:8080/'), []);
  });

  it('names each rule a browser applies', () => {
    const notes = (c: Partial<CookieForBrowser>, url?: string) => cookieBrowserNotes({ ...base, ...c }, url).join('\n');
    assert.match(notes({ size: 4097 }), /4097 bytes, over the 4096-byte limit/);
    assert.match(notes({ name: '__Secure-id', secure: false }), /__Secure- prefix requires the Secure attribute/);
    assert.match(notes({ name: '__host-id', secure: false, hostOnly: false, path: '/app' }), /__Host- prefix requires Secure, no Domain attribute, Path=\//);
    assert.match(notes({ sameSite: 'None', secure: false }), /SameSite=None without Secure/);
    assert.match(notes({ partitioned: true, secure: false }), /Partitioned without Secure/);
    assert.match(notes({ hostOnly: false, domain: 'other.test' }, 'https://app.example.test/'), /Domain=other\.test does not include app\.example\.test/);
    assert.match(notes({}, 'http://app.example.test/'), /Secure cookie set by http:\/\/app\.example\.test/);
    assert.match(notes({ sameSite: undefined, sameSiteRaw: 'Lox' }), /SameSite=Lox is not a valid value/);
    assert.match(notes({ sameSite: 'Strict' }), /Not sent on requests from other sites/);
  });

  it('a Domain that covers the host, and an unparsable URL, are no reason', () => {
    assert.deepEqual(cookieBrowserNotes({ ...base, hostOnly: false, domain: 'example.test' }, 'https://app.example.test/'), []);
    assert.deepEqual(cookieBrowserNotes({ ...base, secure: false }, 'not a url'), []);
  });
});
