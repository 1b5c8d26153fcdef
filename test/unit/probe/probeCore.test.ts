import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import { makeFinding } from '../../../src/core/findings';
import { DEFAULT_PROBE_LIMITS, ProbeInputError, ProbeNetworkError, bodySimilarity, judgeLoggedIn, loopbackOrigin, madeUpIdLike, withProbeFindings } from '../../../src/core/probe';
import { sendProbeRequest } from '../../../src/core/probe/probeHttp';

describe('probe building blocks', () => {
  describe('loopbackOrigin', () => {
    it('accepts loopback dev servers and returns their origin', () => {
      assert.equal(loopbackOrigin('http://127.0.0.1:3000/some/path'), 'http://127.0.0.1:3000');
      assert.equal(loopbackOrigin('http://localhost:8080'), 'http://localhost:8080');
      assert.equal(loopbackOrigin('https://[::1]:8443/'), 'https://[::1]:8443');
    });

    it('refuses every other host, other schemes and non-URLs with a clear message', () => {
      for (const bad of ['http://example.com', 'http://10.0.0.5:3000', 'http://app.localhost:3000', 'http://127.0.0.1.nip.io', 'http://0.0.0.0:3000']) {
        assert.throws(() => loopbackOrigin(bad), (e: Error) => e instanceof ProbeInputError && /only talk to loopback/.test(e.message), bad);
      }
      assert.throws(() => loopbackOrigin('ftp://127.0.0.1/'), /http: or https:/);
      assert.throws(() => loopbackOrigin('127.0.0.1:3000'), /not a URL|http: or https:/);
    });
  });

  describe('bodySimilarity', () => {
    it('is 1 for the same words in any markup or order, and falls with what differs', () => {
      assert.equal(bodySimilarity('<p>Logged in as alice</p>', 'Logged   in AS <b>alice</b>'), 1);
      assert.equal(bodySimilarity('', ''), 1);
      assert.equal(bodySimilarity('abc', ''), 0);
      // {"hits":3,"user":"alice"} against {"hits":4,"user":"alice"}: 3 of 4 words shared.
      assert.equal(bodySimilarity('{"hits":3,"user":"alice"}', '{"hits":4,"user":"alice"}'), 0.75);
    });
  });

  describe('judgeLoggedIn', () => {
    const loggedIn = { status: 200, body: '<h1>Profile</h1><p>Name: Alice</p>' };
    const anonymous = { status: 302, location: '/login', body: 'Found. Redirecting to /login' };

    it('decides on status and redirect first', () => {
      assert.equal(judgeLoggedIn(loggedIn, anonymous, anonymous).state, 'logged-out');
      assert.equal(judgeLoggedIn(loggedIn, { status: 200, body: 'anything' }, anonymous).state, 'logged-in');
    });

    it('compares bodies when every answer has the same status, and says when they cannot tell', () => {
      const pre = { status: 200, body: '{"hits":3,"user":"alice"}' };
      const anon = { status: 200, body: '{"hits":1,"user":null}' };
      assert.equal(judgeLoggedIn(pre, { status: 200, body: '{"hits":4,"user":"alice"}' }, anon).state, 'logged-in');
      assert.equal(judgeLoggedIn(pre, { status: 200, body: '{"hits":1,"user":null}' }, anon).state, 'logged-out');
      const same = judgeLoggedIn({ status: 200, body: 'Welcome' }, { status: 200, body: 'Welcome' }, { status: 200, body: 'Welcome' });
      assert.equal(same.state, 'undecided');
      assert.match(same.why, /looks the same with and without the session/);
      assert.equal(judgeLoggedIn({ status: 200 }, { status: 200, body: 'x' }, { status: 200, body: 'y' }).state, 'undecided');
    });
  });

  describe('madeUpIdLike', () => {
    it('keeps length, alphabet, punctuation and percent-escapes, and never returns the sample', () => {
      const hex = 'a3f09bc2d4e5f60718293a4b5c6d7e8f';
      for (let i = 0; i < 50; i++) {
        const id = madeUpIdLike(hex);
        assert.match(id, /^[0-9a-f]{32}$/);
        assert.notEqual(id, hex);
      }
      const signed = madeUpIdLike('s%3AAbC123xyz.SiGnAtUrE-_09');
      assert.match(signed, /^s%3A[0-9A-Za-z]{9}\.[0-9A-Za-z]{9}-_[0-9A-Za-z]{2}$/);
    });
  });

  describe('withProbeFindings', () => {
    it('puts the probe finding in place of the passive findings of its rule only', () => {
      const passive = [
        makeFinding('session-not-invalidated-on-logout', 'sid', 'passive guess'),
        makeFinding('cookie-missing-secure', 'sid', 'no Secure'),
      ];
      const probed = makeFinding('session-not-invalidated-on-logout', 'sid', 'Server rejects the old id', {
        severity: 'info', confirmation: { state: 'refuted', probe: 'logout', reason: 'r', requests: [] },
      });
      const shown = withProbeFindings(passive, [probed]);
      assert.deepEqual(shown.map((f) => [f.ruleId, f.severity, f.confirmation?.state]), [
        ['cookie-missing-secure', 'warning', undefined],
        ['session-not-invalidated-on-logout', 'info', 'refuted'],
      ]);
      assert.equal(withProbeFindings(passive, []), passive);
    });
  });

  describe('sendProbeRequest', () => {
    let server: http.Server;
    let url: string;
    before(async () => {
      server = http.createServer((req, res) => {
        if (req.url === '/huge') {
          // An endless body: the reader must stop at its cap.
          res.writeHead(200, { 'content-type': 'text/plain' });
          const chunk = Buffer.alloc(64 * 1024, 'a');
          const pump = (): void => { while (res.write(chunk)); };
          res.on('drain', pump);
          pump();
          return;
        }
        if (req.url === '/silent') return; // never answers
        res.writeHead(302, { location: `http://${req.headers.host}/login?next=%2F`, 'set-cookie': ['sid=abc; Path=/', 'theme=dark'] });
        res.end(`${req.method} ${req.headers.cookie ?? ''} ${req.headers['accept-encoding'] ?? 'identity'}`);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    after(() => { server.closeAllConnections(); server.close(); });

    it('sends the given headers, follows no redirect and reads the server\'s own Location as a path', async () => {
      const res = await sendProbeRequest({ method: 'GET', url: `${url}/x`, headers: [{ name: 'Cookie', value: 'sid=planted' }] }, DEFAULT_PROBE_LIMITS);
      assert.equal(res.status, 302);
      assert.equal(res.location, '/login?next=%2F');
      assert.deepEqual(res.setCookies.map((c) => `${c.name}=${c.value}`), ['sid=abc', 'theme=dark']);
      assert.equal(res.body, 'GET sid=planted identity');
    });

    it('reads at most maxBodyBytes of an endless body', async () => {
      const res = await sendProbeRequest({ method: 'GET', url: `${url}/huge`, headers: [] }, { ...DEFAULT_PROBE_LIMITS, maxBodyBytes: 100_000 });
      assert.equal(res.truncated, true);
      assert.equal(res.body.length, 100_000);
    });

    it('gives up on a server that never answers after the timeout', async () => {
      await assert.rejects(sendProbeRequest({ method: 'GET', url: `${url}/silent`, headers: [] }, { ...DEFAULT_PROBE_LIMITS, timeoutMs: 300 }),
        (e: Error) => e instanceof ProbeNetworkError && /within 300 ms/.test(e.message));
    });

    it('never sends to a host that is not loopback', async () => {
      await assert.rejects(async () => sendProbeRequest({ method: 'GET', url: 'http://example.com/', headers: [] }, DEFAULT_PROBE_LIMITS), ProbeInputError);
    });
  });
});
