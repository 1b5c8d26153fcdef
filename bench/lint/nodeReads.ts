/**
 * bench/lint/nodeReads.ts: counts the reads of tree-sitter nodes (each a call into wasm that
 * allocates) during a warm lint of the bench's minified bundle and of the corpus's files, per
 * language, and how many of them the checks make (inside each analyzer's analyze/finish) rather
 * than the engine. Unlike CPU time, the counts do not depend on the machine's load: an A/B of a
 * change to the checks reads them before and after. `--who endIndex` also prints where that
 * getter is read from (three stack frames, the heaviest first); `--who all` every getter and method.
 *
 *   npx tsx bench/lint/nodeReads.ts [--mb 1] [--language javascript|all] [--who endIndex|all] [--top 20]
 *
 * `--mb 0` leaves the bundle out. The corpus part lints the files with the cross-file table the
 * scan builds, so that reads through imports count as in a scan.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Linter } from '../../src/core/lint/engine';
import { languageForPath, loadLanguage, newParser } from '../../src/core/lint/grammars';
import { analyzerFor } from '../../src/core/lint/languages';
import { buildSymbolTable } from '../../src/core/lint/symbols/indexers';
import type { LintLanguage } from '../../src/core/lint/types';
import { generateCorpus, minifiedBundle } from './corpus';

/** Every accessor of web-tree-sitter's Node that calls into wasm (startIndex and startPosition are plain fields). */
const GETTERS = [
  'typeId', 'grammarId', 'type', 'grammarType', 'isNamed', 'isExtra', 'isError', 'isMissing', 'hasChanges', 'hasError', 'endIndex', 'endPosition', 'text',
  'parseState', 'nextParseState', 'childCount', 'namedChildCount', 'firstChild', 'firstNamedChild', 'lastChild', 'lastNamedChild', 'children', 'namedChildren',
  'nextSibling', 'previousSibling', 'nextNamedSibling', 'previousNamedSibling', 'descendantCount', 'parent',
];
const METHODS = [
  'equals', 'child', 'namedChild', 'childForFieldId', 'childForFieldName', 'fieldNameForChild', 'fieldNameForNamedChild', 'childrenForFieldName',
  'childrenForFieldId', 'firstChildForIndex', 'firstNamedChildForIndex', 'descendantsOfType', 'childWithDescendant', 'descendantForIndex',
  'namedDescendantForIndex', 'descendantForPosition', 'namedDescendantForPosition', 'walk',
];

async function main(): Promise<void> {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const who = arg('who');
  const mb = Number(arg('mb') ?? 1);
  const only = arg('language') ?? 'javascript';
  const linter = new Linter({ maxFindingsPerRule: 100 });
  const { text } = minifiedBundle(Math.max(mb, 0.01));
  // Warm up (grammar, query) before counting.
  await linter.lintText(text, { filePath: 'bundle.min.js' });
  const tree = newParser(await loadLanguage('javascript')).parse('x;')!;
  const proto = Object.getPrototypeOf(tree.rootNode) as Record<string, unknown>;
  tree.delete();
  const counts = new Map<string, number>();
  const callers = new Map<string, number>();
  /** Nesting depth of analyzer calls: a read made while it is above 0 is the checks'. */
  let inChecks = 0;
  let checkReads = 0;
  // Methods call getters (childForFieldName reads no getter, but descendantsOfType and others may): count the outermost call only.
  let inside = 0;
  const count = (name: string) => {
    if (inside > 0) return;
    counts.set(name, (counts.get(name) ?? 0) + 1);
    if (inChecks > 0) checkReads++;
    if (who !== 'all' && name !== who) return;
    const where = (new Error().stack ?? '').split('\n').slice(3, 6).map((l) => l.trim().replace(/^at /, '').replace(/\(.*\/(src|bench)\//, '(').replace(/:\d+\)$/, ')')).join(' < ');
    const key = who === 'all' ? `${name} @ ${where}` : where;
    callers.set(key, (callers.get(key) ?? 0) + 1);
  };
  for (const name of GETTERS) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    const get = d?.get;
    if (!get) continue;
    Object.defineProperty(proto, name, {
      ...d,
      get() {
        count(name);
        inside++;
        try {
          return get.call(this);
        } finally {
          inside--;
        }
      },
    });
  }
  for (const name of METHODS) {
    const f = proto[name];
    if (typeof f !== 'function') continue;
    proto[name] = function (this: unknown, ...a: unknown[]) {
      count(name);
      inside++;
      try {
        return f.apply(this, a);
      } finally {
        inside--;
      }
    };
  }
  const corpus = generateCorpus(path.join(os.tmpdir(), 'session-lens-bench-lint'), 100_000);
  const languages = [...new Set(corpus.files.map((f) => languageForPath(f)!))];
  for (const analyzer of new Set(languages.map((l) => analyzerFor(l as LintLanguage)))) {
    const { analyze, finish } = analyzer;
    const writable = analyzer as { analyze: typeof analyze; finish?: typeof finish };
    const counted = <A extends unknown[]>(fn: (...a: A) => void) => (...a: A) => {
      inChecks++;
      try {
        fn.apply(analyzer, a);
      } finally {
        inChecks--;
      }
    };
    writable.analyze = counted(analyze);
    if (finish) writable.finish = counted(finish);
  }
  const show = (label: string) => {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    console.log(`${label}: ${total.toLocaleString('en')} node reads, ${checkReads.toLocaleString('en')} of them in the checks (${[...counts].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(', ')})`);
    for (const [k, v] of [...callers].sort((a, b) => b[1] - a[1]).slice(0, Number(arg('top') ?? 20))) console.log(`  ${v.toLocaleString('en').padStart(8)}  ${k}`);
    counts.clear();
    callers.clear();
    checkReads = 0;
  };
  if (mb > 0) {
    const findings = await linter.lintText(text, { filePath: 'bundle.min.js' });
    show(`bundle ${mb} MB, ${findings.length} findings listed`);
  }
  const dir = path.join(os.tmpdir(), 'session-lens-bench-lint');
  linter.symbols = buildSymbolTable(corpus.files, [dir], 2 * 1024 * 1024).table;
  for (const language of languages) {
    if (only !== 'all' && only !== language) continue;
    const files = corpus.files.filter((f) => languageForPath(f) === language);
    let n = 0;
    for (const file of files) n += (await linter.lintText(fs.readFileSync(file, 'utf8'), { filePath: file })).length;
    show(`corpus ${language}, ${files.length} files, ${n} findings`);
  }
}

void main();
