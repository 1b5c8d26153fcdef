import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Linter } from '../../../src/core/lint/engine';
import { FIXTURE_ROOT } from './fixtureSupport';

/* Ruby case/when branches are named in findings by their value and patterns, not as "in when". */
describe('lint (Ruby): case/when branches named in messages', () => {
  const rel = 'ruby/case_branches/tokens_controller.rb';
  const text = fs.readFileSync(path.join(FIXTURE_ROOT, rel), 'utf8');
  const messageAt = async (line: number, ruleId: string) => {
    const findings = await new Linter().lintText(text, { filePath: rel });
    const f = findings.find((x) => x.range.start.line + 1 === line && x.ruleId === ruleId);
    assert.ok(f, `no ${ruleId} on line ${line}`);
    return f;
  };

  it('names the when clause with the case value and every pattern', async () => {
    assert.match((await messageAt(15, 'cookie-missing-httponly')).message, /httponly is set to false when params\[:client\] is "widget" or "legacy_widget"/);
  });

  it('reads a case expression assigned whole: an environment case is info, naming the branch', async () => {
    const f = await messageAt(25, 'cookie-missing-secure');
    assert.equal(f.severity, 'info');
    assert.match(f.message, /\(when Rails\.env is "development" or "test"\)/);
  });

  it('names a case without a value by its condition', async () => {
    assert.match((await messageAt(36, 'cookie-missing-secure')).message, /secure is set to false when params\[:partner_frame\]/);
  });
});
