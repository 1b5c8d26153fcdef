/**
 * bench/lint/profile.ts: a CPU profile of the warm one-thread scan of the bench corpus, to see
 * where the scan's time over a bare parse goes. Warms up (the checks' JIT settles over a few runs),
 * then profiles `--runs` scans with the inspector and prints self time by source file and the
 * heaviest functions; the `.cpuprofile` is written for DevTools.
 *
 * With `--parse`, profiles the bench's bare read + parse of the same files instead, for a
 * function-by-function comparison.
 *
 * With `--language python` (a grammar name), only that language's files, scanned as named files.
 *
 * With `--bundle 2` (megabytes), the one-shot lint of the bench's minified bundle of that size in
 * process instead (as `session-lens scan bundle.min.js` lints it: the default cap of 100 findings
 * per rule), warm; with `--parse`, its bare parse.
 *
 * Run bundled (as the README shows: esbuild to a .cjs, then node), the self time of the bundle is
 * split back into its source modules by esbuild's `// path` comments. `--inclusive a,b` also prints
 * the time spent inside the named functions, callees included (each sample counted once per name).
 *
 *   npx tsx bench/lint/profile.ts [--lines 100000] [--runs 3] [--parse] [--language L | --bundle MB] [--out scan.cpuprofile] [--inclusive analyze,findings]
 */
import * as fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Linter } from '../../src/core/lint/engine';
import { languageForPath, loadLanguage, newParser } from '../../src/core/lint/grammars';
import { scanFiles } from '../../src/core/lint/scanner';
import type { GrammarLanguage } from '../../src/core/lint/types';
import { generateCorpus, minifiedBundle } from './corpus';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }

/**
 * The source module of a line of this script when it runs bundled (esbuild writes `// src/…` before
 * each module's code), or undefined when it runs from its sources.
 */
function bundledModules(): ((line: number) => string) | undefined {
  if (!__filename.endsWith('.cjs') && !__filename.endsWith('.js')) return undefined;
  const starts: [number, string][] = [];
  fs.readFileSync(__filename, 'utf8').split('\n').forEach((l, i) => {
    const m = /^\/\/ (?:[./]*\/)?((?:src|bench|node_modules)\/\S+)$/.exec(l);
    if (m) starts.push([i, m[1]]);
  });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = '(bundle)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid][0] <= line) {
        found = starts[mid][1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

async function main(): Promise<void> {
  const dir = path.join(os.tmpdir(), 'session-lens-bench-lint');
  const corpus = generateCorpus(dir, Number(arg('lines', '100000')));
  const options = { cwd: dir, exclude: ['big/**'], workers: 0 };
  const only = arg('language', '');
  const files = only ? corpus.files.filter((f) => languageForPath(f) === only) : corpus.files;
  const targets = only ? files : [dir];
  const parsers = new Map<string, ReturnType<typeof newParser>>();
  for (const f of files) {
    const lang = languageForPath(f)!;
    if (!parsers.has(lang)) parsers.set(lang, newParser(await loadLanguage(lang as GrammarLanguage)));
  }
  const bareParse = () => {
    for (const f of files) parsers.get(languageForPath(f)!)!.parse(fs.readFileSync(f, 'utf8'))?.delete();
  };
  let work = process.argv.includes('--parse') ? async () => bareParse() : async () => { await scanFiles(targets, options); };
  const bundleMb = Number(arg('bundle', '0'));
  if (bundleMb > 0) {
    const { text } = minifiedBundle(bundleMb);
    const linter = new Linter({ maxFindingsPerRule: 100 });
    const parser = newParser(await loadLanguage('javascript'));
    work = process.argv.includes('--parse') ? async () => parser.parse(text)?.delete() : async () => { await linter.lintText(text, { filePath: 'bundle.min.js' }); };
  }
  for (let i = 0; i < 4; i++) await work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const runs = Number(arg('runs', '3'));
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) await work();
  const cpu = process.cpuUsage(cpu0);
  const { profile } = await session.post('Profiler.stop');
  fs.writeFileSync(arg('out', path.join(os.tmpdir(), 'session-lens-scan.cpuprofile')), JSON.stringify(profile));
  const nodes = profile.nodes as ProfileNode[];
  // Each sample weighs the CPU time it stands for: on a busy machine a wall-clock interval holds other work too.
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const dt = cpuMs / runs / (profile.samples?.length ?? 1);
  const byFile = new Map<string, number>();
  const byFn = new Map<string, number>();
  const moduleOf = bundledModules();
  const self = __filename;
  for (const n of nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits) continue;
    const url = n.callFrame.url.replace(/^file:\/\//, '');
    const file = moduleOf && url === self ? moduleOf(n.callFrame.lineNumber) : url ? path.relative(process.cwd(), url) : `(${n.callFrame.functionName || 'native'})`;
    byFile.set(file, (byFile.get(file) ?? 0) + hits);
    const fn = `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + hits);
  }
  console.log(`${runs} warm ${process.argv.includes('--parse') ? 'bare parses' : bundleMb > 0 ? `lints of the ${bundleMb} MB bundle` : 'scans'}, CPU ${(cpuMs / runs).toFixed(0)} ms per run (profiled); self CPU time per run:`);
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  for (const [k, v] of top(byFile, 30)) console.log(`  ${(v * dt).toFixed(1).padStart(7)} ms  ${k}`);
  console.log('functions:');
  for (const [k, v] of top(byFn, 40)) console.log(`  ${(v * dt).toFixed(1).padStart(7)} ms  ${k}`);
  const inclusive = arg('inclusive', '').split(',').filter(Boolean);
  if (inclusive.length === 0) return;
  const parentOf = new Map<number, number>();
  for (const n of nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const inside = new Map<string, number>();
  for (const n of nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits) continue;
    const names = new Set<string>();
    for (let id: number | undefined = n.id; id !== undefined; id = parentOf.get(id)) names.add(byId.get(id)!.callFrame.functionName);
    for (const name of inclusive) if (names.has(name)) inside.set(name, (inside.get(name) ?? 0) + hits);
  }
  console.log('inclusive (callees counted):');
  for (const name of inclusive) console.log(`  ${((inside.get(name) ?? 0) * dt).toFixed(1).padStart(7)} ms  ${name}`);
}

void main();
