import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Linter } from './engine';
import { IgnoreRules } from './globs';
import { DEFAULT_MAX_FILE_BYTES, type FileLintResult, lintFile } from './lintFile';
import { type FromScanWorker, SCAN_PROTOCOL, type ToScanWorker, serveIfScanWorker } from './scanWorker';
import { buildSymbolTable, type KeptTexts } from './symbols/indexers';
import type { SymbolTable, SymbolTableStats } from './symbols/symbolTable';
import type { LintFinding, LintOptions } from './types';

/** How much text (UTF-16 code units) a one-thread scan keeps from the table's pass for its lint. */
const KEPT_TEXT_BUDGET_CHARS = 32 * 1024 * 1024;

/** Options of a scan: the lint options plus which files and how. */
export interface ScanOptions extends LintOptions {
  /** Globs of files and folders to leave out, relative to `cwd` (e.g. `vendor/**`, `**\/*.min.js`). */
  readonly exclude?: readonly string[];
  /** Honour .gitignore files (default true). */
  readonly gitignore?: boolean;
  /** Worker threads to use; 0 lints in this thread. Default: one per core (at most 8). */
  readonly workers?: number;
  /** Base of relative paths and exclude globs (default process.cwd()). */
  readonly cwd?: string;
  /** Files over this many bytes are skipped and reported (default 2 MiB). */
  readonly maxFileBytes?: number;
  /** Stops the scan; files not yet linted are left out of the result. */
  readonly signal?: AbortSignal;
  /** Called after each file with the number done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** The script a worker loads; defaults to this bundle (or the TypeScript source under tsx). */
  readonly workerEntry?: string;
  /**
   * Resolve constants imported from other files of the scan (default true): the files are indexed
   * first (a text pass, no parse) and every file's lint reads the table.
   */
  readonly crossFile?: boolean;
}

/** A finding with the absolute path of its file. */
export interface ScannedFinding extends LintFinding {
  readonly file: string;
}

/** A file that could not be linted, and why. */
export interface ScanProblem {
  readonly file: string;
  readonly message: string;
}

export interface ScanResult {
  readonly findings: ScannedFinding[];
  readonly problems: ScanProblem[];
  /** Files linted (problems not counted). */
  readonly files: number;
  readonly lines: number;
  /** True when the scan was stopped through `signal`. */
  readonly cancelled: boolean;
  /** The workspace constants the scan indexed: give it to a Linter (`linter.symbols`) so that keystroke re-lints resolve imports too. */
  readonly symbols?: SymbolTable;
  /** What indexing cost. */
  readonly symbolStats?: SymbolTableStats;
  /** Worker threads that answered and linted files (0: every file was linted in this thread). */
  readonly workersUsed: number;
}

/** Folders never worth walking into. */
const ALWAYS_SKIPPED = new Set(['.git', 'node_modules', '.hg', '.svn']);

const toPosix = (p: string): string => p.split(path.sep).join('/');

/**
 * Expands files and folders into the files the engine reads, honouring .gitignore (root and
 * nested) and exclude globs. Files named explicitly are always kept when their language is known.
 */
export async function listFiles(paths: readonly string[], options: ScanOptions = {}): Promise<{ files: string[]; problems: ScanProblem[] }> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const linter = new Linter(options);
  const exclude = new IgnoreRules('', options.exclude ?? []);
  const files: string[] = [];
  const problems: ScanProblem[] = [];
  const seen = new Set<string>();
  const add = (f: string) => {
    if (!seen.has(f)) {
      seen.add(f);
      files.push(f);
    }
  };

  const walk = async (dir: string, rules: IgnoreRules[]): Promise<void> => {
    if (options.signal?.aborted) return;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      problems.push({ file: dir, message: `unreadable folder: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      return;
    }
    let local = rules;
    if (options.gitignore !== false && entries.some((e) => e.name === '.gitignore' && e.isFile())) {
      try {
        const text = await fs.readFile(path.join(dir, '.gitignore'), 'utf8');
        local = [...rules, new IgnoreRules(toPosix(path.relative(cwd, dir)) === '' ? '' : toPosix(path.relative(cwd, dir)), text.split('\n'))];
      } catch {
        // An unreadable .gitignore ignores nothing.
      }
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      const isDir = e.isDirectory();
      if (isDir && ALWAYS_SKIPPED.has(e.name)) continue;
      const rel = toPosix(path.relative(cwd, full));
      if (!rel.startsWith('../') && isIgnored(rel, isDir, exclude, local)) continue;
      if (isDir) await walk(full, local);
      else if (e.isFile() && linter.languageOf(full)) add(full);
    }
  };

  for (const p of paths) {
    const full = path.resolve(cwd, p);
    let st: import('node:fs').Stats;
    try {
      st = await fs.stat(full);
    } catch (err) {
      problems.push({ file: full, message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      continue;
    }
    if (st.isDirectory()) await walk(full, await parentIgnores(cwd, full, options));
    else if (linter.languageOf(full)) add(full);
    else problems.push({ file: full, message: 'skipped: not a language Session Lens reads' });
  }
  return { files, problems };
}

function isIgnored(rel: string, isDir: boolean, exclude: IgnoreRules, rules: readonly IgnoreRules[]): boolean {
  if (exclude.test(rel, isDir)) return true;
  let verdict: boolean | undefined;
  for (const r of rules) {
    const v = r.test(rel, isDir);
    if (v !== undefined) verdict = v;
  }
  return verdict === true;
}

/** .gitignore files between cwd and a folder given on the command line apply to it too. */
async function parentIgnores(cwd: string, dir: string, options: ScanOptions): Promise<IgnoreRules[]> {
  if (options.gitignore === false) return [];
  const rel = path.relative(cwd, dir);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return [];
  const out: IgnoreRules[] = [];
  const parts = rel === '' ? [] : rel.split(path.sep);
  for (let i = 0; i < parts.length; i++) {
    const d = path.join(cwd, ...parts.slice(0, i));
    try {
      const text = await fs.readFile(path.join(d, '.gitignore'), 'utf8');
      out.push(new IgnoreRules(toPosix(path.relative(cwd, d)), text.split('\n')));
    } catch {
      // none here
    }
  }
  return out;
}

/** Lints files and folders: a listing as in listFiles, then linting on worker threads. */
export async function scanFiles(paths: readonly string[], options: ScanOptions = {}): Promise<ScanResult> {
  const { files, problems } = await listFiles(paths, options);
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const cwd = options.cwd ?? process.cwd();
  const wanted = options.workers ?? Math.min(8, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
  // Starting a worker and loading grammars costs tens of milliseconds: small scans stay in this thread.
  const workers = files.length >= 24 ? Math.min(wanted, Math.ceil(files.length / 12)) : 0;
  // Linted in this thread, a file the table's pass read is not read again (workers read their own).
  const kept: KeptTexts | undefined = workers === 0 ? { texts: new Map(), budgetChars: KEPT_TEXT_BUDGET_CHARS } : undefined;
  const index = options.crossFile === false || files.length === 0
    ? undefined
    : buildSymbolTable(files, [...new Set([cwd, ...paths.map((p) => path.resolve(cwd, p))])], maxBytes, kept);
  const results = new Array<FileLintResult | undefined>(files.length);
  let done = 0;
  const progress = () => options.onProgress?.(++done, files.length);
  let workersUsed = 0;
  if (workers > 0) {
    try {
      workersUsed = await runWorkers(files, results, workers, options, progress, index?.table);
    } catch (err) {
      // Workers could not start here (an editor bundle, a locked-down runtime): lint in this thread.
      if (process.env.SESSION_LENS_DEBUG) console.error(`session-lens: worker threads unavailable, linting in one thread: ${String(err)}`);
    }
  }
  const linter = new Linter(options);
  linter.symbols = index?.table;
  try {
    for (let i = 0; i < files.length; i++) {
      if (results[i] || options.signal?.aborted) continue;
      const text = kept?.texts.get(files[i]);
      kept?.texts.delete(files[i]);
      results[i] = await lintFile(linter, files[i], maxBytes, text);
      progress();
    }
  } finally {
    // What the parsers hold in wasm memory would otherwise stay for the life of the process (the extension's scans).
    linter.dispose();
  }
  const findings: ScannedFinding[] = [];
  let lines = 0;
  let linted = 0;
  files.forEach((file, i) => {
    const r = results[i];
    if (!r) return;
    if (r.problem) problems.push({ file, message: r.problem });
    else linted++;
    lines += r.lines;
    // Built field by field: a spread per finding costs more than the rest of this loop.
    for (const f of r.findings) findings.push(scannedFinding(f, file));
  });
  return {
    findings, problems, files: linted, lines, cancelled: options.signal?.aborted ?? false, workersUsed,
    ...(index ? { symbols: index.table, symbolStats: index.stats } : {}),
  };
}

function scannedFinding(f: LintFinding, file: string): ScannedFinding {
  const out: { -readonly [K in keyof ScannedFinding]: ScannedFinding[K] } = { ruleId: f.ruleId, severity: f.severity, message: f.message, range: f.range, file };
  if (f.fix) out.fix = f.fix;
  if (f.omitted !== undefined) out.omitted = f.omitted;
  return out;
}

function defaultWorkerEntry(): { entry: string; preload?: string } {
  if (__filename.endsWith('.ts')) {
    return { entry: __filename, preload: require.resolve('tsx/cjs') };
  }
  return { entry: __filename };
}

/**
 * Hands files to workers one at a time (a few in flight each) so fast and slow files balance out.
 * Resolves with the number of workers that answered the handshake.
 */
function runWorkers(
  files: readonly string[], results: (FileLintResult | undefined)[], count: number, options: ScanOptions, progress: () => void, symbols: SymbolTable | undefined,
): Promise<number> {
  const symbolData = symbols?.toData();
  const { entry, preload } = options.workerEntry ? { entry: options.workerEntry, preload: undefined } : defaultWorkerEntry();
  const lintOptions: LintOptions = {
    ...(options.rules ? { rules: options.rules } : {}),
    ...(options.maxSessionCookieLifetimeDays !== undefined ? { maxSessionCookieLifetimeDays: options.maxSessionCookieLifetimeDays } : {}),
    ...(options.maxSessionIdleTimeoutMinutes !== undefined ? { maxSessionIdleTimeoutMinutes: options.maxSessionIdleTimeoutMinutes } : {}),
    ...(options.grammarDir !== undefined ? { grammarDir: options.grammarDir } : {}),
    ...(options.languages ? { languages: options.languages } : {}),
    ...(options.maxFindingsPerRule !== undefined ? { maxFindingsPerRule: options.maxFindingsPerRule } : {}),
  };
  // An eval'd loader keeps require.main unset, so a bundled CLI entry does not run its own main().
  const code = `${preload ? `require(${JSON.stringify(preload)});` : ''}require(${JSON.stringify(entry)});`;
  return new Promise((resolve, reject) => {
    let next = 0;
    let open = count;
    let started = 0;
    const workers: Worker[] = [];
    const finish = () => {
      for (const w of workers) void w.terminate();
      resolve(started);
    };
    // Batches of a few files keep message overhead low while still balancing slow and fast files.
    const batch = Math.max(1, Math.min(16, Math.floor(files.length / (count * 8))));
    const feed = (w: Worker) => {
      if (options.signal?.aborted || next >= files.length) return false;
      const ids: number[] = [];
      while (ids.length < batch && next < files.length) ids.push(next++);
      w.postMessage({ type: 'files', ids, files: ids.map((i) => files[i]) } satisfies ToScanWorker);
      return true;
    };
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      for (const x of workers) void x.terminate();
      reject(err);
    };
    const done = () => {
      if (settled) return;
      settled = true;
      finish();
    };
    for (let i = 0; i < count; i++) {
      const w = new Worker(code, { eval: true, workerData: { sessionLensScanWorker: true } });
      workers.push(w);
      let inFlight = 0;
      let gone = false;
      const leave = () => {
        if (gone) return;
        gone = true;
        void w.terminate();
        if (--open > 0) return;
        if (started) done();
        else fail(new Error('scan workers did not start'));
      };
      // A worker that does not answer the handshake (a stale or foreign entry script) is dropped.
      const handshake = setTimeout(leave, 15000);
      w.on('message', (msg: FromScanWorker) => {
        if (msg.type === 'ready') {
          clearTimeout(handshake);
          if (msg.protocol !== SCAN_PROTOCOL) {
            leave();
            return;
          }
          started++;
          for (let k = 0; k < 2; k++) if (feed(w)) inFlight++;
          if (inFlight === 0) leave();
          return;
        }
        if (msg.type !== 'results') return;
        msg.ids.forEach((id, k) => {
          results[id] = msg.results[k];
          progress();
        });
        inFlight--;
        if (feed(w)) inFlight++;
        if (inFlight === 0) leave();
      });
      // A worker that dies, or ends without serving (an entry that never starts the worker loop),
      // leaves its files to the in-thread pass at once rather than at the handshake's timeout.
      w.on('error', () => {
        clearTimeout(handshake);
        leave();
      });
      w.on('exit', () => {
        clearTimeout(handshake);
        leave();
      });
      w.postMessage({ type: 'init', options: lintOptions, maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, ...(symbolData ? { symbols: symbolData } : {}) } satisfies ToScanWorker);
    }
  });
}

serveIfScanWorker();
