import * as assert from 'node:assert/strict';
import { Linter } from '../../../src/core/lint/engine';

/*
 * Property keys of options objects are read from the text where a key clearly ends (`:`, a space, a
 * comment) and from the tree otherwise: both must name the same property.
 */
describe('lint (JS/TS): property keys of options objects', () => {
  const linter = new Linter();
  const rules = async (options: string) =>
    (await linter.lintText(`res.cookie('sid', token, ${options});\n`, { filePath: 'keys.js' })).map((f) => f.ruleId).sort();

  it('reads a key followed by a comment, a space, a line break or a colon', async () => {
    for (const options of ['{ secure /* off */ : false, httpOnly: true, sameSite: "lax" }', '{ secure\t: false, httpOnly\n: true, sameSite: "lax" }', "{ 'secure': false, httpOnly: true, sameSite: 'lax' }"]) {
      assert.deepEqual(await rules(options), ['cookie-missing-secure'], options);
    }
  });

  it('reads keys that Unicode identifiers do not cover from the tree, as before', async () => {
    // A key holding an escape or a symbol tree-sitter accepts in identifiers: not `secure`, so Secure is left out (the default).
    assert.deepEqual(await rules('{ secur\\u0065: true, httpOnly: true, sameSite: "lax" }'), ['cookie-missing-secure']);
    assert.deepEqual(await rules('{ secure😀: true, httpOnly: true, sameSite: "lax" }'), ['cookie-missing-secure']);
    assert.deepEqual(await rules('{ sécure: true, secure: true, httpOnly: true, sameSite: "lax" }'), []);
  });
});
