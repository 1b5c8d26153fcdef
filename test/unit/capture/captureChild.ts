import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');

/** Reads JSON lines from a child's stdout until `predicate` matches one. */
export function waitForLine(child: ChildProcess, lines: unknown[], predicate: (l: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const hit = lines.find((l) => predicate(l as Record<string, unknown>));
      if (hit) resolve(hit as Record<string, unknown>);
      return hit !== undefined;
    };
    if (check()) return;
    const onData = (): void => { if (check()) child.stdout?.off('data', onData); };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`capture exited early with ${code}`)));
  });
}

/** A headless capture in a child process, with its JSON lines and stderr collected as they come. */
export interface CaptureChild {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves when stderr contains a match of `pattern`. */
  stderrMatch(pattern: RegExp): Promise<void>;
  readonly exited: Promise<number | null>;
  /** The proxy URL, once listening (proxy captures only). */
  readonly url: Promise<string>;
}

export function spawnCapture(args: string[], bundledCli?: string): CaptureChild {
  // From the sources through tsx, or a bundled CLI (`bundledCli`: a dist/cli.js as it ships).
  const entry = bundledCli ? [bundledCli] : ['--require', 'tsx/cjs', join(ROOT, 'src/cli/main.ts')];
  const child = spawn(process.execPath, [...entry, 'capture', '--json', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    buffered += c.toString();
    let nl;
    while ((nl = buffered.indexOf('\n')) !== -1) {
      lines.push(JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>);
      buffered = buffered.slice(nl + 1);
    }
  });
  child.stderr?.on('data', (c: Buffer) => { stderr += c.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = waitForLine(child, lines, (l) => l.type === 'listening').then((l) => l.url as string);
  // A browser capture never says 'listening': its exit must not be an unhandled rejection.
  url.catch(() => undefined);
  return {
    child, lines, exited,
    stderr: () => stderr,
    stderrMatch: (pattern) => new Promise<void>((resolve, reject) => {
      const check = (): boolean => {
        if (!pattern.test(stderr)) return false;
        child.stderr?.off('data', check);
        resolve();
        return true;
      };
      if (check()) return;
      child.stderr?.on('data', check);
      void exited.then(() => { if (!check()) reject(new Error(`capture exited before stderr matched ${pattern}: ${stderr}`)); });
    }),
    url,
  };
}
