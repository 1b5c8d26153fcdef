import type { Node, QueryMatch } from '@vscode/tree-sitter-wasm';
import type { AnalysisContext, Fact } from './analysis';

/** What the engine needs from one language: a query, how to cut a file into units, the checks. */
export interface LanguageAnalyzer {
  /** Tree-sitter query capturing the nodes the checks look at; each match's widest capture places it in a chunk. */
  readonly query: string;
  /**
   * Node types whose named children are analysed separately (program, class bodies, sections).
   * A chunk is the unit of incremental re-analysis: an edit re-analyses only the chunks it touches
   * and those that looked up a name the touched chunks declare.
   */
  readonly containers: ReadonlySet<string>;
  /** Cheap text test: when it fails, the document holds nothing the checks look for. */
  readonly keywords: RegExp;
  /**
   * Words the query patterns hang on (a global RegExp). When set, the query runs only on the
   * statements around each occurrence instead of on whole chunks: most code has nothing to check.
   */
  readonly anchors?: RegExp;
  /** Names a chunk declares at container level (top-level `const opts`, `import os`, settings). */
  declares(chunk: Node, ctx: AnalysisContext): readonly string[];
  /** Checks the matches of one chunk. */
  analyze(matches: readonly QueryMatch[], ctx: AnalysisContext): void;
  /** Whole-document checks over the facts all chunks contributed (settings files). */
  finish?(facts: readonly Fact[], ctx: AnalysisContext, filePath: string | undefined): void;
}

/** The capture of a match by name. */
export function capture(match: QueryMatch, name: string): Node | undefined {
  for (const c of match.captures) if (c.name === name) return c.node;
  return undefined;
}
