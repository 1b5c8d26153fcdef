/**
 * bench/lint: the lint engine on a generated mixed-language corpus (≥ 100k lines) and one
 * 5,000-line file. Prints full-scan throughput (worker threads and one thread), cold start,
 * per-keystroke re-lint p50/p95, minified one-line bundles (time per MB, and the cold CLI on the
 * 2 MB one: bundle.ts), ESLint + eslint-plugin-security on the JavaScript part and a
 * bare tree-sitter parse of the same files, with ratios to the targets. Asserts nothing.
 *
 *   npx tsx bench/lint/run.ts [--lines 100000] [--keys 400] [--rounds 5] [--corpus-only]
 *
 * `--corpus-only` stops after the corpus ratio and its per-language split (no CLI build, workers,
 * ESLint, keystrokes or bundles): the quick rerun of the 1.3× target. The ratio is printed as the
 * ratio of the medians and per round (median and interquartile range), with the garbage-collection
 * pauses of each round and the CPU of the unmeasured warm-up runs; the cross-file table's own CPU
 * (indexing texts already read) apart from its pass over the files (which reads them for the lint),
 * and the engine's floor: the same scan without the table and with the checks stubbed out.
 *
 * The corpus is rewritten into os.tmpdir() at each start: two runs at once on one machine need a
 * TMPDIR each (`TMPDIR=$(mktemp -d) npx tsx bench/lint/run.ts`), or one deletes the other's files.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { Linter } from '../../src/core/lint/engine';
import { languageForPath, loadLanguage, newParser } from '../../src/core/lint/grammars';
import { analyzerFor } from '../../src/core/lint/languages';
import { scanFiles } from '../../src/core/lint/scanner';
import { indexTexts } from '../../src/core/lint/symbols/indexers';
import type { GrammarLanguage, LintLanguage } from '../../src/core/lint/types';
import { coldCliOnBundle, minifiedBundles } from './bundle';
import { keystrokes } from './keystrokes';
import { generateCorpus } from './corpus';
import { perLanguageSplit, printSplit } from './perLanguage';

const REPO = path.resolve(__dirname, '../..');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};

const ms = (t: number) => `${t.toFixed(1)} ms`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const median = (xs: number[]) => pct(xs, 50);
/** Median and interquartile range (25th–75th percentile, nearest rank) of a series: "1.31 (IQR 1.28–1.35)". */
const medianIqr = (xs: number[], digits: number, unit = '') => `${median(xs).toFixed(digits)}${unit} (IQR ${pct(xs, 25).toFixed(digits)}–${pct(xs, 75).toFixed(digits)}${unit})`;
const line = (label: string, value: string) => console.log(`  ${label.padEnd(44)} ${value}`);

/** Runs fn once: its value, wall time and this process's CPU time (all threads), in ms. */
async function timeIt<T>(fn: () => Promise<T> | T): Promise<[T, number, number]> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const v = await fn();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return [v, wall, (cpu.user + cpu.system) / 1000];
}

async function main(): Promise<void> {
  const dir = path.join(os.tmpdir(), 'session-lens-bench-lint');
  const corpus = generateCorpus(dir, arg('lines', 100_000));
  const jsLines = corpus.jsFiles.reduce((n, f) => n + fs.readFileSync(f, 'utf8').split('\n').length, 0);
  console.log(`bench/lint on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (figures scale with it)`);
  console.log(`corpus: ${corpus.files.length} files, ${corpus.lines} lines (${corpus.jsFiles.length} JavaScript files, ${jsLines} lines); big file ${corpus.bigFile}\n`);

  const corpusOnly = process.argv.includes('--corpus-only');
  const rounds = Math.max(1, arg('rounds', 5));
  if (!corpusOnly) await coldStart(corpus);
  await corpusRatio(dir, corpus, rounds, corpusOnly);
}

/** The first lint in a fresh process, and the bundled CLI on one file. */
async function coldStart(corpus: ReturnType<typeof generateCorpus>): Promise<void> {
  // Cold start first, before this process has loaded any grammar.
  console.log('cold start');
  const [firstFindings, firstMs] = await timeIt(() => new Linter().lintText(fs.readFileSync(corpus.jsFiles[0], 'utf8'), { filePath: corpus.jsFiles[0] }));
  line('first lint in a fresh process (grammar load)', `${ms(firstMs)} (${firstFindings.length} findings)`);
  const cli = path.join(REPO, 'dist', 'cli.js');
  // Build first: the bundled CLI must match these sources (its workers speak the scanner's protocol).
  execFileSync(process.execPath, ['esbuild.js'], { cwd: REPO, stdio: 'ignore' });
  const nodeOnly: number[] = [];
  const cliRuns: number[] = [];
  for (let i = 0; i < 5; i++) {
    let t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    nodeOnly.push(performance.now() - t0);
    t0 = performance.now();
    spawnSync(process.execPath, [cli, 'scan', corpus.jsFiles[0], '--format', 'json', '--fail-on', 'never']);
    cliRuns.push(performance.now() - t0);
  }
  line('session-lens scan <one file> (bundled CLI)', `${ms(median(cliRuns))} median of 5 (node alone: ${ms(median(nodeOnly))})`);
}

/** The full scan against the bare parse of the same files, then (unless corpusOnly) workers, ESLint, keystrokes and bundles. */
async function corpusRatio(dir: string, corpus: ReturnType<typeof generateCorpus>, rounds: number, corpusOnly: boolean): Promise<void> {
  // Workers load the bundled CLI, as the shipped `session-lens scan` does (under tsx each worker would compile TypeScript).
  const workerEntry = path.join(REPO, 'dist', 'cli.js');
  console.log('\nfull scan');
  // Exclude globs are relative to cwd (and do not apply outside it): with the corpus as cwd the scan
  // leaves the 5,000-line file out and reads the same files as the bare parse below.
  const sameFiles = { cwd: dir, exclude: ['big/**'] };
  const [threaded, threadedMs] = corpusOnly ? [undefined, NaN] : await timeIt(() => scanFiles([dir], { ...sameFiles, workerEntry }));
  const [single, singleColdMs] = await timeIt(() => scanFiles([dir], { ...sameFiles, workers: 0 }));
  const parsers = new Map<string, ReturnType<typeof newParser>>();
  for (const f of corpus.files) {
    const lang = languageForPath(f)!;
    // The corpus holds source files only: every one has a grammar.
    if (!parsers.has(lang)) parsers.set(lang, newParser(await loadLanguage(lang as GrammarLanguage)));
  }
  // The bare parse reads each file too: reading is part of parsing a file, and the scan reads them.
  const bareParse = () => {
    for (const f of corpus.files) {
      const tree = parsers.get(languageForPath(f)!)!.parse(fs.readFileSync(f, 'utf8'));
      tree?.delete();
    }
  };
  // The scan's JavaScript keeps getting faster over its first few runs in a process (V8 optimises
  // the checks' many functions in turn: about 2.2 -> 1.4 s CPU from the first to the fifth run on
  // this corpus), while the bare parse is warm after one: unmeasured runs first, so that "warm"
  // means warm for both. The bench used to compare the second to fourth scans with the bare parse
  // and one later scan without the table with them, which read as a cost of the table.
  const warmups: string[] = [];
  for (let i = 0; i < 3; i++) {
    const [, , scanCpu] = await timeIt(() => scanFiles([dir], { ...sameFiles, workers: 0 }));
    const [, , parseCpuMs] = await timeIt(bareParse);
    warmups.push(`${scanCpu.toFixed(0)}/${parseCpuMs.toFixed(0)}`);
  }
  // The table's own work, apart from reading the files: a scan's lint takes the texts the table's
  // pass read (one read per file), so the reads in that pass's figure are the lint's, not the table's.
  const texts = corpus.files.map((f) => [f, fs.readFileSync(f, 'utf8')] as const);
  // Garbage-collection pauses in each step (wall ms), to tell a round slowed by GC from one slowed by the machine.
  let gcMs = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const gcOf = async (fn: () => Promise<void>): Promise<number> => {
    // Entries arrive asynchronously: let those of the previous step land before reading the counter.
    await new Promise((r) => setImmediate(r));
    const before = gcMs;
    await fn();
    await new Promise((r) => setImmediate(r));
    return gcMs - before;
  };
  // The warm scan, the bare parse and the scan without the cross-file table alternate, `rounds`
  // rounds each, so that drift in the machine's load hits all three; their medians are compared.
  // Which of the three goes first rotates from round to round: the garbage one leaves is collected
  // during the next, and always charging the scan's to the bare parse flattered the ratio.
  // Wall time on a busy machine counts the other work too; CPU time of this process much less so:
  // both are printed, and the target is read on CPU time.
  const singleRuns: number[] = [];
  const parseRuns: number[] = [];
  const symbolRuns: number[] = [];
  const singleCpu: number[] = [];
  const parseCpu: number[] = [];
  const symbolCpu: number[] = [];
  const noTableRuns: number[] = [];
  const noTableCpuRuns: number[] = [];
  const indexCpu: number[] = [];
  const floorCpu: number[] = [];
  // The engine's floor: the scan without the table and with every analyzer's checks stubbed out (no
  // value resolution, findings, messages or fixes), so that the ratio splits into the engine's part
  // (listing, reading, prefilter, parse, query matching, chunk lookup) and what the checks add to it.
  const analyzers = [...new Set([...parsers.keys()].map((l) => analyzerFor(l as LintLanguage)))];
  const withoutChecks = async <T>(fn: () => Promise<T>): Promise<T> => {
    const saved = analyzers.map((a) => [a.analyze, a.finish] as const);
    for (const a of analyzers) {
      (a as { analyze: typeof a.analyze }).analyze = () => {};
      if (a.finish) (a as { finish: typeof a.finish }).finish = () => {};
    }
    try {
      return await fn();
    } finally {
      analyzers.forEach((a, i) => {
        (a as { analyze: typeof a.analyze }).analyze = saved[i][0];
        if (saved[i][1]) (a as { finish: typeof a.finish }).finish = saved[i][1];
      });
    }
  };
  const scanGc: number[] = [];
  const parseGc: number[] = [];
  const steps: (() => Promise<void>)[] = [
    async () => {
      scanGc.push(await gcOf(async () => {
        const [warm, warmMs, warmCpu] = await timeIt(() => scanFiles([dir], { ...sameFiles, workers: 0 }));
        singleRuns.push(warmMs);
        singleCpu.push(warmCpu);
        symbolRuns.push(warm.symbolStats?.ms ?? 0);
        symbolCpu.push(warm.symbolStats?.cpuMs ?? 0);
      }));
    },
    async () => {
      parseGc.push(await gcOf(async () => {
        const [, parseWall, parseCpuMs] = await timeIt(bareParse);
        parseRuns.push(parseWall);
        parseCpu.push(parseCpuMs);
      }));
    },
    async () => {
      const [, , cpu] = await timeIt(() => indexTexts(texts, [dir]));
      indexCpu.push(cpu);
    },
    async () => {
      const [, , cpu] = await timeIt(() => withoutChecks(() => scanFiles([dir], { ...sameFiles, workers: 0, crossFile: false })));
      floorCpu.push(cpu);
    },
    async () => {
      // The same scan without the cross-file table, for its cost as part of the whole.
      const [, noTableWall, noTableCpuMs] = await timeIt(() => scanFiles([dir], { ...sameFiles, workers: 0, crossFile: false }));
      noTableRuns.push(noTableWall);
      noTableCpuRuns.push(noTableCpuMs);
    },
  ];
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < steps.length; k++) await steps[(k + round) % steps.length]();
  }
  gcObserver.disconnect();
  const singleMs = median(singleRuns);
  const parseMs = median(parseRuns);
  const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} ms`;
  // workersUsed: a scan whose workers never answered lints in this thread after waiting for them, and must not pass for a threaded figure.
  if (threaded) line(`worker threads (${Math.min(8, os.availableParallelism())}), each loading grammars`, `${ms(threadedMs)}  ${Math.round(threaded.lines / (threadedMs / 1000)).toLocaleString('en')} lines/s, ${threaded.files} files, ${threaded.findings.length} findings, workersUsed ${threaded.workersUsed}${threaded.workersUsed === 0 ? ' (NO WORKER ANSWERED: linted in one thread)' : ''}`);
  if (single.files !== corpus.files.length) console.log(`  (the scan read ${single.files} files, the bare parse below ${corpus.files.length}: the ratio compares different work)`);
  line('one thread, first run (grammars, JIT)', `${ms(singleColdMs)}  ${Math.round(single.lines / (singleColdMs / 1000)).toLocaleString('en')} lines/s`);
  line('warm-up runs, scan / bare parse CPU (ms)', warmups.join(', '));
  line(`one thread, warm (median of ${rounds})`, `${ms(singleMs)}  ${Math.round(single.lines / (singleMs / 1000)).toLocaleString('en')} lines/s (${spread(singleRuns)}); CPU ${medianIqr(singleCpu, 1, ' ms')}`);
  const symbolMs = median(symbolRuns);
  const symbolCpuMs = median(symbolCpu);
  const indexCpuMs = median(indexCpu);
  line('  of which the cross-file symbol table', `CPU ${medianIqr(indexCpu, 1, ' ms')}, ${((indexCpuMs / median(singleCpu)) * 100).toFixed(1)}% of the scan's CPU (indexing the texts, without reading them); ${single.symbolStats?.files ?? 0} files indexed, ${single.symbolStats?.symbols ?? 0} constants`);
  line('  the table\'s pass, reading every file for the lint too', `CPU ${ms(symbolCpuMs)} (${((symbolCpuMs / median(singleCpu)) * 100).toFixed(1)}%), wall ${ms(symbolMs)}`);
  line(`one thread, warm, without the table (median of ${rounds})`, `${ms(median(noTableRuns))}, CPU ${ms(median(noTableCpuRuns))} (${spread(noTableCpuRuns)}); with / without ${(median(singleCpu) / median(noTableCpuRuns)).toFixed(2)}x CPU`);

  console.log('\nbare tree-sitter parse of the same files (read + parse, one thread, grammars loaded)');
  line(`parse only (median of ${rounds})`, `${ms(parseMs)}  ${Math.round(corpus.lines / (parseMs / 1000)).toLocaleString('en')} lines/s (${spread(parseRuns)}); CPU ${medianIqr(parseCpu, 1, ' ms')}`);
  const roundRatios = singleCpu.map((c, i) => c / parseCpu[i]);
  line('full scan (one thread, warm) / bare parse, CPU', `${(median(singleCpu) / median(parseCpu)).toFixed(2)}x (target ≤ 1.3x; ratio of the medians)`);
  line('  per round', `median ${medianIqr(roundRatios, 2, 'x')}; ${roundRatios.map((r) => r.toFixed(2)).join(', ')}`);
  line('  the engine\'s floor / bare parse, CPU', `${medianIqr(floorCpu.map((c, i) => c / parseCpu[i]), 2, 'x')} per round (no table, checks stubbed: ${ms(median(floorCpu))})`);
  line('  GC pauses per round, scan / bare parse (wall)', `${medianIqr(scanGc, 1, ' ms')} / ${medianIqr(parseGc, 1, ' ms')}`);
  line('full scan (one thread, warm) / bare parse, wall', `${(singleMs / parseMs).toFixed(2)}x`);
  if (threaded) line('full scan (workers) / bare parse', `${(threadedMs / parseMs).toFixed(2)}x`);

  // Where the ratio comes from: each file's lint against its own bare parse, summed per language.
  console.log(`\nper language: each file linted and bare read + parsed in one warm pass, CPU (median of ${rounds} rounds); checks = inside the analyzers`);
  printSplit(await perLanguageSplit(dir, corpus.files, rounds));
  if (corpusOnly) return;

  console.log('\nJavaScript part: Session Lens vs ESLint + eslint-plugin-security');
  const jsDir = path.join(dir, 'js');
  const [jsThreaded, jsMs] = await timeIt(() => scanFiles([jsDir], { workerEntry }));
  const [, jsSingleMs] = await timeIt(() => scanFiles([jsDir], { workers: 0 }));
  const [, jsParseMs] = await timeIt(() => {
    for (const f of corpus.jsFiles) parsers.get('javascript')!.parse(fs.readFileSync(f, 'utf8'))?.delete();
  });
  const { ESLint } = (await import('eslint')) as typeof import('eslint');
  const security = (await import('eslint-plugin-security')).default;
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    overrideConfig: [{ ...security.configs.recommended, languageOptions: { ecmaVersion: 2022, sourceType: 'module' } }],
  });
  const [eslintResults, eslintMs] = await timeIt(() => eslint.lintFiles(corpus.jsFiles));
  const eslintWarnings = eslintResults.reduce((n, r) => n + r.messages.length, 0);
  line('Session Lens (workers)', `${ms(jsMs)}, workersUsed ${jsThreaded.workersUsed}${jsThreaded.workersUsed === 0 ? ' (NO WORKER ANSWERED: linted in one thread)' : ''}`);
  line('Session Lens (one thread)', `${ms(jsSingleMs)}`);
  line('ESLint + eslint-plugin-security (one thread)', `${ms(eslintMs)} (${eslintWarnings} messages)`);
  line('ESLint / Session Lens (workers)', `${(eslintMs / jsMs).toFixed(1)}x faster (target ≥ 5x)`);
  line('ESLint / Session Lens (one thread)', `${(eslintMs / jsSingleMs).toFixed(1)}x faster`);
  line('bare parse of the JavaScript part', `${ms(jsParseMs)} (scan / parse ${(jsSingleMs / jsParseMs).toFixed(2)}x)`);

  await keystrokes(corpus.bigFile, single.symbols, arg('keys', 400));


  const linter = new Linter();
  await minifiedBundles(linter);
  await coldCliOnBundle(3);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
