import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { type CaptureProxy, startCaptureProxy } from '../../../src/core/capture';
import { startTcpServer } from '../../fixtures/servers/rawHttp';

/** A dev server whose connections are handed to `onConnection` (reading, answering or not, as the test wants). */
const devServer = startTcpServer;

/** Everything a raw client connection received until the proxy closed it. */
function untilClosed(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (c: Buffer) => { text += c.toString('latin1'); });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
  });
}

describe('capture proxy timeouts', function () {
  this.timeout(20_000);
  let server: Awaited<ReturnType<typeof devServer>>;
  let proxy: CaptureProxy;
  afterEach(async () => {
    await proxy.close({ graceMs: 0 });
    await server.close();
  });

  it('closes a browser connection left idle between requests for idleMs', async () => {
    server = await devServer((socket) => socket.on('data', () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')));
    proxy = await startCaptureProxy({ target: `http://127.0.0.1:${server.port}`, timeouts: { idleMs: 300 } });
    const client = net.connect(proxy.port, '127.0.0.1', () => client.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    const text = await untilClosed(client);
    // The keep-alive response came whole; then the idle connection was closed by the proxy.
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nok$/);
    await proxy.recorded();
    assert.equal(proxy.store.snapshot().exchanges[0].state, 'complete');
  });

  it('answers 408 to a request body that stalls for requestBodyMs, and records the bytes that came', async () => {
    let upstreamClosed: () => void = () => undefined;
    const closed = new Promise<void>((r) => { upstreamClosed = r; });
    server = await devServer((socket) => {
      socket.on('data', () => undefined);
      socket.on('close', () => upstreamClosed());
    });
    proxy = await startCaptureProxy({ target: `http://127.0.0.1:${server.port}`, timeouts: { requestBodyMs: 300 } });
    const client = net.connect(proxy.port, '127.0.0.1', () => client.write('POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nten bytes!'));
    const text = await untilClosed(client);
    assert.match(text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    await closed;
    await proxy.recorded();
    const [ex] = proxy.store.snapshot().exchanges;
    assert.equal(ex.state, 'timeout');
    assert.equal(ex.error, 'no request body bytes from the client for 300 ms');
    assert.equal(ex.requestBody?.wireBytes, 10);
  });

  it('answers 504 when the dev server stops reading an upload (the stall is not the client\'s)', async () => {
    server = await devServer((socket) => socket.pause());
    proxy = await startCaptureProxy({ target: `http://127.0.0.1:${server.port}`, timeouts: { requestBodyMs: 300 } });
    const client = net.connect(proxy.port, '127.0.0.1', () => {
      client.write('POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 67108864\r\n\r\n');
      // More than the sockets between here and the dev server hold: the proxy has to pause the client.
      const chunk = Buffer.alloc(1024 * 1024);
      let sent = 0;
      const more = (): void => {
        while (sent < 64 && !client.destroyed) {
          sent++;
          if (!client.write(chunk)) {
            client.once('drain', more);
            return;
          }
        }
      };
      more();
    });
    const text = await untilClosed(client);
    assert.match(text, /^HTTP\/1\.1 504 Gateway Timeout\r\n/);
    await proxy.recorded();
    const [ex] = proxy.store.snapshot().exchanges;
    assert.equal(ex.state, 'timeout');
    assert.equal(ex.error, 'the dev server read no request body bytes for 300 ms');
  });

  it('counts the response timeout from the end of the request, not from its head (a long upload is no late answer)', async () => {
    let uploadHalf: () => void = () => undefined;
    const halfIn = new Promise<void>((r) => { uploadHalf = r; });
    server = await devServer((socket) => {
      let got = '';
      socket.on('data', (c: Buffer) => {
        got += c.toString('latin1');
        if (!got.startsWith('POST /upload')) return;
        if (got.endsWith('first')) uploadHalf();
        if (got.endsWith('firstsecond')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone');
      });
    });
    proxy = await startCaptureProxy({ target: `http://127.0.0.1:${server.port}`, timeouts: { responseMs: 300, requestBodyMs: 0 } });
    const upload = net.connect(proxy.port, '127.0.0.1', () => upload.write('POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 11\r\n\r\nfirst'));
    const uploaded = untilClosed(upload);
    await halfIn;
    // A request sent after the upload's head times out: the upload's head is older than the response timeout now.
    const later = net.connect(proxy.port, '127.0.0.1', () => later.write('GET /never HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    assert.match(await untilClosed(later), /^HTTP\/1\.1 504 Gateway Timeout\r\n/);
    upload.end('second');
    assert.match(await uploaded, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\ndone$/);
  });

  it('rejects a negative timeout with a clear error', async () => {
    server = await devServer(() => undefined);
    proxy = await startCaptureProxy({ target: `http://127.0.0.1:${server.port}` });
    await assert.rejects(startCaptureProxy({ target: `http://127.0.0.1:${server.port}`, timeouts: { idleMs: -1 } }), /timeouts\.idleMs must be a number of at least 0 \(got -1\)/);
    await assert.rejects(startCaptureProxy({ target: `http://127.0.0.1:${server.port}`, timeouts: { requestBodyMs: Number.NaN } }), /timeouts\.requestBodyMs must be a number/);
  });
});
