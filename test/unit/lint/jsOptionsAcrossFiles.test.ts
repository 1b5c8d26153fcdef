import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Linter } from '../../../src/core/lint/engine';
import { scanFiles } from '../../../src/core/lint/scanner';

/*
 * Cookie options built in another file of the workspace (lint-workspace/node-accounts): a function
 * with several returns, evaluated with the call's arguments, and spread or merged constants.
 */
describe('lint (JS/TS): cookie options of another file, evaluated with the call', () => {
  const root = path.resolve(__dirname, '../../fixtures/lint-workspace/node-accounts');
  const scan = () => scanFiles(['.'], { cwd: root, workers: 0 });
  const inFile = <T extends { file: string; range: { start: { line: number } } }>(findings: readonly T[], rel: string, line: number): T[] =>
    findings.filter((f) => path.relative(root, f.file) === rel && f.range.start.line + 1 === line);

  it('names the return of the other file that turns Secure off, and where SameSite=None and the Domain come from', async () => {
    const { findings } = await scan();
    const at12 = inFile(findings, 'src/routes/session.ts', 12);
    const secure = at12.find((f) => f.ruleId === 'cookie-missing-secure');
    assert.match(secure!.message, /\(sessionCookieOptions\(\) from \.\.\/http\/cookies\.ts:32\) \(it is false on one branch: sessionCookieOptions\(\) returns it false on line 34 \(if \(embedded\)\)\)/);
    assert.equal(secure!.fix, undefined, 'no edit in this file would change options written in another');
    assert.match(at12.find((f) => f.ruleId === 'cookie-broad-domain')!.message, /Domain=\.shop\.example \(sessionCookieOptions\(\) from \.\.\/http\/cookies\.ts:32, sessionCookieOptions\(\) sets it on line 34/);
    assert.match(at12.find((f) => f.ruleId === 'cookie-long-lifetime')!.message, /lives 90 days/);
  });

  it('prunes the returns an argument rules out: false reaches only the first-party return, true only the embedded one', async () => {
    const { findings } = await scan();
    assert.deepEqual(inFile(findings, 'src/routes/session.ts', 20), []);
    const kiosk = inFile(findings, 'src/routes/session.ts', 28);
    assert.match(kiosk.find((f) => f.ruleId === 'cookie-missing-secure')!.message, /^Turn Secure on for cookie 'acct_session' \(sessionCookieOptions\(\) from \.\.\/http\/cookies\.ts:32\): /);
  });

  it('reads an environment switch passed as the argument as info, at the argument', async () => {
    const { findings } = await scan();
    const [f] = inFile(findings, 'src/server.ts', 10);
    assert.equal(f.severity, 'info');
    assert.match(f.message, /depends on the environment \(process\.env\.NODE_ENV === 'production'\)/);
    assert.equal(f.range.start.character, 'app.use(session(sessionConfig('.length);
  });

  it('reports the value a caller passes to a destructured parameter at the argument', async () => {
    const { findings } = await scan();
    const [f] = inFile(findings, 'src/routes/preferences.ts', 23);
    assert.equal(f.ruleId, 'cookie-missing-secure');
    const line = fs.readFileSync(path.join(root, 'src/routes/preferences.ts'), 'utf8').split('\n')[22];
    assert.equal(f.range.start.character, line.indexOf('false'));
  });

  it('keystroke re-lints read the other file through the table of the last scan', async () => {
    const { symbols } = await scan();
    const file = path.join(root, 'src/routes/session.ts');
    const text = fs.readFileSync(file, 'utf8');
    const alone = await new Linter().lintText(text, { filePath: file });
    assert.deepEqual(alone, [], 'without the table the options are unknown');
    const linter = new Linter();
    linter.symbols = symbols;
    const doc = await linter.open(text, { filePath: file });
    assert.ok(doc);
    try {
      const lines = (fs: readonly { ruleId: string; range: { start: { line: number } } }[]) => fs.filter((f) => f.ruleId === 'cookie-missing-secure').map((f) => f.range.start.line + 1);
      assert.deepEqual(lines(doc.findings()), [12, 28]);
      // The direct route now passes true: the embedded return is the one reachable there.
      const at = text.split('\n')[19].indexOf('sessionCookieOptions(false)') + 'sessionCookieOptions('.length;
      const after = doc.update([{ range: { start: { line: 19, character: at }, end: { line: 19, character: at + 5 } }, text: 'true' }]);
      assert.deepEqual(lines(after), [12, 20, 28]);
    } finally {
      doc.dispose();
    }
  });
});
