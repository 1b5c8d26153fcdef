import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A browser the test started itself, with its debugging port on loopback. */
export interface DebuggableBrowser {
  readonly port: number;
  readonly child: ChildProcess;
  /** Kills the browser's process group and deletes its profile. */
  close(): Promise<void>;
}

/**
 * Starts Chrome/Chromium (`executable`) headless with a throwaway profile and
 * `--remote-debugging-port=0`, as a user would start one for Attach to Browser, and resolves
 * with the port it prints once it listens.
 */
export async function startDebuggableBrowser(executable: string): Promise<DebuggableBrowser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-test-browser-'));
  const child = spawn(executable, [
    `--user-data-dir=${profile}`, '--remote-debugging-port=0', '--headless=new', '--no-first-run',
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stderr!.on('data', (c: Buffer) => {
      text += c.toString();
      const m = /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(text);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`browser exited with ${code}: ${text}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port, child,
    close: async () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await exited;
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
