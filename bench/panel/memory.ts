/**
 * Extension-host heap with a long session: 100,000 exchanges (a seeded realistic mix, in batches
 * of 10,000 with new users each) recorded into a SessionStore with `capture.maxExchanges` at its
 * default (5,000), with the incremental audit and the panel's kept rows and deltas taking in each
 * change (of 500 exchanges) as the extension does. Prints the JS heap after a full GC at checkpoints: bounded memory
 * shows as a plateau once the ring buffer is full.
 * Run: node --expose-gc --import tsx bench/panel/memory.ts [--exchanges 100000] [--snapshots DIR]
 * With --snapshots, heap snapshots are written at 50,000 and at the end and their objects compared
 * by constructor (count and self size): what still grows once the ring buffer is full.
 */
import { writeHeapSnapshot } from 'node:v8';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { StoreAudit } from '../../src/core/audit/storeAudit';
import { importHar } from '../../src/core/capture/harImport';
import { IncrementalExpiryModel } from '../../src/core/expiry/index';
import { SessionStore } from '../../src/core/session';
import { SessionViewDeltas } from '../../src/extension/sessionViewDeltas';
import { SessionViewRows } from '../../src/extension/sessionViewRows';
import { withExchangeRows } from '../../src/extension/sessionExchangeRows';
import { benchHar } from '../audit/har';

const at = process.argv.indexOf('--exchanges');
const TOTAL = at >= 0 ? Number(process.argv[at + 1]) : 100_000;
const snapAt = process.argv.indexOf('--snapshots');
const SNAPSHOT_DIR = snapAt >= 0 ? process.argv[snapAt + 1] : undefined;
const BATCH = 10_000;
/** `sessionLens.capture.maxExchanges` default (package.json). */
const DEFAULT_MAX_EXCHANGES = 5000;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const store = new SessionStore({ capacity: DEFAULT_MAX_EXCHANGES, throttleMs: 0 });
const started = { wall: performance.now(), cpu: cpuMs() };
const audit = new StoreAudit(store, {}, { checkWeakSecret: false });
const rows = new SessionViewRows();
// The expiry model the extension keeps: fed by the change feed, built in each update for what changed (its state is in the heap figures).
const expiry = new IncrementalExpiryModel({ expiringSoonSeconds: 300 });
store.onDidChange((e) => expiry.apply(e));
let expiryCpu = 0;
const deltas = new SessionViewDeltas();
const isSession = () => false;
const heapMiB = () => {
  gc();
  return (process.memoryUsage().heapUsed / 1024 / 1024).toFixed(1);
};

console.log(`Extension-host heap over ${TOTAL} exchanges, capture.maxExchanges ${DEFAULT_MAX_EXCHANGES} (JS heap after a full GC)\n`);
console.log(`  start: ${heapMiB()} MiB`);
/**
 * Each batch's HAR starts at the same instant: its entries are moved to start after the previous
 * batch's, as a long capture records them (a batch from the past would make the audit replay what it
 * holds on every exchange, which no capture does).
 */
let lastStart = 0;
function continueAfterPrevious(entries: unknown[]): void {
  const times = entries.map((e) => Date.parse((e as { startedDateTime: string }).startedDateTime));
  const shift = Math.max(0, lastStart + 1000 - times[0]!);
  entries.forEach((e, i) => { (e as { startedDateTime: string }).startedDateTime = new Date(times[i]! + shift).toISOString(); });
  lastStart = times[times.length - 1]! + shift;
}

/** CPU time of this process, ms. */
function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

let done = 0;
const snapshots: { at: number; file: string }[] = [];
for (let batch = 0; done < TOTAL; batch++) {
  const log = benchHar(Math.min(BATCH, TOTAL - done), batch + 1).log;
  const entries = log.entries as unknown[];
  continueAfterPrevious(entries);
  // The panel takes in each change of 500 exchanges (its kept rows and what the deltas remember).
  for (let i = 0; i < entries.length; i += 500) {
    importHar(store, { log: { ...log, entries: entries.slice(i, i + 500) } });
    store.flush();
    const snapshot = store.snapshot();
    const c0 = cpuMs();
    const model = expiry.model();
    expiryCpu += cpuMs() - c0;
    const lists = rows.update(store, snapshot, { findings: audit.findings(), masked: true, isSession, model });
    deltas.next(withExchangeRows({ capture: { running: true, exchanges: snapshot.exchanges.length }, cookies: lists.cookies, tokens: lists.tokens, findings: lists.findings, masked: true, actions: [], now: Date.now(), expiringSoonMs: 300_000 }, lists.exchanges));
  }
  done += entries.length;
  const snap = store.snapshot();
  // The incremental expiry model holds what the ring buffer holds: bounded by capture.maxExchanges, whatever the session's length.
  const model = expiry.model();
  console.log(`  after ${String(done).padStart(6)} exchanges: ${heapMiB()} MiB  (${snap.exchanges.length} kept, ${snap.evictedExchanges} dropped, ${snap.cookies.length} cookies, ${snap.tokens.length} tokens, ${audit.findings().length} findings, audit forgot ${audit.forgotten.jwtSightings} JWT sightings and ${audit.forgotten.cookieValues} cookie values; expiry model ${model.credentials.length} credentials, ${(expiryCpu / (BATCH / 500)).toFixed(1)} ms CPU per update of 500)`);
  expiryCpu = 0;
  if (SNAPSHOT_DIR && (done === Math.min(50_000, TOTAL) || done >= TOTAL)) {
    fs.mkdirSync(SNAPSHOT_DIR, { recursive: true });
    gc();
    snapshots.push({ at: done, file: writeHeapSnapshot(path.join(SNAPSHOT_DIR, `panel-${done}.heapsnapshot`)) });
  }
}
console.log(`\n  ${TOTAL} exchanges in ${((performance.now() - started.wall) / 1000).toFixed(0)} s wall, ${((cpuMs() - started.cpu) / 1000).toFixed(0)} s CPU`);

if (snapshots.length === 2) {
  const [a, b] = snapshots.map((s) => ({ at: s.at, counts: countsByConstructor(s.file) }));
  const rows = [...b!.counts].map(([name, after]) => {
    const before = a!.counts.get(name) ?? { count: 0, bytes: 0 };
    return { name, count: after.count - before.count, bytes: after.bytes - before.bytes };
  }).filter((r) => r.count !== 0 || r.bytes !== 0).sort((x, y) => y.bytes - x.bytes);
  console.log(`\n  heap snapshots, ${a!.at} → ${b!.at} exchanges: what grew most (by self size; constructor or V8 type)`);
  for (const r of rows.slice(0, 25)) console.log(`    ${(r.bytes / 1024).toFixed(0).padStart(8)} KiB  ${String(r.count).padStart(8)} objects  ${r.name}`);
}

/** Objects of a heap snapshot by constructor name (V8's node names; strings, arrays and code by type). */
function countsByConstructor(file: string): Map<string, { count: number; bytes: number }> {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const fields = snap.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = snap.snapshot.meta.node_types[0];
  const counts = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt]!]!;
    const name = type === 'object' || type === 'closure' ? `${type} ${snap.strings[snap.nodes[i + nameAt]!]}` : `(${type})`;
    const entry = counts.get(name) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += snap.nodes[i + sizeAt]!;
    counts.set(name, entry);
  }
  return counts;
}
