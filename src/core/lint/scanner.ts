import * as fsSync from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Linter, PIECEWISE, type SegmentResult, type SegmentWorkers, piecewise } from './engine';
import { IgnoreRules } from './globs';
import { DEFAULT_MAX_FILE_BYTES, type FileLintResult, lintFile } from './lintFile';
import { type FromScanWorker, SCAN_PROTOCOL, type ToScanWorker, serveIfScanWorker } from './scanWorker';
import { buildSymbolTable, type KeptTexts } from './symbols/indexers';
import type { SymbolTable, SymbolTableStats } from './symbols/symbolTable';
import type { LintFinding, LintLanguage, LintOptions } from './types';

/** How much text (UTF-16 code units) a one-thread scan keeps from the table's pass for its lint. */
const KEPT_TEXT_BUDGET_CHARS = 32 * 1024 * 1024;

/** Options of a scan: the lint options plus which files and how. */
export interface ScanOptions extends LintOptions {
  /** Globs of files and folders to leave out, relative to `cwd` (e.g. `vendor/**`, `**\/*.min.js`). */
  readonly exclude?: readonly string[];
  /** Honour .gitignore files (default true). */
  readonly gitignore?: boolean;
  /**
   * Worker threads to use; 0 lints in this thread. Default: one per core (at most 8). A scan of
   * fewer than 24 files lints them in this thread, but a JavaScript/TypeScript file from 1 M
   * characters among them is cut into segments linted on this many workers (default: one per
   * core less two, from 4 cores) besides this thread.
   */
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
  const linter = new Linter(options);
  // Linted in this thread, a large JavaScript/TypeScript file is cut into segments for workers too:
  // they start now, so that their start overlaps the reading and indexing below.
  const segmentPool = workers === 0 ? segmentWorkersFor(files, linter, maxBytes, options, wanted) : undefined;
  linter.parallel = segmentPool;
  // Linted in this thread, a file the table's pass read is not read again (workers read their own).
  const kept: KeptTexts | undefined = workers === 0 ? { texts: new Map(), budgetChars: KEPT_TEXT_BUDGET_CHARS } : undefined;
  let index: ReturnType<typeof buildSymbolTable> | undefined;
  try {
    index = options.crossFile === false || files.length === 0
      ? undefined
      : buildSymbolTable(files, [...new Set([cwd, ...paths.map((p) => path.resolve(cwd, p))])], maxBytes, kept);
  } catch (err) {
    // Running workers would keep the process alive after the error.
    segmentPool?.close();
    throw err;
  }
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
  linter.symbols = index?.table;
  if (segmentPool) segmentPool.symbols = index?.table;
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
    segmentPool?.close();
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

/**
 * Workers for the segments of the largest JavaScript/TypeScript file linted in this thread, when
 * one is large enough (`piecewise.parallelMinLength`) for a worker's start to pay: one fewer than
 * `wanted` (this thread lints a segment too), or `options.workers` when given, and no more than
 * the file has segments of `piecewise.parallelMinSegment`.
 */
function segmentWorkersFor(files: readonly string[], linter: Linter, maxBytes: number, options: ScanOptions, wanted: number): SegmentWorkerPool | undefined {
  // By default from 4 cores, one worker per core less two: on 2 cores a worker beside this thread
  // measured no gain in wall time (2 MB bundle, cold CLI: 1.90 s against 1.93 s) for 35 % more CPU,
  // since V8's own GC and compiler threads already keep the second core busy.
  const available = options.workers ?? (wanted >= 4 ? wanted - 2 : 0);
  if (available < 1) return undefined;
  let largest = 0;
  const languages = new Set<LintLanguage>();
  for (const file of files) {
    const language = linter.languageOf(file);
    if (!language || !PIECEWISE.has(language)) continue;
    let size: number;
    try {
      size = fsSync.statSync(file).size;
    } catch {
      continue;
    }
    if (size < piecewise.parallelMinLength || size > maxBytes) continue;
    languages.add(language);
    largest = Math.max(largest, size);
  }
  const count = Math.min(available, Math.floor(largest / piecewise.parallelMinSegment) - 1);
  if (count < 1) return undefined;
  try {
    return new SegmentWorkerPool(count, options, [...languages]);
  } catch (err) {
    // Workers cannot start here (a locked-down runtime): the file is linted in this thread alone.
    if (process.env.SESSION_LENS_DEBUG) console.error(`session-lens: worker threads unavailable, linting in one thread: ${String(err)}`);
    return undefined;
  }
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

/** The lint options a worker is started with: the scan's, without what cannot cross threads (signal, callbacks). */
function workerLintOptions(options: ScanOptions): LintOptions {
  return {
    ...(options.rules ? { rules: options.rules } : {}),
    ...(options.maxSessionCookieLifetimeDays !== undefined ? { maxSessionCookieLifetimeDays: options.maxSessionCookieLifetimeDays } : {}),
    ...(options.maxSessionIdleTimeoutMinutes !== undefined ? { maxSessionIdleTimeoutMinutes: options.maxSessionIdleTimeoutMinutes } : {}),
    ...(options.grammarDir !== undefined ? { grammarDir: options.grammarDir } : {}),
    ...(options.languages ? { languages: options.languages } : {}),
    ...(options.maxFindingsPerRule !== undefined ? { maxFindingsPerRule: options.maxFindingsPerRule } : {}),
  };
}

/** A scan worker being started: `ready` settles true at its handshake, false when it did not answer as one (or died first). */
interface StartedWorker {
  readonly worker: Worker;
  readonly ready: Promise<boolean>;
}

/** Starts one scan worker (the scan's entry script) and sends it `init`. */
function startScanWorker(options: ScanOptions, init: Extract<ToScanWorker, { type: 'init' }>): StartedWorker {
  const { entry, preload } = options.workerEntry ? { entry: options.workerEntry, preload: undefined } : defaultWorkerEntry();
  // An eval'd loader keeps require.main unset, so a bundled CLI entry does not run its own main().
  const code = `${preload ? `require(${JSON.stringify(preload)});` : ''}require(${JSON.stringify(entry)});`;
  const worker = new Worker(code, { eval: true, workerData: { sessionLensScanWorker: true } });
  const ready = new Promise<boolean>((resolve) => {
    // A worker that does not answer the handshake (a stale or foreign entry script) is dropped. The
    // answer may be waiting behind this thread's own work (a segment's lint): it is read first.
    const handshake = setTimeout(() => setImmediate(() => answer(false)), 15000);
    const answer = (ok: boolean) => {
      clearTimeout(handshake);
      worker.off('message', onMessage);
      resolve(ok);
    };
    const onMessage = (msg: FromScanWorker) => {
      if (msg.type === 'ready') answer(msg.protocol === SCAN_PROTOCOL);
    };
    worker.on('message', onMessage);
    // A worker that dies, or ends without serving (an entry that never starts the worker loop), answers at once.
    worker.on('error', () => answer(false));
    worker.on('exit', () => answer(false));
  });
  worker.postMessage(init);
  return { worker, ready };
}

/**
 * Hands files to workers one at a time (a few in flight each) so fast and slow files balance out.
 * Resolves with the number of workers that answered the handshake.
 */
function runWorkers(
  files: readonly string[], results: (FileLintResult | undefined)[], count: number, options: ScanOptions, progress: () => void, symbols: SymbolTable | undefined,
): Promise<number> {
  const symbolData = symbols?.toData();
  const init = { type: 'init', options: workerLintOptions(options), maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, ...(symbolData ? { symbols: symbolData } : {}) } as const;
  return new Promise((resolve, reject) => {
    let next = 0;
    let open = count;
    let started = 0;
    const workers: Worker[] = [];
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
    const done = () => {
      if (settled) return;
      settled = true;
      for (const w of workers) void w.terminate();
      if (started) resolve(started);
      else reject(new Error('scan workers did not start'));
    };
    for (let i = 0; i < count; i++) {
      const { worker: w, ready } = startScanWorker(options, init);
      workers.push(w);
      let inFlight = 0;
      let gone = false;
      const leave = () => {
        if (gone) return;
        gone = true;
        void w.terminate();
        if (--open === 0) done();
      };
      void ready.then((ok) => {
        if (!ok || gone) {
          leave();
          return;
        }
        started++;
        for (let k = 0; k < 2; k++) if (feed(w)) inFlight++;
        if (inFlight === 0) leave();
      });
      w.on('message', (msg: FromScanWorker) => {
        if (msg.type !== 'results') return;
        msg.ids.forEach((id, k) => {
          results[id] = msg.results[k];
          progress();
        });
        inFlight--;
        if (feed(w)) inFlight++;
        if (inFlight === 0) leave();
      });
      // A worker that dies leaves its files to the in-thread pass at once.
      w.on('error', leave);
      w.on('exit', leave);
    }
  });
}

/**
 * Scan workers that lint segments of a large file for the scan's own thread (Linter.parallel),
 * started before the scan reads and indexes so that their start overlaps it. `close` ends them.
 */
class SegmentWorkerPool implements SegmentWorkers {
  private readonly started: StartedWorker[];
  private readonly idle: StartedWorker[] = [];
  private readonly waiting: ((w: StartedWorker | undefined) => void)[] = [];
  private nextId = 0;
  private closed = false;
  /** The scan's table, sent with each segment (the workers start before it is built). */
  symbols: SymbolTable | undefined;

  constructor(readonly workers: number, options: ScanOptions, languages: readonly LintLanguage[]) {
    const init = { type: 'init', options: workerLintOptions(options), maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, warm: languages } as const;
    this.started = Array.from({ length: workers }, () => startScanWorker(options, init));
    this.idle.push(...this.started);
  }

  async lintSegment(text: string, from: number, to: number, filePath: string | undefined, language: LintLanguage): Promise<SegmentResult | undefined> {
    const w = this.idle.pop() ?? await new Promise<StartedWorker | undefined>((resolve) => this.waiting.push(resolve));
    if (!w || this.closed) return undefined;
    const id = this.nextId++;
    try {
      return await new Promise<SegmentResult | undefined>((resolve) => {
        const onMessage = (msg: FromScanWorker) => {
          if (msg.type === 'segment' && msg.id === id) end(msg.result);
        };
        const onGone = () => end(undefined);
        const end = (result: SegmentResult | undefined) => {
          w.worker.off('message', onMessage);
          w.worker.off('error', onGone);
          w.worker.off('exit', onGone);
          resolve(result);
        };
        w.worker.on('message', onMessage);
        w.worker.on('error', onGone);
        w.worker.on('exit', onGone);
        // Sent at once, not after the handshake: the worker reads it after `init`, while this
        // thread lints its own segment (and so reads no message until it is done).
        const symbols = this.symbols?.toData();
        w.worker.postMessage({ type: 'segment', id, text, from, to, language, ...(filePath !== undefined ? { filePath } : {}), ...(symbols ? { symbols } : {}) } satisfies ToScanWorker);
        void w.ready.then((ok) => {
          if (!ok) onGone();
        });
      });
    } finally {
      const next = this.waiting.shift();
      if (next) next(w);
      else this.idle.push(w);
    }
  }

  /** Ends the workers; segments asked for later are linted by the caller. */
  close(): void {
    this.closed = true;
    for (const resolve of this.waiting.splice(0)) resolve(undefined);
    for (const w of this.started) void w.worker.terminate();
  }
}

serveIfScanWorker();
