/**
 * Event-loop delay of the extension host while it imports a 10,000-exchange HAR file, as Import
 * HAR does it (streamed, in slices of 8 ms with the event loop free between them; each slice's
 * change event reaches the incremental audit and the panel's state and delta, paced as the panel
 * paces its messages: PANEL_POST_PACING), against the import
 * in one block (the file read whole and applied at once, as before). Measured with
 * perf_hooks.monitorEventLoopDelay; prints p50/p99/max and the import's wall time.
 * Run: npx tsx bench/panel/importDelay.ts [--exchanges 10000]
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { StoreAudit } from '../../src/core/audit/storeAudit';
import { importHar } from '../../src/core/capture/harImport';
import { importHarStream } from '../../src/core/capture/harStream';
import { SessionStore } from '../../src/core/session';
import { PANEL_POST_PACING, PostPacer } from '../../src/extension/postPacer';
import { SessionViewDeltas } from '../../src/extension/sessionViewDeltas';
import { SessionViewRows } from '../../src/extension/sessionViewRows';
import { withExchangeRows } from '../../src/extension/sessionExchangeRows';
import { benchHar } from '../audit/har';

const at = process.argv.indexOf('--exchanges');
const COUNT = at >= 0 ? Number(process.argv[at + 1]) : 10_000;
const dir = mkdtempSync(join(tmpdir(), 'bench-panel-import-'));
const file = join(dir, 'day.har');
writeFileSync(file, JSON.stringify(benchHar(COUNT)));

/** A session as the extension holds one: store (default ring), audit, and the panel taking in each change event. */
function session(): SessionStore {
  const store = new SessionStore({ capacity: 5000 });
  const audit = new StoreAudit(store, {}, { checkWeakSecret: false });
  const rows = new SessionViewRows();
  const deltas = new SessionViewDeltas();
  // Paced as SessionViewProvider paces its messages (PANEL_POST_PACING).
  const pacer = new PostPacer(PANEL_POST_PACING, () => performance.now());
  let timer: ReturnType<typeof setTimeout> | undefined;
  const isSession = () => false;
  const post = () => {
    const wait = pacer.delay();
    if (wait > 0) {
      timer ??= setTimeout(() => { timer = undefined; post(); }, wait);
      return;
    }
    const t0 = performance.now();
    const snapshot = store.snapshot();
    // As the panel reads them: the timeline's rows built only when a message sends them.
    const lists = rows.update(store, snapshot, { findings: audit.findings(), masked: true, isSession });
    const state = withExchangeRows({ capture: { running: false, exchanges: snapshot.exchanges.length }, cookies: lists.cookies, tokens: lists.tokens, findings: lists.findings, masked: true, actions: [], now: Date.now(), expiringSoonMs: 300_000 }, lists.exchanges);
    JSON.stringify(deltas.next(state));
    pacer.posted(performance.now() - t0);
  };
  store.onDidChange(post);
  return store;
}

async function measure(label: string, run: (store: SessionStore) => Promise<unknown>): Promise<void> {
  const store = session();
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  // The monitor's timer runs before the import starts, so a block from the first moment counts.
  await new Promise((r) => setTimeout(r, 20));
  const t0 = performance.now();
  await run(store);
  const wall = performance.now() - t0;
  // One more turn, so a block at the very end is recorded too.
  await new Promise((r) => setTimeout(r, 60));
  h.disable();
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  console.log(`  ${label.padEnd(44)} p50 ${ms(h.percentile(50))} ms  p99 ${ms(h.percentile(99))} ms  max ${ms(h.max)} ms   (import ${(wall / 1000).toFixed(2)} s)`);
  store.dispose();
}

async function main(): Promise<void> {
  console.log(`Event-loop delay during Import HAR of ${COUNT} exchanges (${(readFileSync(file).length / 1024 / 1024).toFixed(1)} MB)\n`);
  await measure('streamed, slices of 8 ms (Import HAR now)', (store) => importHarStream(store, createReadStream(file, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>, { sliceMs: 8 }));
  await measure('read whole, applied at once (before)', async (store) => {
    importHar(store, readFileSync(file, 'utf8'));
    store.flush();
  });
  rmSync(dir, { recursive: true, force: true });
}

void main();
