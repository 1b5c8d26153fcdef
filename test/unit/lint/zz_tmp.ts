import * as fs from 'node:fs';
import { Linter } from '../../../src/core/lint/engine';
import { LineIndex } from '../../../src/core/lint/lineIndex';
(async () => {
  const linter = new Linter();
  const rel = process.argv[2];
  const steps: [number, number, string][] = JSON.parse(process.argv[3]);
  let text = fs.readFileSync('test/fixtures/lint/' + rel, 'utf8');
  const doc = (await linter.open(text, { filePath: rel }))!;
  for (const [at, len, insert] of steps) {
    let start = at % (text.length + 1);
    if (start > 0 && /[\uDC00-\uDFFF]/.test(text[start] ?? '')) start--;
    let end = Math.min(text.length, start + len);
    if (end < text.length && /[\uDC00-\uDFFF]/.test(text[end])) end++;
    console.log('edit', start, end, JSON.stringify(text.slice(start, end)), '->', JSON.stringify(insert), 'line', new LineIndex(text).position(start));
    doc.update([{ range: new LineIndex(text).range(start, end), text: insert }]);
    text = text.slice(0, start) + insert + text.slice(end);
    const a = doc.findings().map((f) => `${f.range.start.line}:${f.range.start.character} ${f.ruleId}`);
    const b = (await linter.lintText(text, { filePath: rel })).map((f) => `${f.range.start.line}:${f.range.start.character} ${f.ruleId}`);
    console.log(' only incremental', a.filter((x) => !b.includes(x)), ' only full', b.filter((x) => !a.includes(x)));
  }
})();
