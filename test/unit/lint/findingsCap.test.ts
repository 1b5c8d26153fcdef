import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Linter } from '../../../src/core/lint/engine';
import type { LintFinding } from '../../../src/core/lint/types';
import { type CliOutput, runCliInProcess } from '../../support/cliInProcess';

/**
 * `count` Express cookie calls, one a line, each missing Secure, HttpOnly and SameSite; every 5th
 * passes the shared `opts` (its HttpOnly finding is reported once, on `opts`); the third call's
 * HttpOnly finding is disabled by a comment.
 */
function cookieCalls(count: number): string {
  const lines = ["const opts = { httpOnly: false };"];
  for (let i = 0; i < count; i++) {
    if (i === 2) lines.push('// session-lens-disable-next-line cookie-missing-httponly');
    lines.push(i % 5 === 4 ? `res.cookie('sid${i}', v, opts);` : `res.cookie('sid${i}', v, { httpOnly: false });`);
  }
  return `${lines.join('\n')}\n`;
}

describe('per-rule cap on findings (maxFindingsPerRule)', () => {
  it('lists the first N findings of each rule in document order and one summary with the exact count of the rest', async () => {
    const text = cookieCalls(12);
    const all = await new Linter().lintText(text, { filePath: 'app.js' });
    const capped = await new Linter({ maxFindingsPerRule: 3 }).lintText(text, { filePath: 'app.js' });
    const byRule = new Map<string, LintFinding[]>();
    for (const f of all) byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f]);
    // The uncapped lint dropped the disabled line and reported the shared options object once.
    assert.equal(byRule.get('cookie-missing-httponly')!.length, 12 - 2 + 1 - 1);
    const expected: LintFinding[] = [];
    for (const [ruleId, list] of byRule) {
      expected.push(...list.slice(0, 3));
      if (list.length > 3) {
        const rest = list.slice(3);
        const severity = rest.some((f) => f.severity === 'error') ? 'error' : rest.some((f) => f.severity === 'warning') ? 'warning' : 'info';
        expected.push({ ruleId: ruleId as LintFinding['ruleId'], severity, range: rest[0].range, omitted: rest.length, message: `${rest.length} more ${ruleId} findings in this file are not listed: at most 3 per rule and file are.` });
      }
    }
    const key = (f: LintFinding) => `${f.range.start.line}:${f.range.start.character}:${f.ruleId}:${f.omitted ?? ''}`;
    assert.deepEqual([...capped].sort((a, b) => key(a).localeCompare(key(b))), expected.sort((a, b) => key(a).localeCompare(key(b))));
    // In document order, as without a cap.
    const positions = capped.map((f) => f.range.start.line * 1000 + f.range.start.character);
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b));
  });

  it('gives the same findings and counts when the cap is applied as findings are reported (no disable comment) as when applied at the end', async () => {
    // Without a disable comment a one-shot lint drops findings past the cap as they are reported
    // (FindingCap); a disable comment for a rule the text never triggers sends the same text
    // through the end-of-lint cap. The shared `opts` finding is reported after later findings
    // (it is found from each call using it) and more than once: it must be listed first and counted once.
    const withoutComment = cookieCalls(40).replace(/^\/\/ session-lens-disable.*\n/m, '');
    const oneLine = withoutComment.replace(/\n/g, '');
    for (const text of [withoutComment, oneLine]) {
      for (const cap of [1, 2, 3, 7, 30]) {
        const linter = new Linter({ maxFindingsPerRule: cap });
        const streamed = await linter.lintText(text, { filePath: 'app.js' });
        const atEnd = await linter.lintText(`${text}\n// session-lens-disable-next-line jwt-alg-none\n`, { filePath: 'app.js' });
        assert.deepEqual(streamed, atEnd, `cap ${cap}, ${text === oneLine ? 'one line' : 'one call a line'}`);
        assert.ok(streamed.some((f) => f.omitted !== undefined), 'the cap left findings out');
      }
    }
  });

  it('finds in a one-line bundle wider than the query windows of a one-shot lint what a kept document finds', async () => {
    // 6,000 calls on one line: about 200,000 characters, several windows of the one-shot lint,
    // with calls cut by window edges, and more top-level statements than the cursor threshold.
    const text = cookieCalls(6000).replace(/^\/\/ session-lens-disable.*\n/m, '').replace(/\n/g, '');
    assert.ok(text.length > 8 * 16384);
    for (const cap of [0, 100]) {
      const linter = new Linter({ maxFindingsPerRule: cap });
      const oneShot = await linter.lintText(text, { filePath: 'bundle.min.js' });
      const doc = (await linter.open(text, { filePath: 'bundle.min.js' }))!;
      try {
        assert.deepEqual(oneShot, doc.findings(), `cap ${cap}`);
      } finally {
        doc.dispose();
      }
      if (cap === 0) assert.ok(oneShot.length > 2 * 6000, `${oneShot.length} findings`);
    }
  });

  it('lists everything when the cap is 0 or above the count', async () => {
    const text = cookieCalls(6);
    const all = await new Linter().lintText(text, { filePath: 'app.js' });
    assert.deepEqual(await new Linter({ maxFindingsPerRule: 0 }).lintText(text, { filePath: 'app.js' }), all);
    assert.deepEqual(await new Linter({ maxFindingsPerRule: 100 }).lintText(text, { filePath: 'app.js' }), all);
  });

  describe('session-lens scan', () => {
    let root: string;
    before(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'session-lens-cap-'));
      fs.writeFileSync(path.join(root, 'bundle.js'), cookieCalls(150));
      fs.writeFileSync(path.join(root, 'small.js'), "res.cookie('sid', v);\n");
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    const cli = (args: string[]): Promise<CliOutput> => runCliInProcess(args, root);

    it('lists 100 findings of a rule per file by default and says how many more there are', async () => {
      const r = await cli(['scan', '.']);
      assert.equal(r.code, 1);
      // 150 calls: 150 Secure and SameSite findings, 120 HttpOnly (30 calls share one options object, one line is disabled).
      assert.match(r.stdout, /^ {2}\d+:\d+ +warning +50 more cookie-missing-secure findings in this file are not listed: at most 100 per rule and file are\. {2}cookie-missing-secure$/m);
      assert.match(r.stdout, /^ {2}\d+:\d+ +warning +20 more cookie-missing-httponly findings in this file are not listed/m);
      assert.match(r.stdout, /^ {2}\d+:\d+ +info +50 more cookie-missing-samesite findings in this file are not listed/m);
      assert.match(r.stdout, /\n303 findings \(0 errors, 202 warnings, 101 info\) in 2 of 2 files\.\n120 more not listed \(at most 100 per rule and file; --max-findings-per-rule 0 lists all\)\.\n$/);
    });

    it('lists every finding with --max-findings-per-rule 0, and the same findings first with a cap', async () => {
      const all = JSON.parse((await cli(['scan', '.', '--format', 'json', '--max-findings-per-rule', '0'])).stdout) as { findings: { ruleId: string; file: string; line: number; omitted?: number }[] };
      assert.equal(all.findings.length, 150 + 120 + 150 + 3);
      assert.ok(all.findings.every((f) => f.omitted === undefined));
      const capped = JSON.parse((await cli(['scan', '.', '--format', 'json', '--max-findings-per-rule', '10'])).stdout) as typeof all;
      const summaries = capped.findings.filter((f) => f.omitted !== undefined);
      assert.deepEqual(summaries.map((f) => `${f.ruleId}:${f.omitted}`).sort(), ['cookie-missing-httponly:110', 'cookie-missing-samesite:140', 'cookie-missing-secure:140']);
      const listed = capped.findings.filter((f) => f.omitted === undefined);
      const firstTen = (list: typeof all.findings, file: string, ruleId: string) => list.filter((f) => f.file === file && f.ruleId === ruleId).slice(0, 10).map((f) => f.line);
      for (const ruleId of ['cookie-missing-secure', 'cookie-missing-httponly', 'cookie-missing-samesite']) {
        assert.deepEqual(firstTen(listed, 'bundle.js', ruleId), firstTen(all.findings, 'bundle.js', ruleId));
      }
      // The summary sits on the first finding left out.
      const secureLines = all.findings.filter((f) => f.file === 'bundle.js' && f.ruleId === 'cookie-missing-secure').map((f) => f.line);
      assert.equal(summaries.find((f) => f.ruleId === 'cookie-missing-secure')!.line, secureLines[10]);
    });

    it('puts the count of what was left out in a SARIF tool notification, not in the results', async () => {
      const r = await cli(['scan', 'bundle.js', '--format', 'sarif', '--max-findings-per-rule', '10']);
      const run = (JSON.parse(r.stdout) as { runs: { results: { ruleId: string }[]; invocations: { toolExecutionNotifications: { level: string; message: { text: string }; associatedRule?: { id: string }; properties?: { omitted: number }; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] }[] }).runs[0];
      assert.equal(run.results.length, 30);
      const notes = run.invocations[0].toolExecutionNotifications;
      assert.deepEqual(notes.map((n) => `${n.level}:${n.associatedRule?.id}:${n.properties?.omitted}:${n.locations[0].physicalLocation.artifactLocation.uri}`).sort(), [
        'note:cookie-missing-httponly:110:bundle.js', 'note:cookie-missing-samesite:140:bundle.js', 'note:cookie-missing-secure:140:bundle.js',
      ]);
      assert.match(notes[0].message.text, /^Results not listed: \d+ more cookie-\S+ findings in this file are not listed/);
    });

    it('rejects a cap that is not a whole number, on the command line and in a config file', async () => {
      for (const bad of ['-1', 'ten', '1.5']) {
        const r = await cli(['scan', '.', '--max-findings-per-rule', bad]);
        assert.equal(r.code, 2, bad);
        assert.match(r.stderr, /--max-findings-per-rule' must be a whole number/);
      }
      fs.writeFileSync(path.join(root, 'cap.json'), '{"maxFindingsPerRule":5}');
      const fromConfig = JSON.parse((await cli(['scan', 'bundle.js', '--config', 'cap.json', '--format', 'json'])).stdout) as { findings: { omitted?: number }[] };
      assert.equal(fromConfig.findings.filter((f) => f.omitted === undefined).length, 15);
      fs.writeFileSync(path.join(root, 'cap.json'), '{"maxFindingsPerRule":-2}');
      const bad = await cli(['scan', 'bundle.js', '--config', 'cap.json']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /"maxFindingsPerRule" must be a whole number/);
    });
  });
});
