import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Linter } from '../../../src/core/lint/engine';
import { FIXTURE_ROOT } from './fixtureSupport';

/* Symfony's config/packages/framework.yaml: the session cookie as production gets it (when@prod wins). */
describe('lint (PHP): Symfony session cookie configuration', () => {
  const rel = 'php/symfony/config/packages/framework.yaml';
  const text = fs.readFileSync(path.join(FIXTURE_ROOT, rel), 'utf8');
  const lint = async (t: string) => (await new Linter().lintText(t, { filePath: rel })).map((f) => ({ line: f.range.start.line + 1, rule: f.ruleId, severity: f.severity, message: f.message }));

  it('cookie_secure: false that when@prod sets true is info, naming the override', async () => {
    const f = (await lint(text)).find((x) => x.rule === 'cookie-missing-secure')!;
    assert.equal(f.line, 13);
    assert.equal(f.severity, 'info');
    assert.match(f.message, /cookie_secure: false here is what development and tests get; when@prod sets it true on line 25/);
  });

  it('without the when@prod override the false is what production gets: a warning', async () => {
    const f = (await lint(text.replace('            cookie_secure: true\n', '            cookie_samesite: lax\n'))).find((x) => x.rule === 'cookie-missing-secure')!;
    assert.equal(f.line, 13);
    assert.equal(f.severity, 'warning');
  });

  it('a when@prod false over a safe base is reported where production reads it', async () => {
    const t = text.replace('cookie_secure: false # expect: cookie-missing-secure', 'cookie_secure: true').replace('            cookie_secure: true\n', '            cookie_secure: false\n');
    const f = (await lint(t)).find((x) => x.rule === 'cookie-missing-secure')!;
    assert.equal(f.severity, 'warning');
    assert.equal(f.line, 25);
  });

  it('the files of other environments (config/packages/dev/) are not production\'s', async () => {
    assert.deepEqual(await new Linter().lintText('framework:\n    session:\n        cookie_secure: false\n', { filePath: 'app/config/packages/dev/framework.yaml' }), []);
  });
});
