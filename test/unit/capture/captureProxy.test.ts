import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import * as net from 'node:net';
import { once } from 'node:events';
import WebSocket from 'ws';
import { CaptureConfigError, type CaptureProxy, type Exchange, SessionStore, startCaptureProxy } from '../../../src/core/capture';
import { rawRequest, startRawServer } from '../../fixtures/servers/rawHttp';
import { type RunningServer, patternBytes, sha256, startUpstream } from '../../fixtures/servers/upstream';
import { startWsEcho } from '../../fixtures/servers/wsEcho';
import { rawValues, request } from './httpClient';

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('capture proxy', function () {
  let upstream: RunningServer;
  let proxy: CaptureProxy;
  let store: SessionStore;
  let clientGone = 0;
  /** Resolves when the dev server has seen its client (the proxy) go away `count` times in all. */
  const clientGoneWaiters: { count: number; resolve: () => void }[] = [];
  const clientGoneReaches = (count: number) => new Promise<void>((resolve) => {
    if (clientGone >= count) resolve();
    else clientGoneWaiters.push({ count, resolve });
  });

  before(async () => {
    upstream = await startUpstream({
      clientGone: () => {
        clientGone++;
        for (const w of clientGoneWaiters.filter((x) => x.count <= clientGone)) w.resolve();
      },
    });
    store = new SessionStore({ throttleMs: 0 });
    proxy = await startCaptureProxy({ target: upstream.url, store });
  });
  after(async () => {
    await proxy.close();
    await upstream.close();
    store.dispose();
  });

  const last = async () => {
    await proxy.recorded();
    return store.snapshot().exchanges.at(-1)!;
  };

  it('listens on 127.0.0.1 and forwards a request', async () => {
    assert.match(proxy.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await request(`${proxy.url}/bytes?size=10`);
    assert.equal(res.status, 200);
    assert.equal(res.body.length, 10);
  });

  describe('bodies are byte-exact both ways', () => {
    it('gives a slow reader the exact bytes of a large download (the proxy\'s read buffers are not reused while a write holds them)', async function () {
      this.timeout(60_000);
      const size = 12 * 1024 * 1024 + 3;
      const socket = net.connect(proxy.port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(`GET /bytes?size=${size} HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nConnection: close\r\n\r\n`);
      const chunks: Buffer[] = [];
      let stalls = 0;
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        // Read in spurts: the proxy's writes to this socket back up again and again.
        if (stalls++ % 4 === 0) {
          socket.pause();
          setTimeout(() => socket.resume(), 2);
        }
      });
      await once(socket, 'end');
      const all = Buffer.concat(chunks);
      const headEnd = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, headEnd).toString('latin1');
      const body = all.subarray(headEnd + 4);
      assert.match(head, /^HTTP\/1\.1 200 /);
      assert.equal(body.length, size);
      assert.equal(sha256(body), /\r\nx-sha256: *([0-9a-f]+)/i.exec(head)?.[1]);
      assert.ok(stalls > 20, `the client paused ${stalls} times`);
    });

    for (const size of [0, 1, 1024 * 1024 + 1, 50 * 1024 * 1024]) {
      it(`downloads ${size} bytes`, async function () {
        this.timeout(60_000);
        const res = await request(`${proxy.url}/bytes?size=${size}`);
        assert.equal(res.body.length, size);
        assert.equal(sha256(res.body), res.headers['x-sha256']);
        const ex = await last();
        assert.equal(ex.responseBody?.wireBytes, size);
        assert.equal(ex.state, 'complete');
      });
    }
    for (const size of [0, 3 * 1024 * 1024 + 7, 50 * 1024 * 1024]) {
      it(`uploads ${size} bytes`, async function () {
        this.timeout(60_000);
        const body = patternBytes(size, 11);
        const res = await request(`${proxy.url}/upload`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
        const echoed = JSON.parse(res.body.toString()) as { size: number; sha256: string };
        assert.equal(echoed.size, size);
        assert.equal(echoed.sha256, sha256(body));
      });
    }
  });

  it('PX-04: keeps a chunked response chunked and reassembles it for the capture', async () => {
    const res = await request(`${proxy.url}/chunked?size=300000`);
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    assert.equal(sha256(res.body), res.headers['x-sha256']);
    assert.equal((await last()).responseBody?.wireBytes, 300000);
  });

  it('PX-05: sends no chunked encoding to an HTTP/1.0 client', async () => {
    const res = await rawRequest(proxy.port, 'GET /chunked?size=5000 HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n');
    assert.equal(res.status, 200);
    assert.ok(!res.headers.some(([n]) => n.toLowerCase() === 'transfer-encoding'), res.statusLine);
    assert.equal(res.body.length, 5000);
    assert.equal(sha256(res.body), res.headers.find(([n]) => n.toLowerCase() === 'x-sha256')?.[1]);
  });

  it('PX-06: a client abort mid-response aborts upstream and marks the flow', async () => {
    const before = clientGone;
    // The proxy sees the client's FIN (passed on to the dev server) before its close: the dev
    // server may see the end first, so the record is awaited on its own event.
    const finished = new Promise<Exchange>((resolve) => {
      const sub = store.onDidFinishExchange((ex) => {
        if (ex.path !== '/hang-body') return;
        sub.dispose();
        resolve(ex);
      });
    });
    await new Promise<void>((resolve) => {
      const req = http.get(`${proxy.url}/hang-body`, { agent: false }, (res) => {
        res.once('data', () => { req.destroy(); resolve(); });
      });
      req.on('error', () => undefined);
    });
    // Waits for the dev server to see the aborted request go (the test times out if it never does).
    await clientGoneReaches(before + 1);
    assert.equal(clientGone, before + 1, 'upstream request was aborted more than once');
    assert.equal((await finished).state, 'client-aborted');
  });

  it('PX-06: a client abort mid-upload does not hurt the proxy', async () => {
    await new Promise<void>((resolve) => {
      const req = http.request(`${proxy.url}/upload`, { method: 'POST', agent: false, headers: { 'content-length': 1_000_000 } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(10000), () => setTimeout(() => { req.destroy(); resolve(); }, 20));
    });
    const res = await request(`${proxy.url}/bytes?size=3`);
    assert.equal(res.status, 200);
  });

  it('PX-07: an upstream reset mid-body destroys the client connection and records the error', async () => {
    await assert.rejects(request(`${proxy.url}/reset`), (err: NodeJS.ErrnoException) => /aborted|ECONNRESET|socket hang up/i.test(`${err.code} ${err.message}`));
    await proxy.recorded();
    const ex = store.snapshot().exchanges.find((e) => e.path === '/reset')!;
    assert.equal(ex.state, 'upstream-error');
  });

  it('PX-08: an unreachable upstream gives a 502 naming the target, and the proxy stays up', async () => {
    const port = await closedPort();
    const down = await startCaptureProxy({ target: `http://127.0.0.1:${port}` });
    try {
      const res = await request(`${down.url}/anything`);
      assert.equal(res.status, 502);
      assert.match(res.body.toString(), new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.match(res.body.toString(), /ECONNREFUSED/);
      await down.recorded();
      assert.equal(down.store.snapshot().exchanges[0].state, 'upstream-error');
      assert.equal((await request(`${down.url}/again`)).status, 502);
    } finally {
      await down.close();
    }
  });

  it('PX-09: an upstream that does not answer in time gets a 504', async () => {
    const s = new SessionStore();
    const slow = await startCaptureProxy({ target: upstream.url, store: s, timeouts: { responseMs: 100 } });
    try {
      const res = await request(`${slow.url}/slow?ms=3000`);
      assert.equal(res.status, 504);
      await slow.recorded();
      assert.equal(s.snapshot().exchanges[0].state, 'timeout');
      assert.equal((await request(`${slow.url}/bytes?size=1`)).status, 200);
    } finally {
      await slow.close();
    }
  });

  it('PX-10: Expect: 100-continue reaches the dev server, its 100 Continue reaches the client, the body follows', async () => {
    const body = patternBytes(20000);
    const result = await new Promise<{ continued: boolean; text: string }>((resolve, reject) => {
      let continued = false;
      const req = http.request(`${proxy.url}/upload`, { method: 'POST', agent: false, headers: { expect: '100-continue', 'content-length': body.length } });
      req.on('continue', () => { continued = true; req.end(body); });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => { text += c.toString(); });
        res.on('end', () => resolve({ continued, text }));
      });
      req.on('error', reject);
    });
    assert.ok(result.continued);
    const echoed = JSON.parse(result.text) as { size: number; sha256: string; expect: string };
    assert.equal(echoed.size, body.length);
    assert.equal(echoed.sha256, sha256(body));
    // The header is forwarded as sent; the 100 the client waited for came from the dev server.
    assert.equal(echoed.expect, '100-continue');
  });

  it('PX-11: huge headers get deterministic answers; a 5 KB Set-Cookie is recorded with its size', async () => {
    const tooBig = await rawRequest(proxy.port, `GET /bytes?size=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: a=${'x'.repeat(100 * 1024)}\r\n\r\n`);
    assert.equal(tooBig.status, 431);
    // 32 KB passes the proxy; the Node upstream (16 KB default) answers 431 itself.
    const big = await request(`${proxy.url}/bytes?size=1`, { headers: { cookie: `a=${'x'.repeat(32 * 1024)}` } });
    assert.equal(big.status, 431);
    const raw = await startRawServer((socket) => {
      socket.end(`HTTP/1.1 200 OK\r\nSet-Cookie: big=${'v'.repeat(5000)}; Path=/\r\nContent-Length: 2\r\n\r\nok`);
    });
    const s = new SessionStore();
    const p = await startCaptureProxy({ target: `http://127.0.0.1:${raw.port}`, store: s });
    try {
      const res = await request(`${p.url}/`);
      assert.equal(res.status, 200);
      assert.equal(rawValues(res.rawHeaders, 'set-cookie')[0].length, 'big='.length + 5000 + '; Path=/'.length);
      await p.recorded();
      const set = s.snapshot().exchanges[0].cookiesSet[0];
      assert.equal(set.value.length, 5000);
    } finally {
      await p.close();
      await raw.close();
    }
  });

  it('PX-12: sequential requests reuse one upstream connection; one closed by upstream is not reused', async () => {
    const u = await startUpstream();
    const p = await startCaptureProxy({ target: u.url });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 5; i++) assert.equal((await request(`${p.url}/bytes?size=10`, { agent })).status, 200);
      assert.equal(u.connections(), 1);
      assert.equal((await request(`${p.url}/close`, { agent })).status, 200);
      assert.equal((await request(`${p.url}/bytes?size=10`, { agent })).status, 200);
      assert.equal(u.connections(), 2);
    } finally {
      agent.destroy();
      await p.close();
      await u.close();
    }
  });

  describe('PX-13: redirects stay on the proxy', () => {
    for (const status of [201, 301, 302, 303, 307, 308]) {
      it(`rewrites a ${status} Location that points at the target`, async () => {
        const res = await request(`${proxy.url}/redirect?status=${status}&to=${encodeURIComponent(`${upstream.url}/next?a=1`)}`);
        assert.equal(res.status, status);
        assert.equal(res.headers.location, `${proxy.url}/next?a=1`);
      });
    }
    it('leaves external and relative redirects alone, and never rewrites on 200', async () => {
      assert.equal((await request(`${proxy.url}/redirect?status=302&to=${encodeURIComponent('http://example.com/x')}`)).headers.location, 'http://example.com/x');
      assert.equal((await request(`${proxy.url}/redirect?status=302&to=/rel`)).headers.location, '/rel');
      assert.equal((await request(`${proxy.url}/redirect?status=200&to=${encodeURIComponent(`${upstream.url}/x`)}`)).headers.location, `${upstream.url}/x`);
    });
    it('records the original Location in the capture', async () => {
      await request(`${proxy.url}/redirect?status=302&to=${encodeURIComponent(`${upstream.url}/orig`)}`);
      assert.equal((await last()).responseHeaders?.find((h) => h.name.toLowerCase() === 'location')?.value, `${upstream.url}/orig`);
    });
  });

  it('PX-14: HEAD reads and writes no body and does not hang', async () => {
    const res = await request(`${proxy.url}/bytes?size=1000`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], '1000');
    assert.equal(res.body.length, 0);
  });

  it('passes 204 and 304 through', async () => {
    const nc = await request(`${proxy.url}/nocontent`);
    assert.equal(nc.status, 204);
    assert.deepEqual(rawValues(nc.rawHeaders, 'set-cookie'), ['seen=1; Path=/']);
    assert.equal((await request(`${proxy.url}/notmodified`)).status, 304);
  });

  for (const enc of ['gzip', 'br', 'deflate']) {
    it(`PX-15: forwards a ${enc} body untouched and finds the token inside`, async () => {
      const res = await request(`${proxy.url}/${enc}`);
      assert.equal(res.headers['content-encoding'], enc);
      assert.equal(sha256(res.body), res.headers['x-sha256']);
      assert.equal(Number(res.headers['content-length']), res.body.length);
      const ex = await last();
      assert.equal(ex.responseBody?.contentEncoding, enc);
      const token = store.getTokens().find((t) => ex.tokenIds.includes(t.id));
      assert.equal(token?.kind, 'oauth-access');
      assert.equal(token?.value, `compressed-access-token-${enc}`);
      assert.equal(token?.expiresAt, (ex.responseReceivedAt ?? 0) + 600_000);
    });
  }

  it('PX-15: forwards an encoding the preview cannot decode (zstd) untouched and says so', async () => {
    const opaque = patternBytes(5000, 9);
    const raw = await startRawServer((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: zstd\r\nContent-Length: ${opaque.length}\r\n\r\n`);
      socket.end(opaque);
    });
    const p = await startCaptureProxy({ target: `http://127.0.0.1:${raw.port}` });
    try {
      const res = await request(`${p.url}/`);
      assert.equal(res.headers['content-encoding'], 'zstd');
      assert.equal(sha256(res.body), sha256(opaque));
      await p.recorded();
      assert.match(p.store.snapshot().exchanges[0].responseBody?.decodeError ?? '', /zstd/);
    } finally {
      await p.close();
      await raw.close();
    }
  });

  it('PX-16: several Set-Cookie headers arrive separate and unmerged, JSON values whole', async () => {
    const raw = await rawRequest(proxy.port, 'GET /cookies HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    const setCookies = raw.headers.filter(([n]) => n.toLowerCase() === 'set-cookie').map(([, v]) => v);
    assert.deepEqual(setCookies, [
      'sid=abc123def456ghi789; Path=/; HttpOnly; SameSite=Lax',
      'pref={"a":1,"b":2}; Expires=Wed, 21 Oct 2099 07:28:00 GMT; Path=/',
    ]);
    const ex = await last();
    assert.deepEqual(ex.cookiesSet.map((c) => [c.name, c.value, c.outcome]), [['sid', 'abc123def456ghi789', 'stored'], ['pref', '{"a":1,"b":2}', 'stored']]);
    assert.equal(store.getCookies().find((c) => c.name === 'pref')?.expiresAt, Date.UTC(2099, 9, 21, 7, 28));
  });

  it('keeps the header order and case of the response', async () => {
    const raw = await startRawServer((socket) => {
      socket.end('HTTP/1.1 200 OK\r\nX-Zeta: 1\r\nx-alpha: 2\r\nSET-COOKIE: a=1\r\nset-cookie: b=2\r\nContent-Length: 0\r\n\r\n');
    });
    const p = await startCaptureProxy({ target: `http://127.0.0.1:${raw.port}` });
    try {
      const res = await request(`${p.url}/`);
      const names = res.rawHeaders.filter((_, i) => i % 2 === 0);
      assert.deepEqual(names.slice(0, 4), ['X-Zeta', 'x-alpha', 'SET-COOKIE', 'set-cookie']);
    } finally {
      await p.close();
      await raw.close();
    }
  });

  it('forwards trailers', async () => {
    const res = await request(`${proxy.url}/trailers`);
    assert.equal(res.body.toString(), 'part one;part two');
    assert.equal(res.trailers['x-checksum'], 'abc');
  });

  it('PX-18: delivers a response delimited by EOF in full', async () => {
    const body = patternBytes(200_000, 3);
    const raw = await startRawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n');
      socket.end(body);
    });
    const p = await startCaptureProxy({ target: `http://127.0.0.1:${raw.port}` });
    try {
      const res = await request(`${p.url}/`);
      assert.equal(sha256(res.body), sha256(body));
      await p.recorded();
      assert.equal(p.store.snapshot().exchanges[0].state, 'complete');
    } finally {
      await p.close();
      await raw.close();
    }
  });

  describe('PX-19: request smuggling guards', () => {
    const cases: [string, string][] = [
      ['Content-Length with Transfer-Encoding', 'POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
      ['Transfer-Encoding: chunked, identity', 'POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n'],
      ['whitespace in a header name', 'GET /bytes?size=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header: x\r\n\r\n'],
      ['whitespace before the colon', 'GET /bytes?size=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length : 0\r\n\r\n'],
      ['Content-Length: NaN', 'POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: NaN\r\n\r\n'],
      ['Content-Length: -1', 'POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n'],
      ['two different Content-Lengths', 'POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
    ];
    for (const [name, req] of cases) {
      it(`rejects ${name} with 400`, async () => {
        const res = await rawRequest(proxy.port, req);
        assert.equal(res.status, 400, res.statusLine);
        assert.equal((await request(`${proxy.url}/bytes?size=1`)).status, 200);
      });
    }
  });

  it('PX-19: refuses an upstream response with ambiguous framing (Content-Length and Transfer-Encoding)', async () => {
    const raw = await startRawServer((socket) => {
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    });
    const p = await startCaptureProxy({ target: `http://127.0.0.1:${raw.port}` });
    try {
      const res = await request(`${p.url}/`);
      assert.equal(res.status, 502);
      await p.recorded();
      assert.equal(p.store.snapshot().exchanges[0].state, 'upstream-error');
    } finally {
      await p.close();
      await raw.close();
    }
  });

  it('PX-20: streams server-sent events without buffering', async () => {
    const chunks = await new Promise<string[]>((resolve, reject) => {
      const got: string[] = [];
      http.get(`${proxy.url}/sse`, { agent: false }, (res) => {
        res.on('data', (c: Buffer) => got.push(c.toString()));
        res.on('end', () => resolve(got));
      }).on('error', reject);
    });
    assert.ok(chunks.length >= 3, `events arrived in ${chunks.length} chunk(s)`);
    assert.equal(chunks[0], 'data: event 0\n\n');
  });

  it('PX-21: an empty or missing Host header does not throw', async () => {
    const none = await rawRequest(proxy.port, 'GET /echo HTTP/1.0\r\n\r\n');
    assert.equal(none.status, 200);
    const empty = await rawRequest(proxy.port, 'GET /echo HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n');
    assert.ok(empty.status === 200 || empty.status === 400, empty.statusLine);
    assert.equal((await request(`${proxy.url}/bytes?size=1`)).status, 200);
  });

  it('forwards OPTIONS * to the dev server as sent', async () => {
    const req = 'OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n';
    const direct = await rawRequest(upstream.port, req);
    const res = await rawRequest(proxy.port, req);
    assert.equal(res.statusLine, direct.statusLine);
    assert.equal((await last()).method, 'OPTIONS');
  });

  it('PX-22: keeps the path and query byte-identical, and the Host header by default', async () => {
    const target = '/echo/%2e%2e/a%20b;p=1?x=1&y=%2F&z&%E2%9C%93=%zz#';
    const res = await rawRequest(proxy.port, `GET ${target} HTTP/1.0\r\nHost: 127.0.0.1:${proxy.port}\r\nX-Custom: Mixed-Case\r\nConnection: close\r\n\r\n`);
    const echoed = JSON.parse(res.body.toString()) as { url: string; rawHeaders: string[] };
    assert.equal(echoed.url, target);
    assert.deepEqual(rawValues(echoed.rawHeaders, 'host'), [`127.0.0.1:${proxy.port}`]);
    assert.ok(echoed.rawHeaders.includes('X-Custom'));
    assert.equal((await last()).path, target);
  });

  it('forwards the request head as the browser sent it: case and order kept, Host and Content-Length too', async () => {
    const res = await rawRequest(proxy.port, 'POST /echo HTTP/1.1\r\nx-Zeta: 1\r\nHOST: 127.0.0.1\r\ncontent-TYPE: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
    const text = res.body.toString();
    const echoed = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as { rawHeaders: string[]; body: string };
    assert.deepEqual(echoed.rawHeaders, ['x-Zeta', '1', 'HOST', '127.0.0.1', 'content-TYPE', 'text/plain', 'Content-Length', '5', 'Connection', 'close']);
    assert.equal(echoed.body, 'hello');
  });

  it('answers pipelined requests in order on one connection', async () => {
    const res = await rawRequest(proxy.port, 'GET /echo/1 HTTP/1.1\r\nHost: a\r\n\r\n'
      + 'POST /echo/2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc'
      + 'GET /echo/3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    const text = res.raw.toString();
    assert.deepEqual([...text.matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]), ['/echo/1', '/echo/2', '/echo/3']);
    assert.match(text, /"method":"POST","url":"\/echo\/2".*"body":"abc"/);
    assert.ok(res.closedByServer);
  });

  it('sends a bodiless request again when a pooled connection turns out closed, and only then', async () => {
    const served = new WeakMap<net.Socket, number>();
    let connections = 0;
    const raw = await startRawServer((socket) => {
      const n = (served.get(socket) ?? 0) + 1;
      served.set(socket, n);
      if (n === 1) connections++;
      // The second request on a connection finds it closing, as after a keep-alive timeout.
      if (n === 2) socket.destroy();
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const p = await startCaptureProxy({ target: `http://127.0.0.1:${raw.port}` });
    // A keep-alive client: Connection: close from the client would reach the server and end each connection.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      assert.equal((await request(`${p.url}/a`, { agent })).body.toString(), 'ok');
      assert.equal((await request(`${p.url}/b`, { agent })).body.toString(), 'ok');
      assert.equal(connections, 2);
      // A request with a body is not sent twice: the client gets the failure.
      assert.equal((await request(`${p.url}/c`, { agent })).status, 200);
      assert.equal((await request(`${p.url}/d`, { method: 'POST', body: 'x', agent })).status, 502);
      assert.equal(connections, 3);
    } finally {
      agent.destroy();
      await p.close();
      await raw.close();
    }
  });

  it('relays 103 Early Hints before the final response', async () => {
    const raw = await startRawServer((socket) => {
      socket.write('HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n');
      setTimeout(() => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'), 20);
    });
    const p = await startCaptureProxy({ target: `http://127.0.0.1:${raw.port}` });
    try {
      const res = await rawRequest(p.port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      assert.match(res.raw.toString(), /^HTTP\/1\.1 103 Early Hints\r\nLink: <\/a\.css>; rel=preload\r\n\r\nHTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nok$/);
      await p.recorded();
      assert.equal(p.store.snapshot().exchanges[0].status, 200);
    } finally {
      await p.close();
      await raw.close();
    }
  });

  it('passes a client half-close on and still delivers the answer of a server that gives one', async () => {
    // A server that reads the request to EOF before answering (allowHalfOpen), as `nc` users expect.
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      socket.on('data', () => undefined);
      socket.on('end', () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nlater'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const p = await startCaptureProxy({ target: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}` });
    try {
      const got = await new Promise<string>((resolve, reject) => {
        const chunks: Buffer[] = [];
        const socket = net.connect(p.port, '127.0.0.1', () => socket.end('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
        socket.on('data', (c: Buffer) => chunks.push(c));
        socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
        socket.on('error', reject);
      });
      assert.match(got, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nlater$/);
    } finally {
      await p.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('PX-05: de-chunks a chunked answer for an HTTP/1.0 client and closes to delimit it', async () => {
    const raw = await startRawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n');
    });
    const p = await startCaptureProxy({ target: `http://127.0.0.1:${raw.port}` });
    try {
      const res = await rawRequest(p.port, 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n');
      assert.ok(!res.headers.some(([n]) => n.toLowerCase() === 'transfer-encoding'), res.statusLine);
      assert.deepEqual(res.headers.filter(([n]) => n.toLowerCase() === 'connection'), [['Connection', 'close']]);
      assert.equal(res.body.toString(), 'hello world');
      assert.ok(res.closedByServer);
      await p.recorded();
      assert.equal(p.store.snapshot().exchanges[0].responseBody?.wireBytes, 11);
    } finally {
      await p.close();
      await raw.close();
    }
  });

  it('rewrites Host to the target when asked', async () => {
    const p = await startCaptureProxy({ target: upstream.url, rewriteHost: true });
    try {
      const res = await request(`${p.url}/echo`);
      assert.deepEqual(rawValues((JSON.parse(res.body.toString()) as { rawHeaders: string[] }).rawHeaders, 'host'), [`127.0.0.1:${upstream.port}`]);
      // PX-24: with Host rewritten the dev server cannot check it; foreign names are refused here.
      const rebound = await request(`${p.url}/echo`, { headers: { host: 'attacker.example:80' } });
      assert.equal(rebound.status, 403);
    } finally {
      await p.close();
    }
  });

  it('PX-23: completed flows are bounded by the ring buffer', async () => {
    const s = new SessionStore({ capacity: 50 });
    const p = await startCaptureProxy({ target: upstream.url, store: s });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    try {
      for (let i = 0; i < 40; i++) await Promise.all(Array.from({ length: 10 }, () => request(`${p.url}/cookies`, { agent })));
      await p.recorded();
      const snap = s.snapshot();
      assert.equal(snap.exchanges.length, 50);
      assert.equal(snap.evictedExchanges, 350);
      assert.equal(snap.cookies.length, 2);
    } finally {
      agent.destroy();
      await p.close();
    }
  });

  it('is browsed under the target\'s name when that is localhost, so Domain=localhost cookies are kept as without the proxy', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Set-Cookie': 'sid=made-up-1; Domain=localhost; Path=/; HttpOnly', 'Content-Length': '2' });
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const byName = await startCaptureProxy({ target: `http://localhost:${port}`, store: new SessionStore() });
    const byAddress = await startCaptureProxy({ target: `http://127.0.0.1:${port}`, store: new SessionStore() });
    try {
      assert.equal(byName.browseUrl, `http://localhost:${byName.port}`);
      assert.equal(byName.url, `http://127.0.0.1:${byName.port}`, 'it still listens on 127.0.0.1 only');
      assert.equal(byAddress.browseUrl, byAddress.url);
      assert.equal((await request(`${byName.browseUrl}/`)).body.toString(), 'ok');
      await byName.recorded();
      const kept = byName.store.getCookies();
      assert.deepEqual(kept.map((c) => [c.name, c.domain, c.hostOnly]), [['sid', 'localhost', false]]);
      // Through 127.0.0.1 the browser would be on another site, and drop the cookie.
      assert.equal((await request(`${byAddress.browseUrl}/`)).status, 200);
      await byAddress.recorded();
      assert.deepEqual(byAddress.store.getCookies(), []);
      assert.equal(byAddress.store.snapshot().exchanges.at(-1)?.cookiesSet[0]?.outcome, 'rejected');
    } finally {
      await byName.close();
      await byAddress.close();
      server.close();
    }
  });

  it('PX-24: refuses to listen beyond loopback unless explicitly allowed', async () => {
    await assert.rejects(startCaptureProxy({ target: upstream.url, host: '0.0.0.0' }), CaptureConfigError);
    await assert.rejects(startCaptureProxy({ target: 'ftp://127.0.0.1:1' }), /must be http/);
    await assert.rejects(startCaptureProxy({ target: 'not a url' }), /not a URL/);
    await assert.rejects(startCaptureProxy({ target: `${upstream.url}/path` }), /origin without path/);
    await assert.rejects(startCaptureProxy({ target: upstream.url, timeouts: { responseMs: -1 } }), /timeouts.responseMs must be a number of at least 0/);
    await assert.rejects(startCaptureProxy({ target: upstream.url, port: 70000 }), /not a TCP port/);
  });

  it('fails open: an exception in analysis is logged once and forwarding continues', async () => {
    class BrokenStore extends SessionStore {
      override addResponse(): void {
        throw new Error('analysis exploded');
      }
    }
    const errors: string[] = [];
    const logger = { info: () => undefined, warn: () => undefined, error: (m: string) => { errors.push(m); } };
    const p = await startCaptureProxy({ target: upstream.url, store: new BrokenStore(), logger });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await request(`${p.url}/cookies`)).body.toString(), 'ok');
      assert.equal(errors.length, 1);
      assert.match(errors[0], /analysis exploded/);
    } finally {
      await p.close();
    }
  });

  describe('WebSocket and Upgrade', () => {
    let ws: Awaited<ReturnType<typeof startWsEcho>>;
    let wsProxy: CaptureProxy;
    before(async () => {
      ws = await startWsEcho();
      wsProxy = await startCaptureProxy({ target: `http://127.0.0.1:${ws.port}` });
    });
    after(async () => {
      await wsProxy.close();
      await ws.close();
    });

    it('PX-01: passes the upgrade through, frames flow both ways, Set-Cookie on the 101 is captured unmerged', async () => {
      const client = new WebSocket(`ws://127.0.0.1:${wsProxy.port}/hmr`, { headers: { Cookie: 'before=capture-began' }, perMessageDeflate: true });
      const upgraded = once(client, 'upgrade');
      const opened = once(client, 'open');
      const [upgradeRes] = (await upgraded) as [http.IncomingMessage];
      assert.deepEqual(rawValues(upgradeRes.rawHeaders, 'set-cookie'), ['ws_session=ws-101-cookie-value; Path=/; HttpOnly', 'ws_pref=dark; Path=/']);
      await opened;
      assert.ok(client.extensions.includes('permessage-deflate'));
      client.send('hello');
      const [text] = (await once(client, 'message')) as [Buffer];
      assert.equal(text.toString(), 'hello');
      const big = patternBytes(300_000, 5);
      client.send(big.subarray(0, 100_000), { fin: false, binary: true });
      client.send(big.subarray(100_000, 200_000), { fin: false, binary: true });
      client.send(big.subarray(200_000), { fin: true, binary: true });
      const [echoed] = (await once(client, 'message')) as [Buffer];
      assert.equal(sha256(echoed), sha256(big));
      client.close();
      await once(client, 'close');
      assert.deepEqual(ws.upgradeCookies(), ['before=capture-began']);
      const snap = wsProxy.store.snapshot();
      const ex = snap.exchanges.find((e) => e.upgrade)!;
      assert.equal(ex.state, 'upgraded');
      assert.equal(ex.status, 101);
      assert.deepEqual(ex.cookiesSet.map((c) => c.name), ['ws_session', 'ws_pref']);
      assert.deepEqual(snap.cookies.map((c) => [c.name, c.origin]).sort(), [['before', 'seen-in-request'], ['ws_pref', 'set-by-response'], ['ws_session', 'set-by-response']]);
    });

    it('PX-02: an upstream that closes before the upgrade completes closes the client socket', async () => {
      const client = new WebSocket(`ws://127.0.0.1:${wsProxy.port}/drop`);
      const outcome = await new Promise<string>((resolve) => {
        client.on('unexpected-response', (_req, res) => resolve(`status ${res.statusCode}`));
        client.on('error', (err) => resolve(`error ${err.message}`));
      });
      assert.match(outcome, /502|socket hang up|closed/i);
    });

    it('relays a refused upgrade', async () => {
      const client = new WebSocket(`ws://127.0.0.1:${wsProxy.port}/reject`);
      const status = await new Promise<number>((resolve) => {
        client.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); res.resume(); });
        client.on('error', () => resolve(-1));
      });
      assert.equal(status, 403);
    });

    it('passes a WebSocket through to an https (wss) upstream with a self-signed certificate', async () => {
      const secure = await startWsEcho({ tls: true });
      const p = await startCaptureProxy({ target: `https://127.0.0.1:${secure.port}` });
      try {
        const client = new WebSocket(`ws://127.0.0.1:${p.port}/hmr`);
        await once(client, 'open');
        client.send('over tls');
        const [msg] = (await once(client, 'message')) as [Buffer];
        assert.equal(msg.toString(), 'over tls');
        client.close();
        await once(client, 'close');
        await p.recorded();
        assert.ok(p.store.getCookies().some((c) => c.name === 'ws_session'));
      } finally {
        await p.close();
        await secure.close();
      }
    });

    it('PX-03: rejects a non-GET upgrade', async () => {
      const res = await rawRequest(wsProxy.port, 'POST /hmr HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 0\r\n\r\n');
      assert.equal(res.status, 400);
    });
  });
});
