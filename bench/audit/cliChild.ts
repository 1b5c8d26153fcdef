/**
 * Child process of bench/audit/run.ts and bench/har/run.ts: `session-lens audit <har> --format json`
 * (output dropped), or one of the paths it is compared with:
 *   --import-only  the same streaming import into the same store, and the same JSON report without
 *                  findings (readHarForAudit and auditJson of the command): what the audit adds is the difference
 *   --previous     the previous CLI path: every exchange and its body previews held, the incremental
 *                  audit analysing the JWTs after every batch, a 64 MiB order window
 *   --one-shot     the path before the incremental audit: import, then one whole-session audit
 *   --audit-alone  the incremental audit alone, cold: the HAR is read into a store first (every exchange
 *                  held, no audit attached), then a fresh audit is fed the exchanges in batches of 500
 *                  with each batch's tokens, as StoreAudit is in session-lens audit; only that feed is
 *                  measured (its CPU and helper threads), not the import before it (the GC figures,
 *                  delivered late, are the whole process's)
 * Prints its wall time, CPU time (user + system), peak RSS, the garbage collector's pauses on the
 * main thread (ms, and how many scavenges and mark-compacts) and, on Linux, the CPU time of the
 * process's other threads (V8's helpers: optimising compiles, parallel and concurrent GC) as JSON
 * on stderr.
 */
import { createReadStream, readFileSync, readdirSync } from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { auditSession } from '../../src/core/audit/auditSession';
import { IncrementalAudit } from '../../src/core/audit/incrementalAudit';
import type { TokenRecord } from '../../src/core/session/types';
import { StoreAudit } from '../../src/core/audit/storeAudit';
import { SessionStore } from '../../src/core/session/sessionStore';
import { cookiesSeen } from '../../src/core/session/cookiesSeen';
import { importHarStream } from '../../src/core/capture/harStream';
import { runCli } from '../../src/cli/main';
import { auditJson, readHarForAudit } from '../../src/cli/commands/audit';
import { fileChunksBounded } from '../../src/cli/boundedRead';

/** CPU time (ms) of this process's threads other than the main one (Linux; undefined elsewhere). */
function helperThreadsCpuMs(): number | undefined {
  try {
    const ticks = 100; // USER_HZ
    let total = 0;
    for (const tid of readdirSync('/proc/self/task')) {
      if (tid === String(process.pid)) continue;
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks;
    }
    return total;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const [file, mode] = process.argv.slice(2);
  const gc = { ms: 0, scavenges: 0, markCompacts: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.ms += entry.duration;
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.scavenges++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.markCompacts++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  let started = performance.now();
  let cpu0 = process.cpuUsage();
  let helper0 = 0;
  if (mode === '--audit-alone') {
    const store = new SessionStore({ capacity: 1_000_000, throttleMs: 0, retainedPreviewBytes: 0 });
    await importHarStream(store, createReadStream(file));
    const snapshot = store.snapshot();
    const tokens = new Map(snapshot.tokens.map((t) => [t.id, t]));
    // Measured from here: the audit's compiles, allocation and GC only.
    started = performance.now();
    cpu0 = process.cpuUsage();
    helper0 = helperThreadsCpuMs() ?? 0;
    const audit = new IncrementalAudit(undefined, { deferJwtAnalysis: true });
    audit.updateJar(snapshot.cookies);
    const exchanges = snapshot.exchanges;
    for (let i = 0; i < exchanges.length; i += 500) {
      const batch = exchanges.slice(i, i + 500);
      const own: TokenRecord[] = [];
      for (const ex of batch) for (const id of ex.tokenIds) {
        const t = tokens.get(id);
        if (t) own.push(t);
      }
      audit.updateTokens(own, tokens);
      audit.addAll(batch, tokens);
    }
    JSON.stringify(audit.findings());
  } else if (mode === '--one-shot' || mode === '--previous') {
    const store = new SessionStore({ capacity: 1_000_000, throttleMs: 0 });
    const audit = mode === '--previous' ? new StoreAudit(store) : undefined;
    await importHarStream(store, createReadStream(file));
    const snapshot = store.snapshot();
    const findings = audit ? audit.findings() : auditSession(snapshot);
    JSON.stringify({ cookies: cookiesSeen(snapshot), tokens: snapshot.tokens, findings });
  } else if (mode === '--import-only') {
    // What session-lens audit does, without attaching the audit: the same read, store and report (no findings).
    const { store, refusing } = await readHarForAudit(fileChunksBounded(file, process.cwd(), 512 * 1024 * 1024, file), file, () => undefined);
    auditJson(store.snapshot(), refusing, []);
    store.dispose();
  } else {
    const devNull = new Writable({ write(_chunk, _enc, cb) { cb(); } });
    const code = await runCli(['audit', file, '--format', 'json'], { stdout: devNull, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd() });
    if (code !== 0) throw new Error(`session-lens audit exited with ${code}`);
  }
  const cpu = process.cpuUsage(cpu0);
  // The last GC entries are delivered asynchronously.
  await new Promise((resolve) => setImmediate(resolve));
  observer.disconnect();
  const helper = helperThreadsCpuMs();
  process.stderr.write(`${JSON.stringify({
    ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, userMs: cpu.user / 1000, sysMs: cpu.system / 1000,
    maxRssKiB: process.resourceUsage().maxRSS, gc, helperCpuMs: helper === undefined ? undefined : helper - helper0,
  })}\n`);
}

void main();
