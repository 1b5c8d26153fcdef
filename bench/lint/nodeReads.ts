/**
 * bench/lint/nodeReads.ts: counts the reads of tree-sitter nodes (each a call into wasm that
 * allocates) during a warm lint of the bench's minified bundle and of the corpus's JavaScript
 * files. Unlike CPU time, the counts do not depend on the machine's load: an A/B of a change to
 * the checks reads them before and after. `--who endIndex` also prints where that getter is read
 * from (three stack frames, the heaviest first).
 *
 *   npx tsx bench/lint/nodeReads.ts [--mb 1] [--who endIndex]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Linter } from '../../src/core/lint/engine';
import { loadLanguage, newParser } from '../../src/core/lint/grammars';
import { generateCorpus, minifiedBundle } from './corpus';

const GETTERS = ['type', 'endIndex', 'namedChildren', 'children', 'parent', 'text', 'firstNamedChild', 'childCount', 'nextSibling', 'nextNamedSibling'];
const METHODS = ['childForFieldName', 'child', 'namedChild', 'childWithDescendant', 'descendantForIndex'];

async function main(): Promise<void> {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const who = arg('who');
  const linter = new Linter({ maxFindingsPerRule: 100 });
  const { text } = minifiedBundle(Number(arg('mb') ?? 1));
  // Warm up (grammar, query) before counting.
  await linter.lintText(text, { filePath: 'bundle.min.js' });
  const tree = newParser(await loadLanguage('javascript')).parse('x;')!;
  const proto = Object.getPrototypeOf(tree.rootNode) as Record<string, unknown>;
  tree.delete();
  const counts = new Map<string, number>();
  const callers = new Map<string, number>();
  const count = (name: string) => {
    counts.set(name, (counts.get(name) ?? 0) + 1);
    if (name !== who) return;
    const where = (new Error().stack ?? '').split('\n').slice(3, 6).map((l) => l.trim().replace(/^at /, '').replace(/\(.*\/(src|bench)\//, '(').replace(/:\d+\)$/, ')')).join(' < ');
    callers.set(where, (callers.get(where) ?? 0) + 1);
  };
  for (const name of GETTERS) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    const get = d?.get;
    if (!get) continue;
    Object.defineProperty(proto, name, { ...d, get() { count(name); return get.call(this); } });
  }
  for (const name of METHODS) {
    const f = proto[name];
    if (typeof f !== 'function') continue;
    proto[name] = function (this: unknown, ...a: unknown[]) { count(name); return f.apply(this, a); };
  }
  const show = (label: string) => {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    console.log(`${label}: ${total.toLocaleString('en')} node reads (${[...counts].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(', ')})`);
    for (const [k, v] of [...callers].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${v.toLocaleString('en').padStart(8)}  ${k}`);
    counts.clear();
    callers.clear();
  };
  const findings = await linter.lintText(text, { filePath: 'bundle.min.js' });
  show(`bundle ${arg('mb') ?? 1} MB, ${findings.length} findings listed`);
  const corpus = generateCorpus(path.join(os.tmpdir(), 'session-lens-bench-lint'), 100_000);
  let n = 0;
  for (const file of corpus.jsFiles) n += (await linter.lintText(fs.readFileSync(file, 'utf8'), { filePath: file })).length;
  show(`corpus JavaScript, ${corpus.jsFiles.length} files, ${n} findings`);
}

void main();
