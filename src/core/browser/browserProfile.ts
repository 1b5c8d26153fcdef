import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Name prefix of the throwaway profile folders (one per launched browser). */
const PREFIX = 'session-lens-browser-';
/** File in a profile folder naming the process that owns it, so a later start can tell it is stale. */
const OWNER_FILE = 'session-lens-owner';

/**
 * Where throwaway profiles go: the memory-backed /dev/shm where there is one (the browser keeps
 * the session's cookies in its profile, and they should never reach a disk), else the temp folder.
 */
export function profileRoot(): string {
  try {
    if (process.platform === 'linux' && statSync('/dev/shm').isDirectory()) return '/dev/shm';
  } catch {
    // No /dev/shm: the temp folder.
  }
  return tmpdir();
}

/** A throwaway browser profile folder, owned by this process. */
export interface ThrowawayProfile {
  readonly dir: string;
  /** Notes the browser using the profile, so that a later start can stop it if this process dies first. */
  setBrowserPid(pid: number): void;
  /** Deletes the folder and everything the browser wrote into it. Never throws. */
  remove(): void;
}

/** Creates a throwaway profile folder (mode 0700) under `root`, marked with this process id. */
export function createThrowawayProfile(root: string = profileRoot()): ThrowawayProfile {
  const dir = mkdtempSync(join(root, PREFIX));
  writeFileSync(join(dir, OWNER_FILE), String(process.pid), { mode: 0o600 });
  return {
    dir,
    remove: () => removeProfile(dir),
    setBrowserPid: (pid) => writeFileSync(join(dir, OWNER_FILE), `${process.pid}\n${pid}`, { mode: 0o600 }),
  };
}

function removeProfile(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
  } catch {
    // A file the browser still holds open: the next start cleans it up.
  }
}

/**
 * Stops the browser a dead process left running on its throwaway profile: only when the process
 * with that id is a browser started on this very profile folder (its command line names it), so
 * a reused process id is never touched. Linux only (/proc); elsewhere the browser is left alone.
 */
function stopOrphanBrowser(pid: number, dir: string): void {
  if (!Number.isInteger(pid) || pid <= 0) return;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!cmdline.includes(`--user-data-dir=${dir}\u0000`)) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
}

function youngerThan(dir: string, ms: number): boolean {
  try {
    return Date.now() - statSync(dir).mtimeMs < ms;
  } catch {
    return false;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Deletes throwaway profiles left behind by a process that is gone (an extension host or a CLI
 * that crashed or was killed before it could clean up). Profiles of running processes are kept.
 * Returns the folders removed.
 */
export function removeStaleProfiles(root: string = profileRoot()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => n.startsWith(PREFIX));
  } catch {
    return removed;
  }
  for (const name of names) {
    const dir = join(root, name);
    let owner: number;
    let browser = Number.NaN;
    try {
      const [ownerText, browserText] = readFileSync(join(dir, OWNER_FILE), 'utf8').split('\n');
      owner = Number(ownerText);
      browser = Number(browserText);
    } catch {
      owner = Number.NaN;
    }
    if (owner === process.pid || (Number.isInteger(owner) && owner > 0 && isRunning(owner))) continue;
    // No owner yet: another process may be creating it right now.
    if (Number.isNaN(owner) && youngerThan(dir, 60_000)) continue;
    stopOrphanBrowser(browser, dir);
    removeProfile(dir);
    removed.push(dir);
  }
  return removed;
}
