import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { runCli } from '../../../src/cli/main';
import { type SessionSnapshot, exportHar, startCaptureProxy } from '../../../src/core/capture';
import { CookieClient } from '../capture/httpClient';

/** A session captured through the real proxy and exported, unredacted, as a HAR file (mode 0600, in a private folder). */
export interface CapturedHar {
  readonly file: string;
  readonly snapshot: SessionSnapshot;
  /** When the last captured exchange ended (epoch ms). */
  readonly lastEndedAt: number;
  remove(): void;
}

/** Drives `script` through a capture proxy in front of `target` and writes what it captured as a HAR. */
export async function captureHar(target: string, script: (browser: CookieClient) => Promise<void>): Promise<CapturedHar> {
  const proxy = await startCaptureProxy({ target });
  try {
    const browser = new CookieClient(proxy.url, () => proxy.recorded());
    await script(browser);
    await proxy.recorded();
    const snapshot = proxy.store.snapshot();
    const dir = mkdtempSync(join(tmpdir(), 'session-lens-probe-'));
    const file = join(dir, 'session.har');
    // Session tokens are secrets: the test's HAR is readable by its owner only, and removed after.
    writeFileSync(file, JSON.stringify(exportHar(snapshot, { redact: false })), { mode: 0o600 });
    const lastEndedAt = Math.max(...snapshot.exchanges.map((e) => e.endedAt ?? e.startedAt));
    return { file, snapshot, lastEndedAt, remove: () => rmSync(dir, { recursive: true, force: true }) };
  } finally {
    await proxy.close();
  }
}

/** What `session-lens probe … --format json` printed. */
export interface ProbeJson {
  readonly probe: string;
  readonly verdict: 'confirmed' | 'refuted' | 'inconclusive';
  readonly ruleId: string;
  readonly reason: string;
  readonly requests: readonly { readonly method: string; readonly url: string; readonly status: number | null }[];
  /** The finding's evidence, when it needs more than one exchange. */
  readonly evidence?: readonly { readonly label: string; readonly exchangeId?: number; readonly method: string; readonly url: string; readonly status: number | null }[];
}

/** Runs the CLI in this process with its own streams (standard input empty, not a terminal). */
export async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) => new Writable({ write(chunk, _enc, cb) { append(String(chunk)); cb(); } });
  const code = await runCli(args, { stdout: sink((s) => { stdout += s; }), stderr: sink((s) => { stderr += s; }), stdin: Readable.from([]), cwd: process.cwd() });
  return { code, stdout, stderr };
}

/** `session-lens probe KIND --har FILE --target URL --yes --format json`, which must exit 0. */
export async function probeJson(kind: string, har: CapturedHar, target: string): Promise<ProbeJson> {
  const { code, stdout, stderr } = await cli(['probe', kind, '--har', har.file, '--target', target, '--yes', '--format', 'json']);
  if (code !== 0) throw new Error(`probe ${kind} exited ${code}: ${stderr}`);
  return JSON.parse(stdout) as ProbeJson;
}

/** Resolves once the clock has passed `epochMs`: what a test of expiry waits for. */
export function clockPasses(epochMs: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      const left = epochMs - Date.now();
      if (left < 0) resolve();
      else setTimeout(check, left + 1);
    };
    check();
  });
}
