/**
 * bench/audit: the traffic audit on a generated 50,000-exchange HAR (logins, logouts, rolling
 * session cookies, Bearer JWTs, JWT cookies, OAuth token responses, credentialed CORS).
 * Prints the whole-session audit's cost per exchange, the incremental audit's (amortised and
 * the worst single step), the extension's case (a 5,000-exchange ring buffer fed in events of
 * 100 exchanges), two worst cases built on purpose, and `session-lens audit` on the HAR in a child
 * process: CPU per exchange and peak RSS, the import alone (so the audit's own share shows), and
 * two baselines run in the same session: the previous CLI path and the one before the incremental
 * audit (import, then one whole-session audit). Costs are CPU time (user + system) of the process,
 * except the slowest step (wall time). Asserts nothing.
 *
 *   npx tsx bench/audit/run.ts [--exchanges 50000] [--runs 5]   (--runs: interleaved pairs of the CLI with and without the audit; medians)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { auditSession } from '../../src/core/audit/auditSession';
import { IncrementalAudit } from '../../src/core/audit/incrementalAudit';
import { StoreAudit } from '../../src/core/audit/storeAudit';
import { importHar } from '../../src/core/capture/harImport';
import { SessionStore } from '../../src/core/session/sessionStore';
import type { Exchange, TokenRecord } from '../../src/core/session/types';
import type { Finding } from '../../src/core/findings';
import { bundledCliChild } from './bundle';
import { benchHar } from './har';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const line = (label: string, value: string): void => console.log(`  ${label.padEnd(58)} ${value}`);
const us = (ms: number): string => `${(ms * 1000).toFixed(1)} µs`;
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const brief = (list: readonly Finding[]): string => list.map((f) => `${f.ruleId}|${f.subject}|${f.evidence?.exchangeId}|${f.message}`).join('\n');

/** CPU time of this process (user + system), ms: steadier than wall time on a shared machine. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs `work`; returns its result and the CPU time it took (ms). */
function time<T>(work: () => T): [T, number] {
  const t0 = cpuMs();
  const out = work();
  return [out, cpuMs() - t0];
}

/** Feeds exchanges one by one; returns the total time and the slowest step. */
function incremental(exchanges: readonly Exchange[], tokens: ReadonlyMap<number, TokenRecord>, now: number): { audit: IncrementalAudit; ms: number; worst: number; worstId: number } {
  const audit = new IncrementalAudit({}, { now, checkWeakSecret: false });
  let total = 0;
  let worst = 0;
  let worstId = 0;
  for (const ex of exchanges) {
    const own = ex.tokenIds.map((id) => tokens.get(id)).filter((t): t is TokenRecord => t !== undefined);
    const c0 = cpuMs();
    const t0 = performance.now();
    audit.add(ex, tokens);
    if (own.length > 0) audit.updateTokens(own, tokens);
    // The slowest step by wall time (what a user would feel), the total by CPU time.
    const took = performance.now() - t0;
    total += cpuMs() - c0;
    if (took > worst) {
      worst = took;
      worstId = ex.id;
    }
  }
  return { audit, ms: total, worst, worstId };
}

interface ChildRun {
  readonly ms: number;
  readonly cpuMs: number;
  readonly userMs?: number;
  readonly sysMs?: number;
  readonly maxRssKiB: number;
  /** Garbage collector pauses on the main thread (wall ms) and their count. */
  readonly gc?: { readonly ms: number; readonly scavenges: number; readonly markCompacts: number };
  /** CPU of V8's helper threads (optimising compiles, parallel GC), Linux only. */
  readonly helperCpuMs?: number;
}

function cli(child: string, file: string, mode?: string): ChildRun {
  const r = spawnSync(process.execPath, [child, file, ...(mode ? [mode] : [])], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as ChildRun;
  } catch {
    throw new Error(`cliChild failed (${r.status}): ${r.stderr.slice(-2000)}`);
  }
}

function main(): void {
  const count = arg('exchanges', 50_000);
  console.log(`bench/audit on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (figures scale with it)`);
  const dir = mkdtempSync(join(os.tmpdir(), 'session-lens-bench-audit-'));
  const file = join(dir, 'bench.har');
  const har = benchHar(count);
  writeFileSync(file, JSON.stringify(har));
  const store = new SessionStore({ capacity: 1_000_000, throttleMs: 0 });
  const [, importMs] = time(() => importHar(store, har));
  const snap = store.snapshot();
  const tokens = new Map(snap.tokens.map((t) => [t.id, t]));
  const now = Date.UTC(2026, 10, 22, 20, 0, 0);
  console.log(`\n${snap.exchanges.length} exchanges, ${snap.tokens.length} tokens kept by the store, ${snap.cookies.length} cookies in the jar (import: ${(importMs / 1000).toFixed(1)} s, not counted below)`);

  console.log('\nWhole session, in process:');
  auditSession(snap.exchanges.slice(0, 2000), {}, { now, checkWeakSecret: false });
  const [oneShot, oneShotMs] = time(() => auditSession(snap, {}, { now, checkWeakSecret: false }));
  line('whole-session audit (auditSession), once', `${(oneShotMs / 1000).toFixed(2)} s = ${us(oneShotMs / snap.exchanges.length)} per exchange`);
  const inc = incremental(snap.exchanges, tokens, now);
  line('incremental audit, one exchange at a time', `${(inc.ms / 1000).toFixed(2)} s = ${us(inc.ms / snap.exchanges.length)} per exchange (amortised)`);
  line('  slowest single step', `${inc.worst.toFixed(2)} ms (exchange #${inc.worstId})`);
  const [, findingsMs] = time(() => inc.audit.findings());
  line('  findings() after the last step', `${inc.audit.findings().length} findings, ${findingsMs.toFixed(2)} ms`);
  line('  same findings, same order as auditSession', brief(inc.audit.findings()) === brief(oneShot) ? 'yes' : 'NO');

  console.log('\nThe extension\'s case: 5,000-exchange ring buffer, store events of 100 exchanges:');
  const entries = har.log.entries as unknown[];
  const events: number[] = [];
  // The audit's work per event: the same chunks imported into a store with the audit attached, and into one without.
  const bare = new SessionStore({ capacity: 5000, throttleMs: 0 });
  const audited = new SessionStore({ capacity: 5000, throttleMs: 0 });
  const auditedFeed = new StoreAudit(audited, {}, { now, checkWeakSecret: false });
  let bareMs = 0;
  let auditedMs = 0;
  for (let i = 0; i < entries.length; i += 100) {
    const chunk = { log: { entries: entries.slice(i, i + 100) } };
    bareMs += time(() => importHar(bare, chunk))[1];
    const [, took] = time(() => importHar(audited, chunk));
    auditedMs += took;
    events.push(took);
  }
  const perEvent = (auditedMs - bareMs) / events.length;
  line('audit work per event of 100 exchanges (with − without audit)', `${perEvent.toFixed(2)} ms = ${us(perEvent / 100)} per exchange`);
  line('findings kept (evicted exchanges keep theirs)', `${auditedFeed.findings().length} (store holds ${audited.exchangeCount})`);
  const ringSnap = audited.snapshot();
  const [, ringMs] = time(() => auditSession(ringSnap, {}, { now, checkWeakSecret: false }));
  line('before: one whole-session audit of the 5,000 held', `${ringMs.toFixed(0)} ms per change (paced to once a second)`);
  auditedFeed.dispose();

  console.log('\nWorst single steps, built on purpose:');
  {
    // A cookie that is not a session cookie carries 20,000 long values, then a login replaces it:
    // it becomes one, and every value is checked against the URLs seen.
    const a = new IncrementalAudit({}, { now, checkWeakSecret: false });
    const s = new SessionStore({ capacity: 1_000_000, throttleMs: 0 });
    const values = 20_000;
    const entries2: unknown[] = [];
    const base = Date.UTC(2026, 10, 22, 8, 0, 0);
    const letters = (n: number) => n.toString(26).split('').map((c) => String.fromCharCode(97 + parseInt(c, 26))).join('').padStart(18, 'q');
    for (let i = 0; i < values; i++) {
      entries2.push({ startedDateTime: new Date(base + i * 10).toISOString(), request: { method: 'GET', url: `https://app.example.test/p/${letters(i)}`, headers: [{ name: 'Cookie', value: `pref=${letters(i)}` }] }, response: { status: 200, headers: [] } });
    }
    entries2.push({ startedDateTime: new Date(base + values * 10).toISOString(), request: { method: 'POST', url: 'https://app.example.test/login', headers: [{ name: 'Cookie', value: `pref=${letters(values - 1)}` }] }, response: { status: 302, headers: [{ name: 'Set-Cookie', value: 'pref=zzzzzzzzzzzzzzzzzzzz; Path=/' }] } });
    importHar(s, { log: { entries: entries2 } });
    const exs = s.snapshot().exchanges;
    for (const ex of exs.slice(0, -1)) a.add(ex);
    const [delta, ms] = time(() => a.add(exs[exs.length - 1]));
    line(`login promoting a cookie seen with ${values.toLocaleString('en')} long values`, `${ms.toFixed(1)} ms (${delta.added.length} findings added)`);
    s.dispose();
  }
  {
    // An exchange that finishes after 5,000 later ones were audited: the audit replays them.
    const ring = snap.exchanges.slice(0, 5001);
    const a = new IncrementalAudit({}, { now, checkWeakSecret: false });
    for (const ex of ring.slice(1)) a.add(ex, tokens);
    const [, ms] = time(() => a.add(ring[0], tokens));
    line('an exchange arriving behind 5,000 later ones (replay)', `${ms.toFixed(1)} ms`);
  }

  console.log('\nsession-lens audit on the HAR (child processes bundled as the CLI ships, JSON output dropped; CPU time after start-up):');
  const perEx = (r: ChildRun): string => us(r.cpuMs / count);
  const child = bundledCliChild();
  // The audit's own cost is a difference of two child processes' CPU time, which swings by 2x
  // from run to run on this machine: run the pair several times, interleaved, and take medians.
  const pairs = Math.max(1, arg('runs', 5));
  const nowRuns: ChildRun[] = [];
  const importRuns: ChildRun[] = [];
  const aloneRuns: ChildRun[] = [];
  const own: number[] = [];
  const ownMain: number[] = [];
  for (let i = 0; i < pairs; i++) {
    // Each pair in the other order than the one before (ABBA): a load that rises or falls during a pair favours neither.
    let n: ChildRun;
    let im: ChildRun;
    if (i % 2 === 0) {
      n = cli(child.file, file);
      im = cli(child.file, file, '--import-only');
    } else {
      im = cli(child.file, file, '--import-only');
      n = cli(child.file, file);
    }
    nowRuns.push(n);
    importRuns.push(im);
    own.push((n.cpuMs - im.cpuMs) / count);
    if (n.helperCpuMs !== undefined && im.helperCpuMs !== undefined) ownMain.push((n.cpuMs - n.helperCpuMs - (im.cpuMs - im.helperCpuMs)) / count);
    aloneRuns.push(cli(child.file, file, '--audit-alone'));
  }
  const median = <T>(xs: readonly T[], key: (x: T) => number): T => [...xs].sort((a, b) => key(a) - key(b))[(xs.length - 1) >> 1];
  /** The 25th and 75th percentiles (nearest rank): the spread of the middle half. */
  const quartiles = (xs: readonly number[]): [number, number] => {
    const sorted = [...xs].sort((a, b) => a - b);
    return [sorted[Math.floor((sorted.length - 1) / 4)], sorted[Math.ceil((3 * (sorted.length - 1)) / 4)]];
  };
  const spread = (xs: readonly number[]): string => {
    const [q1, q3] = quartiles(xs);
    return `median ${us(median(xs, (x) => x))}, middle half ${(q1 * 1000).toFixed(1)}-${(q3 * 1000).toFixed(1)} µs`;
  };
  const runs = { now: median(nowRuns, (r) => r.cpuMs), importOnly: median(importRuns, (r) => r.cpuMs), previous: cli(child.file, file, '--previous'), oneShot: cli(child.file, file, '--one-shot') };
  child.remove();
  const show = (label: string, r: ChildRun): void => line(label, `${perEx(r)} per exchange (CPU ${(r.cpuMs / 1000).toFixed(1)} s${r.userMs !== undefined ? ` = user ${(r.userMs / 1000).toFixed(2)} + sys ${((r.sysMs ?? 0) / 1000).toFixed(2)}` : ''}, wall ${(r.ms / 1000).toFixed(1)} s), peak RSS ${mib(r.maxRssKiB * 1024)}`);
  show(`now: session-lens audit (import + incremental audit)${pairs > 1 ? `, median of ${pairs}` : ''}`, runs.now);
  show('  of which the import alone (same read, store and report, no audit)', runs.importOnly);
  line(`  the audit's own cost (now − import alone, ${pairs} interleaved pairs)`, `${spread(own)} per exchange (target ≤ 20 µs; pairs: ${own.map((x) => (x * 1000).toFixed(1)).join(', ')} µs)`);
  if (ownMain.length === own.length) line('    of which on the main thread (CPU − helper threads)', `${spread(ownMain)} per exchange`);
  const alonePerEx = aloneRuns.map((r) => r.cpuMs / count);
  const aloneHelper = aloneRuns.map((r) => (r.helperCpuMs ?? Number.NaN) / count);
  line('  the incremental audit alone, cold (--audit-alone: the feed only)', `${spread(alonePerEx)} per exchange CPU, helper threads ${us(median(aloneHelper, (x) => x))} of it`);
  const gcLine = (r: ChildRun): string => (r.gc ? `GC pauses ${(r.gc.ms / 1000).toFixed(2)} s (${r.gc.scavenges} scavenges, ${r.gc.markCompacts} mark-compacts)` : 'GC not reported')
    + (r.helperCpuMs !== undefined ? `, helper threads ${(r.helperCpuMs / 1000).toFixed(2)} s CPU (${((100 * r.helperCpuMs) / r.cpuMs).toFixed(0)} %: optimising compiles, parallel GC)` : '');
  line('  GC and helper threads, now (median run)', gcLine(runs.now));
  line('  GC and helper threads, import alone (median run)', gcLine(runs.importOnly));
  show('previous CLI path (all exchanges and previews held, JWTs each batch)', runs.previous);
  show('before the incremental audit: import, then auditSession', runs.oneShot);
  line('ratio now / previous (CPU, peak RSS)', `${(runs.now.cpuMs / runs.previous.cpuMs).toFixed(2)}×, ${(runs.now.maxRssKiB / runs.previous.maxRssKiB).toFixed(2)}×`);
  line('ratio now / one-shot (CPU, peak RSS)', `${(runs.now.cpuMs / runs.oneShot.cpuMs).toFixed(2)}×, ${(runs.now.maxRssKiB / runs.oneShot.maxRssKiB).toFixed(2)}×`);
  store.dispose();
  bare.dispose();
  audited.dispose();
  rmSync(dir, { recursive: true, force: true });
}

main();
