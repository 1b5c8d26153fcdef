import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type ThrowawayProfile, createThrowawayProfile, removeStaleProfiles } from './browserProfile';

/** A browser could not be found or started: the message is one line for the user. */
export class BrowserLaunchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrowserLaunchError';
  }
}

/** Names of Chromium-based browsers on the PATH (Linux and macOS command names), in order of preference. */
const PATH_NAMES = ['google-chrome', 'google-chrome-stable', 'chromium', 'chromium-browser', 'microsoft-edge', 'microsoft-edge-stable', 'chrome', 'msedge'];

/** Where Chrome, Edge and Chromium install themselves on macOS and Windows. */
function wellKnownPaths(): string[] {
  if (process.platform === 'darwin') {
    return [
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
    ];
  }
  if (process.platform === 'win32') {
    const roots = [process.env.PROGRAMFILES, process.env['PROGRAMFILES(X86)'], process.env.LOCALAPPDATA].filter((r): r is string => !!r);
    return roots.flatMap((r) => [join(r, 'Google/Chrome/Application/chrome.exe'), join(r, 'Microsoft/Edge/Application/msedge.exe'), join(r, 'Chromium/Application/chrome.exe')]);
  }
  return [];
}

function executable(path: string): boolean {
  try {
    accessSync(path, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first Chrome, Edge or Chromium found on this machine (PATH, then the usual install folders); undefined when none. */
export function findBrowser(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  const suffixes = process.platform === 'win32' ? ['.exe', ''] : [''];
  for (const name of PATH_NAMES) {
    for (const dir of dirs) {
      for (const suffix of suffixes) {
        const candidate = join(dir, name + suffix);
        if (executable(candidate)) return candidate;
      }
    }
  }
  return wellKnownPaths().find(executable);
}

/** Options of `launchBrowser`. */
export interface LaunchBrowserOptions {
  /** The browser executable (default: `findBrowser()`). */
  readonly executablePath?: string;
  /** The first page to open. */
  readonly url: string;
  readonly headless?: boolean;
  /** Milliseconds to wait for the browser to open its debugging port (default 30 s). */
  readonly startTimeoutMs?: number;
}

/** A browser started for capture, with its throwaway profile. */
export interface LaunchedBrowser {
  /** The browser-level DevTools WebSocket URL (on 127.0.0.1). */
  readonly wsEndpoint: string;
  readonly pid: number;
  readonly executablePath: string;
  readonly profileDir: string;
  /** Resolves when the browser process has exited (closed by the user, crashed or stopped) and its profile is deleted. */
  readonly exited: Promise<void>;
  /** Stops the browser (its whole process group) and deletes the profile. Resolves once it has exited. */
  close(): Promise<void>;
  /** Kills the browser at once and deletes its profile synchronously (a process about to exit). */
  killSync(): void;
}

/** Chrome's line on stderr once the debugging port is open. */
const LISTENING = /DevTools listening on (ws:\/\/\S+)/;

/**
 * Starts a Chromium-based browser with a throwaway profile and its DevTools port on loopback
 * (`--remote-debugging-port=0`: the browser picks a free port and prints it), opening `url`.
 * Profiles left by a crashed earlier run are deleted first. The profile is deleted when the
 * browser exits, however it exits.
 */
export async function launchBrowser(options: LaunchBrowserOptions): Promise<LaunchedBrowser> {
  const executablePath = options.executablePath ?? findBrowser();
  if (!executablePath) throw new BrowserLaunchError('no Chrome, Edge or Chromium found on this machine: install one, or name its executable (--browser PATH, sessionLens.browser.executable)');
  if (!executable(executablePath)) throw new BrowserLaunchError(`cannot run the browser ${executablePath}: no such executable file`);
  removeStaleProfiles();
  const profile = createThrowawayProfile();
  const args = [
    `--user-data-dir=${profile.dir}`,
    // Loopback only: the debugging port gives full control of the browser.
    '--remote-debugging-address=127.0.0.1',
    '--remote-debugging-port=0',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-sync',
    '--password-store=basic',
    '--use-mock-keychain',
    ...(options.headless ? ['--headless=new', '--hide-scrollbars', '--mute-audio'] : []),
    // Chrome refuses to start as root with its sandbox (containers, CI).
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    options.url,
  ];
  let child: ChildProcess;
  try {
    // Its own process group: stopping it also stops the renderers and helpers it started.
    child = spawn(executablePath, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: process.platform !== 'win32' });
  } catch (err) {
    profile.remove();
    throw new BrowserLaunchError(`cannot start the browser ${executablePath}: ${(err as Error).message}`);
  }
  if (child.pid !== undefined) profile.setBrowserPid(child.pid);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      // Helpers the browser left behind (its process group) would keep the profile busy.
      if (process.platform !== 'win32' && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // None left.
        }
      }
      resolve();
    });
    child.once('error', () => resolve());
  }).then(() => profile.remove());
  try {
    const wsEndpoint = await debuggingEndpoint(child, options.startTimeoutMs ?? 30_000, executablePath);
    return {
      wsEndpoint, pid: child.pid!, executablePath, profileDir: profile.dir, exited,
      close: () => stop(child, exited),
      killSync: () => {
        try {
          if (process.platform === 'win32') child.kill('SIGKILL');
          else process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // Already gone.
        }
        profile.remove();
      },
    };
  } catch (err) {
    await stop(child, exited);
    throw err;
  }
}

/** Waits for the browser's "DevTools listening on ws://..." line; fails when it exits first or never says it. */
function debuggingEndpoint(child: ChildProcess, timeoutMs: number, executablePath: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let text = '';
    const done = (err: Error | undefined, url?: string): void => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      // Keep draining stderr (a full pipe would block the browser).
      child.stderr?.resume();
      if (err) reject(err);
      else resolve(url!);
    };
    const onData = (chunk: Buffer): void => {
      text = (text + chunk.toString('utf8')).slice(-16384);
      const m = LISTENING.exec(text);
      if (m) done(undefined, m[1]);
    };
    const lastLine = (): string => text.trim().split('\n').filter((l) => !/dbus|Fontconfig/i.test(l)).at(-1) ?? '';
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      done(new BrowserLaunchError(`the browser ${executablePath} exited (${signal ?? `code ${code}`}) before opening its debugging port${lastLine() ? `: ${lastLine()}` : ''}`));
    };
    const onError = (err: Error): void => done(new BrowserLaunchError(`cannot start the browser ${executablePath}: ${err.message}`));
    // A safety net for a browser that hangs at start; the wait itself is on its output.
    const timer = setTimeout(() => done(new BrowserLaunchError(`the browser ${executablePath} did not open its debugging port within ${timeoutMs / 1000} s`)), timeoutMs);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

/** SIGTERM to the browser's process group, SIGKILL if it is still there after 5 s; resolves once it exited and its profile is gone. */
async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    const signal = (s: NodeJS.Signals): void => {
      try {
        if (process.platform === 'win32') child.kill(s);
        else process.kill(-child.pid!, s);
      } catch {
        // Already gone.
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  await exited;
}

export type { ThrowawayProfile };
