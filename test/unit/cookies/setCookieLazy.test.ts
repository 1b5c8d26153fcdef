import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');

/** Run in a fresh process: this one has loaded tough-cookie through other tests already. */
const CHILD = `
const loaded = () => Object.keys(require.cache).some((k) => /[\\\\/]tough-cookie[\\\\/]/.test(k));
const { Linter } = require('./src/core/lint/engine');
const { parseSetCookie } = require('./src/core/cookies/setCookie');
(async () => {
  const findings = await new Linter().lintText('res.cookie("sid", v, { httpOnly: false });', { filePath: 'app.js' });
  const afterLint = loaded();
  const parsed = parseSetCookie('sid=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/');
  console.log(JSON.stringify({ findings: findings.length, afterLint, expires: parsed && parsed.expires && parsed.expires.toISOString(), afterExpires: loaded() }));
})();
`;

describe('Set-Cookie parser: tough-cookie on first use', () => {
  it('a lint without an Expires to read does not load tough-cookie; the first Expires does, and parses it', function () {
    this.timeout(60_000);
    const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', CHILD], { cwd: REPO, encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { findings: number; afterLint: boolean; expires: string; afterExpires: boolean };
    assert.ok(r.findings > 0, 'the lint ran its checks');
    assert.equal(r.afterLint, false, 'tough-cookie not loaded by the lint');
    assert.equal(r.expires, '2015-10-21T07:28:00.000Z');
    assert.equal(r.afterExpires, true);
  });
});
