import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { applyEdits } from '../../../src/core/lint/applyEdits';
import { Linter } from '../../../src/core/lint/engine';
import { LineIndex } from '../../../src/core/lint/lineIndex';
import type { LintFinding, LintRange } from '../../../src/core/lint/types';
import { FIXTURE_ROOT, fixtureFiles } from './fixtureSupport';

const linter = new Linter();

function inBounds(lines: LineIndex, r: LintRange): boolean {
  const s = lines.offset(r.start);
  const e = lines.offset(r.end);
  return s <= e && lines.position(s).line === r.start.line && lines.position(e).line === r.end.line;
}

function checkFindings(text: string, findings: readonly LintFinding[]): void {
  const lines = new LineIndex(text);
  for (const f of findings) {
    assert.ok(inBounds(lines, f.range), `range out of bounds: ${JSON.stringify(f.range)}`);
    if (f.fix) {
      for (const e of f.fix.edits) assert.ok(inBounds(lines, e.range), `edit out of bounds: ${JSON.stringify(e.range)}`);
      applyEdits(text, f.fix.edits);
    }
  }
}

describe('lint fuzzing', () => {
  for (const rel of fixtureFiles()) {
    it(`mutated ${rel}: never throws, ranges in bounds, fixes apply`, async () => {
      const original = fs.readFileSync(path.join(FIXTURE_ROOT, rel), 'utf8');
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.string({ maxLength: 8, unit: fc.constantFrom('(', ')', '{', '}', '[', ']', "'", '"', '`', ',', ';', ':', '=', '\n', ' ', 'x', '$', '#', '\\', '😀', '\u0000') })), { maxLength: 5 }),
          async (mutations) => {
            let text = original;
            for (const [at, len, insert] of mutations) {
              const s = at % (text.length + 1);
              text = text.slice(0, s) + insert + text.slice(Math.min(text.length, s + len));
            }
            checkFindings(text, await linter.lintText(text, { filePath: rel }));
          },
        ),
        { numRuns: 12, seed: 7 },
      );
    });
  }

  it('arbitrary text in every language never throws', async () => {
    const names = ['a.js', 'a.ts', 'a.tsx', 'a.py', 'a.php', 'A.java', 'a.cs', 'a.go', 'a.rb', 'php.ini', 'a.properties', 'a.yml', 'web.xml', 'appsettings.json'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), fc.string({ maxLength: 300 }), async (name, body) => {
        const text = `cookie session jwt secret <session-config> {"Jwt": {"Key": ${body}`;
        checkFindings(text, await linter.lintText(text, { filePath: name }));
      }),
      { numRuns: 120, seed: 11 },
    );
  });
});
