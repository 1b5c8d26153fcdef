import type { Language, Node, Parser, Query, Tree } from '@vscode/tree-sitter-wasm';
import * as TreeSitter from '@vscode/tree-sitter-wasm';
import { type RuleId, type Severity, isRuleId, ruleInfo } from '../rules/catalog';
import { AnalysisContext, type CookieSiteRecord, type Fact, type RawFinding, type Thresholds } from './analysis';
import type { LanguageAnalyzer } from './analyzer';
import { disableCommentFor, disabledLines } from './disableComments';
import { languageForId, languageForPath, loadLanguage, newParser } from './grammars';
import { analyzerFor } from './languages/index';
import { LineIndex } from './lineIndex';
import type { LintFinding, LintFix, LintLanguage, LintOptions, LintPosition, LintRange } from './types';

/** One change of a document, in the shape editors report (VS Code's TextDocumentContentChangeEvent). */
export interface TextChange {
  /** The replaced range in the text before this change; omit to replace the whole text. */
  readonly range?: LintRange;
  readonly text: string;
}

/** A cookie setter seen by the engine: where it is and what it sets (see findCookieSetters). */
export interface CookieSetter extends Omit<CookieSiteRecord, 'start' | 'end'> {
  readonly range: LintRange;
}

interface ChunkResult {
  start: number;
  end: number;
  /** The span of text the analysis depended on or pointed at; at least [start, end]. */
  reachStart: number;
  reachEnd: number;
  findings: RawFinding[];
  facts: Fact[];
  sites: CookieSiteRecord[];
  lookups: Set<string>;
  declares: readonly string[];
}

interface LoadedLanguage {
  readonly language: Language;
  readonly parser: Parser;
  readonly query: Query;
  readonly analyzer: LanguageAnalyzer;
}

const DAY = 86400;

/**
 * The lint engine: loads grammars lazily, lints whole texts and keeps incrementally updated
 * documents. Never throws for bad input; grammar loading errors reject the returned promises.
 */
export class Linter {
  private readonly loaded = new Map<LintLanguage, Promise<LoadedLanguage>>();
  private readonly thresholds: Thresholds;

  constructor(readonly options: LintOptions = {}) {
    this.thresholds = {
      maxSessionCookieLifetimeSeconds: positive(options.maxSessionCookieLifetimeDays, 30) * DAY,
      maxSessionIdleTimeoutSeconds: positive(options.maxSessionIdleTimeoutMinutes, 30) * 60,
    };
  }

  /** The language of a file name or VS Code language id, honouring `options.languages`. */
  languageOf(pathOrId: string): LintLanguage | undefined {
    const lang = languageForPath(pathOrId) ?? languageForId(pathOrId);
    if (lang && this.options.languages && !this.options.languages.includes(lang)) return undefined;
    return lang;
  }

  /** Loads (once) the grammar, parser and query of a language. */
  prepare(language: LintLanguage): Promise<LoadedLanguage> {
    let p = this.loaded.get(language);
    if (!p) {
      p = loadLanguage(language, this.options.grammarDir).then((lang) => {
        const analyzer = analyzerFor(language);
        return { language: lang, parser: newParser(lang), query: new TreeSitter.Query(lang, analyzer.query), analyzer };
      });
      p.catch(() => this.loaded.delete(language));
      this.loaded.set(language, p);
    }
    return p;
  }

  /**
   * Lints a whole text. `filePath` picks the language (unless `language` is given) and enables
   * file-specific checks (settings.py, php.ini, application.properties).
   */
  async lintText(text: string, where: { filePath?: string; language?: LintLanguage }): Promise<LintFinding[]> {
    const language = where.language ?? (where.filePath ? this.languageOf(where.filePath) : undefined);
    if (!language) return [];
    const loaded = await this.prepare(language);
    if (!loaded.analyzer.keywords.test(text)) return [];
    const doc = new LintDocument(this, loaded, language, text, where.filePath);
    try {
      return doc.findings();
    } finally {
      doc.dispose();
    }
  }

  /** Opens a document for incremental linting; call `update` on each change and `dispose` on close. */
  async open(text: string, where: { filePath?: string; language?: LintLanguage }): Promise<LintDocument | undefined> {
    const language = where.language ?? (where.filePath ? this.languageOf(where.filePath) : undefined);
    if (!language) return undefined;
    const loaded = await this.prepare(language);
    return new LintDocument(this, loaded, language, text, where.filePath);
  }

  /** @internal */
  get resolvedThresholds(): Thresholds {
    return this.thresholds;
  }

  /** The severity a rule reports at, or undefined when it is off. */
  severityOf(ruleId: RuleId, proposed: Severity | undefined): Severity | undefined {
    const setting = this.options.rules?.[ruleId];
    if (setting === 'off' || setting === false) return undefined;
    if (proposed !== undefined) return proposed;
    if (setting === 'error' || setting === 'warning' || setting === 'info') return setting;
    return ruleInfo(ruleId).severity;
  }
}

function positive(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
}

/**
 * A document kept parsed between edits. `update` re-parses incrementally and re-analyses only
 * the chunks an edit touched (plus chunks depending on names they declare).
 */
export class LintDocument {
  private tree: Tree | undefined;
  private text: string;
  private chunks: ChunkResult[] = [];
  private lines: LineIndex;
  private cached: LintFinding[] | undefined;
  private cachedSites: CookieSetter[] | undefined;

  /** @internal use Linter.open */
  constructor(
    private readonly linter: Linter,
    private readonly loaded: LoadedLanguage,
    readonly language: LintLanguage,
    text: string,
    readonly filePath?: string,
  ) {
    this.text = text;
    this.lines = new LineIndex(text);
    this.tree = loaded.parser.parse(text) ?? undefined;
    if (this.tree) this.chunks = this.analyzeRange(this.tree.rootNode, 0, text.length);
  }

  /** The current text. */
  getText(): string {
    return this.text;
  }

  /** Applies changes in order (each range refers to the text after the previous change) and re-lints. */
  update(changes: readonly TextChange[]): LintFinding[] {
    if (!this.tree) return this.replaceAll(changes.reduce((t, c) => applyChange(t, c), this.text));
    const dirty: [number, number][] = [];
    for (const change of changes) {
      if (!change.range) return this.replaceAll(change.text);
      const start = this.lines.offset(change.range.start);
      const oldEnd = Math.max(start, this.lines.offset(change.range.end));
      const newEnd = start + change.text.length;
      const startPosition = this.lines.position(start);
      const oldEndPosition = this.lines.position(oldEnd);
      const newText = this.text.slice(0, start) + change.text + this.text.slice(oldEnd);
      const delta = newEnd - oldEnd;
      this.text = newText;
      this.lines = new LineIndex(newText);
      const newEndPosition = this.lines.position(newEnd);
      this.tree.edit({
        startIndex: start, oldEndIndex: oldEnd, newEndIndex: newEnd,
        startPosition: toPoint(startPosition), oldEndPosition: toPoint(oldEndPosition), newEndPosition: toPoint(newEndPosition),
      });
      const shift = (o: number) => (o >= oldEnd ? o + delta : o > start ? start : o);
      for (const d of dirty) {
        d[0] = shift(d[0]);
        d[1] = d[1] >= oldEnd ? d[1] + delta : Math.max(d[1], newEnd);
      }
      dirty.push([start, newEnd]);
      for (const c of this.chunks) shiftChunk(c, start, oldEnd, delta);
    }
    const old = this.tree;
    const tree = this.loaded.parser.parse(this.text, old);
    if (!tree) return this.replaceAll(this.text);
    for (const r of old.getChangedRanges(tree)) dirty.push([r.startIndex, r.endIndex]);
    old.delete();
    this.tree = tree;
    this.reanalyze(dirty);
    this.cached = undefined;
    this.cachedSites = undefined;
    return this.findings();
  }

  private replaceAll(text: string): LintFinding[] {
    this.tree?.delete();
    this.text = text;
    this.lines = new LineIndex(text);
    this.tree = this.loaded.parser.parse(text) ?? undefined;
    this.chunks = this.tree ? this.analyzeRange(this.tree.rootNode, 0, text.length) : [];
    this.cached = undefined;
    this.cachedSites = undefined;
    return this.findings();
  }

  private reanalyze(dirty: [number, number][]): void {
    const root = this.tree!.rootNode;
    const containers = this.loaded.analyzer.containers;
    let lo = Infinity;
    let hi = -Infinity;
    for (const [s, e] of dirty) {
      lo = Math.min(lo, s);
      hi = Math.max(hi, e);
    }
    if (lo > hi) return;
    // Grow the region until the new chunks touching it and the old chunks they replace cover the same span.
    let nodes: Node[] = [];
    for (;;) {
      nodes = [];
      collectChunks(root, lo, hi, containers, nodes);
      let nlo = lo;
      let nhi = hi;
      for (const n of nodes) {
        nlo = Math.min(nlo, n.startIndex);
        nhi = Math.max(nhi, n.endIndex);
      }
      for (const c of this.chunks) {
        if (c.end >= nlo && c.start <= nhi) {
          nlo = Math.min(nlo, c.start);
          nhi = Math.max(nhi, c.end);
        }
      }
      if (nlo === lo && nhi === hi) break;
      lo = nlo;
      hi = nhi;
    }
    const fresh = this.analyzeNodes(root, nodes);
    const kept: ChunkResult[] = [];
    const changedNames = new Set<string>();
    for (const c of this.chunks) {
      if (c.end >= lo && c.start <= hi) {
        for (const n of c.declares) changedNames.add(n);
      } else kept.push(c);
    }
    for (const c of fresh) for (const n of c.declares) changedNames.add(n);
    const result: ChunkResult[] = [];
    for (const c of kept) {
      // Re-analyse chunks that read or point into the edited span, or look up a name declared there.
      let depends = c.reachEnd >= lo && c.reachStart <= hi;
      if (!depends) for (const n of c.lookups) if (changedNames.has(n)) { depends = true; break; }
      if (depends) result.push(...this.analyzeRange(root, c.start, c.end).filter((r) => r.start >= c.start && r.end <= c.end));
      else result.push(c);
    }
    result.push(...fresh);
    result.sort((a, b) => a.start - b.start);
    this.chunks = result;
  }

  /** Finds the chunks of `root` touching [lo, hi] and analyses them. */
  private analyzeRange(root: Node, lo: number, hi: number): ChunkResult[] {
    const nodes: Node[] = [];
    collectChunks(root, lo, hi, this.loaded.analyzer.containers, nodes);
    return this.analyzeNodes(root, nodes);
  }

  /** Analyses chunks with one query run over their span. */
  private analyzeNodes(root: Node, nodes: readonly Node[]): ChunkResult[] {
    const { analyzer, query } = this.loaded;
    if (nodes.length === 0) return [];
    const results: ChunkResult[] = [];
    const contexts: AnalysisContext[] = [];
    for (const n of nodes) {
      const ctx = new AnalysisContext(this.text, this.linter.resolvedThresholds, this.language);
      contexts.push(ctx);
      results.push({ start: n.startIndex, end: n.endIndex, reachStart: n.startIndex, reachEnd: n.endIndex, findings: ctx.findings, facts: ctx.facts, sites: ctx.cookieSites, lookups: ctx.lookups, declares: analyzer.declares(n, ctx) });
    }
    // web-tree-sitter reports node offsets in UTF-16 units but takes query ranges in bytes of its UTF-16 buffer.
    const matches = query.matches(root, { startIndex: nodes[0].startIndex * 2, endIndex: nodes[nodes.length - 1].endIndex * 2 });
    const perChunk: (typeof matches)[] = nodes.map(() => []);
    for (const m of matches) {
      let s = Infinity;
      for (const c of m.captures) if (c.node.startIndex < s) s = c.node.startIndex;
      const i = chunkIndexOf(results, s);
      if (i !== -1) perChunk[i].push(m);
    }
    for (let i = 0; i < nodes.length; i++) {
      if (perChunk[i].length === 0) continue;
      try {
        analyzer.analyze(perChunk[i], contexts[i]);
      } catch (err) {
        // A check tripping over an unexpected tree shape must not take the document down.
        if (process.env.SESSION_LENS_DEBUG) console.error(err);
      }
      const ctx = contexts[i];
      for (const f of ctx.facts) ctx.touch(f.start, f.valueEnd ?? f.end);
      for (const site of ctx.cookieSites) ctx.touch(site.start, site.end);
      results[i].reachStart = Math.min(results[i].start, ctx.reachStart);
      results[i].reachEnd = Math.max(results[i].end, ctx.reachEnd);
    }
    return results;
  }

  /** Current findings, severities resolved, disabled lines removed, in document order. */
  findings(): LintFinding[] {
    if (this.cached) return this.cached;
    const raw: RawFinding[] = [];
    const facts: Fact[] = [];
    for (const c of this.chunks) {
      raw.push(...c.findings);
      facts.push(...c.facts);
    }
    const finish = this.loaded.analyzer.finish;
    if (finish) {
      const ctx = new AnalysisContext(this.text, this.linter.resolvedThresholds, this.language);
      try {
        finish.call(this.loaded.analyzer, facts, ctx, this.filePath);
      } catch {
        // see analyzeRange
      }
      raw.push(...ctx.findings);
      this.docSites = ctx.cookieSites;
    }
    const disabled = disabledLines(this.text, this.lines);
    const out: LintFinding[] = [];
    // Two calls sharing one options object report its problems once.
    const seen = new Set<string>();
    for (const f of raw) {
      const key = `${f.ruleId}\u0000${f.start}\u0000${f.end}\u0000${f.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const severity = this.linter.severityOf(f.ruleId, f.severity);
      if (!severity) continue;
      const range = this.lines.range(f.start, f.end);
      const off = disabled.get(range.start.line);
      if (off && (off.has('*') || off.has(f.ruleId))) continue;
      out.push({
        ruleId: f.ruleId,
        severity,
        message: f.message,
        range,
        ...(f.fix ? { fix: { title: f.fix.title, isPreferred: true, edits: f.fix.edits.map((e) => ({ range: this.lines.range(e.start, e.end), newText: e.newText })) } } : {}),
      });
    }
    out.sort((a, b) => cmpPos(a.range.start, b.range.start) || a.ruleId.localeCompare(b.ruleId));
    this.cached = out;
    return out;
  }

  private docSites: CookieSiteRecord[] = [];

  /** Every place in this document that sets a cookie, with the attributes the code sets. */
  cookieSetters(): CookieSetter[] {
    if (this.cachedSites) return this.cachedSites;
    this.findings();
    const out: CookieSetter[] = [];
    for (const s of [...this.chunks.flatMap((c) => c.sites), ...this.docSites]) {
      const { start, end, ...rest } = s;
      out.push({ ...rest, range: this.lines.range(start, end) });
    }
    this.cachedSites = out;
    return out;
  }

  /** The "Disable this rule for this line" fix for a finding: a comment on the line above, indented alike. */
  disableFix(finding: Pick<LintFinding, 'ruleId' | 'range'>): LintFix {
    const line = finding.range.start.line;
    const indent = /^[ \t]*/.exec(this.lines.lineText(line))![0];
    const at = { line, character: 0 };
    return {
      title: `Disable ${finding.ruleId} for this line`,
      isPreferred: false,
      edits: [{ range: { start: at, end: at }, newText: `${indent}${disableCommentFor(this.language, finding.ruleId)}\n` }],
    };
  }

  /**
   * Re-analyses every chunk of the current tree (after the options changed, or to check the
   * incremental bookkeeping) and returns the findings.
   */
  refresh(): LintFinding[] {
    this.chunks = this.tree ? this.analyzeRange(this.tree.rootNode, 0, this.text.length) : [];
    this.cached = undefined;
    this.cachedSites = undefined;
    return this.findings();
  }

  /**
   * True when the tree holds syntax errors. Error recovery may then differ between an
   * incremental and a fresh parse of the same text, so findings near the error may differ too.
   */
  hasSyntaxErrors(): boolean {
    return this.tree?.rootNode.hasError ?? false;
  }

  /** Frees the syntax tree. */
  dispose(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.chunks = [];
  }
}

function toPoint(p: LintPosition): { row: number; column: number } {
  return { row: p.line, column: p.character };
}

function cmpPos(a: LintPosition, b: LintPosition): number {
  return a.line - b.line || a.character - b.character;
}

function applyChange(text: string, change: TextChange): string {
  if (!change.range) return change.text;
  const lines = new LineIndex(text);
  return text.slice(0, lines.offset(change.range.start)) + change.text + text.slice(lines.offset(change.range.end));
}

function shiftOffset(o: number, start: number, oldEnd: number, delta: number): number {
  if (o >= oldEnd) return o + delta;
  return o > start ? start : o;
}

function shiftChunk(c: ChunkResult, start: number, oldEnd: number, delta: number): void {
  if (c.reachEnd < start) return;
  const sh = (o: number) => shiftOffset(o, start, oldEnd, delta);
  c.start = sh(c.start);
  c.end = c.end >= oldEnd ? c.end + delta : Math.max(c.end, start);
  c.reachStart = sh(c.reachStart);
  c.reachEnd = c.reachEnd >= oldEnd ? c.reachEnd + delta : Math.max(c.reachEnd, start);
  c.findings = c.findings.map((f) => ({
    ...f, start: sh(f.start), end: sh(f.end),
    ...(f.fix ? { fix: { title: f.fix.title, edits: f.fix.edits.map((e) => ({ start: sh(e.start), end: sh(e.end), newText: e.newText })) } } : {}),
  }));
  c.facts = c.facts.map((f) => ({
    ...f, start: sh(f.start), end: sh(f.end),
    ...(f.valueStart !== undefined ? { valueStart: sh(f.valueStart) } : {}),
    ...(f.valueEnd !== undefined ? { valueEnd: sh(f.valueEnd) } : {}),
  }));
  c.sites = c.sites.map((s) => ({ ...s, start: sh(s.start), end: sh(s.end) }));
}

function chunkIndexOf(chunks: readonly ChunkResult[], offset: number): number {
  let lo = 0;
  let hi = chunks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (chunks[mid].end <= offset) lo = mid + 1;
    else if (chunks[mid].start > offset) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/** Named children of containers (recursively) that touch [lo, hi]; comments are not chunks. */
function collectChunks(container: Node, lo: number, hi: number, containers: ReadonlySet<string>, out: Node[]): void {
  // Binary search for the first child ending at or after lo (firstNamedChildForIndex misses offsets between extras).
  const count = container.namedChildCount;
  let a = 0;
  let b = count;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (container.namedChild(mid)!.endIndex < lo) a = mid + 1;
    else b = mid;
  }
  for (let i = a; i < count; i++) {
    const c = container.namedChild(i)!;
    if (c.startIndex > hi) break;
    if (containers.has(c.type)) collectChunks(c, lo, hi, containers, out);
    else if (!c.type.includes('comment')) out.push(c);
  }
}

/** Whether a rule id from a settings file or command line exists. */
export function checkRuleIds(ids: readonly string[]): string[] {
  return ids.filter((id) => !isRuleId(id));
}
