/**
 * Child process of bench/audit/run.ts and bench/har/run.ts: `session-lens audit <har> --format json`
 * (output dropped), or one of the paths it is compared with:
 *   --import-only  the same streaming import into the same store, no audit (what the audit adds is the difference)
 *   --previous     the previous CLI path: every exchange and its body previews held, the incremental
 *                  audit analysing the JWTs after every batch, a 64 MiB order window
 *   --one-shot     the path before the incremental audit: import, then one whole-session audit
 * Prints its wall time, CPU time (user + system) and peak RSS as JSON on stderr.
 */
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { auditSession } from '../../src/core/audit/auditSession';
import { StoreAudit } from '../../src/core/audit/storeAudit';
import { SessionStore } from '../../src/core/session/sessionStore';
import { cookiesSeen } from '../../src/core/session/cookiesSeen';
import { importHarStream } from '../../src/core/capture/harStream';
import { runCli } from '../../src/cli/main';
import { fileChunksBounded } from '../../src/cli/boundedRead';

async function main(): Promise<void> {
  const [file, mode] = process.argv.slice(2);
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  if (mode === '--one-shot' || mode === '--previous') {
    const store = new SessionStore({ capacity: 1_000_000, throttleMs: 0 });
    const audit = mode === '--previous' ? new StoreAudit(store) : undefined;
    await importHarStream(store, createReadStream(file));
    const snapshot = store.snapshot();
    const findings = audit ? audit.findings() : auditSession(snapshot);
    JSON.stringify({ cookies: cookiesSeen(snapshot), tokens: snapshot.tokens, findings });
  } else if (mode === '--import-only') {
    const store = new SessionStore({ capacity: 500, throttleMs: 0, retainedPreviewBytes: 0 });
    // A listener, as the audit's store has one: the store then records its change feed.
    store.onDidChange(() => undefined);
    // Read as session-lens audit reads it (1 MiB chunks).
    await importHarStream(store, fileChunksBounded(file, process.cwd(), 512 * 1024 * 1024, file), { orderWindowBytes: 16 * 1024 * 1024, orderWindowEntries: 1000 });
    const snapshot = store.snapshot();
    JSON.stringify({ cookies: cookiesSeen(snapshot), tokens: snapshot.tokens });
  } else {
    const devNull = new Writable({ write(_chunk, _enc, cb) { cb(); } });
    const code = await runCli(['audit', file, '--format', 'json'], { stdout: devNull, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd() });
    if (code !== 0) throw new Error(`session-lens audit exited with ${code}`);
  }
  const cpu = process.cpuUsage(cpu0);
  process.stderr.write(`${JSON.stringify({ ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
}

void main();
