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

/* A case without else gives nil when no when matches; a SameSite written through a local is read through it. */
describe('lint (Ruby): case without else, SameSite through a local', () => {
  const rel = 'ruby/case_without_else/partner_sessions_controller.rb';
  const text = fs.readFileSync(path.join(FIXTURE_ROOT, rel), 'utf8');
  const findingsAt = async (line: number) => (await new Linter().lintText(text, { filePath: rel })).filter((x) => x.range.start.line + 1 === line);

  it('names what the environments a case on Rails.env does not list get (nil), at info', async () => {
    const [f] = await findingsAt(11);
    assert.equal(f.ruleId, 'cookie-missing-secure');
    assert.equal(f.severity, 'info');
    assert.match(f.message, /secure is nil when Rails\.env is none of "production", "staging", for which the case has no else/);
  });

  it('reports the nil of a case on anything else as the insecure branch', async () => {
    const [f] = await findingsAt(21);
    assert.equal(f.ruleId, 'cookie-missing-httponly');
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /httponly is nil when @partner\.integration is none of :redirect, :popup/);
  });

  it('follows a same_site local to its values instead of calling the name an unknown SameSite', async () => {
    assert.deepEqual((await findingsAt(39)).map((f) => f.ruleId), []);
    assert.deepEqual((await findingsAt(45)).map((f) => f.ruleId).sort(), ['cookie-missing-secure', 'cookie-samesite-none-insecure']);
    const [nil] = await findingsAt(51);
    assert.match(nil.message, /Set SameSite=Lax \(or Strict\)/);
    // A value computed at run time is not a finding.
    assert.deepEqual((await findingsAt(57)).map((f) => f.ruleId), []);
  });
});
