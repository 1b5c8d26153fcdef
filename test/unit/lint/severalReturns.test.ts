import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Linter } from '../../../src/core/lint/engine';
import { FIXTURE_ROOT } from './fixtureSupport';

/* JS/TS functions with several returns: a reachable weak return is reported, naming its line; an environment switch is info. */
describe('lint (JS/TS): values returned by functions with several returns', () => {
  const rel = 'javascript/several-returns/session-cookies.js';
  const text = fs.readFileSync(path.join(FIXTURE_ROOT, rel), 'utf8');
  const at = async (line: number) => (await new Linter().lintText(text, { filePath: rel })).filter((f) => f.range.start.line + 1 === line);

  it('names the return that turns a flag off, by line and condition (chosen by an argument read from the environment: info)', async () => {
    const [f] = await at(24);
    // cookieOptions(process.env.APP_ENV): the argument decides `env === 'test'`, so the environment chooses the return.
    assert.equal(f.severity, 'info');
    assert.match(f.message, /Secure for cookie 'access_token' depends on the environment \(cookieOptions\(\) returns it false on line 24 \(if \(env === 'test'\)\)\)/);
  });

  it('reads a session middleware cookie: options built by such a function', async () => {
    const [env] = await at(11);
    assert.equal(env.severity, 'info');
    assert.match(env.message, /sessionCookie\(\) returns it false on line 11 \(if \(process\.env\.SESSION_COOKIE_INSECURE === '1'\)\)/);
    const [off] = await at(16);
    assert.equal(off.ruleId, 'cookie-missing-httponly');
    assert.equal(off.severity, 'info');
    assert.match(off.message, /cookie 'storefront\.admin' .*adminSessionCookie\(\) returns it false on line 16/);
  });

  it('reads a return chosen by NODE_ENV as an environment switch (info)', async () => {
    const [f] = await at(30);
    assert.equal(f.ruleId, 'cookie-missing-secure');
    assert.equal(f.severity, 'info');
    assert.match(f.message, /refreshCookieOptions\(\) returns it false on line 30/);
  });

  it('names a return that leaves a flag out to its default', async () => {
    const [f] = await at(37);
    assert.match(f.message, /widgetCookieOptions\(\) leaves it out on line 37 \(if \(embedded\)\)/);
  });

  it('reports the literal a method returns on one path, and nothing when every return reads the environment', async () => {
    const [f] = await at(54);
    assert.match(f.message, /returned by this\.getSecret\(\) on line 54 \(unless \(this\.options\.useVault\)\)/);
    const all = await new Linter().lintText(text, { filePath: rel });
    assert.deepEqual(all.filter((x) => x.range.start.line + 1 > 54 && x.range.start.line + 1 < 74), []);
  });

  it('keeps the line right after an edit above the function', async () => {
    const linter = new Linter();
    const doc = await linter.open(text, { filePath: rel, language: 'javascript' });
    assert.ok(doc);
    try {
      doc.update([{ range: { start: { line: 8, character: 0 }, end: { line: 8, character: 0 } }, text: '// added\n// lines\n' }]);
      const f = doc.findings().find((x) => x.ruleId === 'jwt-hardcoded-secret');
      assert.ok(f);
      assert.equal(f.range.start.line + 1, 56);
      assert.match(f.message, /on line 56 /);
    } finally {
      doc.dispose();
    }
  });
});
