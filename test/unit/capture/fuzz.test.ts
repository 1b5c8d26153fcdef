import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { HarFormatError, type CaptureProxy, SessionStore, exportHar, importHar, startCaptureProxy } from '../../../src/core/capture';
import { decodeBody } from '../../../src/core/session/bodyPreview';
import { CookieMirror } from '../../../src/core/session/cookieMirror';
import { requestHints } from '../../../src/core/session/requestHints';
import { tokensInBody, tokensInRequest, tokensInResponseHeaders } from '../../../src/core/session/tokenExtractor';
import { rawRequest } from '../../fixtures/servers/rawHttp';
import { type RunningServer, startUpstream } from '../../fixtures/servers/upstream';
import { request } from './httpClient';

const cookieish = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.tuple(
    fc.string({ maxLength: 20 }),
    fc.string({ maxLength: 40 }),
    fc.array(fc.oneof(
      fc.constantFrom('Secure', 'HttpOnly', 'Partitioned', 'SameSite=None', 'SameSite=lax', 'SameSite=', 'Path=/', 'Path=', 'Domain=.localhost', 'Domain=', 'Domain=..', 'Max-Age=0', 'Max-Age=-1', 'Max-Age=99999999999999999999', 'Max-Age=abc', 'Expires=', 'Expires=Wed, 21 Oct 2015 07:28:00 GMT', 'Expires=Fri, 31 Dec 9999 23:59:59 GMT', 'Priority=HIGH'),
      fc.string({ maxLength: 30 }),
    ), { maxLength: 8 }),
  ).map(([n, v, attrs]) => [`${n}=${v}`, ...attrs].join('; ')),
);

describe('capture fuzzing (no exception escapes)', () => {
  it('Set-Cookie handling: the jar mirror never throws and stays consistent', () => {
    fc.assert(fc.property(fc.array(cookieish, { maxLength: 10 }), fc.constantFrom('http://localhost:3000/a/b', 'https://app.localhost/', 'http://127.0.0.1:8080/'), (lines, url) => {
      const mirror = new CookieMirror();
      let t = 1_700_000_000_000;
      for (const line of lines) {
        const { record } = mirror.applySetCookie(line, url, { time: t++, exchangeId: 1 });
        assert.ok(['stored', 'deleted', 'rejected'].includes(record.outcome));
        if (record.outcome === 'stored') assert.ok(mirror.records().some((c) => c.key === record.cookieKey));
      }
      mirror.observeRequestCookies(url, lines.map((l, i) => ({ name: l.slice(0, 5), value: String(i) })), { time: t, exchangeId: 2 });
      mirror.sweepExpired(Number.MAX_SAFE_INTEGER);
      for (const c of mirror.records()) assert.equal(c.expiresAt, undefined);
    }), { numRuns: 300 });
  });

  it('header handling: token extraction and hints never throw', () => {
    const header = fc.record({ name: fc.constantFrom('Authorization', 'authorization', 'X-CSRF-Token', 'Cookie', 'Location', 'Refresh', 'X-Other', 'Set-Cookie'), value: fc.string({ unit: 'binary', maxLength: 120 }) });
    fc.assert(fc.property(fc.array(header, { maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 120 }), fc.string({ unit: 'binary', maxLength: 300 }), (headers, url, body) => {
      tokensInRequest(`http://localhost/${url}`, headers, [{ name: 'a', value: body }], new Set(['x-csrf-token']));
      tokensInResponseHeaders(headers, [{ name: 'a', value: url }], new Set());
      for (const mime of [undefined, 'application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data']) {
        tokensInBody(body, mime, 'response-body', 0);
        requestHints('POST', `/${url}`, body, body, mime);
      }
      decodeBody({ bytes: Buffer.from(body, 'latin1'), wireBytes: body.length, truncated: false }, [{ name: 'Content-Encoding', value: url.slice(0, 8) || 'gzip' }], 1024, 256);
    }), { numRuns: 500 });
  });

  it('JSON bodies shaped like token responses never throw', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
      tokensInBody(JSON.stringify(value), 'application/json', 'response-body', 0);
      tokensInBody(JSON.stringify({ access_token: value, expires_in: value, refresh_token: value, nested: { id_token: value } }), 'application/json', 'response-body', 0);
    }), { numRuns: 300 });
  });

  it('a HAR whose header and cookie values are objects that cannot be printed imports them as empty values', () => {
    // Found by the property below (seed 1173867980): JSON can carry {"toString":0}, which String() cannot convert.
    const unprintable = JSON.parse('{"toString":0}');
    const store = new SessionStore();
    const result = importHar(store, { log: { entries: [{
      startedDateTime: '2026-01-01T00:00:00.000Z', time: 1,
      request: { method: 'GET', url: 'http://localhost:3000/', headers: [{ name: 'X-Odd', value: unprintable }], cookies: [{ name: 'sid', value: unprintable }] },
      response: { status: 200, headers: [], cookies: [{ name: 'set', value: unprintable }], content: { text: '' } },
    }] } });
    assert.strictEqual(result.imported, 1);
    const [exchange] = store.snapshot().exchanges;
    assert.deepStrictEqual(exchange.requestHeaders.filter((h) => h.name === 'X-Odd'), [{ name: 'X-Odd', value: '' }]);
    JSON.stringify(exportHar(store.snapshot()));
  });

  it('the HAR parser accepts any JSON without throwing anything but HarFormatError, and export survives', () => {
    const entry = fc.record({
      startedDateTime: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string(), fc.constant(undefined)),
      time: fc.oneof(fc.double(), fc.constant(-1)),
      request: fc.oneof(fc.anything(), fc.record({
        method: fc.oneof(fc.string({ maxLength: 8 }), fc.anything()),
        url: fc.oneof(fc.webUrl(), fc.string()),
        headers: fc.oneof(fc.array(fc.record({ name: fc.oneof(fc.string(), fc.anything()), value: fc.oneof(fc.string(), fc.anything()) })), fc.anything()),
        cookies: fc.anything(),
        postData: fc.oneof(fc.anything(), fc.record({ mimeType: fc.string(), text: fc.string(), encoding: fc.constantFrom('base64', 'utf8', undefined), params: fc.anything() })),
      })),
      response: fc.oneof(fc.anything(), fc.record({
        status: fc.oneof(fc.integer({ min: -5, max: 999 }), fc.anything()),
        headers: fc.array(fc.record({ name: fc.constantFrom('Set-Cookie', 'Content-Type', 'Date', 'Location'), value: fc.oneof(fc.string(), cookieish) })),
        cookies: fc.anything(),
        content: fc.oneof(fc.anything(), fc.record({ text: fc.string(), encoding: fc.constantFrom('base64', undefined), mimeType: fc.constantFrom('application/json', 'text/html', '') })),
      })),
      timings: fc.anything(),
    });
    fc.assert(fc.property(fc.oneof(fc.anything(), fc.record({ log: fc.record({ entries: fc.array(entry, { maxLength: 6 }), creator: fc.anything() }) })), (doc) => {
      const store = new SessionStore();
      try {
        importHar(store, doc);
      } catch (err) {
        assert.ok(err instanceof HarFormatError, String(err));
      }
      JSON.stringify(exportHar(store.snapshot()));
      JSON.stringify(exportHar(store.snapshot(), { redact: false }));
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => {
      try {
        importHar(new SessionStore(), text);
      } catch (err) {
        assert.ok(err instanceof HarFormatError);
      }
    }), { numRuns: 200 });
  });

  describe('the proxy on hostile request heads', function () {
    let upstream: RunningServer;
    let proxy: CaptureProxy;
    before(async () => {
      upstream = await startUpstream();
      proxy = await startCaptureProxy({ target: upstream.url, timeouts: { responseMs: 2000 } });
    });
    after(async () => {
      await proxy.close();
      await upstream.close();
    });

    it('answers or closes, and stays up', async function () {
      this.timeout(60_000);
      const token = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/);
      const line = fc.oneof(
        fc.tuple(token, fc.string({ unit: 'binary', maxLength: 60 })).map(([n, v]) => `${n}: ${v.replace(/[\r\n]/g, '')}`),
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.constantFrom('Transfer-Encoding: chunked', 'Content-Length: 5', 'Cookie: a=b; ; =; c', 'Expect: 100-continue', 'Connection: upgrade', 'Upgrade: websocket', 'Host:', 'Set-Cookie: x=y'),
      );
      await fc.assert(fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'G@T'),
        fc.string({ maxLength: 30 }),
        fc.array(line, { maxLength: 6 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        async (method, path, lines, body) => {
          const head = `${method} /${path.replace(/[\s]/g, '')} HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines.map((l) => `${l}\r\n`).join('')}Connection: close\r\n\r\n`;
          const res = await rawRequest(proxy.port, head + body, 300);
          assert.ok(res.status === 0 || (res.status >= 100 && res.status < 600), res.statusLine);
        },
      ), { numRuns: 60 });
      assert.equal((await request(`${proxy.url}/bytes?size=5`)).status, 200);
    });
  });
});
