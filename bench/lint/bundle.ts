/**
 * bench/lint/bundle: one-line minified bundles dense with session()/res.cookie calls (issue #11
 * item 16). Prints `session-lens scan bundle.min.js` on the 2 MB bundle as a user runs it (the
 * bundled CLI in a fresh process, output read through a pipe): wall time and the process's own CPU
 * time (all threads), with the default per-rule cap and with every finding listed; then the
 * in-process lint of 0.5, 1 and 2 MB bundles (CPU per MB stays flat when the lint is linear).
 * Asserts nothing. Also run at the end of bench/lint/run.ts.
 *
 * Then the split of the cold run's CPU time: start-up, grammar + query, parse, query matching +
 * checks, the rest (coldSplit). On Linux, the CPU of the CLI's main thread and of its busiest
 * other thread (the segment worker linting the second half of the bundle, on 2 cores or more):
 * with a core each and nothing else running, the wall time follows the busier of them.
 *
 * The CLI is built as it ships (`npm run build:production`, which `npm run package` runs: minified,
 * no source map) unless --development (the build of rounds one to four) or --no-build (as built).
 *
 *   npx tsx bench/lint/bundle.ts [--runs 3] [--no-build] [--development]
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Linter } from '../../src/core/lint/engine';
import { minifiedBundle } from './corpus';

const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'dist', 'cli.js');

const ms = (t: number) => `${t.toFixed(0)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const line = (label: string, value: string) => console.log(`  ${label.padEnd(44)} ${value}`);

interface ChildRun {
  wallMs: number;
  cpuMs: number;
  maxRssMB: number;
  stdoutBytes: number;
  code: number | null;
  /** CPU of the main thread and of the busiest other thread (a segment worker, else a V8 helper), from /proc; undefined elsewhere. */
  threads?: { mainMs: number; otherMs: number };
}

/**
 * Samples the CPU time of each thread of a process from /proc (Linux) every 20 ms until stopped:
 * the last sample of each thread, so a thread's last 20 ms may be missing. What the split of a scan
 * over threads looks like: on an idle machine with a core per busy thread, the wall time follows
 * the busiest thread, not the sum.
 */
function sampleThreads(pid: number): () => { mainMs: number; otherMs: number } | undefined {
  const ticks = new Map<number, number>();
  const read = () => {
    let tids: string[];
    try {
      tids = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      try {
        const fields = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
        // utime and stime, in clock ticks (fields 14 and 15 of stat(5)).
        ticks.set(Number(tid), Number(fields[11]) + Number(fields[12]));
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  };
  const timer = setInterval(read, 20);
  return () => {
    clearInterval(timer);
    read();
    if (!ticks.has(pid)) return undefined;
    // USER_HZ is 100 on Linux: a tick is 10 ms.
    const others = [...ticks].filter(([tid]) => tid !== pid).map(([, t]) => t);
    return { mainMs: ticks.get(pid)! * 10, otherMs: Math.max(0, ...others) * 10 };
  };
}

/** Runs the bundled CLI in a fresh process; its CPU time comes from the process itself (cpuUsage.cjs). */
function runCli(args: readonly string[]): Promise<ChildRun> {
  const usageFile = path.join(os.tmpdir(), `session-lens-bench-usage-${process.pid}.json`);
  fs.rmSync(usageFile, { force: true });
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['-r', path.join(__dirname, 'cpuUsage.cjs'), CLI, ...args], {
      env: { ...process.env, SESSION_LENS_BENCH_USAGE: usageFile },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdoutBytes = 0;
    const threads = process.platform === 'linux' && child.pid !== undefined ? sampleThreads(child.pid) : undefined;
    let last: ChildRun['threads'];
    // The last sample is taken when the output ends, before the process is gone from /proc.
    child.stdout.on('end', () => { last = threads?.(); });
    child.stdout.on('data', (d: Buffer) => { stdoutBytes += d.length; });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      const usage = JSON.parse(fs.readFileSync(usageFile, 'utf8')) as { userMs: number; systemMs: number; maxRssMB: number };
      fs.rmSync(usageFile, { force: true });
      resolve({ wallMs, cpuMs: usage.userMs + usage.systemMs, maxRssMB: usage.maxRssMB, stdoutBytes, code, ...(last ? { threads: last } : {}) });
    });
  });
}

/** The cold CLI on the 2 MB bundle, capped (the default) and listing everything, alternating so load drift hits both. */
export async function coldCliOnBundle(runs: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-bench-bundle-'));
  try {
    const file = path.join(dir, 'bundle.min.js');
    const { text, statements } = minifiedBundle(2);
    fs.writeFileSync(file, text);
    console.log(`\nsession-lens scan bundle.min.js: 2 MB, one line, ${statements} statements, fresh process each run (median of ${runs})`);
    const variants: { label: string; args: string[] }[] = [
      { label: 'scan bundle.min.js (default cap)', args: ['scan', file, '--fail-on', 'never'] },
      { label: 'scan bundle.min.js --max-findings-per-rule 0', args: ['scan', file, '--fail-on', 'never', '--max-findings-per-rule', '0'] },
      { label: 'scan bundle.min.js --format json (default cap)', args: ['scan', file, '--fail-on', 'never', '--format', 'json'] },
    ];
    const results = variants.map(() => [] as ChildRun[]);
    for (let i = 0; i < runs; i++) {
      for (let v = 0; v < variants.length; v++) results[v].push(await runCli(variants[v].args));
    }
    const nodeAlone: number[] = [];
    for (let i = 0; i < runs; i++) nodeAlone.push((await runCli(['--version'])).cpuMs);
    variants.forEach((v, i) => {
      const r = results[i];
      const cpu = median(r.map((x) => x.cpuMs));
      line(v.label, `${ms(median(r.map((x) => x.wallMs)))} wall${i === 0 ? ' (target < 2 s)' : ''}, ${ms(cpu)} CPU, peak rss ${median(r.map((x) => x.maxRssMB)).toFixed(0)} MB, ${(median(r.map((x) => x.stdoutBytes)) / 1e6).toFixed(2)} MB of output, exit ${r[0].code}`);
      const threads = r.map((x) => x.threads).filter((t) => t !== undefined);
      if (threads.length !== 0) line('  CPU by thread', `main ${ms(median(threads.map((t) => t.mainMs)))}, busiest other (segment worker or V8 helper) ${ms(median(threads.map((t) => t.otherMs)))}`);
    });
    line('session-lens --version (start-up alone)', `${ms(median(nodeAlone))} CPU`);
    await coldSplit(runs, file, median(results[0].map((x) => x.cpuMs)), median(nodeAlone));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs in a fresh process (`node -e`): the lint engine bundle of the extension (dist/engines/lint.js,
 * the same engine as the CLI's) cold, phase by phase, on CPU time: loading the bundle, the tree-sitter
 * runtime + JavaScript grammar + query, then either the bare parse in pieces or the whole lint.
 */
const PHASES_CHILD = `
const fs = require('fs');
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const [engineJs, grammarDir, file, what] = process.argv.slice(1);
let t = cpu();
const lap = () => { const n = cpu(); const d = n - t; t = n; return d; };
const engine = require(engineJs);
const load = lap();
(async () => {
  const linter = new engine.Linter({ grammarDir, maxFindingsPerRule: 100 });
  const { parser } = await linter.prepare('javascript');
  const prepare = lap();
  const text = fs.readFileSync(file, 'utf8');
  lap();
  if (what === 'parse') {
    // Pieces cut at a ';' from the engine's piece length on, as the one-shot lint parses a bundle.
    for (let a = 0; a < text.length;) {
      let b = text.indexOf(';', a + engine.piecewise.pieceLength);
      b = b === -1 || text.length - b < engine.piecewise.pieceLength / 4 ? text.length : b + 1;
      const point = (i) => ({ row: 0, column: i });
      parser.parse(text, null, { includedRanges: [{ startIndex: a, endIndex: b, startPosition: point(a), endPosition: point(b) }] }).delete();
      a = b;
    }
  } else await linter.lintText(text, { filePath: file });
  const work = lap();
  console.log(JSON.stringify({ load, prepare, work, pieces: engine.piecewise.pieces, windows: engine.piecewise.windows }));
})();
`;

interface Phases { load: number; prepare: number; work: number; pieces: number; windows: number }

function coldPhases(file: string, what: 'parse' | 'lint'): Phases {
  const out = execFileSync(process.execPath, ['-e', PHASES_CHILD, path.join(REPO, 'dist', 'engines', 'lint.js'), path.join(REPO, 'dist', 'grammars'), file, what], { encoding: 'utf8' });
  return JSON.parse(out) as Phases;
}

/**
 * Where the cold CLI's CPU time goes, each phase measured in fresh processes (median of `runs`):
 * start-up (`--version`: node and the CLI bundle), the grammar and its query, the bare parse in
 * pieces, query matching + checks (the lint less the bare parse), and the rest of the CLI (reading
 * the file, the symbol table, the output: the CLI's CPU less the phases before).
 */
async function coldSplit(runs: number, file: string, cliCpuMs: number, versionCpuMs: number): Promise<void> {
  const parse: Phases[] = [];
  const lint: Phases[] = [];
  for (let i = 0; i < runs; i++) {
    parse.push(coldPhases(file, 'parse'));
    lint.push(coldPhases(file, 'lint'));
  }
  const prepareMs = median([...parse, ...lint].map((p) => p.prepare));
  const parseMs = median(parse.map((p) => p.work));
  const lintMs = median(lint.map((p) => p.work));
  console.log(`  split of the default-cap run's ${ms(cliCpuMs)} CPU, phases in one thread, fresh processes (median of ${runs}):`);
  line('  start: node + CLI bundle (--version)', ms(versionCpuMs));
  line('  tree-sitter runtime + JS grammar + query', ms(prepareMs));
  line('  parse in pieces (bare, cold)', ms(parseMs));
  line('  query matching + checks (lint - parse)', ms(lintMs - parseMs));
  // With segment workers (a file from 1 M characters, 2 cores or more) the CLI's CPU also holds each worker's start and its own warm-up.
  line('  rest: read, table, output, segment workers', ms(cliCpuMs - versionCpuMs - prepareMs - lintMs));
  line('  (engine bundle load, for reference)', ms(median(lint.map((p) => p.load))));
  line('  (pieces parsed, query windows run)', `${lint[0].pieces}, ${lint[0].windows}`);
}

/**
 * One-line minified bundles at 0.5, 1 and 2 MB, linted in this process (grammar loaded): time per
 * MB stays flat when the lint is linear in the calls per line (it was quadratic: 13-21 s for 2 MB).
 */
export async function minifiedBundles(linter: Linter): Promise<void> {
  console.log('\nminified bundle, one line dense with session()/res.cookie calls (in this process, one thread)');
  for (const mb of [0.5, 1, 2]) {
    const { text, statements } = minifiedBundle(mb);
    // Twice: the first run of a size also pays for JIT and wasm memory growth; the second is the steady state.
    for (const round of ['first', 'again']) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const findings = await linter.lintText(text, { filePath: 'bundle.min.js' });
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      line(`${mb} MB, ${statements} statements, ${round}`, `${ms(wall)} wall, ${ms(cpuMs)} CPU, ${ms(cpuMs / mb)} CPU per MB, ${findings.length} findings, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
    }
  }
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--runs');
  const runs = i === -1 ? 3 : Number(process.argv[i + 1]);
  console.log(`bench/lint/bundle on ${os.cpus().length} cores, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (wall figures scale with it; CPU less so)`);
  // The bundled CLI must match these sources.
  // As it ships by default: `npm run package` (vscode:prepublish) builds with --production (minified, no source map).
  const production = !process.argv.includes('--development');
  const build = !process.argv.includes('--no-build');
  if (build) execFileSync(process.execPath, ['esbuild.js', ...(production ? ['--production'] : [])], { cwd: REPO, stdio: 'ignore' });
  console.log(`dist/cli.js: ${(fs.statSync(CLI).size / 1e6).toFixed(2)} MB${!build ? ' (as built)' : production ? ' (production build, as it ships)' : ' (development build)'}`);
  await coldCliOnBundle(runs);
  await minifiedBundles(new Linter());
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
