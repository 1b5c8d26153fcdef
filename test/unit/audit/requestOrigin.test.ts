import * as assert from 'node:assert/strict';
import { requestOrigin } from '../../../src/core/audit/requestOrigin';

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
});
