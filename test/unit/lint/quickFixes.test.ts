import * as assert from 'node:assert/strict';
import { applyEdits } from '../../../src/core/lint/applyEdits';
import { Linter } from '../../../src/core/lint/engine';

describe('lint quick fixes outside the fixture corpus', () => {
  it('cookies.permanent: expires follows the configured maximum lifetime', async () => {
    const linter = new Linter({ maxSessionCookieLifetimeDays: 7 });
    const text = 'class A\n  def b\n    cookies.permanent[:locale] = params[:locale]\n  end\nend\n';
    const findings = await linter.lintText(text, { filePath: 'a.rb' });
    const f = findings.find((x) => x.ruleId === 'cookie-long-lifetime');
    assert.ok(f?.fix);
    assert.equal(f.fix.title, 'Expire in 7 days instead of permanent');
    const after = applyEdits(text, f.fix.edits);
    assert.equal(after, 'class A\n  def b\n    cookies[:locale] = { value: params[:locale], expires: 7.days }\n  end\nend\n');
    const again = await linter.lintText(after, { filePath: 'a.rb' });
    assert.deepEqual(again.filter((x) => x.ruleId === 'cookie-long-lifetime'), []);
  });

  it('SignatureValidator removal keeps CRLF line endings and the other members', async () => {
    const linter = new Linter();
    const lines = [
      'var p = new TokenValidationParameters',
      '{',
      '    ValidIssuer = "https://issuer.example",',
      '    SignatureValidator = (token, parameters) => new JsonWebToken(token),',
      '    ValidAudience = "api",',
      '};',
      '',
    ];
    const text = lines.join('\r\n');
    const findings = await linter.lintText(text, { filePath: 'Program.cs' });
    const f = findings.find((x) => x.ruleId === 'jwt-verify-disabled');
    assert.ok(f?.fix);
    const after = applyEdits(text, f.fix.edits);
    assert.equal(after, [...lines.slice(0, 3), ...lines.slice(4)].join('\r\n'));
    const again = await linter.lintText(after, { filePath: 'Program.cs' });
    assert.deepEqual(again.filter((x) => x.ruleId === 'jwt-verify-disabled'), []);
  });
});
