import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Linter } from '../../../src/core/lint/engine';
import { scanFiles } from '../../../src/core/lint/scanner';
import { FIXTURE_ROOT } from './fixtureSupport';

const WORKSPACE = path.resolve(__dirname, '../../fixtures/lint-workspace/python-api');

/* Python: an unverified decode is quiet when a verifying helper of the file is on every path before it. */
describe('lint (Python): verification by a helper on the same path', () => {
  const rel = 'python/jwt_helpers/auth.py';
  const text = fs.readFileSync(path.join(FIXTURE_ROOT, rel), 'utf8');
  const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle));

  /**
   * The peek on the line after `peekLine` is quiet; once the verifying decode on `verifyLine` loses
   * its algorithms allow-list (it no longer verifies as far as the lint can tell), the edit re-lints
   * the peek and reports it, as a full re-lint does.
   */
  async function reportedAgainWhenVerifyingStops(peekLine: string, verifyLine: string): Promise<void> {
    const linter = new Linter();
    const doc = await linter.open(text, { filePath: rel, language: 'python' });
    assert.ok(doc);
    try {
      const peek = lineOf(peekLine) + 1;
      assert.ok(!doc.findings().some((f) => f.range.start.line === peek));
      const line = lineOf(verifyLine);
      const col = text.split('\n')[line].indexOf(', algorithms=["HS256"]');
      doc.update([{ range: { start: { line, character: col }, end: { line, character: col + ', algorithms=["HS256"]'.length } }, text: '' }]);
      assert.ok(doc.findings().some((f) => f.range.start.line === peek && f.ruleId === 'jwt-verify-disabled'));
      assert.deepEqual(doc.findings(), doc.refresh());
    } finally {
      doc.dispose();
    }
  }

  it('reports the peek again when the helper stops verifying (an edit of the helper re-lints the caller)', () =>
    reportedAgainWhenVerifyingStops('# The signature was checked above', 'return jwt.decode(token, SIGNING_KEY, algorithms=["HS256"], audience="orders-api")'));

  it('reports the peek behind a decorator again when the decorator stops verifying', () =>
    reportedAgainWhenVerifyingStops('def order_owner()', 'g.claims = jwt.decode(_bearer(), SIGNING_KEY, algorithms=["HS256"], audience="orders-api")'));

  it('reports a private peek helper again when one of its callers stops verifying first', async () => {
    const edited = text.replace('    verify_token(token)\n    g.user_id', '    g.user_id');
    assert.notEqual(edited, text);
    const findings = await new Linter().lintText(edited, { filePath: rel });
    const helper = edited.split('\n').findIndex((l) => l.startsWith('def _claims(')) + 1;
    assert.ok(findings.some((f) => f.range.start.line === helper && f.ruleId === 'jwt-verify-disabled'));
  });
});

/* Python: verifiers of other modules, through the table of the last scan, on keystroke re-lints. */
describe('lint (Python): verification through another module on keystroke re-lints', () => {
  it('reports self.tokens.verify peeks again when the attribute stops being a TokenService', async function () {
    this.timeout(60000);
    const result = await scanFiles(['.'], { cwd: WORKSPACE, workers: 0 });
    const file = path.join(WORKSPACE, 'api/account.py');
    const text = fs.readFileSync(file, 'utf8');
    const linter = new Linter();
    linter.symbols = result.symbols;
    const doc = await linter.open(text, { filePath: file });
    assert.ok(doc);
    try {
      const lines = text.split('\n');
      const peek = lines.findIndex((l, i) => i > lines.findIndex((x) => x.includes('def get(self)')) && l.includes('verify_signature'));
      assert.ok(peek > 0 && !doc.findings().some((f) => f.range.start.line === peek));
      // The __init__ parameter is annotated as another class: self.tokens.verify no longer names a verifier.
      const line = lines.findIndex((l) => l.includes('def __init__(self, service: TokenService'));
      const col = lines[line].indexOf('TokenService');
      doc.update([{ range: { start: { line, character: col }, end: { line, character: col + 'TokenService'.length } }, text: 'AuditLog' }]);
      assert.ok(doc.findings().some((f) => f.range.start.line === peek && f.ruleId === 'jwt-verify-disabled'));
      assert.deepEqual(doc.findings(), doc.refresh());
    } finally {
      doc.dispose();
    }
  });
});
