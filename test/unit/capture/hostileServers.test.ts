import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { once } from 'node:events';
import { type CaptureProxy, startCaptureProxy } from '../../../src/core/capture';
import { MAX_INTERIM_HEADS } from '../../../src/core/capture/relayFlow';
import { startTcpServer } from '../../fixtures/servers/rawHttp';

/** A dev server written for one test: `onRequest` gets the socket and the request bytes once a head arrived. */
function hostileServer(onRequest: (socket: net.Socket, request: Buffer) => void): Promise<{ port: number; sockets: ReadonlySet<net.Socket>; close(): Promise<void> }> {
  return startTcpServer((socket) => {
    let got = Buffer.alloc(0);
    let answered = false;
    socket.on('data', (c: Buffer) => {
      got = Buffer.concat([got, c]);
      if (!answered && got.includes('\r\n\r\n')) {
        answered = true;
        onRequest(socket, got);
      }
    });
  });
}

/** How a client connection ended: a clean FIN ('end') or a reset ('reset'), and the bytes before it. */
interface Ending {
  readonly how: 'end' | 'reset';
  readonly bytes: Buffer;
}

/**
 * Sends `request` on a raw connection and resolves once the connection is over, saying whether
 * the proxy ended it with a FIN or a reset. `onData` sees every chunk as it arrives.
 */
function sendAndWatch(port: number, request: string, onData: (all: Buffer) => void = () => undefined): Promise<Ending> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    let how: 'end' | 'reset' | undefined;
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      onData(Buffer.concat(chunks));
    });
    socket.on('end', () => { how ??= 'end'; });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET') how ??= 'reset';
      else reject(err);
    });
    socket.on('close', () => {
      if (how === undefined) reject(new Error('closed without FIN or reset'));
      else resolve({ how, bytes: Buffer.concat(chunks) });
    });
  });
}

describe('capture proxy against hostile dev servers', function () {
  this.timeout(20_000);
  let proxy: CaptureProxy | undefined;
  let server: Awaited<ReturnType<typeof hostileServer>> | undefined;
  afterEach(async () => {
    await proxy?.close();
    await server?.close();
    proxy = undefined;
    server = undefined;
  });

  async function start(onRequest: (socket: net.Socket, request: Buffer) => void): Promise<CaptureProxy> {
    server = await hostileServer(onRequest);
    proxy = await startCaptureProxy({ target: `http://127.0.0.1:${server.port}` });
    return proxy;
  }

  async function lastExchange(p: CaptureProxy) {
    await p.recorded();
    return p.store.snapshot().exchanges.at(-1)!;
  }

  describe('a response cut short never looks complete to the client', () => {
    /** The server sends `head + first`, waits until the client has it, then cuts the connection (`reset` or FIN). */
    async function cutAfter(head: string, first: string, cut: 'reset' | 'fin', clientRequest = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', seen = first): Promise<Ending> {
      let upstream: net.Socket | undefined;
      const p = await start((socket) => {
        upstream = socket;
        socket.write(head + first);
      });
      const ending = await sendAndWatch(p.port, clientRequest, (all) => {
        if (upstream !== undefined && all.includes(seen)) {
          const s = upstream;
          upstream = undefined;
          if (cut === 'reset') s.resetAndDestroy();
          else s.end();
        }
      });
      const ex = await lastExchange(p);
      assert.equal(ex.state, 'upstream-error');
      return ending;
    }

    it('passes a reset in the middle of a close-delimited body on as a reset', async () => {
      const ending = await cutAfter('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n', '<html><body>half a pa', 'reset');
      assert.equal(ending.how, 'reset');
      assert.match(ending.bytes.toString(), /half a pa$/);
    });

    it('passes a reset right after the head of a close-delimited response on as a reset', async () => {
      const ending = await cutAfter('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n', '', 'reset', undefined, '\r\n\r\n');
      assert.equal(ending.how, 'reset');
    });

    it('still ends a close-delimited body that the server ends with a FIN cleanly', async () => {
      const p = await start((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it'));
      const ending = await sendAndWatch(p.port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      assert.equal(ending.how, 'end');
      assert.match(ending.bytes.toString(), /\r\n\r\nall of it$/);
      assert.equal((await lastExchange(p)).state, 'complete');
    });

    for (const cut of ['fin', 'reset'] as const) {
      it(`resets the client when a Content-Length body is cut by a ${cut === 'fin' ? 'FIN' : 'reset'}`, async () => {
        const ending = await cutAfter('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n', 'only this', cut);
        assert.equal(ending.how, 'reset');
      });

      it(`resets the client when a chunked body is cut mid-chunk by a ${cut === 'fin' ? 'FIN' : 'reset'}, with no last-chunk added`, async () => {
        const ending = await cutAfter('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', '10\r\nonly ha', cut);
        assert.equal(ending.how, 'reset');
        assert.doesNotMatch(ending.bytes.toString(), /0\r\n\r\n$/);
      });
    }

    it('resets an HTTP/1.0 client whose de-chunked (close-delimited) body was cut mid-chunk', async () => {
      const ending = await cutAfter('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n', '10\r\nonly ha', 'fin', 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n', 'only ha');
      assert.equal(ending.how, 'reset');
      assert.doesNotMatch(ending.bytes.toString(), /transfer-encoding/i);
    });
  });

  it(`stops a flood of 103 Early Hints after ${MAX_INTERIM_HEADS} with a 502, whatever the client reads`, async () => {
    const hint = 'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n';
    let written = 0;
    let flood: (upstream: net.Socket) => void = () => undefined;
    const flooding = new Promise<net.Socket>((r) => { flood = r; });
    const p = await start((socket) => {
      flood(socket);
      // Endless: as fast as the proxy takes them, until it hangs up.
      const more = (): void => {
        while (!socket.destroyed) {
          written++;
          if (!socket.write(hint)) {
            socket.once('drain', more);
            return;
          }
        }
      };
      more();
    });
    const client = net.connect(p.port, '127.0.0.1');
    await once(client, 'connect');
    client.pause();
    client.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    // The client reads nothing until the proxy has given up on the dev server.
    const upstream = await flooding;
    // Not events.once: the dev server's socket gets a reset ('error') on its way to 'close'.
    if (!upstream.destroyed) await new Promise((r) => upstream.once('close', r));
    const chunks: Buffer[] = [];
    client.on('data', (c: Buffer) => chunks.push(c));
    client.resume();
    await once(client, 'end');
    client.destroy();
    const text = Buffer.concat(chunks).toString('latin1');
    const hints = text.split('HTTP/1.1 103 ').length - 1;
    assert.ok(hints <= MAX_INTERIM_HEADS, `${hints} interim heads relayed`);
    assert.match(text, /HTTP\/1\.1 502 Bad Gateway\r\n[^]*interim \(1xx\) responses/);
    assert.ok(written > MAX_INTERIM_HEADS, `the server wrote ${written} heads`);
    const ex = await lastExchange(p);
    assert.equal(ex.state, 'upstream-error');
    assert.equal(ex.error, `more than ${MAX_INTERIM_HEADS} interim (1xx) responses`);
  });

  it('holds the dev server back while a slow client has 1xx heads queued, and relays them byte for byte', async () => {
    // 31 heads of 500 KB (heads that large are allowed here): far more than the proxy queues for a
    // slow client before it stops reading the dev server, so that pause and its resume are taken.
    const hint = `HTTP/1.1 103 Early Hints\r\nLink: <${'a'.repeat(500_000)}>; rel=preload\r\n\r\n`;
    server = await hostileServer((socket) => {
      for (let i = 0; i < MAX_INTERIM_HEADS - 1; i++) socket.write(hint);
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
    });
    const p = proxy = await startCaptureProxy({ target: `http://127.0.0.1:${server.port}`, maxHeaderBytes: 1024 * 1024 });
    const client = net.connect(p.port, '127.0.0.1', () => client.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    const chunks: Buffer[] = [];
    let reads = 0;
    client.on('data', (c: Buffer) => {
      chunks.push(c);
      if (reads++ % 4 === 0) {
        client.pause();
        setImmediate(() => client.resume());
      }
    });
    await once(client, 'end');
    client.destroy();
    const expected = hint.repeat(MAX_INTERIM_HEADS - 1);
    const text = Buffer.concat(chunks).toString('latin1');
    assert.equal(text.slice(0, expected.length), expected);
    assert.match(text.slice(expected.length), /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nok$/);
    assert.equal((await lastExchange(p)).status, 200);
  });

  describe('a repeated Content-Length reaches the dev server once', () => {
    /** The exact bytes the dev server received for `request` (head and a body of `bodyBytes`). */
    async function received(request: string, bodyBytes: number): Promise<string> {
      let got: (value: string) => void = () => undefined;
      const arrived = new Promise<string>((r) => { got = r; });
      const p = await start((socket, first) => {
        let all = first;
        const check = (): void => {
          const end = all.indexOf('\r\n\r\n') + 4;
          if (all.length >= end + bodyBytes) {
            got(all.toString('latin1'));
            socket.end('HTTP/1.1 204 No Content\r\n\r\n');
          }
        };
        socket.on('data', (c: Buffer) => { all = Buffer.concat([all, c]); check(); });
        check();
      });
      // The connection stays open for the next request: only the bytes upstream matter here.
      const client = net.connect(p.port, '127.0.0.1', () => client.write(request));
      try {
        return await arrived;
      } finally {
        client.destroy();
      }
    }

    it('forwards Content-Length: 5, 5 as Content-Length: 5', async () => {
      const text = await received('POST /form HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-length: 5, 5\r\nX-After: 1\r\n\r\nhello', 5);
      assert.equal(text, 'POST /form HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-length: 5\r\nX-After: 1\r\n\r\nhello');
      const ex = await lastExchange(proxy!);
      assert.equal(ex.requestBody?.wireBytes, 5);
      // The capture keeps what the browser sent.
      assert.deepEqual(ex.requestHeaders.filter((h) => h.name.toLowerCase() === 'content-length'), [{ name: 'content-length', value: '5, 5' }]);
    });

    it('forwards two equal Content-Length lines as one', async () => {
      const text = await received('POST /form HTTP/1.1\r\nContent-Length: 5\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello', 5);
      assert.equal(text, 'POST /form HTTP/1.1\r\nContent-Length: 5\r\nHost: 127.0.0.1\r\n\r\nhello');
    });

    it('rejects a list of different values with 400 and forwards nothing', async () => {
      let forwarded = false;
      const p = await start(() => { forwarded = true; });
      const ending = await sendAndWatch(p.port, 'POST /form HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5, 6\r\n\r\nhello!');
      assert.match(ending.bytes.toString(), /^HTTP\/1\.1 400 Bad Request\r\n/);
      assert.equal(forwarded, false);
    });
  });
});
