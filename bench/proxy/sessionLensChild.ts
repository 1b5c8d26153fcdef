// Session Lens's capture proxy, recording into a session store (default ring buffer of 5000).
import { SessionStore, startCaptureProxy } from '../../src/core/capture';

async function main(): Promise<void> {
  const store = new SessionStore();
  const proxy = await startCaptureProxy({ target: process.argv[2], store });
  process.stdout.write(`${JSON.stringify({ port: proxy.port })}\n`);
  process.on('message', (m) => {
    if (m === 'rss') {
      (globalThis as { gc?: () => void }).gc?.();
      const snap = store.snapshot();
      const mem = process.memoryUsage();
      process.send?.({ rss: mem.rss, heapUsed: mem.heapUsed, exchanges: snap.exchanges.length, evicted: snap.evictedExchanges, cookies: snap.cookies.length });
    }
  });
}
process.on('SIGINT', () => process.exit(0));
void main();
