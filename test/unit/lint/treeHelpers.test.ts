import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node } from '@vscode/tree-sitter-wasm';
import { ancestorsOf, namedChildren } from '../../../src/core/lint/analysis';
import { languageForPath, loadLanguage, newParser } from '../../../src/core/lint/grammars';
import { type GrammarLanguage, isGrammarLanguage } from '../../../src/core/lint/types';
import { FIXTURE_ROOT, fixtureFiles } from './fixtureSupport';

/** Every node of a tree, depth first. */
function allNodes(root: Node): Node[] {
  const out: Node[] = [];
  const cursor = root.walk();
  for (;;) {
    out.push(cursor.currentNode);
    if (cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return out;
  }
}

async function parse(language: GrammarLanguage, text: string) {
  return newParser(await loadLanguage(language)).parse(text)!;
}

// The shortcuts the checks take through the tree must give what the plain node API gives.
describe('lint tree helpers', () => {
  const comments: [GrammarLanguage, string][] = [
    ['javascript', '// a\n/* b */\n<!-- c\nx = 1;\n--> d\nf(/* e */ 1, // f\n 2);\n'],
    ['tsx', 'const a = <div>{/* b */}</div>; // c\n'],
    ['python', '# a\nf(1,  # b\n  2)\n'],
    ['php', '<?php\n# a\n// b\n/* c */\nf(1, /* d */ 2);\n'],
    ['ruby', '# a\n=begin\nb\n=end\nf(1, # c\n  2)\n'],
    ['java', '// a\n/* b */ class A { void f() { g(1, /* c */ 2); } }\n'],
    ['csharp', '// a\n/// b\nclass A { void F() { G(1, /* c */ 2); } }\n'],
    ['go', '// a\npackage a\n/* b */\nfunc f() { g(1, /* c */ 2) }\n'],
    ['ini', '; a\n# b\n[s]\nk = v\n'],
    ['properties', '# a\n! b\nk=v\n'],
    ['yaml', '# a\nk: v # b\n'],
  ];

  it('every comment starts with a character namedChildren treats as a possible comment start', async () => {
    for (const [language, text] of comments) {
      const tree = await parse(language, text);
      try {
        const found = allNodes(tree.rootNode).filter((n) => n.type.includes('comment'));
        assert.ok(found.length > 0, `${language}: no comment parsed`);
        for (const n of found) assert.ok('/#;!<-='.includes(text.charAt(n.startIndex)), `${language}: ${n.type} starts with ${text.charAt(n.startIndex)}`);
      } finally {
        tree.delete();
      }
    }
  });

  it('namedChildren with the text and ancestorsOf give what the node API gives, on every fixture', async () => {
    const sources: [GrammarLanguage, string][] = comments.map(([l, t]) => [l, t]);
    for (const rel of fixtureFiles()) {
      const language = languageForPath(rel);
      // Formats read without a grammar (web.xml, appsettings.json) have no tree to compare.
      if (language && isGrammarLanguage(language)) sources.push([language, fs.readFileSync(path.join(FIXTURE_ROOT, rel), 'utf8')]);
    }
    for (const [language, text] of sources) {
      const tree = await parse(language, text);
      try {
        for (const n of allNodes(tree.rootNode)) {
          const plain = n.namedChildren.filter((c): c is Node => !!c && !c.type.includes('comment')).map((c) => c.id);
          assert.deepEqual(namedChildren(n, text).map((c) => c.id), plain);
          assert.deepEqual(namedChildren(n).map((c) => c.id), plain);
          const parents: number[] = [];
          for (let p = n.parent; p; p = p.parent) parents.unshift(p.id);
          assert.deepEqual(ancestorsOf(n).map((a) => a.id), parents);
        }
      } finally {
        tree.delete();
      }
    }
  });
});
