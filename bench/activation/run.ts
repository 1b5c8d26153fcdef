/**
 * bench/activation: in the real VS Code (code-server + Chromium), how long activate() takes,
 * over several window reloads, and the size of the production extension bundle.
 * Prints figures and ratios to the targets (activation ≤ 30 ms, bundle ≤ 300 KB); asserts nothing.
 *
 *   npm run bench:activation [-- --runs 5]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { openWorkbench, productVsix, REPO_ROOT, startCodeServer } from '../../test/support/codeServer';
import { runFromPalette } from '../../test/support/workbenchUi';

const TARGET_MS = 30;
const TARGET_BYTES = 300 * 1024;

function activationTimes(dir: string): number[] {
  return activationRecords(dir).map((r) => r.activate);
}

function activationRecords(dir: string): { activate: number; load: number }[] {
  const out: { activate: number; load: number }[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'Session Lens.log') {
        for (const m of fs.readFileSync(p, 'utf8').matchAll(/Session Lens activated in ([\d.]+) ms(?: \(bundle evaluated in ([\d.]+) ms)?/g)) {
          out.push({ activate: Number(m[1]), load: Number(m[2] ?? 0) });
        }
      }
    }
  };
  walk(dir);
  return out;
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

async function main(): Promise<void> {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
  const vsix = productVsix();
  const bundle = fs.statSync(path.join(REPO_ROOT, 'dist', 'extension.js')).size;
  const gz = zlib.gzipSync(fs.readFileSync(path.join(REPO_ROOT, 'dist', 'extension.js'))).length;
  const server = await startCodeServer({ vsixes: [vsix] });
  const folder = path.join(REPO_ROOT, 'test', 'fixtures', 'sample-app');
  const wb = await openWorkbench(server, folder);
  try {
    const logs = path.join(server.tmpDir, 'user-data', 'logs');
    for (let i = 0; i < runs; i++) {
      const before = activationTimes(logs).length;
      if (i === 0) await runFromPalette(wb.page, 'Session Lens: Show Session Panel');
      else {
        await runFromPalette(wb.page, 'Developer: Reload Window');
        await wb.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
        await runFromPalette(wb.page, 'Session Lens: Show Session Panel');
      }
      const deadline = Date.now() + 60_000;
      while (activationTimes(logs).length <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    }
    const records = activationRecords(logs);
    const times = records.map((r) => r.activate);
    const totals = records.map((r) => r.activate + r.load);
    if (times.length === 0) throw new Error('no activation was logged');
    const median = quantile(times, 0.5);
    console.log('bench/activation (VS Code 1.139 via code-server, packaged .vsix)');
    console.log(`  activate() runs:      ${times.map((t) => t.toFixed(1)).join(', ')} ms`);
    console.log(`  activate() median:    ${median.toFixed(1)} ms   max ${Math.max(...times).toFixed(1)} ms   (target ≤ ${TARGET_MS} ms, ratio ${(median / TARGET_MS).toFixed(2)})`);
    console.log(`  load + activate:      median ${quantile(totals, 0.5).toFixed(1)} ms   max ${Math.max(...totals).toFixed(1)} ms   (evaluating dist/extension.js plus activate(); ratio to target ${(quantile(totals, 0.5) / TARGET_MS).toFixed(2)})`);
    console.log(`  dist/extension.js:    ${(bundle / 1024).toFixed(1)} KB minified, ${(gz / 1024).toFixed(1)} KB gzipped   (target ≤ ${TARGET_BYTES / 1024} KB, ratio ${(bundle / TARGET_BYTES).toFixed(2)})`);
    for (const engine of ['capture', 'lint']) {
      const file = path.join(REPO_ROOT, 'dist', 'engines', `${engine}.js`);
      if (fs.existsSync(file)) console.log(`  dist/engines/${engine}.js: ${(fs.statSync(file).size / 1024).toFixed(1)} KB minified (loaded on first ${engine === 'lint' ? 'linted file' : 'capture or HAR import'}, not at activation)`);
    }
  } finally {
    await wb.close();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`bench/activation failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
