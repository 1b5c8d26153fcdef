import type { Node } from '@vscode/tree-sitter-wasm';
import type { RuleId, Severity } from '../rules/catalog';
import type { SymbolTable } from './symbols/symbolTable';

/** An edit in UTF-16 offsets of the document; converted to line/character on output. */
export interface OffsetEdit {
  readonly start: number;
  readonly end: number;
  readonly newText: string;
}

/** A finding as analysers produce it, in offsets. */
export interface RawFinding {
  readonly ruleId: RuleId;
  readonly message: string;
  readonly start: number;
  readonly end: number;
  /** Set when the finding deviates from the rule's severity (environment-dependent values are info). */
  readonly severity?: Severity;
  readonly fix?: { readonly title: string; readonly edits: readonly OffsetEdit[] };
}

/** A fact a chunk contributes to whole-document checks (settings files, config maps). */
export interface Fact {
  readonly key: string;
  readonly name: string;
  readonly value?: string;
  readonly start: number;
  readonly end: number;
  /** Offsets of the value, when it can be replaced. */
  readonly valueStart?: number;
  readonly valueEnd?: number;
  readonly env?: boolean;
}

/** Thresholds the checks need, resolved from the options. */
export interface Thresholds {
  readonly maxSessionCookieLifetimeSeconds: number;
  readonly maxSessionIdleTimeoutSeconds: number;
}

/** Everything one analysis pass (one chunk, or the whole-document pass) reads and writes. */
export class AnalysisContext {
  readonly findings: RawFinding[] = [];
  readonly facts: Fact[] = [];
  /** Names looked up outside the chunk: when their declaration changes, the chunk is analysed again. */
  readonly lookups = new Set<string>();
  /** The same cookie setter sites the checks saw, for tracing traffic back to code. */
  readonly cookieSites: CookieSiteRecord[] = [];

  constructor(
    readonly text: string,
    readonly thresholds: Thresholds,
    /** The lint language, for syntax choices in fixes. */
    readonly language = '',
    /** The chunk being analysed (the whole text for document-level passes). */
    readonly chunkStart = 0,
    readonly chunkEnd = text.length,
    /** Per-pass memo shared by the chunks analysed together over the same tree (declaration maps). */
    readonly shared = new Map<string, unknown>(),
  ) {}

  /** A value computed once per pass (e.g. the module's top-level declarations). */
  memo<T>(key: string, compute: () => T): T {
    if (!this.shared.has(key)) this.shared.set(key, compute());
    return this.shared.get(key) as T;
  }

  get isTypeScript(): boolean {
    return this.language === 'typescript' || this.language === 'tsx';
  }

  /**
   * The workspace's constants as the last scan indexed them, and this file's absolute path:
   * imports of other workspace files resolve through it. Unset for a text without a file or before any scan.
   */
  workspace: { readonly table: SymbolTable; readonly filePath: string } | undefined;

  /** Offsets outside the chunk that the analysis read (sibling statements): edits there re-analyse the chunk. */
  reachStart = Infinity;
  reachEnd = -Infinity;

  /**
   * Where a one-shot lint with a per-rule cap sends findings instead of keeping them here (see
   * FindingCap): nothing edits the text later, so their reach is not needed either.
   */
  sink: ((finding: RawFinding) => void) | undefined;
  /** With a sink: whether a finding the cap will only count need not be built (see FindingCap.skips). */
  skipper: ((ruleId: RuleId, start: number, end: number, severity: Severity | undefined) => boolean) | undefined;

  /**
   * True when a finding of `ruleId` at [start, end) would only be counted (a one-shot lint past its
   * rule's cap): it is counted now and the caller skips building it. Checks that report many
   * findings ask this before building the message and fix.
   */
  omits(ruleId: RuleId, start: number, end: number, severity?: Severity): boolean {
    return this.skipper !== undefined && this.skipper(ruleId, start, end, severity);
  }

  report(finding: RawFinding): void {
    if (this.sink) {
      this.sink(finding);
      return;
    }
    this.findings.push(finding);
    this.touch(finding.start, finding.end);
    for (const e of finding.fix?.edits ?? []) this.touch(e.start, e.end);
  }

  /** Records that the analysis depends on the text in [start, end). */
  touch(start: number, end: number): void {
    if (start < this.reachStart) this.reachStart = start;
    if (end > this.reachEnd) this.reachEnd = end;
  }

  src(node: Node): string {
    return this.text.slice(node.startIndex, node.endIndex);
  }

  /** Indentation (spaces/tabs) of the line holding `offset`. */
  indentAt(offset: number): string {
    const lineStart = this.text.lastIndexOf('\n', offset - 1) + 1;
    const m = /^[ \t]*/.exec(this.text.slice(lineStart, lineStart + 200));
    return m ? m[0] : '';
  }

  lineOf(offset: number): number {
    let n = 0;
    for (let i = this.text.indexOf('\n'); i !== -1 && i < offset; i = this.text.indexOf('\n', i + 1)) n++;
    return n;
  }

  /**
   * The quote this part of the file mostly uses (single unless double dominates). Counted in the
   * chunk only, so a fix does not change when text elsewhere does.
   */
  quote(): string {
    if (this.quoteCache === undefined) {
      const part = this.text.slice(this.chunkStart, this.chunkEnd);
      this.quoteCache = countChar(part, '"') > countChar(part, "'") * 1.5 ? '"' : "'";
    }
    return this.quoteCache;
  }
  private quoteCache?: string;
}

function countChar(s: string, c: string): number {
  let n = 0;
  for (let i = s.indexOf(c); i !== -1 && n < 10000; i = s.indexOf(c, i + 1)) n++;
  return n;
}

/** A place in code that sets a cookie, with what it sets; see findCookieSetters. */
export interface CookieSiteRecord {
  /** Cookie name when known (literal, or the framework default for session middleware). */
  readonly name?: string;
  readonly framework: string;
  readonly start: number;
  readonly end: number;
  /** Attributes as the code sets them (after framework defaults); undefined when unknown. */
  readonly attributes: {
    readonly secure?: boolean | 'env';
    readonly httpOnly?: boolean | 'env';
    readonly sameSite?: string;
    readonly maxAgeSeconds?: number;
    readonly domain?: string;
    readonly path?: string;
    readonly partitioned?: boolean;
  };
}

/**
 * Inserts `item` into a comma-separated list (object literal, argument list, array), keeping
 * the list's layout: one item per line stays one per line with the same indentation, a trailing
 * comma stays trailing, an inline list stays inline.
 */
export function insertListItem(
  ctx: AnalysisContext,
  list: { start: number; end: number },
  items: readonly { start: number; end: number }[],
  newItems: string | readonly string[],
  inlinePadding = '',
): OffsetEdit {
  const text = ctx.text;
  const all = typeof newItems === 'string' ? [newItems] : newItems;
  const item = all.join(', ');
  if (items.length === 0) {
    const inner = text.slice(list.start + 1, list.end - 1);
    if (inner.includes('\n')) {
      const indent = ctx.indentAt(list.start) + guessIndentUnit(text);
      return { start: list.start + 1, end: list.end - 1, newText: `\n${indent}${all.join(`,\n${indent}`)},\n${ctx.indentAt(list.end - 1)}` };
    }
    return { start: list.start + 1, end: list.end - 1, newText: `${inlinePadding}${item}${inlinePadding}` };
  }
  const last = items[items.length - 1];
  const between = text.slice(last.end, list.end - 1);
  const commaAt = between.search(/^\s*,/) === 0 ? last.end + between.indexOf(',') : -1;
  const multiline = text.slice(list.start, last.start).includes('\n') && /\n\s*$/.test(text.slice(list.start, items[0].start));
  if (multiline) {
    const indent = ctx.indentAt(last.start);
    const lines = all.map((i) => `\n${indent}${i}`);
    const after = commaAt !== -1 ? commaAt + 1 : last.end;
    // A comment ending the last item's line stays with that item.
    const eol = text.indexOf('\n', after);
    const rest = text.slice(after, eol === -1 ? list.end - 1 : eol);
    const trailingComment = /^\s*(\/\/|#|\/\*)/.test(rest) && !rest.includes(text.slice(list.end - 1, list.end)) ? rest.replace(/\s+$/, '') : '';
    if (trailingComment) {
      const end = after + trailingComment.length;
      return { start: after, end, newText: `${commaAt !== -1 ? '' : ','}${trailingComment}${lines.join(',')}${commaAt !== -1 ? ',' : ''}` };
    }
    if (commaAt !== -1) return { start: commaAt + 1, end: commaAt + 1, newText: `${lines.join(',')},` };
    return { start: last.end, end: last.end, newText: `,${lines.join(',')}` };
  }
  if (commaAt !== -1) return { start: commaAt + 1, end: commaAt + 1, newText: ` ${item}` };
  return { start: last.end, end: last.end, newText: `, ${item}` };
}

/** Removes one item of a comma-separated list with its separator. */
export function removeListItem(
  ctx: AnalysisContext,
  items: readonly { start: number; end: number }[],
  index: number,
): OffsetEdit {
  const text = ctx.text;
  const it = items[index];
  if (index + 1 < items.length) {
    return { start: it.start, end: items[index + 1].start, newText: '' };
  }
  if (index > 0) {
    const prev = items[index - 1];
    return { start: prev.end, end: it.end, newText: '' };
  }
  let end = it.end;
  const m = /^\s*,/.exec(text.slice(end));
  if (m) end += m[0].length;
  return { start: it.start, end, newText: '' };
}

function guessIndentUnit(text: string): string {
  const m = /\n(\t| {2,4})\S/.exec(text);
  return m ? m[1] : '  ';
}

/** Offsets of a node. */
export const span = (n: Node): { start: number; end: number } => ({ start: n.startIndex, end: n.endIndex });

/**
 * Named children of a node that are not comments (pass the text to spare reading the type of
 * children that cannot be comments). Read in one call: tree-sitter finds a node's
 * next sibling through its parent, and its parent by walking down from the root, so stepping
 * through siblings costs a walk from the root per step.
 */
export function namedChildren(n: Node, text?: string): Node[] {
  const out: Node[] = [];
  for (const c of n.namedChildren) {
    if (!c) continue;
    // Given the text, only a child starting like a comment has its type read (a call into the parser).
    if ((text === undefined || COMMENT_STARTS.has(text.charCodeAt(c.startIndex))) && c.type.includes('comment')) continue;
    out.push(c);
  }
  return out;
}

/**
 * First characters of comments in the linted languages: `//` and `/*`, `#`, `;` (ini), `!`
 * (properties), `<!--` and `-->` (JavaScript), `=begin` (Ruby). A comment node starts with its delimiter.
 */
const COMMENT_STARTS = new Set([...'/#;!<-='].map((c) => c.charCodeAt(0)));

/**
 * The ancestors of a node, the root first (the node's parent last). One walk down from the root:
 * each `.parent` would walk down from the root again.
 */
export function ancestorsOf(node: Node): Node[] {
  const out: Node[] = [];
  for (let n: Node | null = node.tree.rootNode; n && n.id !== node.id; n = n.childWithDescendant(node)) out.push(n);
  return out;
}
