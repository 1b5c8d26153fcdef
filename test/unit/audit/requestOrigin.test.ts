import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { requestHost, requestOrigin } from '../../../src/core/audit/requestOrigin';

describe('requestOrigin', () => {
  it('reads scheme, host and path, loopback and IP hosts, and gives undefined for what does not parse', () => {
    assert.deepEqual(requestOrigin('https://App.Example.com:8443/login?next=/'), {
      scheme: 'https', host: 'app.example.com', path: '/login', secureContext: true, encrypted: true, loopback: false, isIp: false,
    });
    assert.deepEqual(requestOrigin('http://[::1]:3000/'), { scheme: 'http', host: '::1', path: '/', secureContext: true, encrypted: false, loopback: true, isIp: true });
    assert.equal(requestOrigin('http://10.0.0.7/x')?.isIp, true);
    assert.equal(requestOrigin('not a url'), undefined);
    assert.equal(requestOrigin(undefined), undefined);
  });

  it('answers each URL of a sequence with its own origin, repeated or not (a repeated string is parsed once)', () => {
    const urls = ['http://localhost:3000/a', 'http://localhost:3000/a', 'https://shop.test/b', 'not a url', 'not a url', 'http://localhost:3000/a', 'https://shop.test/c'];
    const answers = urls.map((u) => requestOrigin(u));
    assert.deepEqual(answers.map((o) => o && `${o.scheme}://${o.host}${o.path}`), [
      'http://localhost/a', 'http://localhost/a', 'https://shop.test/b', undefined, undefined, 'http://localhost/a', 'https://shop.test/c',
    ]);
    assert.equal(answers[0], answers[1], 'the repeated string shares one answer');
    assert.ok(Object.isFrozen(answers[0]), 'a shared answer cannot be changed by one of its readers');
    assert.deepEqual(requestOrigin(new URL('https://shop.test/d'))?.path, '/d');
  });

  it('requestHost gives the host requestOrigin gives, for any URL (the authority is parsed once)', () => {
    const tricky = ['http:///host/a', 'https:\\\\host\\a', 'HTTPS://User:Pw@Ex%61mple.COM:443/x?y#z', 'http://a\tb.test/', 'http://host:99999/', 'http://0x7f.1/', 'http://1.2.3/',
      'https://xn--nxasmq6b.test/', 'https://xn--a.test/', 'http://[::1]:8080/', 'http://[::1/', 'ws://h.test', 'wss://h.test?q', 'https://h.test#f', ' https://h.test/', 'https://h.test /', 'https://u:p/w@h.test/',
      'http:host.test/', 'ftp://h.test/', 'not a url', 'https://', 'https://:80/', 'https://h..test/', 'https://h.test./', 'https://ex\u00e4mple.test/'];
    for (const url of tricky) assert.equal(requestHost(url), requestOrigin(url)?.host, url);
    const part = fc.string({ unit: fc.constantFrom('a', 'B', '0', '9', '.', '-', ':', '@', '/', '\\', '?', '#', '%', '[', ']', ' ', '\t', 'x', 'n', '4', '1', '\u00e9') , maxLength: 24 });
    fc.assert(fc.property(fc.constantFrom('http://', 'https://', 'HTTP://', 'ws://', 'wss://', 'http:', 'https:/', 'ftp://'), part, part, (scheme, host, rest) => {
      const url = `${scheme}${host}${rest}`;
      assert.equal(requestHost(url), requestOrigin(url)?.host, url);
    }), { numRuns: 5000 });
    fc.assert(fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (url) => {
      assert.equal(requestHost(url), requestOrigin(url)?.host, url);
    }), { numRuns: 2000 });
  });
});
