import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Linter, piecewise } from '../../../src/core/lint/engine';
import type { LintFinding } from '../../../src/core/lint/types';
import { FIXTURE_ROOT, fixtureFiles, withPiecewise } from './fixtureSupport';

const WORKSPACE_ROOT = path.resolve(FIXTURE_ROOT, '../lint-workspace');

/** The JavaScript/TypeScript files of the lint fixtures and of the workspace fixtures. */
function jsFixtures(): string[] {
  const out = fixtureFiles().filter((f) => /\.(m?js|cjs|jsx|ts|tsx)$/.test(f) && !f.endsWith('.d.ts')).map((f) => path.join(FIXTURE_ROOT, f));
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(p);
      } else if (/\.(m?js|cjs|jsx|ts|tsx)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
    }
  };
  walk(WORKSPACE_ROOT);
  return out.sort();
}


/** A one-line bundle of `count` Express cookie calls (each missing Secure, HttpOnly and SameSite) between other statements. */
function bundle(count: number, opts: { head?: string; tail?: string } = {}): string {
  const parts: string[] = [opts.head ?? ''];
  for (let i = 0; i < count; i++) {
    parts.push(`res.cookie("sid${i}",v${i},{httpOnly:false});function f${i}(a,b){if(a){b()}else{return a+b*${i}}};var x${i}={a:${i},b:"s;${i}",c:[1,2,3]};`);
  }
  parts.push(opts.tail ?? '');
  return parts.join('');
}

describe('one-shot lint of a large JavaScript text in pieces', () => {
  it('finds in every JavaScript/TypeScript fixture, cut into pieces of a few statements, what the whole text gives', async function () {
    this.timeout(120000);
    const files = jsFixtures();
    assert.ok(files.length >= 20, `${files.length} fixtures`);
    const before = { ...piecewise };
    let compared = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      for (const cap of [0, 2]) {
        const linter = new Linter({ maxFindingsPerRule: cap });
        const whole = await withPiecewise({ minLength: Infinity, pieceLength: 65536 }, () => linter.lintText(text, { filePath: file }));
        for (const pieceLength of [8, 120, 700]) {
          const pieces = await withPiecewise({ minLength: 0, pieceLength }, () => linter.lintText(text, { filePath: file }));
          assert.deepEqual(pieces, whole, `${path.relative(FIXTURE_ROOT, file)}, pieces of ${pieceLength}, cap ${cap}`);
          compared++;
        }
      }
    }
    // Both ways were taken, often: linted in pieces to the end, and given up for the whole text
    // (a syntax error in a piece, or a name looked up in one piece and declared in another).
    const linted = piecewise.linted - before.linted;
    const whole = piecewise.wholeAfterAll - before.wholeAfterAll;
    const forLookups = piecewise.wholeForLookups - before.wholeForLookups;
    console.log(`      ${compared} lints: ${linted} in pieces to the end, ${whole} back to the whole text (${forLookups} for a name another piece declares)`);
    assert.ok(linted >= 20, `${linted} of ${compared} lints ran in pieces to the end`);
    assert.ok(forLookups >= 20, `${forLookups} of ${compared} lints went back to the whole text for a lookup`);
  });

  it('lints a large one-line bundle in pieces, with the findings and the cap counts of the whole text', async () => {
    const text = bundle(3000);
    assert.ok(text.length > piecewise.minLength, `${text.length} characters`);
    for (const cap of [0, 100]) {
      const linter = new Linter({ maxFindingsPerRule: cap });
      const linted = piecewise.linted;
      const oneShot = await linter.lintText(text, { filePath: 'bundle.min.js' });
      assert.equal(piecewise.linted, linted + 1, 'linted in pieces');
      const doc = (await linter.open(text, { filePath: 'bundle.min.js' }))!;
      try {
        assert.deepEqual(oneShot, doc.findings(), `cap ${cap}`);
      } finally {
        doc.dispose();
      }
      if (cap === 0) assert.equal(oneShot.filter((f) => f.ruleId === 'cookie-missing-secure').length, 3000);
      else assert.equal(oneShot.find((f) => f.ruleId === 'cookie-missing-secure' && f.omitted !== undefined)?.omitted, 2900);
    }
  });

  it('runs the query on each piece\'s own text only: windows linear in the length of a one-line bundle', async () => {
    const text = bundle(3000);
    const linter = new Linter({ maxFindingsPerRule: 100 });
    const whole = await withPiecewise({ minLength: Infinity, pieceLength: 65536 }, () => linter.lintText(text, { filePath: 'bundle.min.js' }));
    const before = { ...piecewise };
    // Pieces of 8 K: about 40 of them on the one line.
    const pieces = await withPiecewise({ minLength: 0, pieceLength: 8192 }, () => linter.lintText(text, { filePath: 'bundle.min.js' }));
    assert.equal(piecewise.linted, before.linted + 1, 'linted in pieces');
    assert.deepEqual(pieces, whole);
    const parsed = piecewise.pieces - before.pieces;
    const windows = piecewise.windows - before.windows;
    assert.ok(parsed >= 30, `${parsed} pieces`);
    // At most one window of 16 K per 16 K of text, plus one cut short at each piece's end. Each
    // piece scanning and querying the line from its start (as the line's first anchor word) ran
    // about 20 times as many.
    assert.ok(windows <= Math.ceil(text.length / 16384) + parsed, `${windows} query windows for ${parsed} pieces of ${text.length} characters`);
  });

  it('goes back to the whole text when a check looks up a name another piece declares', async () => {
    // `opts` is declared at the start and used by the last call, a piece (or several) away: its
    // HttpOnly finding needs the declaration.
    const text = bundle(3000, { head: 'const opts={httpOnly:false,secure:false};', tail: 'res.cookie("sidlast",w,opts);' });
    const linter = new Linter({ maxFindingsPerRule: 0 });
    const before = { ...piecewise };
    const oneShot = await linter.lintText(text, { filePath: 'bundle.min.js' });
    assert.equal(piecewise.wholeAfterAll, before.wholeAfterAll + 1, 'given up for the whole text');
    assert.equal(piecewise.linted, before.linted);
    const doc = (await linter.open(text, { filePath: 'bundle.min.js' }))!;
    let kept: LintFinding[];
    try {
      kept = doc.findings();
    } finally {
      doc.dispose();
    }
    assert.deepEqual(oneShot, kept);
    const lastCall = text.lastIndexOf('res.cookie("sidlast"');
    // The findings about the options the last call shares point at their declaration.
    assert.ok(oneShot.some((f) => f.ruleId === 'cookie-missing-httponly' && f.range.start.character < 40 && f.message.includes("'sidlast'")), 'HttpOnly finding on opts');
    assert.ok(oneShot.some((f) => f.ruleId === 'cookie-missing-samesite' && f.range.start.character >= lastCall), 'the last call is checked');
  });
});
