import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
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

/*
 * A definition's own imports (lint-workspace/node-support): cookies.ts builds the options from
 * SESSION_DEFAULTS of config/defaults.ts; routes/tickets.ts only imports cookies.ts.
 */
describe('lint (JS/TS): options another file builds from a third file', () => {
  const root = path.resolve(__dirname, '../../fixtures/lint-workspace/node-support');

  it('follows the definition into the file it imports, naming where the flag is written', async () => {
    const { findings } = await scanFiles(['.'], { cwd: root, workers: 0 });
    const secure = findings.filter((f) => f.ruleId === 'cookie-missing-secure');
    assert.deepEqual(secure.map((f) => `${path.relative(root, f.file)}:${f.range.start.line + 1}`), ['src/routes/tickets.ts:10']);
    assert.match(secure[0].message, /^Turn Secure on for cookie 'support_session' \(SESSION_DEFAULTS from \.\.\/config\/defaults\.ts:9\)/);
  });

  it('keystroke re-lints follow it through the last scan, and a rescan forgets what the old table said', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-hop-'));
    try {
      fs.cpSync(root, dir, { recursive: true });
      const file = path.join(dir, 'src/routes/tickets.ts');
      const text = fs.readFileSync(file, 'utf8');
      const linter = new Linter();
      linter.symbols = (await scanFiles(['.'], { cwd: dir, workers: 0 })).symbols;
      const secureLines = async () => {
        const doc = await linter.open(text, { filePath: file });
        try {
          return doc!.findings().filter((f) => f.ruleId === 'cookie-missing-secure').map((f) => f.range.start.line + 1);
        } finally {
          doc!.dispose();
        }
      };
      assert.deepEqual(await secureLines(), [10]);
      // The defaults turn Secure on: the next scan's table gives the third file's new source.
      const defaults = path.join(dir, 'src/config/defaults.ts');
      fs.writeFileSync(defaults, fs.readFileSync(defaults, 'utf8').replace('secure: false', 'secure: true'));
      linter.symbols = (await scanFiles(['.'], { cwd: dir, workers: 0 })).symbols;
      assert.deepEqual(await secureLines(), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops on modules that import each other', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-cycle-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.ts'), "import { bOptions } from './b';\nexport function aOptions(): object {\n  return { ...bOptions() };\n}\n");
      fs.writeFileSync(path.join(dir, 'b.ts'), "import { aOptions } from './a';\nexport function bOptions(): object {\n  return { ...aOptions() };\n}\n");
      fs.writeFileSync(path.join(dir, 'app.ts'), "import { aOptions } from './a';\nexport function login(res: any, id: string) {\n  res.cookie('sid', id, aOptions());\n}\n");
      const { findings, problems } = await scanFiles(['.'], { cwd: dir, workers: 0 });
      assert.deepEqual(problems, []);
      assert.deepEqual(findings.filter((f) => f.ruleId === 'cookie-missing-secure' || f.ruleId === 'cookie-missing-httponly'), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/*
 * node-config (lint-workspace/node-helpline): config.get('session.cookie') as production merges
 * config/default.json and config/production.json; custom-environment-variables.json maps a key to a variable.
 */
describe('lint (JS/TS): options and secrets from node-config', () => {
  const root = path.resolve(__dirname, '../../fixtures/lint-workspace/node-helpline');

  it('reads the merged object: production.json turns Secure on, default.json keeps HttpOnly off elsewhere', async () => {
    const { findings } = await scanFiles(['.'], { cwd: root, workers: 0 });
    const at = findings.map((f) => `${path.relative(root, f.file)}:${f.range.start.line + 1}:${f.ruleId}`).sort();
    assert.deepEqual(at, ['src/routes/callbacks.js:10:cookie-missing-httponly', 'src/server.js:10:session-hardcoded-secret', 'src/server.js:14:session-hardcoded-secret']);
    const httpOnly = findings.find((f) => f.ruleId === 'cookie-missing-httponly')!;
    assert.match(httpOnly.message, /\(config\.get\('callbackCookie'\) from \.\.\/\.\.\/config\/default\.json:13\)/);
    const secrets = findings.filter((f) => f.ruleId === 'session-hardcoded-secret').map((f) => f.message);
    assert.match(secrets[0], /config\.get\('cookies\.secret'\) from \.\.\/config\/default\.json:19/);
    // Mapped to SESSION_SECRET: the default is what production gets wherever the variable is missing.
    assert.match(secrets[1], /falls back to a literal .* wherever SESSION_SECRET is missing/);
  });

  it('without production.json the default Secure: false is what production gets', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-node-config-'));
    try {
      fs.cpSync(root, dir, { recursive: true });
      fs.rmSync(path.join(dir, 'config/production.json'));
      const { findings } = await scanFiles(['.'], { cwd: dir, workers: 0 });
      const secure = findings.filter((f) => f.ruleId === 'cookie-missing-secure');
      assert.deepEqual(secure.map((f) => `${path.relative(dir, f.file)}:${f.range.start.line + 1}`), ['src/server.js:17']);
      assert.match(secure[0].message, /config\.get\('session\.cookie'\) from \.\.\/config\/default\.json:6/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
