/**
 * bench/har: `session-lens audit` on a large generated HAR (default ~500 MB: mostly response
 * bodies, as browser exports are, plus many small API calls with cookies and tokens), bundled as
 * the CLI ships. Prints the CPU time (user + sys, the figure of the < 10 s target), wall time and
 * peak memory of the CLI process, and the same for a HAR a tenth the size so the growth is
 * visible; then the previous CLI path (every exchange and body preview held, JWTs analysed after
 * every batch) on the same files, with the ratios. Asserts nothing.
 *
 *   npx tsx bench/har/run.ts [--mb 500] [--no-previous]
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundledCliChild } from '../audit/bundle';

const REPO = path.resolve(__dirname, '../..');
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};

/** Writes a HAR of about `mb` megabytes: one 256 KB HTML page per 50 small JSON calls. */
function writeHar(file: string, mb: number): number {
  const fd = openSync(file, 'w');
  writeSync(fd, '{"log":{"version":"1.2","creator":{"name":"bench","version":"1"},"entries":[\n');
  const page = 'x'.repeat(256 * 1024);
  let written = 0;
  let i = 0;
  const start = Date.parse('2026-01-01T00:00:00Z');
  while (written < mb * 1e6) {
    const big = i % 50 === 0;
    const entry = {
      startedDateTime: new Date(start + i * 10).toISOString(),
      time: 5,
      request: {
        method: big ? 'GET' : 'POST', url: `http://localhost:3000/${big ? 'page' : 'api'}/${i}`, httpVersion: 'HTTP/1.1',
        headers: [{ name: 'Cookie', value: `sid=session-${i % 100}; theme=dark` }, { name: 'Authorization', value: `Bearer token-${i % 20}` }],
        cookies: [], queryString: [], headersSize: -1, bodySize: 0,
      },
      response: {
        status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1',
        headers: [{ name: 'Content-Type', value: big ? 'text/html' : 'application/json' }, ...(i % 100 === 1 ? [{ name: 'Set-Cookie', value: `sid=session-${i % 100}; Path=/; HttpOnly` }] : [])],
        cookies: [], content: { size: big ? page.length : 40, mimeType: big ? 'text/html' : 'application/json', text: big ? page : `{"ok":true,"n":${i},"pad":"${'p'.repeat(200)}"}` },
        redirectURL: '', headersSize: -1, bodySize: -1,
      },
      cache: {}, timings: { send: 1, wait: 3, receive: 1 },
    };
    written += writeSync(fd, `${i === 0 ? '' : ',\n'}${JSON.stringify(entry)}`);
    i++;
  }
  writeSync(fd, '\n]}}\n');
  closeSync(fd);
  return i;
}

interface AuditRun { seconds: number; cpuSeconds: number; peakMb: number; code: number | null; stderr: string }

/**
 * `session-lens audit FILE --format json` (JSON output dropped) or, with `previous`, the previous
 * CLI path, in bench/audit/cliChild.ts bundled as the CLI ships; timed by GNU time, start-up included.
 */
function audit(child: string, file: string, previous = false): AuditRun {
  const t0 = performance.now();
  // GNU time reports the child's CPU time (user, system) and peak resident memory (KiB).
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', process.execPath, child, file, ...(previous ? ['--previous'] : [])], { cwd: REPO, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  const lines = r.stderr.trim().split('\n');
  const [user, system, rss] = (lines.at(-1) ?? '').split(' ').map(Number);
  const notes = lines.slice(0, -1).filter((l) => !l.startsWith('{"ms"'));
  return { seconds, cpuSeconds: user + system, peakMb: rss / 1024, code: r.status, stderr: notes.join('\n') };
}

const describe = (r: AuditRun): string => `${r.cpuSeconds.toFixed(1)} s CPU (user + sys; target < 10 s), ${r.seconds.toFixed(1)} s wall, peak memory ${r.peakMb.toFixed(0)} MB (target < 1 GB), exit ${r.code}${r.stderr ? ` (${r.stderr})` : ''}`;

function main(): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'session-lens-bench-har-'));
  const child = bundledCliChild();
  try {
    console.log(`bench/har on ${os.cpus().length} cores, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (times scale with it)`);
    for (const mb of [arg('mb', 500) / 10, arg('mb', 500)]) {
      const file = path.join(dir, `${mb}.har`);
      const entries = writeHar(file, mb);
      const size = statSync(file).size / 1e6;
      const r = audit(child.file, file);
      console.log(`  ${size.toFixed(0).padStart(4)} MB HAR, ${entries} entries: audit ${describe(r)}`);
      if (!process.argv.includes('--no-previous')) {
        const before = audit(child.file, file, true);
        console.log(`  ${''.padStart(4)}    previous CLI path: ${describe(before)}; now/previous CPU ${(r.cpuSeconds / before.cpuSeconds).toFixed(2)}×, memory ${(r.peakMb / before.peakMb).toFixed(2)}×`);
      }
      rmSync(file);
    }
  } finally {
    child.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
