import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits } from '../../../src/core/lint/applyEdits';
import { Linter } from '../../../src/core/lint/engine';
import type { LintFinding } from '../../../src/core/lint/types';
import { FIXTURE_ROOT, actualFindings, expectedFindings, fixtureFiles } from './fixtureSupport';

const linter = new Linter();

/** The lines a fix changed: "- old" / "+ new" lines between the common prefix and suffix. */
function changedLines(before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  let s = 0;
  while (s < a.length && s < b.length && a[s] === b[s]) s++;
  let ea = a.length - 1;
  let eb = b.length - 1;
  while (ea >= s && eb >= s && a[ea] === b[eb]) {
    ea--;
    eb--;
  }
  return [...a.slice(s, ea + 1).map((l) => `- ${l}`), ...b.slice(s, eb + 1).map((l) => `+ ${l}`)].join('\n');
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
          const countBefore = findings.filter((x) => x.ruleId === f.ruleId).length;
          const countAfter = again.filter((x) => x.ruleId === f.ruleId).length;
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
