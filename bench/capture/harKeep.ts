/**
 * What keeping every exchange costs: the HAR journal against the export at stop it replaced.
 *
 *   npx tsx bench/capture/harKeep.ts [--exchanges 5000] [--body 20480]
 *
 * Feeds a store the way the proxy does, yielding every 50 exchanges, (a Set-Cookie, a Bearer token and a text body per
 * exchange) and prints, for the same exchanges:
 *   - journal: time spent appending during the capture (per exchange), the time to stop (close:
 *     tail, fsync, rename), the file size;
 *   - export at stop (before): exportHar + JSON.stringify + write of the ring buffer, all at stop.
 * A warm-up round runs first and is not printed.
 * Prints figures; asserts nothing.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarJournal, SessionStore, exportHar } from '../../src/core/capture';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

const exchanges = arg('exchanges', 5000);
const bodyBytes = arg('body', 20 * 1024);
const body = Buffer.from(`{"data":"${'x'.repeat(Math.max(0, bodyBytes - 11))}"}`);

function feed(store: SessionStore, i: number): void {
  const t = Date.now();
  const id = store.beginExchange({
    source: 'proxy', method: 'GET', url: `http://localhost:3000/api/items/${i}`,
    headers: [{ name: 'Host', value: 'localhost:3000' }, { name: 'Cookie', value: 'sid=made-up-session-0001' }, { name: 'Authorization', value: `Bearer made-up-token-${i % 50}` }],
    startedAt: t,
  });
  store.addResponse(id, { status: 200, headers: [{ name: 'Content-Type', value: 'application/json' }, { name: 'Set-Cookie', value: `seen=${i % 7}; Path=/` }], receivedAt: t });
  store.finishExchange(id, { state: 'complete', endedAt: t, responseBody: { bytes: body, wireBytes: body.length, truncated: false } });
}

/** Feeds `exchanges` exchanges, yielding to the event loop every 50 as a proxy would (so journal writes proceed); returns ms. */
async function capture(store: SessionStore): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < exchanges; i++) {
    feed(store, i);
    if (i % 50 === 49) await new Promise((r) => setImmediate(r));
  }
  return performance.now() - start;
}

const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;
const ms = (n: number): string => `${n.toFixed(1)} ms`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'session-lens-bench-'));
  try {
    console.log(`${exchanges} exchanges, ${bodyBytes} B bodies (retained preview: the store's default 16 KiB)\n`);
    // A warm-up round first: the first pass over this code pays for compilation.
    for (const [round, redact] of [[0, false], [1, false], [2, true]] as const) {
      // Before: the whole ring exported at stop.
      const plain = new SessionStore({ throttleMs: 0 });
      const capturingPlain = await capture(plain);
      let start = performance.now();
      writeFileSync(join(dir, `export-${redact}.har`), `${JSON.stringify(exportHar(plain.snapshot(), { redact }), null, 2)}\n`, { mode: 0o600 });
      const stopExport = performance.now() - start;
      const exportSize = statSync(join(dir, `export-${redact}.har`)).size;
      // Journal: entries written as exchanges end.
      const store = new SessionStore({ throttleMs: 0 });
      const journal = await HarJournal.create(join(dir, `journal-${redact}.har`), { redact });
      journal.attach(store);
      const capturing = await capture(store);
      start = performance.now();
      await journal.close();
      const stopJournal = performance.now() - start;
      const journalSize = statSync(join(dir, `journal-${redact}.har`)).size;
      store.dispose();
      plain.dispose();
      if (round === 0) continue;
      console.log(`redact ${redact}:`);
      console.log(`  journal   capture ${ms(capturing)} (${((capturing - capturingPlain) * 1000 / exchanges).toFixed(1)} µs/exchange more than without), stop ${ms(stopJournal)}, file ${mib(journalSize)}`);
      console.log(`  export    capture ${ms(capturingPlain)}, stop ${ms(stopExport)}, file ${mib(exportSize)} (indented)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
