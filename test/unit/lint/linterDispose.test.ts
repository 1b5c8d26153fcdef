import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as TreeSitter from '@vscode/tree-sitter-wasm';
import { Linter } from '../../../src/core/lint/engine';
import { scanFiles } from '../../../src/core/lint/scanner';
import { FIXTURE_ROOT } from './fixtureSupport';

/** web-tree-sitter's handle of a parser in wasm memory: 0 once deleted. */
const handle = (p: TreeSitter.Parser | undefined) => (p as unknown as { 0: number } | undefined)?.[0];

describe('Linter.dispose: what a scan made in wasm memory is freed when it ends', () => {
  it('deletes the parsers of every language it loaded; a later lint makes new ones', async () => {
    const linter = new Linter();
    const js = 'res.cookie("sid", v, { httpOnly: false });';
    const py = 'resp.set_cookie("sid", v, httponly=False)';
    const before = [await linter.lintText(js, { filePath: 'a.js' }), await linter.lintText(py, { filePath: 'a.py' })];
    const parsers = [(await linter.prepare('javascript')).parser, (await linter.prepare('python')).parser];
    assert.ok(parsers.every((p) => handle(p)! > 0), 'parsers live while the linter is in use');
    linter.dispose();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(parsers.map(handle), [0, 0], 'parsers deleted');
    assert.deepEqual([await linter.lintText(js, { filePath: 'a.js' }), await linter.lintText(py, { filePath: 'a.py' })], before);
    const again = (await linter.prepare('javascript')).parser;
    assert.ok(handle(again)! > 0 && again !== parsers[0], 'a new parser');
    linter.dispose();
  });

  it('scanFiles in this thread frees the parsers its linter made', async function () {
    this.timeout(60_000);
    const made: TreeSitter.Parser[] = [];
    const proto = TreeSitter.Parser.prototype;
    const setLanguage = proto.setLanguage;
    // Records the parsers the scan sets a language on (each a real parser in wasm memory).
    proto.setLanguage = function (this: TreeSitter.Parser, language) {
      made.push(this);
      return setLanguage.call(this, language);
    };
    try {
      const result = await scanFiles([path.join(FIXTURE_ROOT, 'javascript'), path.join(FIXTURE_ROOT, 'python')], { workers: 0 });
      assert.ok(result.findings.length > 0);
    } finally {
      proto.setLanguage = setLanguage;
    }
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(made.length >= 2, `${made.length} parsers made`);
    assert.deepEqual(made.map(handle).filter((h) => h !== 0), [], 'every parser deleted');
  });
});
