import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

export const ROOT = join(__dirname, '../../..');
const MAIN = join(ROOT, 'src/cli/main.ts');
const REPORT_RSS = join(__dirname, 'reportMaxRss.cjs');

const SAFETY_KILL_MS = 150_000;
const SAFETY_KILL_RSS = 2 * 1024 * 1024 * 1024;

function residentBytes(pid: number | undefined): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096;
  } catch {
    return 0;
  }
}

/** What a `session-lens` process did. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  /** Peak resident memory of the process in bytes, as it reported when exiting. */
  readonly maxRssBytes: number | undefined;
}

export interface CliProcessOptions {
  /** Standard input: a buffer written then closed, a readable piped in, or nothing (closed at once). */
  readonly stdin?: Buffer | string | Readable;
  /** Bytes of standard output to read before closing the pipe (a reader that goes away, like `head -c N`). */
  readonly closeStdoutAfter?: number;
  readonly cwd?: string;
}

/**
 * Runs the real CLI (`node src/cli/main.ts` through tsx) with real pipes and reports its exit
 * code, output, and peak memory (written on exit by a preloaded hook to a fourth pipe).
 */
export function runCliProcess(args: readonly string[], options: CliProcessOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '--require', REPORT_RSS, MAIN, ...args], {
      cwd: options.cwd ?? ROOT,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, SESSION_LENS_DEBUG: '' },
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    let rss = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      outBytes += chunk.length;
      if (options.closeStdoutAfter !== undefined && outBytes >= options.closeStdoutAfter) child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    (child.stdio[3] as Readable).on('data', (chunk: Buffer) => { rss += chunk.toString(); });
    // The child may exit before reading its input (a usage error): that is not a test failure.
    child.stdin.on('error', () => undefined);
    if (options.stdin === undefined) child.stdin.end();
    else if (typeof options.stdin === 'string' || Buffer.isBuffer(options.stdin)) child.stdin.end(options.stdin);
    else options.stdin.pipe(child.stdin);
    // Safety nets only (the tests assert on exit codes and reported memory): a process that runs
    // away is killed before it takes the machine, and the test then fails on its exit.
    const killAt = setTimeout(() => child.kill('SIGKILL'), SAFETY_KILL_MS);
    const watchMemory = setInterval(() => {
      if (residentBytes(child.pid) > SAFETY_KILL_RSS) child.kill('SIGKILL');
    }, 100);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killAt);
      clearInterval(watchMemory);
      const maxRssBytes = /^\d+$/.test(rss.trim()) ? Number(rss.trim()) * 1024 : undefined;
      resolve({ code, signal, stdout: Buffer.concat(out), stderr, maxRssBytes });
    });
  });
}
