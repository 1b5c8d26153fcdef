import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { type CaptureProxy, SessionStore, exportHar, importHar, startCaptureProxy } from '../../../src/core/capture';
import { startTcpServer } from '../../fixtures/servers/rawHttp';

/**
 * A dev server that answers nothing by itself: each request waits in `waiting` (in arrival
 * order) until the test writes to its socket; `arrived(n)` resolves once n requests are in.
 */
async function heldServer() {
  const waiting: { socket: net.Socket; head: string }[] = [];
  let want = 0;
  let notify: () => void = () => undefined;
  const server = await startTcpServer((socket) => {
    let got = '';
    socket.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      const end = got.indexOf('\r\n\r\n');
      if (end === -1) return;
      waiting.push({ socket, head: got.slice(0, end) });
      got = got.slice(end + 4);
      if (waiting.length >= want) notify();
    });
  });
  return {
    port: server.port,
    waiting,
    arrived(n: number): Promise<void> {
      want = n;
      return waiting.length >= n ? Promise.resolve() : new Promise<void>((r) => { notify = r; });
    },
    close: server.close,
  };
}

/** A raw client request; resolves with how the proxy ended the connection and what came before. */
function rawClient(port: number, request: string): { ended: Promise<{ how: 'end' | 'reset'; text: string }>; socket: net.Socket } {
  const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
  const ended = new Promise<{ how: 'end' | 'reset'; text: string }>((resolve, reject) => {
    let text = '';
    let how: 'end' | 'reset' | undefined;
    socket.on('data', (c: Buffer) => { text += c.toString('latin1'); });
    socket.on('end', () => { how ??= 'end'; });
    socket.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'ECONNRESET') how ??= 'reset'; else reject(err); });
    socket.on('close', () => resolve({ how: how ?? 'end', text }));
  });
  return { ended, socket };
}

describe('capture proxy: stopping with exchanges in progress', function () {
  this.timeout(20_000);
  let server: Awaited<ReturnType<typeof heldServer>>;
  let proxy: CaptureProxy;
  beforeEach(async () => {
    server = await heldServer();
  });
  afterEach(async () => {
    await proxy.close({ graceMs: 0 });
    await server.close();
  });

  it('lets exchanges in progress finish during the grace period, and takes no new requests', async () => {
    proxy = await startCaptureProxy({ target: `http://127.0.0.1:${server.port}` });
    const clients = [0, 1, 2].map((i) => rawClient(proxy.port, `GET /page/${i} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`));
    await server.arrived(3);
    const closed = proxy.close({ graceMs: 15_000 });
    // Closed to new connections at once.
    await new Promise<void>((resolve) => {
      const late = net.connect(proxy.port, '127.0.0.1');
      late.on('error', () => resolve());
      late.on('close', () => resolve());
    });
    for (const { socket } of server.waiting) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
    await closed;
    for (const c of clients) {
      const { how, text } = await c.ended;
      assert.equal(how, 'end');
      assert.match(text, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nhello$/);
    }
    const exchanges = proxy.store.snapshot().exchanges;
    assert.deepEqual(exchanges.map((e) => [e.state, e.status, e.responseBody?.wireBytes]), [['complete', 200, 5], ['complete', 200, 5], ['complete', 200, 5]]);
  });

  it('records what is still unfinished after the grace as aborted ("capture stopped") with the bytes that passed, and resets its client', async () => {
    proxy = await startCaptureProxy({ target: `http://127.0.0.1:${server.port}`, stopGraceMs: 100 });
    const waitingClients = Array.from({ length: 50 }, (_, i) => rawClient(proxy.port, `GET /wait/${i} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`));
    const halfClients = Array.from({ length: 3 }, (_, i) => rawClient(proxy.port, `GET /half/${i} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`));
    await server.arrived(53);
    for (const { socket, head } of server.waiting) {
      if (head.startsWith('GET /half/')) socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n0123456789');
    }
    // The half-sent bodies have reached their clients before the stop.
    await Promise.all(halfClients.map(({ socket }) => new Promise<void>((resolve) => {
      let text = '';
      const onData = (c: Buffer): void => {
        text += c.toString('latin1');
        if (text.endsWith('0123456789')) {
          socket.off('data', onData);
          resolve();
        }
      };
      socket.on('data', onData);
    })));
    await proxy.close();
    for (const c of [...waitingClients, ...halfClients]) assert.equal((await c.ended).how, 'reset');
    const exchanges = proxy.store.snapshot().exchanges;
    assert.equal(exchanges.length, 53);
    for (const e of exchanges) {
      assert.equal(e.state, 'aborted', e.path);
      assert.equal(e.error, 'capture stopped');
      if (e.path.startsWith('/half/')) {
        assert.equal(e.status, 200);
        assert.equal(e.responseBody?.wireBytes, 10);
      } else {
        assert.equal(e.status, undefined);
      }
    }
    const har = exportHar(proxy.store.snapshot(), { redact: false });
    for (const entry of har.log.entries) {
      const response = entry.response as { status: number; bodySize: number; _error?: string; content: { comment?: string } };
      assert.equal(response._error, 'capture stopped');
      assert.equal(response.bodySize, response.status === 200 ? 10 : -1);
      if (response.status === 200) assert.equal(response.content.comment, 'body cut short: capture stopped');
      assert.equal((entry._sessionLens as { state: string }).state, 'aborted');
    }
    // Read back, a cut response is not taken for a complete one.
    const store = new SessionStore();
    importHar(store, JSON.stringify(har));
    assert.deepEqual([...new Set(store.snapshot().exchanges.map((e) => `${e.state}: ${e.error}`))], ['aborted: capture stopped']);
    store.dispose();
  });

  it('records the part of an upload that passed when the stop cuts it', async () => {
    proxy = await startCaptureProxy({ target: `http://127.0.0.1:${server.port}`, stopGraceMs: 0 });
    const client = rawClient(proxy.port, 'POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nfirst part');
    await server.arrived(1);
    await proxy.close();
    assert.equal((await client.ended).how, 'reset');
    const [e] = proxy.store.snapshot().exchanges;
    assert.equal(e.state, 'aborted');
    assert.equal(e.requestBody?.wireBytes, 10);
  });

  it('ends the grace at once when closed again with graceMs 0 (a second Ctrl+C)', async () => {
    proxy = await startCaptureProxy({ target: `http://127.0.0.1:${server.port}` });
    const client = rawClient(proxy.port, 'GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await server.arrived(1);
    let done = false;
    const first = proxy.close({ graceMs: 600_000 }).then(() => { done = true; });
    // One turn of recording passes and the first close is still waiting on the exchange.
    await proxy.recorded();
    assert.equal(done, false);
    await proxy.close({ graceMs: 0 });
    await first;
    assert.equal((await client.ended).how, 'reset');
    assert.equal(proxy.store.snapshot().exchanges[0].state, 'aborted');
  });

  it('closes idle keep-alive connections at once and finishes without waiting for the grace', async () => {
    proxy = await startCaptureProxy({ target: `http://127.0.0.1:${server.port}`, stopGraceMs: 600_000 });
    const client = rawClient(proxy.port, 'GET /one HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await server.arrived(1);
    server.waiting[0].socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    await new Promise<void>((resolve) => client.socket.once('data', () => resolve()));
    await proxy.close();
    const { how, text } = await client.ended;
    assert.equal(how, 'end');
    assert.match(text, /\r\n\r\nok$/);
  });
});
