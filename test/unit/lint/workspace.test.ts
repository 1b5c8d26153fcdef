import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Linter } from '../../../src/core/lint/engine';
import { scanFiles } from '../../../src/core/lint/scanner';
import { expectedFindings } from './fixtureSupport';

/*
 * Workspaces whose findings need another file: constants imported across modules. Each folder
 * under test/fixtures/lint-workspace is scanned as a whole; expectations are the same
 * `expect:` comments as in the single-file fixtures, per file.
 */
const WORKSPACES = path.resolve(__dirname, '../../fixtures/lint-workspace');

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out.sort();
}

/** "relative/file:line:rule" for every expectation written in the workspace's files. */
function expectations(root: string): string[] {
  return filesUnder(root).flatMap((f) => expectedFindings(fs.readFileSync(f, 'utf8')).map((e) => `${path.relative(root, f)}:${e}`)).sort();
}

function actual(root: string, findings: readonly { file: string; ruleId: string; range: { start: { line: number } } }[]): string[] {
  return findings.map((f) => `${path.relative(root, f.file)}:${f.range.start.line + 1}:${f.ruleId}`).sort();
}

describe('lint across the files of a workspace', () => {
  for (const name of fs.readdirSync(WORKSPACES).sort()) {
    const root = path.join(WORKSPACES, name);
    describe(name, () => {
      it('reports exactly the expected findings when the workspace is scanned', async () => {
        const result = await scanFiles(['.'], { cwd: root, workers: 0 });
        assert.deepEqual(result.problems, []);
        assert.deepEqual(actual(root, result.findings), expectations(root));
        assert.ok(result.symbolStats && result.symbolStats.symbols > 0);
      });

      it('stays silent about imported constants when scanned without cross-file resolution', async () => {
        const result = await scanFiles(['.'], { cwd: root, workers: 0, crossFile: false });
        const crossFile = result.findings.filter((f) => / from \.{1,2}\//.test(f.message));
        assert.deepEqual(crossFile, []);
        // The fixture must hold findings that need another file: without the table some are missing
        // (an imported constant) and some are extra (a peek a verifier of another module makes safe).
        assert.notDeepEqual(actual(root, result.findings), expectations(root), 'the fixture must hold findings that need another file');
      });
    });
  }

  it('resolves imports on worker threads as in one thread', async function () {
    this.timeout(120000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-ws-'));
    try {
      fs.cpSync(path.join(WORKSPACES, 'node-shop'), dir, { recursive: true });
      // Enough files for the scanner to start workers.
      for (let i = 0; i < 30; i++) fs.writeFileSync(path.join(dir, `filler${i}.js`), `module.exports = { n: ${i} };\n`);
      const single = await scanFiles(['.'], { cwd: dir, workers: 0 });
      const threaded = await scanFiles(['.'], { cwd: dir, workers: 2 });
      assert.ok(single.findings.some((f) => / from \.{1,2}\//.test(f.message)));
      assert.deepEqual(actual(dir, threaded.findings), actual(dir, single.findings));
      assert.deepEqual(threaded.findings.map((f) => f.message).sort(), single.findings.map((f) => f.message).sort());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keystroke re-lints resolve imports through the table of the last scan', async () => {
    const root = path.join(WORKSPACES, 'node-shop');
    const result = await scanFiles(['.'], { cwd: root, workers: 0 });
    const file = path.join(root, 'src/auth/tokens.ts');
    const text = fs.readFileSync(file, 'utf8');
    const withoutTable = new Linter();
    const before = await withoutTable.lintText(text, { filePath: file });
    assert.equal(before.filter((f) => f.ruleId === 'jwt-hardcoded-secret').length, 0);

    const linter = new Linter();
    linter.symbols = result.symbols;
    const doc = await linter.open(text, { filePath: file });
    assert.ok(doc);
    const line = (fs: readonly { ruleId: string; range: { start: { line: number } } }[]) => fs.filter((f) => f.ruleId === 'jwt-hardcoded-secret').map((f) => f.range.start.line + 1);
    assert.deepEqual(line(doc.findings()), [5]);
    // A line typed above the call: the finding moves with it and is still resolved.
    const after = doc.update([{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: '// tokens for the web app\n' }]);
    assert.deepEqual(line(after), [6]);
    doc.dispose();
  });
});
