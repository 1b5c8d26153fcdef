import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { networkInterfaces } from 'node:os';
import { CaptureConfigError, startCaptureProxy } from '../../../src/core/capture';
import { request } from './httpClient';

async function freePort(host = '127.0.0.1'): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, host, r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('capture proxy: a target that leads back to the proxy', function () {
  this.timeout(20_000);

  for (const name of ['127.0.0.1', 'localhost']) {
    it(`refuses to start with its own address as the target (${name}), and frees the port`, async () => {
      const port = await freePort();
      await assert.rejects(startCaptureProxy({ target: `http://${name}:${port}`, port }), (err: Error) => {
        assert.ok(err instanceof CaptureConfigError);
        assert.equal(err.message, `target http://${name}:${port} is the capture proxy's own address (127.0.0.1:${port}): every request would come back to the proxy; the target must be the dev server, or the proxy must listen on another port`);
        return true;
      });
      // Nothing is left listening.
      const again = net.createServer();
      await new Promise<void>((resolve, reject) => { again.once('error', reject); again.listen(port, '127.0.0.1', resolve); });
      await new Promise<void>((r) => again.close(() => r()));
    });
  }

  it('answers 508 Loop Detected when the target reaches the proxy by another address, after one hop', async function () {
    const address = Object.values(networkInterfaces()).flat().find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
    if (address === undefined) this.skip();
    const port = await freePort('0.0.0.0');
    // Listening on every address: the machine's own IP reaches the proxy, which the start-up check cannot know.
    const proxy = await startCaptureProxy({ target: `http://${address}:${port}`, host: '0.0.0.0', port, allowNonLoopback: true });
    try {
      const res = await request(`http://127.0.0.1:${port}/page`);
      assert.equal(res.status, 508);
      assert.match(res.body.toString(), /leads back to this capture proxy/);
      await proxy.recorded();
      const exchanges = proxy.store.snapshot().exchanges;
      // The browser's request, answered by the loop check one hop in; no nesting.
      assert.deepEqual(exchanges.map((e) => [e.path, e.status]), [['/page', 508]]);
    } finally {
      await proxy.close({ graceMs: 0 });
    }
  });
});
