/**
 * bench/lint/perLanguage.ts: where the scan / bare parse ratio comes from. Each file of the corpus
 * is linted (as the scan lints it: read, checked, anchor prefilter, the cross-file table of the
 * whole corpus) and bare read + parsed, one after the other, and the CPU time of each is added to
 * its language; median of `--rounds` rounds per language. Called at the end of run.ts's full scan,
 * or alone:
 *
 *   npx tsx bench/lint/perLanguage.ts [--lines 100000] [--rounds 5]
 *
 * Why per file in one pass, and not each language's files scanned alone (as this bench did before):
 * a scan of one language's files pays the fixed costs of a scan (the cross-file table of those
 * files, a Linter), and the first language measured also paid for the JIT of the engine and of
 * the shared checks, which the later ones found warm. The JavaScript row moved by 200 ms between
 * runs that way. Here every language runs in the same warm process, interleaved file by file with
 * its own bare parse, the order of the languages rotates from round to round (and whether a file
 * is linted or parsed first alternates), so that drift, garbage collection and caches land on all
 * of them alike.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Linter } from '../../src/core/lint/engine';
import { languageForPath, loadLanguage, newParser } from '../../src/core/lint/grammars';
import { analyzerFor } from '../../src/core/lint/languages';
import { DEFAULT_MAX_FILE_BYTES, lintFile } from '../../src/core/lint/lintFile';
import { buildSymbolTable } from '../../src/core/lint/symbols/indexers';
import type { GrammarLanguage, LintLanguage } from '../../src/core/lint/types';
import { generateCorpus } from './corpus';

const cpuNow = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One row per language: files, lines, lint and parse CPU (ms, medians of the rounds) and their difference. */
export interface LanguageSplit {
  readonly language: string;
  readonly files: number;
  readonly lines: number;
  readonly scanCpuMs: number;
  readonly parseCpuMs: number;
  /** Of the lint, the CPU inside the language's checks (its analyzer's analyze and finish: value resolution, messages, fixes). */
  readonly checksCpuMs: number;
  /** The lint's CPU per round, for the spread. */
  readonly scanRounds: readonly number[];
  readonly parseRounds: readonly number[];
}

/** The split, and the cost of the cross-file table of the whole corpus (median, CPU ms), outside the rows. */
export interface Split {
  readonly rows: LanguageSplit[];
  readonly symbolCpuMs: number;
  readonly rounds: number;
}

/**
 * Lints and parses every file, language by language in rotated order, after `warmups` unmeasured
 * passes. The rows hold the lint of each file (reading it, the anchor prefilter, parse, query,
 * checks): what a scan adds over them is the folder listing and the cross-file table, given apart.
 */
export async function perLanguageSplit(dir: string, files: readonly string[], rounds = 5, warmups = 3): Promise<Split> {
  const byLanguage = new Map<string, string[]>();
  for (const f of files) {
    const lang = languageForPath(f);
    if (!lang) continue;
    const list = byLanguage.get(lang);
    if (list) list.push(f);
    else byLanguage.set(lang, [f]);
  }
  const languages = [...byLanguage.keys()];
  const parsers = new Map<string, ReturnType<typeof newParser>>();
  for (const lang of languages) parsers.set(lang, newParser(await loadLanguage(lang as GrammarLanguage)));
  const scanCpu = new Map<string, number[]>(languages.map((l) => [l, []]));
  const parseCpu = new Map<string, number[]>(languages.map((l) => [l, []]));
  const checksCpu = new Map<string, number[]>(languages.map((l) => [l, []]));
  // The checks' own share: the analyzers' entry points timed in place for the length of the bench.
  let inChecks = 0;
  const restore: (() => void)[] = [];
  for (const analyzer of new Set(languages.map((l) => analyzerFor(l as LintLanguage)))) {
    const { analyze, finish } = analyzer;
    const timed = <A extends unknown[]>(fn: (...a: A) => void) => (...a: A) => {
      const t = cpuNow();
      try {
        fn.apply(analyzer, a);
      } finally {
        inChecks += cpuNow() - t;
      }
    };
    const writable = analyzer as { analyze: typeof analyze; finish?: typeof finish };
    writable.analyze = timed(analyze);
    if (finish) writable.finish = timed(finish);
    restore.push(() => {
      writable.analyze = analyze;
      if (finish) writable.finish = finish;
    });
  }
  const lines = new Map<string, number>();
  const symbolCpu: number[] = [];
  for (let round = 0; round < warmups + rounds; round++) {
    const measured = round >= warmups;
    // As a scan does: the table of all files, then a Linter that reads it.
    const index = buildSymbolTable(files, [dir], DEFAULT_MAX_FILE_BYTES);
    if (measured) symbolCpu.push(index.stats.cpuMs ?? 0);
    const linter = new Linter();
    linter.symbols = index.table;
    const order = languages.map((_, i) => languages[(i + round) % languages.length]);
    for (const lang of order) {
      const parser = parsers.get(lang)!;
      let lint = 0;
      let parse = 0;
      let n = 0;
      inChecks = 0;
      for (const [k, f] of byLanguage.get(lang)!.entries()) {
        // Which of the two goes first alternates, so that a file's pages and caches favour neither.
        const lintFirst = (k + round) % 2 === 0;
        let t = cpuNow();
        if (!lintFirst) {
          parser.parse(fs.readFileSync(f, 'utf8'))?.delete();
          parse += cpuNow() - t;
          t = cpuNow();
        }
        n += (await lintFile(linter, f)).lines;
        lint += cpuNow() - t;
        if (lintFirst) {
          t = cpuNow();
          parser.parse(fs.readFileSync(f, 'utf8'))?.delete();
          parse += cpuNow() - t;
        }
      }
      lines.set(lang, n);
      if (measured) {
        scanCpu.get(lang)!.push(lint);
        parseCpu.get(lang)!.push(parse);
        checksCpu.get(lang)!.push(inChecks);
      }
    }
  }
  for (const r of restore) r();
  for (const p of parsers.values()) p.delete();
  const rows = languages.map((language): LanguageSplit => ({
    language, files: byLanguage.get(language)!.length, lines: lines.get(language) ?? 0,
    scanCpuMs: median(scanCpu.get(language)!), parseCpuMs: median(parseCpu.get(language)!), checksCpuMs: median(checksCpu.get(language)!),
    scanRounds: scanCpu.get(language)!, parseRounds: parseCpu.get(language)!,
  }));
  rows.sort((a, b) => (b.scanCpuMs - b.parseCpuMs) - (a.scanCpuMs - a.parseCpuMs));
  return { rows, symbolCpuMs: median(symbolCpu), rounds };
}

/** Prints the split as a table, heaviest extra cost first, with the spread of each row's extra over the rounds. */
export function printSplit(split: Split): void {
  const { rows } = split;
  console.log(`  ${'language'.padEnd(12)} ${'files'.padStart(6)} ${'lines'.padStart(7)} ${'lint CPU'.padStart(10)} ${'parse CPU'.padStart(10)} ${'extra'.padStart(9)} ${'ratio'.padStart(6)} ${'checks'.padStart(9)}  extra per round`);
  let scan = 0;
  let parse = 0;
  let checks = 0;
  for (const r of rows) {
    scan += r.scanCpuMs;
    parse += r.parseCpuMs;
    checks += r.checksCpuMs;
    const extras = r.scanRounds.map((s, i) => (s - r.parseRounds[i]).toFixed(0)).join(', ');
    console.log(`  ${r.language.padEnd(12)} ${String(r.files).padStart(6)} ${String(r.lines).padStart(7)} ${r.scanCpuMs.toFixed(0).padStart(7)} ms ${r.parseCpuMs.toFixed(0).padStart(7)} ms ${(r.scanCpuMs - r.parseCpuMs).toFixed(0).padStart(6)} ms ${(r.scanCpuMs / r.parseCpuMs).toFixed(2).padStart(5)}x ${r.checksCpuMs.toFixed(0).padStart(6)} ms  ${extras}`);
  }
  console.log(`  ${'sum'.padEnd(12)} ${''.padStart(6)} ${''.padStart(7)} ${scan.toFixed(0).padStart(7)} ms ${parse.toFixed(0).padStart(7)} ms ${(scan - parse).toFixed(0).padStart(6)} ms ${(scan / parse).toFixed(2).padStart(5)}x ${checks.toFixed(0).padStart(6)} ms`);
  console.log(`  ${'+ cross-file symbol table (all files)'.padEnd(38)} ${split.symbolCpuMs.toFixed(0).padStart(7)} ms  (medians of ${split.rounds} rounds; a scan also lists the folder)`);
}

if (require.main === module) {
  void (async () => {
    const arg = (name: string, fallback: number) => {
      const i = process.argv.indexOf(`--${name}`);
      return i === -1 ? fallback : Number(process.argv[i + 1]);
    };
    const dir = path.join(os.tmpdir(), 'session-lens-bench-lint');
    const corpus = generateCorpus(dir, arg('lines', 100_000));
    const rounds = arg('rounds', 5);
    console.log(`per language, each file linted and bare read + parsed in one warm pass, CPU (median of ${rounds} rounds; load average ${os.loadavg()[0].toFixed(1)})`);
    printSplit(await perLanguageSplit(dir, corpus.files, rounds));
  })();
}
