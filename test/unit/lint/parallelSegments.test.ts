import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { piecewise } from '../../../src/core/lint/engine';
import { type ScanResult, scanFiles } from '../../../src/core/lint/scanner';
import { withPiecewise } from './fixtureSupport';

/** A one-line bundle of `count` Express cookie calls (each missing Secure, HttpOnly and SameSite) between other statements. */
function bundle(count: number, opts: { head?: string; tail?: string } = {}): string {
  const parts: string[] = [opts.head ?? ''];
  for (let i = 0; i < count; i++) {
    parts.push(`res.cookie("sid${i}",v${i},{httpOnly:false});app.use(session({secret:"k${i}",cookie:{secure:false}}));var x${i}={a:${i},b:"s;${i}",c:[1,2,3]};`);
  }
  parts.push(opts.tail ?? '');
  return parts.join('');
}


/** What a user sees of a scan (the CLI's JSON is made of these fields). */
const shown = (r: ScanResult) => r.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message, range: f.range, fix: f.fix, omitted: f.omitted }));

describe('a large file linted on several threads (segments on scan workers)', function () {
  this.timeout(180000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-segments-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Scans `text` as one file in one thread and with `workers`, and checks both give the same findings; returns the parallel scan. */
  async function sameBothWays(name: string, text: string, options: { maxFindingsPerRule: number; workers: number }): Promise<{ result: ScanResult; parallel: number }> {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    const single = await scanFiles([file], { maxFindingsPerRule: options.maxFindingsPerRule, workers: 0 });
    const before = piecewise.parallel;
    const threaded = await scanFiles([file], options);
    assert.deepEqual(shown(threaded), shown(single), `${name}, cap ${options.maxFindingsPerRule}`);
    assert.ok(single.findings.length > 0);
    return { result: threaded, parallel: piecewise.parallel - before };
  }

  it('gives the findings of one thread for a 1 MB bundle at the default thresholds, with the cap hit', async () => {
    const text = bundle(7500);
    assert.ok(text.length >= piecewise.parallelMinLength, `${text.length} characters`);
    const { result, parallel } = await sameBothWays('bundle-1mb.min.js', text, { maxFindingsPerRule: 100, workers: 1 });
    assert.equal(parallel, 1, 'linted on two threads');
    assert.equal(result.findings.find((f) => f.ruleId === 'cookie-missing-secure' && f.omitted !== undefined)?.omitted, 2 * 7500 - 100);
  });

  it('cuts a bundle into three segments on two workers: the same findings without a cap, with a cap and with the cap hit early', async () => {
    const text = bundle(2400);
    await withPiecewise({ parallelMinLength: 200000, parallelMinSegment: 100000 }, async () => {
      for (const cap of [0, 100, 5]) {
        const { result, parallel } = await sameBothWays(`bundle-${cap}.min.js`, text, { maxFindingsPerRule: cap, workers: 2 });
        assert.equal(parallel, 1, `cap ${cap}: linted on three threads`);
        const secure = result.findings.filter((f) => f.ruleId === 'cookie-missing-secure');
        if (cap === 0) assert.equal(secure.length, 2 * 2400);
        else assert.equal(secure.find((f) => f.omitted !== undefined)?.omitted, 2 * 2400 - cap);
      }
    });
  });

  it('lints the text again in one thread when a check looks up a name another segment declares', async () => {
    // `opts` is declared at the start and used by the last call, in the last segment.
    const text = bundle(2400, { head: 'const opts={httpOnly:false,secure:false};', tail: 'res.cookie("sidlast",w,opts);' });
    await withPiecewise({ parallelMinLength: 200000, parallelMinSegment: 100000 }, async () => {
      const lookups = piecewise.wholeForLookups;
      const { result, parallel } = await sameBothWays('lookup.min.js', text, { maxFindingsPerRule: 0, workers: 2 });
      assert.equal(parallel, 0, 'not joined');
      // Found by the one-thread scan's pieces, then by the parallel scan at the join (its segments
      // were cut and linted) and by its lint again in one thread.
      assert.equal(piecewise.wholeForLookups - lookups, 1 + 2, 'found where the segments join');
      // The HttpOnly finding of the options the last call shares points at their declaration.
      assert.ok(result.findings.some((f) => f.ruleId === 'cookie-missing-httponly' && f.range.start.character < 40 && f.message.includes("'sidlast'")), 'the last call judged with the options declared at the start');
    });
  });

  it('lints the text in one thread when a segment cannot start where it was cut (inside a statement)', async () => {
    // One function holding every call: no cut after a `;` starts a top-level statement.
    const text = `function routes(){${bundle(2400)}}`;
    await withPiecewise({ parallelMinLength: 200000, parallelMinSegment: 100000 }, async () => {
      const { parallel } = await sameBothWays('wrapped.min.js', text, { maxFindingsPerRule: 100, workers: 2 });
      assert.equal(parallel, 0, 'not joined');
    });
  });

  it('lints the text in this thread when the workers cannot start', async () => {
    const text = bundle(2400);
    const file = path.join(dir, 'noworker.min.js');
    fs.writeFileSync(file, text);
    await withPiecewise({ parallelMinLength: 200000, parallelMinSegment: 100000 }, async () => {
      const single = await scanFiles([file], { maxFindingsPerRule: 100, workers: 0 });
      const before = piecewise.parallel;
      const fallback = await scanFiles([file], { maxFindingsPerRule: 100, workers: 2, workerEntry: path.join(dir, 'no-such-worker.js') });
      assert.equal(piecewise.parallel, before, 'not joined');
      assert.deepEqual(shown(fallback), shown(single));
    });
  });
});
