import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULES } from '../../../src/core/rules/catalog';
import { FIXTURE_ROOT } from './fixtureSupport';
import { runCliInProcess } from '../../support/cliInProcess';
import { sarifValidator } from '../../support/sarifValidator';

async function scanSarif(cwd: string, args: string[]): Promise<{ code: number; log: Record<string, unknown> }> {
  const { code, stdout } = await runCliInProcess(['scan', ...args, '--format', 'sarif'], cwd);
  return { code, log: JSON.parse(stdout) as Record<string, unknown> };
}

describe('SARIF output', () => {
  it('is valid SARIF 2.1.0 for the whole fixture corpus, with rules, help URIs and fixes', async () => {
    const { code, log } = await scanSarif(FIXTURE_ROOT, ['.']);
    assert.equal(code, 1);
    const check = (await sarifValidator())(log);
    assert.ok(check.valid, check.errors);
    type Run = { tool: { driver: { rules: { id: string; helpUri?: string; fullDescription: { text: string }; help: { text: string; markdown?: string } }[] } }; results: { ruleId: string; ruleIndex: number; level: string; fixes?: unknown[]; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[] };
    const run = (log.runs as Run[])[0];
    const rules = run.tool.driver.rules;
    assert.deepEqual(rules.map((r) => r.id), [...RULES.values()].filter((r) => r.modes.includes('C')).map((r) => r.id));
    // No web address is assumed: each rule's page travels inside the log.
    for (const r of rules) {
      assert.equal(r.helpUri, undefined, r.id);
      const page = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'rules', `${r.id}.md`), 'utf8');
      assert.equal(r.help.markdown, page, r.id);
      assert.match(r.help.text, new RegExp(`^${r.id}: `), r.id);
      assert.doesNotMatch(r.help.text, /\*\*Default severity|^#/m, r.id);
      assert.ok(r.fullDescription.text.length > 40 && !r.fullDescription.text.includes('\n\n'), `${r.id}: ${r.fullDescription.text}`);
    }
    assert.ok(run.results.length > 50);
    for (const r of run.results) {
      assert.equal(rules[r.ruleIndex].id, r.ruleId);
      assert.ok(['error', 'warning', 'note'].includes(r.level));
      const loc = r.locations[0].physicalLocation;
      assert.ok(loc.region.startLine >= 1 && loc.region.startColumn >= 1);
      assert.ok(!path.isAbsolute(loc.artifactLocation.uri));
    }
    assert.ok(run.results.some((r) => r.fixes && r.fixes.length === 1));
  });

  it('links rule pages inside the package (file: URLs that exist) unless SESSION_LENS_DOCS_BASE names a web copy', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-docs-'));
    const saved = process.env.SESSION_LENS_DOCS_BASE;
    try {
      fs.writeFileSync(path.join(dir, 'app.js'), "res.cookie('sid', v, { httpOnly: false });\n");
      const json = async () => {
        const { stdout } = await runCliInProcess(['scan', '.', '--format', 'json'], dir);
        return JSON.parse(stdout) as { findings: { ruleId: string; docs: string }[] };
      };
      delete process.env.SESSION_LENS_DOCS_BASE;
      const local = await json();
      assert.ok(local.findings.length > 0);
      for (const f of local.findings) {
        assert.match(f.docs, /^file:\/\//);
        assert.ok(fs.existsSync(fileURLToPath(f.docs)), f.docs);
        assert.ok(f.docs.endsWith(`/docs/rules/${f.ruleId}.md`));
      }
      process.env.SESSION_LENS_DOCS_BASE = 'https://docs.example.test/session-lens/rules';
      const web = await json();
      for (const f of web.findings) assert.equal(f.docs, `https://docs.example.test/session-lens/rules/${f.ruleId}.md`);
      const { log } = await scanSarif(dir, ['.']);
      const rules = (log.runs as { tool: { driver: { rules: { id: string; helpUri?: string }[] } } }[])[0].tool.driver.rules;
      for (const r of rules) assert.equal(r.helpUri, `https://docs.example.test/session-lens/rules/${r.id}.md`);
      process.env.SESSION_LENS_DOCS_BASE = 'javascript:alert(1)';
      const refused = await runCliInProcess(['scan', '.'], dir);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /SESSION_LENS_DOCS_BASE must be an http\(s\) URL/);
    } finally {
      if (saved === undefined) delete process.env.SESSION_LENS_DOCS_BASE;
      else process.env.SESSION_LENS_DOCS_BASE = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is valid with no findings, and lists unreadable files as notifications', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-sarif-'));
    try {
      fs.writeFileSync(path.join(dir, 'ok.js'), "res.cookie('sid', v, { secure: true, httpOnly: true, sameSite: 'lax' });\n");
      fs.writeFileSync(path.join(dir, 'blob.js'), Buffer.from([0, 1, 2, 3]));
      const { code, log } = await scanSarif(dir, ['.']);
      assert.equal(code, 0);
      assert.ok((await sarifValidator())(log).valid);
      const run = (log.runs as { results: unknown[]; invocations: { toolExecutionNotifications: { message: { text: string } }[] }[] }[])[0];
      assert.deepEqual(run.results, []);
      assert.deepEqual(run.invocations[0].toolExecutionNotifications.map((n) => n.message.text), ['skipped: binary file']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the validator really rejects a broken log', async () => {
    assert.equal((await sarifValidator())({ version: '2.1.0', runs: [{ tool: {} }] }).valid, false);
  });
});
