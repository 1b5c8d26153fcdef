import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits } from '../../../src/core/lint/applyEdits';
import { Linter } from '../../../src/core/lint/engine';
import type { LintFinding } from '../../../src/core/lint/types';
import { FIXTURE_ROOT, actualFindings, expectedFindings, fixtureFiles } from './fixtureSupport';

const linter = new Linter();

/** A line diff (longest common subsequence): "- old" and "+ new" lines only. */
function changedLines(before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) out.push(`- ${a[i++]}`);
    else out.push(`+ ${b[j++]}`);
  }
  return out.join('\n');
}

function describeFix(f: LintFinding, before: string, after: string): string {
  return `== ${f.ruleId} @ ${f.range.start.line + 1}:${f.range.start.character + 1} - ${f.fix!.title}\n${changedLines(before, after)}\n`;
}

describe('lint fixtures', () => {
  for (const rel of fixtureFiles()) {
    describe(rel, () => {
      const file = path.join(FIXTURE_ROOT, rel);
      const text = fs.readFileSync(file, 'utf8');

      it('reports exactly the expected findings', async () => {
        const findings = await linter.lintText(text, { filePath: rel });
        assert.deepEqual(actualFindings(findings), expectedFindings(text));
      });

      it('has golden quick fixes that remove their finding', async () => {
        const findings = await linter.lintText(text, { filePath: rel });
        let golden = '';
        for (const f of findings) {
          if (!f.fix) continue;
          assert.equal(f.fix.isPreferred, true);
          const after = applyEdits(text, f.fix.edits);
          golden += describeFix(f, text, after);
          const again = await linter.lintText(after, { filePath: rel });
          // The same problem (rule and message) must be gone; a fix may uncover a different one.
          const same = (x: LintFinding) => x.ruleId === f.ruleId && x.message === f.message;
          const countBefore = findings.filter(same).length;
          const countAfter = again.filter(same).length;
          assert.ok(countAfter < countBefore, `fix "${f.fix.title}" for ${f.ruleId} at line ${f.range.start.line + 1} left the finding in place:\n${changedLines(text, after)}`);
        }
        const goldenFile = `${file}.fixes.golden`;
        if (process.env.UPDATE_GOLDEN) fs.writeFileSync(goldenFile, golden);
        assert.ok(fs.existsSync(goldenFile), `missing ${goldenFile}; run with UPDATE_GOLDEN=1 and review it`);
        assert.equal(golden, fs.readFileSync(goldenFile, 'utf8'));
      });
    });
  }
});
