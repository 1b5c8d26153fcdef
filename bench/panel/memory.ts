/**
 * Extension-host heap with a long session: 100,000 exchanges (a seeded realistic mix, in batches
 * of 10,000 with new users each) recorded into a SessionStore with `capture.maxExchanges` at its
 * default (5,000), with the incremental audit and the panel's kept rows and deltas taking in each
 * change (of 500 exchanges) as the extension does. Prints the JS heap after a full GC at checkpoints: bounded memory
 * shows as a plateau once the ring buffer is full.
 * Run: node --expose-gc --import tsx bench/panel/memory.ts [--exchanges 100000]
 */
import { StoreAudit } from '../../src/core/audit/storeAudit';
import { importHar } from '../../src/core/capture/harImport';
import { SessionStore } from '../../src/core/session';
import { SessionViewDeltas } from '../../src/extension/sessionViewDeltas';
import { SessionViewRows } from '../../src/extension/sessionViewRows';
import { benchHar } from '../audit/har';

const at = process.argv.indexOf('--exchanges');
const TOTAL = at >= 0 ? Number(process.argv[at + 1]) : 100_000;
const BATCH = 10_000;
/** `sessionLens.capture.maxExchanges` default (package.json). */
const DEFAULT_MAX_EXCHANGES = 5000;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const store = new SessionStore({ capacity: DEFAULT_MAX_EXCHANGES, throttleMs: 0 });
const audit = new StoreAudit(store, {}, { checkWeakSecret: false });
const rows = new SessionViewRows();
const deltas = new SessionViewDeltas();
const heapMiB = () => {
  gc();
  return (process.memoryUsage().heapUsed / 1024 / 1024).toFixed(1);
};

console.log(`Extension-host heap over ${TOTAL} exchanges, capture.maxExchanges ${DEFAULT_MAX_EXCHANGES} (JS heap after a full GC)\n`);
console.log(`  start: ${heapMiB()} MiB`);
let done = 0;
for (let batch = 0; done < TOTAL; batch++) {
  const log = benchHar(Math.min(BATCH, TOTAL - done), batch + 1).log;
  const entries = log.entries as unknown[];
  // The panel takes in each change of 500 exchanges (its kept rows and what the deltas remember).
  for (let i = 0; i < entries.length; i += 500) {
    importHar(store, { log: { ...log, entries: entries.slice(i, i + 500) } });
    store.flush();
    const snapshot = store.snapshot();
    const lists = rows.lists(store, snapshot, { findings: audit.findings(), masked: true, isSession: () => false });
    deltas.next({ capture: { running: true, exchanges: snapshot.exchanges.length }, ...lists, masked: true, actions: [], now: Date.now(), expiringSoonMs: 300_000 });
  }
  done += entries.length;
  const snap = store.snapshot();
  console.log(`  after ${String(done).padStart(6)} exchanges: ${heapMiB()} MiB  (${snap.exchanges.length} kept, ${snap.evictedExchanges} dropped, ${snap.cookies.length} cookies, ${snap.tokens.length} tokens, ${audit.findings().length} findings)`);
}
