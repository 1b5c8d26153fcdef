/**
 * bench/lint/keystrokes.ts: per-keystroke re-lint of the bench's 5,000-line JavaScript file, as
 * the editor runs it after a workspace scan (imports resolve through the scan's table). Bursts of
 * typing at the end of a line somewhere in the file, then backspacing it, as VS Code sends them.
 * Prints wall and CPU p50/p95/max (the target, p95 ≤ 5 ms, is a wall time on an idle machine; CPU
 * time is what a busy machine inflates least). Also run by run.ts after the full scan.
 *
 * With `--profile FILE`, writes a CPU profile of the keystrokes (not of the open or the scan) and
 * prints the heaviest functions.
 *
 *   npx tsx bench/lint/keystrokes.ts [--keys 400] [--profile keys.cpuprofile]
 */
import * as fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Linter } from '../../src/core/lint/engine';
import { LineIndex } from '../../src/core/lint/lineIndex';
import { scanFiles } from '../../src/core/lint/scanner';
import type { SymbolTable } from '../../src/core/lint/symbols/symbolTable';
import { generateCorpus } from './corpus';

const ms = (t: number) => `${t.toFixed(1)} ms`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const median = (xs: number[]) => pct(xs, 50);
const line = (label: string, value: string) => console.log(`  ${label.padEnd(44)} ${value}`);

/** What one run of the keystrokes measured, in ms. */
export interface KeystrokeFigures {
  wall: number[];
  cpu: number[];
  openMs: number;
  fullMs: number;
}

/**
 * Opens `bigFile` in a Linter using `symbols`, types `keys` keystrokes into it and prints the
 * figures. `between` runs around the timed part only (a profiler's start and stop).
 */
export async function keystrokes(bigFile: string, symbols: SymbolTable | undefined, keys: number, between?: { start(): Promise<void>; stop(): Promise<void> }): Promise<KeystrokeFigures> {
  console.log('\nper-keystroke re-lint of the 5,000-line file');
  const linter = new Linter();
  // As in the editor after a workspace scan: imports resolve through the last scan's table.
  linter.symbols = symbols;
  const text = fs.readFileSync(bigFile, 'utf8');
  let t0 = performance.now();
  const doc = (await linter.open(text, { filePath: bigFile }))!;
  const openMs = performance.now() - t0;
  const lines = new LineIndex(text);
  line('open (full parse + lint)', `${ms(openMs)}, ${doc.findings().length} findings, ${lines.lineCount} lines`);
  const times: number[] = [];
  /** CPU time of each keystroke's re-lint: wall time on a busy machine also counts the others' work. */
  const cpuTimes: number[] = [];
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const timed = (fn: () => void) => {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    fn();
    times.push(performance.now() - w0);
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000);
  };
  await between?.start();
  // Bursts of typing at the end of a line somewhere in the file, then backspacing it, as VS Code
  // sends them: an opening bracket or quote arrives with its auto-closed partner, typing the
  // partner only moves the cursor. What is typed holds no line break and is backspaced to the
  // line's old end before the next burst, so the original text's line index gives every position:
  // the loop allocates nothing per keystroke that a collection during the timed update would
  // charge to the engine (it used to index and copy the 200 KB text for each keystroke).
  for (let burst = 0; times.length < keys; burst++) {
    const ln = 10 + Math.floor(rand() * (lines.lineCount - 20));
    const eol = lines.lineText(ln).length;
    const typed = pickWord(burst);
    let col = eol;
    const pending: string[] = [];
    for (const ch of typed) {
      if (pending[pending.length - 1] === ch) {
        pending.pop();
        col++;
        continue;
      }
      const close = ({ '(': ')', '{': '}', '[': ']', "'": "'" } as Record<string, string>)[ch];
      const insert = close ? ch + close : ch;
      const pos = { line: ln, character: col };
      timed(() => doc.update([{ range: { start: pos, end: pos }, text: insert }]));
      col++;
      if (close) pending.push(close);
    }
    for (let end = eol + typed.length; end > eol; end--) {
      const range = { start: { line: ln, character: end - 1 }, end: { line: ln, character: end } };
      timed(() => doc.update([{ range, text: '' }]));
    }
  }
  await between?.stop();
  line(`${times.length} keystrokes, wall`, `p50 ${ms(median(times))}, p95 ${ms(pct(times, 95))}, max ${ms(Math.max(...times))} (target p95 ≤ 5 ms)`);
  line(`${times.length} keystrokes, CPU`, `p50 ${ms(median(cpuTimes))}, p95 ${ms(pct(cpuTimes, 95))}, max ${ms(Math.max(...cpuTimes))}`);
  t0 = performance.now();
  await linter.lintText(doc.getText(), { filePath: bigFile });
  const fullMs = performance.now() - t0;
  line('full re-lint of the same file, for comparison', ms(fullMs));
  doc.dispose();
  return { wall: times, cpu: cpuTimes, openMs, fullMs };
}

function pickWord(i: number): string {
  const words = [' // note', " res.cookie('x', v, { secure: true });", ' const y = compute(1);', ' if (a) { b(); }', " jwt.sign(p, 'k');"];
  return words[i % words.length];
}

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }

async function main(): Promise<void> {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const dir = path.join(os.tmpdir(), 'session-lens-bench-lint');
  const corpus = generateCorpus(dir, 100_000);
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const scan = await scanFiles([dir], { cwd: dir, exclude: ['big/**'], workers: 0 });
  const out = arg('profile');
  const session = new Session();
  let cpu0 = process.cpuUsage();
  const profiler = out
    ? {
      async start() {
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 100 });
        await session.post('Profiler.start');
        cpu0 = process.cpuUsage();
      },
      async stop() {
        const cpu = process.cpuUsage(cpu0);
        const { profile } = await session.post('Profiler.stop');
        fs.writeFileSync(out, JSON.stringify(profile));
        const dt = (cpu.user + cpu.system) / 1000 / (profile.samples?.length ?? 1);
        const byFn = new Map<string, number>();
        for (const n of profile.nodes as ProfileNode[]) {
          if (!n.hitCount) continue;
          const file = n.callFrame.url ? path.relative(process.cwd(), n.callFrame.url.replace(/^file:\/\//, '')) : '(native)';
          const fn = `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
          byFn.set(fn, (byFn.get(fn) ?? 0) + n.hitCount);
        }
        console.log(`self CPU time of all keystrokes (${out}):`);
        for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${(v * dt).toFixed(1).padStart(7)} ms  ${k}`);
      },
    }
    : undefined;
  await keystrokes(corpus.bigFile, scan.symbols, Number(arg('keys') ?? 400), profiler);
}

if (require.main === module) void main();
