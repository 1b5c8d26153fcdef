/**
 * bench/lint/perLanguage.ts: where the scan / bare parse ratio comes from. For each language of
 * the corpus, a warm one-thread scan of that language's files against a bare read + parse of the
 * same files, on CPU time (median of three alternating rounds). Called at the end of run.ts's full
 * scan, or alone:
 *
 *   npx tsx bench/lint/perLanguage.ts [--lines 100000]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { languageForPath, loadLanguage, newParser } from '../../src/core/lint/grammars';
import { scanFiles } from '../../src/core/lint/scanner';
import type { GrammarLanguage } from '../../src/core/lint/types';
import { generateCorpus } from './corpus';

const cpuOf = async (fn: () => unknown): Promise<number> => {
  const c0 = process.cpuUsage();
  await fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One row per language: files, lines, scan and parse CPU (ms, medians) and their difference. */
export interface LanguageSplit {
  readonly language: string;
  readonly files: number;
  readonly lines: number;
  readonly scanCpuMs: number;
  readonly parseCpuMs: number;
}

/**
 * Scans each language's files alone (as named files: no folder listing; the cross-file table is
 * built from them) and parses them alone. Sums of the rows miss the folder listing of a whole scan.
 */
export async function perLanguageSplit(dir: string, files: readonly string[], rounds = 3): Promise<LanguageSplit[]> {
  const byLanguage = new Map<string, string[]>();
  for (const f of files) {
    const lang = languageForPath(f);
    if (!lang) continue;
    const list = byLanguage.get(lang);
    if (list) list.push(f);
    else byLanguage.set(lang, [f]);
  }
  const rows: LanguageSplit[] = [];
  for (const [language, list] of byLanguage) {
    const parser = newParser(await loadLanguage(language as GrammarLanguage));
    const parse = () => {
      for (const f of list) parser.parse(fs.readFileSync(f, 'utf8'))?.delete();
    };
    const scan = () => scanFiles(list, { cwd: dir, workers: 0 });
    // Warm both first: the checks' JIT settles over a few runs.
    let lines = 0;
    for (let i = 0; i < 3; i++) {
      lines = (await scan()).lines;
      parse();
    }
    const scanCpu: number[] = [];
    const parseCpu: number[] = [];
    for (let r = 0; r < rounds; r++) {
      scanCpu.push(await cpuOf(scan));
      parseCpu.push(await cpuOf(parse));
    }
    rows.push({ language, files: list.length, lines, scanCpuMs: median(scanCpu), parseCpuMs: median(parseCpu) });
    parser.delete();
  }
  return rows.sort((a, b) => (b.scanCpuMs - b.parseCpuMs) - (a.scanCpuMs - a.parseCpuMs));
}

/** Prints the split as a table, heaviest extra cost first. */
export function printSplit(rows: readonly LanguageSplit[]): void {
  console.log(`  ${'language'.padEnd(12)} ${'files'.padStart(6)} ${'lines'.padStart(7)} ${'scan CPU'.padStart(10)} ${'parse CPU'.padStart(10)} ${'extra'.padStart(9)} ${'ratio'.padStart(6)}`);
  let scan = 0;
  let parse = 0;
  for (const r of rows) {
    scan += r.scanCpuMs;
    parse += r.parseCpuMs;
    console.log(`  ${r.language.padEnd(12)} ${String(r.files).padStart(6)} ${String(r.lines).padStart(7)} ${r.scanCpuMs.toFixed(0).padStart(7)} ms ${r.parseCpuMs.toFixed(0).padStart(7)} ms ${(r.scanCpuMs - r.parseCpuMs).toFixed(0).padStart(6)} ms ${(r.scanCpuMs / r.parseCpuMs).toFixed(2).padStart(5)}x`);
  }
  console.log(`  ${'sum'.padEnd(12)} ${''.padStart(6)} ${''.padStart(7)} ${scan.toFixed(0).padStart(7)} ms ${parse.toFixed(0).padStart(7)} ms ${(scan - parse).toFixed(0).padStart(6)} ms ${(scan / parse).toFixed(2).padStart(5)}x`);
}

if (require.main === module) {
  void (async () => {
    const dir = path.join(os.tmpdir(), 'session-lens-bench-lint');
    const i = process.argv.indexOf('--lines');
    const corpus = generateCorpus(dir, i === -1 ? 100_000 : Number(process.argv[i + 1]));
    console.log(`per language, warm one-thread scan vs bare read + parse, CPU (median of 3; load average ${os.loadavg()[0].toFixed(1)})`);
    printSplit(await perLanguageSplit(dir, corpus.files));
  })();
}
