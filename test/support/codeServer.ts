/**
 * Starts the offline VS Code (code-server) with packaged extensions installed, and a Chromium
 * page on its workbench. Shared by the host-test launcher, the UI tests, the demo and the benchmark.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage',
];

interface OfflineVsCode { node: string; entry: string }
interface OfflineModule {
  codeServerCommand(): OfflineVsCode;
  setupEnv(base?: NodeJS.ProcessEnv, options?: { prependPath?: string[]; extra?: Record<string, string> }): Record<string, string>;
}

const offlineModule = (): Promise<OfflineModule> => import(path.join(REPO_ROOT, 'scripts', 'vscode-offline.mjs')) as Promise<OfflineModule>;

/** Installs code-server on first use (cache outside the repo) and returns how to run it. */
export async function offlineVsCode(): Promise<OfflineVsCode> {
  return (await offlineModule()).codeServerCommand();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** The packaged product, built with `npm run package` unless SESSION_LENS_VSIX names one. */
export function productVsix(): string {
  const given = process.env.SESSION_LENS_VSIX;
  if (given) return path.resolve(given);
  const version = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const vsix = path.join(REPO_ROOT, `session-lens-${version}.vsix`);
  const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (r.status !== 0 || !fs.existsSync(vsix)) throw new Error('npm run package failed: cannot test the .vsix');
  return vsix;
}

/** Packages a small extension folder (test helpers) into a .vsix in `outDir`. */
export function packageFolder(folder: string, outDir: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')) as { name: string; version: string };
  const out = path.join(outDir, `${manifest.name}-${manifest.version}.vsix`);
  const vsce = path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce');
  const r = spawnSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out], { cwd: folder, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0 || !fs.existsSync(out)) throw new Error(`could not package ${folder}`);
  return out;
}

export interface CodeServerOptions {
  /** .vsix files to install before starting. */
  readonly vsixes: readonly string[];
  /** Extra environment for code-server and so for its extension host. */
  readonly env?: Record<string, string>;
  /** User settings written before start. */
  readonly settings?: Record<string, unknown>;
  /** Print code-server's output (the demo does; tests keep it in a log file). */
  readonly verbose?: boolean;
  /** Keep the user data dir after stop (for debugging). */
  readonly keep?: boolean;
  readonly port?: number;
}

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  readonly tmpDir: string;
  readonly logFile: string;
  readonly process: ChildProcess;
  /** The workbench URL with `folder` open. */
  workbenchUrl(folder: string): string;
  stop(): Promise<void>;
}

const CLEAN_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'git.openRepositoryInParentFolders': 'never',
  'git.enabled': false,
};

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const vscode = await offlineVsCode();
  // code-server and its extension host get none of an outer npm's variables (npm test, npm run demo).
  const env = (await offlineModule()).setupEnv(process.env, { extra: { ...options.env } });
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-cs-'));
  const userDataDir = path.join(tmpDir, 'user-data');
  const extensionsDir = path.join(tmpDir, 'extensions');
  const configFile = path.join(tmpDir, 'config.yaml');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...CLEAN_SETTINGS, ...options.settings }, null, 2));
  const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  for (const vsix of options.vsixes) {
    const r = spawnSync(vscode.node, [vscode.entry, ...common, '--install-extension', vsix, '--force'], { encoding: 'utf8', env });
    if (r.status !== 0) throw new Error(`code-server could not install ${vsix}: ${r.stderr || r.stdout}`);
  }
  const port = options.port ?? (await freePort());
  const logFile = path.join(tmpDir, 'code-server.log');
  const log = fs.openSync(logFile, 'a');
  const child = spawn(vscode.node, [
    vscode.entry, ...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
  ], {
    env,
    stdio: ['ignore', options.verbose ? 'inherit' : log, options.verbose ? 'inherit' : log],
  });
  fs.closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(url, child, logFile);
  let stopped = false;
  return {
    url, port, tmpDir, logFile, process: child,
    workbenchUrl: (folder) => `${url}/?folder=${encodeURIComponent(path.resolve(folder))}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await killTree(child);
      if (!options.keep) fs.rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}

async function waitForHttp(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}: ${tail(logFile)}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not start within 60 s: ${tail(logFile)}`);
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Ends a process we started and the children it made (file watcher, extension host), by PID. */
export async function killTree(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const pids = descendants(child.pid);
  for (const pid of [child.pid, ...pids]) {
    try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const timeout = new Promise<void>((r) => setTimeout(r, 5000));
  await Promise.race([exited, timeout]);
  for (const pid of [child.pid, ...pids]) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
}

function descendants(pid: number): number[] {
  const r = spawnSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map<number, number[]>();
  for (const line of r.stdout.split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    if (!p) continue;
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) { out.push(c); stack.push(c); }
  }
  return out;
}

export interface WorkbenchPage {
  readonly browser: Browser;
  readonly page: Page;
  close(): Promise<void>;
}

/** Opens the workbench in Debian's Chromium (never a downloaded browser) and waits for it. */
export async function openWorkbench(server: CodeServer, folder: string, viewport = { width: 1400, height: 900 }): Promise<WorkbenchPage> {
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  try {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    // Waits for the load event and the workbench; the long cap only turns a hang into a failure
    // (a first load on a busy 2-core machine took over 30 s).
    await page.goto(server.workbenchUrl(folder), { timeout: 180_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 180_000 });
    return { browser, page, close: () => browser.close() };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
