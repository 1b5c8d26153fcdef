import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES, type RuleId } from '../../../src/core/rules/catalog';
import { sarifValidator } from '../../support/sarifValidator';
import { ROOT, runCliProcess } from './cliProcess';

const HAR_DIR = path.join(ROOT, 'test/fixtures/har');
const DOCS = path.join(ROOT, 'docs/rules');

interface SarifLocation {
  physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string } };
  logicalLocations: { name: string; fullyQualifiedName?: string; kind: string }[];
}
interface SarifRun {
  tool: { driver: { name: string; rules: { id: string; help: { text: string; markdown?: string }; fullDescription: { text: string }; defaultConfiguration: { level: string } }[] } };
  originalUriBaseIds: Record<string, { uri: string }>;
  invocations: { executionSuccessful: boolean; toolExecutionNotifications: { level: string; message: { text: string }; locations?: SarifLocation[] }[] }[];
  results: { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: SarifLocation[] }[];
}
interface JsonFinding { ruleId: string; severity: 'error' | 'warning' | 'info'; subject: string; message: string; evidence?: { exchangeId?: number; header?: string } }

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

describe('session-lens audit --format sarif', () => {
  it('gives each finding of a real HAR as a valid SARIF result: rule, level, message, the HAR file and the exchange', async () => {
    const sarifRun = await runCliProcess(['audit', 'chrome.har', '--format', 'sarif'], { cwd: HAR_DIR });
    assert.equal(sarifRun.code, 0, sarifRun.stderr);
    const sarifText = sarifRun.stdout.toString('utf8');
    const log = JSON.parse(sarifText) as { version: string; runs: SarifRun[] };
    const check = (await sarifValidator())(log);
    assert.ok(check.valid, check.errors);
    assert.equal(log.version, '2.1.0');
    const [run] = log.runs;
    assert.equal(run.tool.driver.name, 'Session Lens');
    assert.equal(run.originalUriBaseIds['%SRCROOT%'].uri, `file://${HAR_DIR}/`);

    // Every traffic rule, each with its page embedded, as scan lists every code rule.
    const rules = run.tool.driver.rules;
    assert.deepEqual(rules.map((r) => r.id), [...RULES.values()].filter((r) => r.modes.includes('T')).map((r) => r.id));
    for (const r of rules) {
      assert.equal(r.help.markdown, fs.readFileSync(path.join(DOCS, `${r.id}.md`), 'utf8'), r.id);
      assert.ok(r.fullDescription.text.length > 20 && !r.fullDescription.text.includes('\n\n'), `${r.id}: ${r.fullDescription.text}`);
      assert.equal(r.defaultConfiguration.level, LEVEL[RULES.get(r.id as RuleId)!.severity], r.id);
    }

    // The same findings as the JSON report, in the same order.
    const jsonRun = await runCliProcess(['audit', 'chrome.har', '--format', 'json'], { cwd: HAR_DIR });
    assert.equal(jsonRun.code, 0, jsonRun.stderr);
    const findings = (JSON.parse(jsonRun.stdout.toString('utf8')) as { findings: JsonFinding[] }).findings;
    assert.ok(findings.length >= 5, `the fixture has findings (${findings.length})`);
    assert.ok(findings.some((f) => f.ruleId === 'session-fixation') && findings.some((f) => f.severity === 'info'));
    assert.equal(run.results.length, findings.length);
    run.results.forEach((r, i) => {
      const f = findings[i];
      assert.equal(r.ruleId, f.ruleId);
      assert.equal(rules[r.ruleIndex].id, r.ruleId);
      assert.equal(r.level, LEVEL[f.severity]);
      assert.equal(r.message.text, `${f.subject}: ${f.message}`);
      const [where] = r.locations;
      assert.deepEqual(where.physicalLocation, { artifactLocation: { uri: 'chrome.har', uriBaseId: '%SRCROOT%' } });
      assert.deepEqual(where.logicalLocations, [{ name: f.subject, fullyQualifiedName: `exchange #${f.evidence!.exchangeId!}`, kind: 'request' }]);
    });
    assert.deepEqual(run.invocations[0].toolExecutionNotifications, []);

    // The headers the JSON report quotes carry the live session cookie and a URL token: not the SARIF log.
    const secrets = ['made-up-session-id-0001', 'made-up-url-token-123'];
    for (const s of secrets) {
      assert.ok(findings.some((f) => f.evidence?.header?.includes(s)), `the JSON report quotes ${s}`);
      assert.ok(!sarifText.includes(s), `the SARIF log leaves out ${s}`);
    }
  });

  it('read from standard input: logical locations only, and an entry it could not use as a tool notification', async () => {
    const har = JSON.parse(fs.readFileSync(path.join(HAR_DIR, 'firefox.har'), 'utf8')) as { log: { entries: unknown[] } };
    har.log.entries.push({ request: 'not a request' });
    const r = await runCliProcess(['audit', '-', '--format', 'sarif'], { stdin: JSON.stringify(har), cwd: HAR_DIR });
    assert.equal(r.code, 0, r.stderr);
    const log = JSON.parse(r.stdout.toString('utf8')) as { runs: SarifRun[] };
    const check = (await sarifValidator())(log);
    assert.ok(check.valid, check.errors);
    const [run] = log.runs;
    assert.ok(run.results.length > 0);
    for (const result of run.results) {
      assert.equal(result.locations[0].physicalLocation, undefined);
      assert.match(result.locations[0].logicalLocations[0].fullyQualifiedName ?? '', /^exchange #\d+$/);
    }
    const notes = run.invocations[0].toolExecutionNotifications;
    assert.equal(notes.length, 1);
    assert.equal(notes[0].level, 'note');
    assert.match(notes[0].message.text, /without a request/);
  });

  it('is named in --help, and a wrong format is a usage error', async () => {
    const help = await runCliProcess(['audit', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout.toString('utf8'), /--format text\|json\|sarif/);
    assert.match(help.stdout.toString('utf8'), /SARIF 2\.1\.0/);
    const wrong = await runCliProcess(['audit', 'chrome.har', '--format', 'xml'], { cwd: HAR_DIR });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /option '--format' must be one of text, json, sarif \(got 'xml'\)/);
  });
});
