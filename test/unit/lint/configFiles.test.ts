import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Linter } from '../../../src/core/lint/engine';
import { scanFiles } from '../../../src/core/lint/scanner';
import { languageForPath } from '../../../src/core/lint/grammars';
import { jsonStrings } from '../../../src/core/lint/languages/appSettings';

const WEB_XML = [
  '<web-app>',
  '  <session-config>',
  '    <cookie-config>',
  '      <name>APPSESSION</name>',
  '      <http-only>true</http-only>',
  '      <secure>false</secure>',
  '    </cookie-config>',
  '  </session-config>',
  '</web-app>',
  '',
].join('\n');

// web.xml and appsettings.json are read without a tree-sitter grammar: the same engine paths must hold.
describe('lint of web.xml and appsettings.json', () => {
  it('lints only the descriptor and settings files it knows', () => {
    assert.equal(languageForPath('src/main/webapp/WEB-INF/web.xml'), 'xml');
    assert.equal(languageForPath('META-INF/web-fragment.xml'), 'xml');
    assert.equal(languageForPath('pom.xml'), undefined);
    assert.equal(languageForPath('appsettings.json'), 'json');
    assert.equal(languageForPath('Api/appsettings.Production.json'), 'json');
    assert.equal(languageForPath('package.json'), undefined);
  });

  it('a workspace scan reads web.xml and appsettings.json, and leaves other XML and JSON files alone', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-config-files-'));
    try {
      fs.mkdirSync(path.join(root, 'src/main/webapp/WEB-INF'), { recursive: true });
      fs.writeFileSync(path.join(root, 'src/main/webapp/WEB-INF/web.xml'), WEB_XML);
      fs.writeFileSync(path.join(root, 'pom.xml'), WEB_XML);
      fs.writeFileSync(path.join(root, 'appsettings.json'), '{ "Jwt": { "Key": "made-up-signing-key-0123456789" } }\n');
      fs.writeFileSync(path.join(root, 'package.json'), '{ "Jwt": { "Key": "made-up-signing-key-0123456789" } }\n');
      const result = await scanFiles(['.'], { cwd: root, workers: 0 });
      assert.deepEqual(result.problems, []);
      assert.deepEqual(result.findings.map((f) => `${path.relative(root, f.file).split(path.sep).join('/')}:${f.ruleId}`).sort(), ['appsettings.json:jwt-hardcoded-secret', 'src/main/webapp/WEB-INF/web.xml:cookie-missing-secure']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('an open web.xml re-lints on each edit, and a disable comment silences its line', async () => {
    const linter = new Linter();
    const doc = (await linter.open(WEB_XML, { filePath: 'WEB-INF/web.xml' }))!;
    try {
      assert.deepEqual(doc.findings().map((f) => `${f.range.start.line}:${f.ruleId}`), ['5:cookie-missing-secure']);
      const at = WEB_XML.indexOf('false');
      const line = 5;
      const character = at - WEB_XML.lastIndexOf('\n', at) - 1;
      const after = doc.update([{ range: { start: { line, character }, end: { line, character: character + 5 } }, text: 'true' }]);
      assert.deepEqual(after, []);
      const fixed = doc.getText();
      assert.ok(fixed.includes('<secure>true</secure>'));
      const disabled = WEB_XML.replace('      <secure>', '      <!-- session-lens-disable-next-line cookie-missing-secure -->\n      <secure>');
      assert.deepEqual(await linter.lintText(disabled, { filePath: 'web.xml' }), []);
      const fix = doc.disableFix({ ruleId: 'cookie-missing-secure', range: { start: { line: 5, character: 6 }, end: { line: 5, character: 6 } } });
      assert.equal(fix.edits[0].newText, '      <!-- session-lens-disable-next-line cookie-missing-secure -->\n');
    } finally {
      doc.dispose();
    }
  });

  it('reads JSON with comments and trailing commas, and keeps what it read before broken input', () => {
    const text = '{\n  // key\n  "Jwt": { "Key": "a\\"b", "Ttl": 5, },\n  "List": [ "x", ],\n  "Broken": { "Key": "kept", "Next": ';
    assert.deepEqual(jsonStrings(text).map((s) => [s.path.join(':'), s.value, text.slice(s.start, s.end)]), [
      ['Jwt:Key', 'a"b', '"a\\"b"'],
      ['List:0', 'x', '"x"'],
      ['Broken:Key', 'kept', '"kept"'],
    ]);
    assert.deepEqual(jsonStrings('"unterminated'), []);
    assert.deepEqual(jsonStrings('['.repeat(10000)), []);
  });
});
