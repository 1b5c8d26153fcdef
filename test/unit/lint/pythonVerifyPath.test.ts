import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Linter } from '../../../src/core/lint/engine';
import { FIXTURE_ROOT } from './fixtureSupport';

/* Python: an unverified decode is quiet when a verifying helper of the file is on every path before it. */
describe('lint (Python): verification by a helper on the same path', () => {
  const rel = 'python/jwt_helpers/auth.py';
  const text = fs.readFileSync(path.join(FIXTURE_ROOT, rel), 'utf8');
  const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle));

  it('reports the peek again when the helper stops verifying (an edit of the helper re-lints the caller)', async () => {
    const linter = new Linter();
    const doc = await linter.open(text, { filePath: rel, language: 'python' });
    assert.ok(doc);
    try {
      const peek = lineOf('# The signature was checked above') + 1;
      assert.ok(!doc.findings().some((f) => f.range.start.line === peek));
      // verify_token loses its algorithms allow-list: it no longer verifies as far as the lint can tell.
      const line = lineOf('return jwt.decode(token, SIGNING_KEY, algorithms=["HS256"], audience="orders-api")');
      const col = text.split('\n')[line].indexOf(', algorithms=["HS256"]');
      doc.update([{ range: { start: { line, character: col }, end: { line, character: col + ', algorithms=["HS256"]'.length } }, text: '' }]);
      assert.ok(doc.findings().some((f) => f.range.start.line === peek && f.ruleId === 'jwt-verify-disabled'));
      assert.deepEqual(doc.findings(), doc.refresh());
    } finally {
      doc.dispose();
    }
  });

  it('reports a private peek helper again when one of its callers stops verifying first', async () => {
    const edited = text.replace('    verify_token(token)\n    g.user_id', '    g.user_id');
    assert.notEqual(edited, text);
    const findings = await new Linter().lintText(edited, { filePath: rel });
    const helper = edited.split('\n').findIndex((l) => l.startsWith('def _claims(')) + 1;
    assert.ok(findings.some((f) => f.range.start.line === helper && f.ruleId === 'jwt-verify-disabled'));
  });
});
