/**
 * Child process of bench/audit/run.ts: `session-lens audit <har> --format json` (output dropped),
 * or with `--one-shot` the same import followed by one whole-session audit (the CLI's previous
 * path). Prints its wall time and peak RSS as JSON on stderr.
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { auditSession } from '../../src/core/audit/auditSession';
import { SessionStore } from '../../src/core/session/sessionStore';
import { importHar } from '../../src/core/capture/harImport';
import { runCli } from '../../src/cli/main';

async function main(): Promise<void> {
  const [file, mode] = process.argv.slice(2);
  const started = performance.now();
  if (mode === '--one-shot') {
    const store = new SessionStore({ capacity: 1_000_000, throttleMs: 0 });
    importHar(store, readFileSync(file, 'utf8'));
    const findings = auditSession(store.snapshot());
    JSON.stringify({ cookies: store.getCookies(), tokens: store.getTokens(), findings });
  } else {
    const devNull = new Writable({ write(_chunk, _enc, cb) { cb(); } });
    const code = await runCli(['audit', file, '--format', 'json'], { stdout: devNull, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd() });
    if (code !== 0) throw new Error(`session-lens audit exited with ${code}`);
  }
  process.stderr.write(`${JSON.stringify({ ms: performance.now() - started, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
}

void main();
