import { strict as assert } from 'node:assert';
import { isLocalhostName, isLoopbackHost } from '../../../src/core/net/loopback';

describe('isLoopbackHost', () => {
  it('accepts this machine in every spelling', () => {
    for (const h of ['localhost', 'LOCALHOST.', 'app.localhost', '127.0.0.1', '127.255.0.9', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(h), h);
  });

  it('refuses other hosts and look-alikes', () => {
    for (const h of ['localhost.example.com', '128.0.0.1', '0.0.0.0', '127.0.0.256', '[::ffff:8.8.8.8]', '127.0.0.1.nip.io', 'mylocalhost', '']) assert.ok(!isLoopbackHost(h), h);
  });

  it('leaves *.localhost out when asked (names some resolvers send to DNS)', () => {
    assert.ok(!isLoopbackHost('app.localhost', { subdomains: false }));
    assert.ok(isLoopbackHost('localhost', { subdomains: false }));
  });

  it('tells localhost names from loopback addresses', () => {
    for (const h of ['localhost', 'LOCALHOST.', 'app.localhost']) assert.ok(isLocalhostName(h), h);
    for (const h of ['127.0.0.1', '::1', 'mylocalhost', 'localhost.example.com']) assert.ok(!isLocalhostName(h), h);
  });
});
