// Session Lens's capture proxy, recording into a session store (default ring buffer of 5000).
// With --forward-only the store drops everything: the cost of the relay alone.
import { type BodyInput, type FinishInput, type RequestInput, type ResponseInput, SessionStore, startCaptureProxy } from '../../src/core/capture';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gcPauses = require('./gcPauses.cjs') as { take: () => unknown };

/** A store that records nothing. */
class DroppingStore extends SessionStore {
  override beginExchange(_input: RequestInput): number {
    return 0;
  }
  override addRequestBody(_id: number, _body: BodyInput): void {}
  override addResponse(_id: number, _input: ResponseInput): void {}
  override finishExchange(_id: number, _input: FinishInput): void {}
}

async function main(): Promise<void> {
  const store = process.argv.includes('--forward-only') ? new DroppingStore() : new SessionStore();
  const proxy = await startCaptureProxy({ target: process.argv[2], store });
  process.stdout.write(`${JSON.stringify({ port: proxy.port })}\n`);
  process.on('message', (m) => {
    if (m === 'rss') {
      (globalThis as { gc?: () => void }).gc?.();
      const snap = store.snapshot();
      const mem = process.memoryUsage();
      process.send?.({ rss: mem.rss, heapUsed: mem.heapUsed, exchanges: snap.exchanges.length, evicted: snap.evictedExchanges, cookies: snap.cookies.length });
    } else if (m === 'gc') {
      process.send?.(gcPauses.take());
    }
  });
}
process.on('SIGINT', () => process.exit(0));
void main();
