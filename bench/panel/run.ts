/**
 * What one update of the Session panel costs in the extension host with a large session, on the
 * real store, incremental audit, expiry model, row and delta code the extension runs (the
 * SessionController's state() without VS Code): a seeded realistic HAR (bench/audit/har.ts: logins,
 * logouts, rolling cookies, JWTs, OAuth token responses) of 10,000 exchanges is imported, then
 * updates of a few new exchanges each are timed from the store's change event (the audit runs
 * there) to the serialised message for the webview. The same updates are also timed with every
 * row built from scratch (the panel before rows were kept), for a ratio.
 *
 * Run: npx tsx bench/panel/run.ts [--exchanges 10000] [--updates 300] [--per-update 5] [--skip-scratch] [--cpu-profile FILE]
 * --skip-scratch leaves out the from-scratch run (and its ratios); --cpu-profile writes a V8 CPU
 * profile of the kept-rows updates only (the store taking them in and the panel path), for DevTools.
 * Prints figures; asserts nothing. bench/panel/memory.ts and bench/panel/importDelay.ts print the
 * heap and event-loop figures, bench/panel/webview.ts the ones measured in the real webview.
 */
import * as fs from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { StoreAudit } from '../../src/core/audit/storeAudit';
import { classifyCookie } from '../../src/core/audit/classifyCookie';
import { importHar } from '../../src/core/capture/harImport';
import { buildExpiryModel, type ExpiryModel, IncrementalExpiryModel } from '../../src/core/expiry/index';
import { SessionStore } from '../../src/core/session';
import { decodeSignedCookie } from '../../src/core/signedCookies/decodeSignedCookie';
import { SessionViewDeltas } from '../../src/extension/sessionViewDeltas';
import { type PhaseMeter, SessionViewRows } from '../../src/extension/sessionViewRows';
import { withExchangeRows } from '../../src/extension/sessionExchangeRows';
import { cookieRows, exchangeRows, findingRows, tokenRows } from '../../src/extension/sessionViewState';
import type { SessionViewState, ToWebview } from '../../src/shared/protocol';
import { filterRows, NO_FILTER, SessionModel } from '../../src/webview/timelineModel';
import { benchHar } from '../audit/har';
import { quantile } from '../timing';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const COUNT = arg('exchanges', 10_000);
const UPDATES = arg('updates', 300);
const PER_UPDATE = arg('per-update', 5);
const SKIP_SCRATCH = process.argv.includes('--skip-scratch');
const profileAt = process.argv.indexOf('--cpu-profile');
const CPU_PROFILE = profileAt >= 0 ? process.argv[profileAt + 1] : undefined;

type Entries = unknown[];
const har = benchHar(COUNT + 2 * UPDATES * PER_UPDATE + 100);
const allEntries = har.log.entries as Entries;
const slice = (from: number, to: number) => ({ log: { ...har.log, entries: allEntries.slice(from, to) } });

interface Panel {
  readonly store: SessionStore;
  readonly audit: StoreAudit;
  /** The message for the webview after the latest change, as the SessionController and SessionViewProvider make it. */
  update(): ToWebview;
  /** The expiry model's part of the latest update (the incremental model building what changed), wall and CPU ms. */
  readonly expiryCost: { wall: number; cpu: number };
  /** The whole-session expiry model (what the controller built on a timer before), wall and CPU ms. */
  wholeExpiry(): { wall: number; cpu: number };
  /** CPU ms of each part of the latest update (snapshot, findings, expiry model, each list, delta). */
  readonly phases: Map<string, number>;
}

/** A session as the extension holds one, with the panel's state built incrementally or (`fromScratch`) as before. */
function panel(fromScratch: boolean): Panel {
  // capacity: the ring keeps all of them, so the panel really holds COUNT rows.
  const store = new SessionStore({ capacity: COUNT * 2, throttleMs: 0 });
  const audit = new StoreAudit(store, {}, { checkWeakSecret: false });
  const rows = new SessionViewRows();
  const deltas = new SessionViewDeltas();
  let updates = 0;
  // As the controller: the incremental model subscribes to the feed when the store is made.
  const incremental = new IncrementalExpiryModel({ expiringSoonSeconds: 300 });
  store.onDidChange((e) => incremental.apply(e));
  const expiryCost = { wall: 0, cpu: 0 };
  let model: ExpiryModel = incremental.model();
  // One classifier for the session, as the controller keeps one per setting value.
  const isSession = (c: { name: string; value: string }) => classifyCookie(c.name, c.value, {}).isSession;
  const phases = new Map<string, number>();
  const measure: PhaseMeter = (phase, work) => {
    const c0 = cpuMs();
    const result = work();
    phases.set(phase, (phases.get(phase) ?? 0) + cpuMs() - c0);
    return result;
  };
  const state = (): SessionViewState => {
    const snapshot = measure('snapshot', () => store.snapshot());
    const findings = measure('findings (audit.findings, JWT re-analysis)', () => {
      // As the controller: JWT findings analysed again at most once a second (here every 10th update).
      if (++updates % 10 === 0) audit.reanalyseJwts(Date.now(), 'time');
      return audit.findings();
    });
    // Before, the expiry model was built in every update.
    if (fromScratch) model = buildExpiryModel(snapshot, { expiringSoonSeconds: 300 });
    else {
      const w0 = performance.now();
      const c0 = cpuMs();
      model = incremental.model();
      expiryCost.cpu = cpuMs() - c0;
      expiryCost.wall = performance.now() - w0;
      phases.set('expiry model', expiryCost.cpu);
    }
    const rest = { capture: { running: true, exchanges: snapshot.exchanges.length }, masked: true, actions: [], now: Date.now(), expiringSoonMs: 300_000 };
    if (fromScratch) return { ...rest, exchanges: exchangeRows(snapshot, findings), cookies: cookieRows(snapshot, true, isSession, model, decodeSignedCookie), tokens: tokenRows(snapshot, true, model), findings: findingRows(findings) };
    // As the controller: the timeline's rows are built as the deltas read them.
    const lists = rows.update(store, snapshot, { findings, masked: true, isSession, model, decode: decodeSignedCookie, measure });
    return withExchangeRows({ ...rest, cookies: lists.cookies, tokens: lists.tokens, findings: lists.findings }, lists.exchanges);
  };
  const wholeExpiry = () => {
    const w0 = performance.now();
    const c0 = cpuMs();
    buildExpiryModel(store.snapshot(), { expiringSoonSeconds: 300 });
    return { cpu: cpuMs() - c0, wall: performance.now() - w0 };
  };
  const update = (): ToWebview => {
    phases.clear();
    const s = state();
    return measure('delta', () => deltas.next(s));
  };
  return { store, audit, update, expiryCost, wholeExpiry, phases };
}

/** CPU time of this process so far, ms (on a shared machine wall time counts other processes' work too). */
function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

interface Measured {
  /** Panel path per update: state, delta, JSON of the message (wall time). */
  samples: number[];
  /** The same, CPU time. */
  cpu: number[];
  /** Wall and CPU time of the updates that carried no slice of the older rows (the steady state). */
  steadySamples: number[];
  steadyCpu: number[];
  /** Updates that carried a slice of the older rows after the first state. */
  backfillUpdates: number;
  /** The store taking in the update's exchanges, with the incremental audit in its change event. */
  source: number[];
  /** The incremental expiry model's part of each update, wall and CPU. */
  expiry: number[];
  expiryCpu: number[];
  /** The whole-session expiry model every 10th update (the timer pass before), CPU. */
  wholeCpu: number[];
  bytes: number[];
  first: { ms: number; cpu: number; bytes: number };
  /** The first message's CPU ms per part. */
  firstPhases: Map<string, number>;
  /** CPU ms per part of the steady updates, each sorted. */
  steadyPhases: Map<string, number[]>;
  /** Main-thread GC pauses (ms) that began inside each steady update, summed per update, sorted. */
  steadyGc: number[];
  model: SessionModel;
}

/** A V8 CPU profile of what runs between start() and stop() (written to `file`). */
function cpuProfiler(file: string | undefined): { start(): void; stop(): void } {
  if (!file) return { start() {}, stop() {} };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const inspector = require('node:inspector') as typeof import('node:inspector');
  const session = new inspector.Session();
  session.connect();
  return {
    start() {
      session.post('Profiler.enable');
      session.post('Profiler.setSamplingInterval', { interval: 100 });
      session.post('Profiler.start');
    },
    stop() {
      session.post('Profiler.stop', (err, result) => {
        if (err) throw err;
        fs.writeFileSync(file, JSON.stringify(result.profile));
        console.log(`CPU profile of the kept-rows updates: ${file}`);
      });
    },
  };
}

async function measure(fromScratch: boolean): Promise<Measured> {
  const p = panel(fromScratch);
  importHar(p.store, slice(0, COUNT));
  p.store.flush();
  let t0 = performance.now();
  let c0 = cpuMs();
  const firstMessage = p.update();
  const firstJson = JSON.stringify(firstMessage);
  const first = { ms: performance.now() - t0, cpu: cpuMs() - c0, bytes: firstJson.length };
  const firstPhases = new Map(p.phases);
  const steadyPhases = new Map<string, number[]>();
  const steadyWindows: [number, number][] = [];
  const gcPauses: { start: number; ms: number }[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcPauses.push({ start: e.startTime, ms: e.duration });
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const model = new SessionModel();
  if (firstMessage.type === 'state') model.applyState(firstMessage.state, firstMessage.version);
  const samples: number[] = [];
  const cpu: number[] = [];
  const steadySamples: number[] = [];
  const steadyCpu: number[] = [];
  let backfillUpdates = 0;
  const source: number[] = [];
  const expiry: number[] = [];
  const expiryCpu: number[] = [];
  const wholeCpu: number[] = [];
  const bytes: number[] = [];
  const profiler = cpuProfiler(fromScratch ? undefined : CPU_PROFILE);
  let at = COUNT;
  for (let u = 0; u < UPDATES; u++) {
    if (!fromScratch && u % 10 === 9) wholeCpu.push(p.wholeExpiry().cpu);
    if (u === 0) profiler.start();
    // The capture source records a few exchanges; the store's change event runs the audit...
    t0 = performance.now();
    importHar(p.store, slice(at, at + PER_UPDATE));
    p.store.flush();
    source.push(performance.now() - t0);
    at += PER_UPDATE;
    // ...and the panel's path: the state, the delta, its serialisation.
    t0 = performance.now();
    c0 = cpuMs();
    const message = p.update();
    const c1 = cpuMs();
    const json = JSON.stringify(message);
    const spentCpu = cpuMs() - c0;
    const spent = performance.now() - t0;
    p.phases.set('JSON of the message', spentCpu - (c1 - c0));
    cpu.push(spentCpu);
    samples.push(spent);
    if (message.type === 'delta' && message.delta.olderExchanges !== undefined) backfillUpdates++;
    else {
      steadyCpu.push(spentCpu);
      steadySamples.push(spent);
      steadyWindows.push([t0, t0 + spent]);
      for (const [phase, c] of p.phases) {
        const list = steadyPhases.get(phase) ?? [];
        list.push(c);
        steadyPhases.set(phase, list);
      }
    }
    bytes.push(json.length);
    if (!fromScratch) {
      expiry.push(p.expiryCost.wall);
      expiryCpu.push(p.expiryCost.cpu);
    }
    if (message.type !== 'delta' || model.applyDelta(message.delta) !== 'applied') throw new Error('the webview model missed a delta');
    // The event loop turns between updates, as in the extension host (and the GC entries of this one are delivered).
    await new Promise((resolve) => setImmediate(resolve));
  }
  profiler.stop();
  // GC entries are delivered asynchronously: take what is queued, then attribute each pause to the update it began in.
  for (const e of gcObserver.takeRecords()) gcPauses.push({ start: e.startTime, ms: e.duration });
  gcObserver.disconnect();
  const steadyGc = steadyWindows.map(([from, to]) => gcPauses.filter((g) => g.start >= from && g.start < to).reduce((sum, g) => sum + g.ms, 0));
  for (const list of steadyPhases.values()) list.sort((x, y) => x - y);
  p.audit.dispose();
  p.store.dispose();
  const sorted = (a: number[]) => a.sort((x, y) => x - y);
  return {
    samples: sorted(samples), cpu: sorted(cpu), steadySamples: sorted(steadySamples), steadyCpu: sorted(steadyCpu), backfillUpdates,
    source: sorted(source), expiry: sorted(expiry), expiryCpu: sorted(expiryCpu), wholeCpu: sorted(wholeCpu), bytes: sorted(bytes), first, firstPhases, steadyPhases, steadyGc: sorted(steadyGc), model,
  };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const ms = (samples: number[], q: number) => quantile(samples, q, 2);
const figures = (samples: number[]) => `p50 ${ms(samples, 0.5)} ms  p99 ${ms(samples, 0.99)} ms  max ${ms(samples, 1)} ms`;

console.log(`Session panel, extension host: ${COUNT} exchanges (seeded realistic HAR), then ${UPDATES} updates of ${PER_UPDATE} new exchanges each\n`);
async function main(): Promise<void> {
  const before = SKIP_SCRATCH ? undefined : await measure(true);
  const after = await measure(false);
  console.log('extension-host main-thread time per update, panel path (state, delta, JSON of the message):');
  console.log(`  rows kept, every update      CPU ${figures(after.cpu)}   (this process only: what an idle machine's wall time would be)`);
  console.log(`                               wall ${figures(after.samples)}`);
  console.log(`  rows kept, without the ${after.backfillUpdates} updates that bring the older rows after the first state (at most 1,000 each):`);
  console.log(`                               CPU ${figures(after.steadyCpu)}   (target p99 <= 10 ms)`);
  console.log(`                               wall ${figures(after.steadySamples)}`);
  if (before) {
    console.log(`  rows built from scratch      CPU ${figures(before.cpu)}   (before: expiry model in every update)`);
    console.log(`                               wall ${figures(before.samples)}`);
    console.log(`  ratio (scratch / kept), CPU p50 ${(Number(ms(before.cpu, 0.5)) / Number(ms(after.cpu, 0.5))).toFixed(1)}x  p99 ${(Number(ms(before.cpu, 0.99)) / Number(ms(after.cpu, 0.99))).toFixed(1)}x`);
  }
  console.log(`store + incremental audit taking in the ${PER_UPDATE} exchanges: wall p50 ${ms(after.source, 0.5)} ms  p99 ${ms(after.source, 0.99)} ms`);
  console.log(`expiry model per update (incremental, from the change feed; part of the panel path above): CPU p50 ${ms(after.expiryCpu, 0.5)} ms  p99 ${ms(after.expiryCpu, 0.99)} ms  max ${ms(after.expiryCpu, 1)} ms; wall p50 ${ms(after.expiry, 0.5)} ms  p99 ${ms(after.expiry, 0.99)} ms`);
  console.log(`  whole-session expiry model at ${COUNT} exchanges (the timer pass it replaces): CPU p50 ${ms(after.wholeCpu, 0.5)} ms  max ${ms(after.wholeCpu, 1)} ms; ratio p50 ${(Number(ms(after.wholeCpu, 0.5)) / Math.max(0.001, Number(ms(after.expiryCpu, 0.5)))).toFixed(0)}x`);
  console.log(`delta message per update: p50 ${kb(after.bytes[after.bytes.length >> 1]!)}, max ${kb(after.bytes[after.bytes.length - 1]!)}`);
  console.log(`first message (full state, on load and resync): ${(after.first.bytes / 1024 / 1024).toFixed(2)} MB of JSON, ${after.first.cpu.toFixed(0)} ms CPU (${after.first.ms.toFixed(0)} ms wall) to build and serialise`);
  console.log(`  CPU by part: ${[...after.firstPhases].map(([phase, c]) => `${phase} ${c.toFixed(1)}`).join(', ')} ms`);
  console.log('\nsteady updates by part, CPU ms (p50 / p99 / mean; a part\'s p99 and the total\'s need not be the same updates):');
  for (const [phase, list] of after.steadyPhases) {
    const mean = list.reduce((a, b) => a + b, 0) / list.length;
    console.log(`  ${phase.padEnd(44)} ${ms(list, 0.5).padStart(6)} / ${ms(list, 0.99).padStart(6)} / ${mean.toFixed(2).padStart(6)}`);
  }
  const gcMean = after.steadyGc.reduce((a, b) => a + b, 0) / Math.max(1, after.steadyGc.length);
  console.log(`  ${'main-thread GC pauses begun in the update'.padEnd(44)} ${ms(after.steadyGc, 0.5).padStart(6)} / ${ms(after.steadyGc, 0.99).padStart(6)} / ${gcMean.toFixed(2).padStart(6)}  (wall, from the gc performance entries; ${after.steadyGc.filter((g) => g > 0).length} of ${after.steadyGc.length} updates had one)`);

  const state = after.model.state!;
  console.log(`\nwebview model: ${state.exchanges.length} rows, ${state.cookies.length} cookies, ${state.tokens.length} tokens, ${state.findings.length} findings`);
  const filterSamples: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    filterRows(state.exchanges, { ...NO_FILTER, text: 'oauth' });
    filterSamples.push(performance.now() - t0);
  }
  filterSamples.sort((a, b) => a - b);
  console.log(`webview: text filter over every row p50 ${ms(filterSamples, 0.5)} ms`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
