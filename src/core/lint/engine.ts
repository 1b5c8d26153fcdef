import type { Language, Node, Parser, Query, QueryMatch, Tree } from '@vscode/tree-sitter-wasm';
import * as TreeSitter from '@vscode/tree-sitter-wasm';
import * as path from 'node:path';
import { type RuleId, type Severity, isRuleId, ruleInfo } from '../rules/catalog';
import { AnalysisContext, type CookieSiteRecord, type Fact, type OffsetEdit, type RawFinding, type Thresholds } from './analysis';
import type { LanguageAnalyzer } from './analyzer';
import { DISABLE_MARKER, disableCommentFor, disabledLines } from './disableComments';
import { languageForId, languageForPath, loadLanguage, newParser } from './grammars';
import { analyzerFor } from './languages/index';
import { FindingCap, type FindingCapData } from './findingCap';
import { LineIndex } from './lineIndex';
import type { SymbolTable } from './symbols/symbolTable';
import { type GrammarLanguage, type LintFinding, type LintFix, type LintLanguage, type LintOptions, type LintPosition, type LintRange, isGrammarLanguage } from './types';

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
  lookups: ReadonlySet<string>;
  declares: readonly string[];
  /**
   * Pending move of every offset in findings, facts and sites: edits before a chunk add to it
   * instead of copying what the chunk found. Their offsets are the stored ones plus `off`.
   */
  off: number;
  /** The smallest offset stored in findings, facts and sites (before `off`); Infinity when none. */
  lo: number;
}

/** Workers that lint segments of a large text for a Linter (see Linter.parallel). */
export interface SegmentWorkers {
  /** Workers available: a text is cut into at most this many segments more than one. */
  readonly workers: number;
  /** Lints [from, to) of the text on a worker (Linter.lintSegment there); undefined when it could not. */
  lintSegment(text: string, from: number, to: number, filePath: string | undefined, language: LintLanguage): Promise<SegmentResult | undefined>;
}

/** What analyzePieces found over a text or a segment of it. */
interface Pieces {
  readonly chunks: ChunkResult[];
  /** Per piece, the names its checks looked up at the top level. */
  readonly lookedUp: Set<string>[];
  /** Per name a top-level statement may declare, the piece holding it (-1: several). */
  readonly declaredIn: Map<string, number>;
}

/**
 * What a segment of a large text, linted in pieces on another thread, found (crosses threads by
 * structured clone): see LintDocument.segmentResult and joinSegments.
 */
export interface SegmentResult {
  /** The findings of its chunks in document order, without a cap (empty with one: see `cap`). */
  readonly findings: RawFinding[];
  /** With a per-rule cap, what the cap tallied. */
  readonly cap?: FindingCapData;
  /** Per piece, the names its checks looked up at the top level. */
  readonly lookedUp: string[][];
  /** Names a top-level statement of a piece may declare, with the piece (-1: several). */
  readonly declared: [string, number][];
}

interface LoadedLanguage {
  /** Undefined for formats read without a grammar (web.xml, appsettings.json): their analyzer reads the text in `finish`. */
  readonly parser: Parser | undefined;
  readonly query: Query | undefined;
  readonly analyzer: LanguageAnalyzer;
}

const DAY = 86400;
const compiledQueries = new WeakMap<Language, Query>();
/** Changed ranges wider than this (UTF-16 units), in a tree with syntax errors, switch to edit-only re-analysis. */
const BROKEN_SPREAD = 8192;
const NO_FINDINGS: RawFinding[] = [];
const NO_FACTS: Fact[] = [];
const NO_SITES: CookieSiteRecord[] = [];
const NO_NAMES: ReadonlySet<string> = new Set();
const NO_DISABLED: ReadonlyMap<number, ReadonlySet<string>> = new Map();
/** Stays empty: shiftFindings records nothing in it when nothing keeps its lines (keepFrom Infinity, start -1). */
const NO_CONVERTED = new Map<RawFinding, LintFinding>();
/** Root children above which a one-shot lint finds the statement of each match with a cursor (see analyzeOnce). */
const CURSOR_MIN_CHILDREN = 1024;
/**
 * Languages whose one-shot lint of a large text may run in pieces (see analyzePieces): their
 * chunks are the program's top-level statements, and their checks record in ctx.lookups every
 * name they look up at the top level.
 */
export const PIECEWISE: ReadonlySet<LintLanguage> = new Set<LintLanguage>(['javascript', 'typescript', 'tsx']);
/**
 * @internal How large one-shot lints run in pieces (see analyzePieces), and what they did: tests
 * set small lengths to run every fixture in pieces and read the counts.
 */
export const piecewise = {
  /** Texts from this many characters (UTF-16 units) are linted in pieces. */
  minLength: 262144,
  /** The length a piece has before it is extended to the next `;`. */
  pieceLength: 65536,
  /** Texts linted in pieces to the end. */
  linted: 0,
  /** Texts whose pieces were given up for the whole text. */
  wholeAfterAll: 0,
  /** Of those, texts where a check looked up a name another piece declares. */
  wholeForLookups: 0,
  /** Pieces parsed (each cut tried counts). */
  pieces: 0,
  /** Query runs of one-shot lints (each window of forEachMatchWindow). */
  windows: 0,
  /** Texts from this many characters are linted on several threads when the linter has `parallel` workers. */
  parallelMinLength: 1048576,
  /** The shortest segment a worker is given: a worker's start (its grammar, its JIT) must pay. */
  parallelMinSegment: 524288,
  /** How much longer than the others the segment of the lint's own thread is (1: all equal). */
  parallelFirstWeight: 1.06,
  /** Texts linted on several threads to the end. */
  parallel: 0,
};
/** Candidate ends of a piece (see nextCut). */
const CUT = /;|\n(?=[\p{L}$_@])/gu;
/** Cuts tried per piece before a large text is linted whole (each costs a parse of the piece). */
const MAX_CUT_TRIES = 6;
/** A top-level statement starting with one of these words (or a decorator) may declare a name a check looks up. */
const DECLARING_START = /(?:@|(?:var|let|const|import|export|function|async|declare|abstract|class|enum|namespace|module|type|interface|using)\b)/y;
/** Identifier-like words of JavaScript (escapes such as `\\u0061` kept inside the word, as the identifier's text has them). */
const IDENTIFIER_WORDS = /[\p{L}\p{Nl}$_\\][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$\u200c\u200d\\]*/gu;
/** Context either side of an edit that can hold part of a disable comment's marker. */
const MARKER_LENGTH = DISABLE_MARKER.length;

/**
 * The lint engine: loads grammars lazily, lints whole texts and keeps incrementally updated
 * documents. Never throws for bad input; grammar loading errors reject the returned promises.
 */
export class Linter {
  private readonly loaded = new Map<LintLanguage, Promise<LoadedLanguage>>();
  private readonly thresholds: Thresholds;
  /**
   * The workspace's constants from the last scan: imports of other workspace files resolve
   * through it (also on keystroke re-lints, until the next scan replaces it).
   */
  symbols: SymbolTable | undefined;
  /**
   * Worker threads that lint segments of a large text (set by a scan): a one-shot lint of a
   * JavaScript/TypeScript text from `piecewise.parallelMinLength` on cuts it into segments, lints
   * the first here and the others there, and joins the results (the same findings as one thread).
   */
  parallel: SegmentWorkers | undefined;

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
    if (!p && !isGrammarLanguage(language)) {
      p = Promise.resolve({ parser: undefined, query: undefined, analyzer: analyzerFor(language) });
      this.loaded.set(language, p);
    }
    if (!p) {
      p = loadLanguage(language as GrammarLanguage, this.options.grammarDir).then((lang) => {
        const analyzer = analyzerFor(language);
        // Compiling a query costs tens of milliseconds; queries are immutable, so every linter shares one.
        let query = compiledQueries.get(lang);
        if (!query) {
          query = new TreeSitter.Query(lang, analyzer.query);
          compiledQueries.set(lang, query);
        }
        return { parser: newParser(lang), query, analyzer };
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
    const { keywords, anchors } = loaded.analyzer;
    if (!keywords.test(text)) return [];
    // Every match hangs on an anchor word: a file without one cannot have a finding, so it is not even parsed.
    if (anchors && !anchorRegExp(anchors, false).test(text)) return [];
    const segments = this.parallel && PIECEWISE.has(language) && anchors && loaded.parser ? segmentStarts(text, this.parallel.workers, loaded.parser) : [];
    if (segments.length > 1) {
      // A large text on several threads: the later segments on workers, the first here meanwhile.
      const ends = [...segments.slice(1), text.length];
      const parallel = this.parallel!;
      const remote = segments.slice(1).map((from, i) => parallel.lintSegment(text, from, ends[i + 1], where.filePath, language).catch(() => undefined));
      const first = new LintDocument(this, loaded, language, text, where.filePath, true, { from: 0, to: segments[1] });
      try {
        if (first.joinSegments(await Promise.all(remote))) {
          piecewise.parallel++;
          return first.findings();
        }
      } finally {
        first.dispose();
      }
    }
    const doc = new LintDocument(this, loaded, language, text, where.filePath, true);
    try {
      return doc.findings();
    } finally {
      doc.dispose();
    }
  }

  /**
   * Lints [from, to) of a large text in pieces, as one segment of a lint on several threads (run
   * by a scan worker for the thread linting the text: see `parallel`). Undefined when the
   * segment could not be cut as the whole text would be.
   */
  async lintSegment(text: string, from: number, to: number, filePath: string | undefined, language: LintLanguage): Promise<SegmentResult | undefined> {
    const loaded = await this.prepare(language);
    const doc = new LintDocument(this, loaded, language, text, filePath, true, { from, to });
    try {
      return doc.segmentResult();
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

  /**
   * Frees the parsers this linter made in wasm memory (the grammars and compiled queries stay,
   * shared by every linter of the process). Call it when a scan ends, after disposing every
   * document this linter opened: they parse with its parsers. A later lint makes new ones.
   */
  dispose(): void {
    const loaded = [...this.loaded.values()];
    this.loaded.clear();
    for (const p of loaded) void p.then((l) => l.parser?.delete(), () => undefined);
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
  /** While a broken syntax leaves parts of the file unanalysed: the last tree before it, and the edits since. */
  private lastGood: { tree: Tree; edits: [number, number][] } | undefined;
  /** Findings converted to line/character form at the last findings() call. */
  private converted = new Map<RawFinding, LintFinding>();
  /** True while the text is known to hold no disable comment (checked around each edit). */
  private markerFree = false;
  /** A one-shot lint's per-rule cap, applied as findings are reported (see FindingCap). */
  private findingCap: FindingCap | undefined;
  /** While a large text is linted in pieces (analyzePieces): the names the current piece's checks looked up at the top level. */
  private pieceLookups: Set<string> | undefined;
  /** A segment lint's pieces (see the constructor's `segment`); undefined when it could not be cut. */
  private segmentPieces: Pieces | undefined;

  /** @internal use Linter.open */
  constructor(
    private readonly linter: Linter,
    private readonly loaded: LoadedLanguage,
    readonly language: LintLanguage,
    text: string,
    readonly filePath?: string,
    /** Linted once and thrown away: no bookkeeping for later edits. */
    private readonly oneShot = false,
    /**
     * A one-shot lint of [from, to) only, in pieces, as one segment of a large text linted on
     * several threads (see Linter.lintText, joinSegments, segmentResult); `from` must start a
     * top-level statement, and `to` is confirmed as one (else nothing is kept).
     */
    segment?: { readonly from: number; readonly to: number },
  ) {
    this.text = text;
    this.lines = new LineIndex(text);
    this.findingCap = this.newFindingCap();
    if (segment) {
      this.segmentPieces = loaded.parser && loaded.analyzer.anchors && PIECEWISE.has(language) ? this.analyzePieces(loaded.parser, segment.from, segment.to) : undefined;
      if (this.segmentPieces) this.chunks = this.segmentPieces.chunks;
      return;
    }
    if (oneShot && loaded.parser && loaded.analyzer.anchors && PIECEWISE.has(language) && text.length >= piecewise.minLength) {
      const pieces = this.analyzePieces(loaded.parser);
      const chunks = pieces && !dependsAcrossPieces(pieces.lookedUp, pieces.declaredIn) ? pieces.chunks : undefined;
      if (chunks) {
        piecewise.linted++;
        this.chunks = chunks;
        return;
      }
      piecewise.wholeAfterAll++;
      // Not cut cleanly, or a check looked up a name declared in another piece: the whole text at once.
      this.findingCap = this.newFindingCap();
    }
    this.tree = loaded.parser?.parse(text) ?? undefined;
    if (this.tree) this.chunks = oneShot ? this.analyzeOnce(this.tree.rootNode) : this.analyzeRange(this.tree.rootNode, 0, text.length);
  }

  /** A one-shot lint's cap, when the linter has one and the text no disable comment. */
  private newFindingCap(): FindingCap | undefined {
    const cap = positiveCap(this.linter.options.maxFindingsPerRule);
    // A disable comment hides findings by line: with one in the text, the cap is applied at the end as for documents.
    return this.oneShot && cap !== undefined && !this.text.includes(DISABLE_MARKER) ? new FindingCap(cap, (id, proposed) => this.linter.severityOf(id, proposed)) : undefined;
  }

  /**
   * A one-shot lint of a large JavaScript/TypeScript text, parsed and checked in pieces of about
   * `piecewise.pieceLength` characters cut between top-level statements, each tree freed before the next: the
   * parser's memory is reused instead of holding the whole file's tree (about 75 bytes of wasm
   * memory per character of a minified bundle, every page of it fresh), which made the cold parse
   * of a 2 MB bundle cost about twice a parse in pieces. Undefined when the result could differ
   * from the whole text's, and the caller then lints the whole text:
   * - each piece ends after a `;` or before a line starting with a word, and must parse without any syntax error; its last top-level
   *   statement is not kept (what follows could still belong to it: `if (a) b; else c;`) and
   *   starts the next piece, so every statement kept was followed by its successor's first token
   *   as in the whole text;
   * - a check sees the statements of its own piece only: a name it looked up at the top level
   *   (ctx.lookups: declarations, imports, functions) that a statement of another piece may
   *   declare (any word of a top-level statement starting like a declaration) means the whole text.
   */
  private analyzePieces(parser: Parser, from = 0, to = this.text.length): Pieces | undefined {
    const text = this.text;
    const done: ChunkResult[] = [];
    /** Per piece, the names its checks looked up; per name, the piece declaring it (-1: several). */
    const lookedUp: Set<string>[] = [];
    const declaredIn = new Map<string, number>();
    const pieceLength = piecewise.pieceLength;
    let a = from;
    let width = pieceLength;
    /** Cuts tried for the current piece that left a syntax error (a `;` in a string, a loop header, a function body, a statement of many lines). */
    let tries = 0;
    let b = -1;
    while (a < to) {
      // The first cut from the piece's length on; after a cut that failed (inside a statement),
      // the first from twice as far.
      const cutFrom = tries === 0 ? a + width : a + 2 * (b - a);
      b = cutFrom >= text.length ? text.length : nextCut(text, cutFrom);
      if (text.length - b < pieceLength / 4) b = text.length;
      const range = { startIndex: a, endIndex: b, startPosition: toPoint(this.lines.position(a)), endPosition: toPoint(this.lines.position(b)) };
      const tree = parser.parse(text, null, { includedRanges: [range] });
      piecewise.pieces++;
      if (!tree) return undefined;
      try {
        const root = tree.rootNode;
        if (root.hasError) {
          // A syntax error at the end of the whole text, or too many cuts inside a statement.
          if (b === text.length || ++tries > MAX_CUT_TRIES) return undefined;
          continue;
        }
        tries = 0;
        let limit = text.length;
        if (b < text.length) {
          const last = root.lastChild;
          if (!last) return undefined;
          limit = last.startIndex;
        }
        if (to < text.length && b > to) {
          // The end of a segment: the next segment starts there, so it must start a top-level statement.
          if (!startsTopLevelNode(root, to)) return undefined;
          limit = to;
        } else if (b < text.length) {
          if (limit <= a) {
            // One statement longer than the piece: a wider piece, up to a few times the length.
            if (width >= pieceLength * 8) return undefined;
            width *= 2;
            continue;
          }
        }
        const piece = lookedUp.length;
        const lookups = new Set<string>();
        lookedUp.push(lookups);
        this.pieceLookups = lookups;
        for (const c of this.analyzeOnce(root, limit, a)) done.push(c);
        topLevelDeclarations(root, text, limit, (name) => {
          const at = declaredIn.get(name);
          if (at === undefined) declaredIn.set(name, piece);
          else if (at !== piece) declaredIn.set(name, -1);
        });
        a = limit;
        width = pieceLength;
      } finally {
        this.pieceLookups = undefined;
        tree.delete();
      }
    }
    return { chunks: done, lookedUp, declaredIn };
  }

  /** What a segment lint (constructed with `segment`) found, to hand back to the thread linting the text; undefined when it could not be cut. */
  segmentResult(): SegmentResult | undefined {
    const pieces = this.segmentPieces;
    if (!pieces) return undefined;
    const findings: RawFinding[] = [];
    for (const c of pieces.chunks) for (const f of c.findings) findings.push(f);
    return {
      findings: this.findingCap ? [] : findings,
      ...(this.findingCap ? { cap: this.findingCap.toData() } : {}),
      lookedUp: pieces.lookedUp.map((names) => [...names]),
      declared: [...pieces.declaredIn],
    };
  }

  /**
   * Completes a segment lint of the text's first segment with the results of the segments after
   * it, in order, as if the whole text had been linted in pieces here. False when any segment
   * could not be cut or a check looked up a name another piece declares: lint the text again in
   * one thread then.
   */
  joinSegments(results: readonly (SegmentResult | undefined)[]): boolean {
    const pieces = this.segmentPieces;
    if (!pieces || results.some((r) => r === undefined)) return false;
    const { lookedUp, declaredIn } = pieces;
    const chunks = [...pieces.chunks];
    for (const r of results as SegmentResult[]) {
      const offset = lookedUp.length;
      for (const names of r.lookedUp) lookedUp.push(new Set(names));
      for (const [name, p] of r.declared) {
        const piece = p === -1 ? -1 : p + offset;
        const at = declaredIn.get(name);
        if (at === undefined) declaredIn.set(name, piece);
        else if (at !== piece) declaredIn.set(name, -1);
      }
      if (this.findingCap && r.cap) this.findingCap.absorb(r.cap);
      else if (r.findings.length !== 0) {
        // One chunk holding the segment's findings in its order: findings() reads nothing else of a one-shot lint's chunks.
        const c = emptyChunk(r.findings[0].start, r.findings[r.findings.length - 1].end, []);
        c.findings = r.findings;
        chunks.push(c);
      }
    }
    if (dependsAcrossPieces(lookedUp, declaredIn)) return false;
    piecewise.linted++;
    this.chunks = chunks;
    return true;
  }

  /** The workspace table for this document's analyses, when the linter has one and the document a path. */
  private workspace(): AnalysisContext['workspace'] {
    const table = this.linter.symbols;
    return table && this.filePath ? { table, filePath: path.resolve(this.filePath) } : undefined;
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
      // An edit within one line leaves the positions on the lines after it as they were.
      const sameLines = startPosition.line === oldEndPosition.line && !change.text.includes('\n');
      const keepFrom = sameLines && startPosition.line + 1 < this.lines.lineCount ? this.lines.offset({ line: startPosition.line + 1, character: 0 }) : Infinity;
      const newText = this.text.slice(0, start) + change.text + this.text.slice(oldEnd);
      const delta = newEnd - oldEnd;
      this.text = newText;
      this.lines = this.lines.edited(newText, start, oldEnd, change.text);
      const newEndPosition = this.lines.position(newEnd);
      const edit = {
        startIndex: start, oldEndIndex: oldEnd, newEndIndex: newEnd,
        startPosition: toPoint(startPosition), oldEndPosition: toPoint(oldEndPosition), newEndPosition: toPoint(newEndPosition),
      };
      this.tree.edit(edit);
      this.lastGood?.tree.edit(edit);
      shiftSpans(dirty, start, oldEnd, newEnd, delta);
      if (this.lastGood) shiftSpans(this.lastGood.edits, start, oldEnd, newEnd, delta);
      dirty.push([start, newEnd]);
      if (this.markerFree) this.markerFree = !this.text.slice(Math.max(0, start - MARKER_LENGTH), newEnd + MARKER_LENGTH).includes(DISABLE_MARKER);
      const chunks = this.chunks;
      const moved: Shift = { start, oldEnd, delta, keepFrom, converted: this.converted };
      for (let i = 0; i < chunks.length; i++) shiftChunk(chunks[i], moved);
    }
    const old = this.tree;
    // Hand the parser small pieces: it re-reads only around the edit, and web-tree-sitter copies
    // up to 10 KB of text into wasm memory for every piece it asks for.
    const text = this.text;
    // While the syntax is broken, the last whole tree (edited along) is the better base: what error
    // recovery builds is not reusable, and reparsing from the whole tree gives the same tree sooner.
    // A tree exists, so the language has a parser.
    const tree = this.loaded.parser!.parse(chunkReader(text), this.lastGood?.tree ?? old);
    if (!tree) return this.replaceAll(this.text);
    this.tree = tree;
    const broken = tree.rootNode.hasError;
    // Since the last whole tree, what differs from it is measured against that tree (below).
    const changed = this.lastGood ? [] : old.getChangedRanges(tree).map((r): [number, number] => [r.startIndex, r.endIndex]);
    const spread = changed.reduce((n, [a, b]) => n + (b - a), 0);
    if (broken && (this.lastGood || spread > BROKEN_SPREAD)) {
      // Error recovery re-shaped a large part of the file (an unclosed bracket swallows what follows).
      // Re-analyse only what the edit touched, on the chunk boundaries of the last analysis; the rest
      // keeps its findings until the syntax is whole again. The last tree before the break is kept
      // (and edited along) so that moment re-analyses only what differs from it.
      if (this.lastGood) old.delete();
      else this.lastGood = { tree: old, edits: [] };
      this.lastGood.edits.push(...dirty.map(([a, b]): [number, number] => [a, b]));
      this.reanalyzeBroken(dirty);
    } else if (this.lastGood && !broken) {
      old.delete();
      const sinceGood = this.lastGood.tree.getChangedRanges(tree).map((r): [number, number] => [r.startIndex, r.endIndex]);
      const edits = this.lastGood.edits;
      this.dropLastGood();
      this.reanalyze([...edits, ...dirty, ...sinceGood]);
    } else {
      old.delete();
      this.reanalyze([...dirty, ...changed]);
    }
    this.cached = undefined;
    this.cachedSites = undefined;
    return this.findings();
  }

  private dropLastGood(): void {
    this.lastGood?.tree.delete();
    this.lastGood = undefined;
  }

  private replaceAll(text: string): LintFinding[] {
    this.dropLastGood();
    this.tree?.delete();
    this.text = text;
    this.markerFree = false;
    this.lines = new LineIndex(text);
    this.tree = this.loaded.parser?.parse(text) ?? undefined;
    this.chunks = this.tree ? this.analyzeRange(this.tree.rootNode, 0, text.length) : [];
    this.cached = undefined;
    this.cachedSites = undefined;
    return this.findings();
  }

  /** While the syntax is broken: re-analyse the former chunks (or new lines) touched by the edits only. */
  private reanalyzeBroken(edits: readonly [number, number][]): void {
    const root = this.tree!.rootNode;
    const spans: { start: number; end: number; declares: readonly string[] }[] = [];
    const kept: ChunkResult[] = [];
    for (const c of this.chunks) {
      if (edits.some(([a, b]) => c.end >= a && c.start <= b)) spans.push({ start: c.start, end: c.end, declares: c.declares });
      else kept.push(c);
    }
    for (const [a, b] of edits) {
      if (spans.some((sp) => sp.end >= a && sp.start <= b)) continue;
      // Typed between chunks: analyse the edited lines.
      const start = this.text.lastIndexOf('\n', a - 1) + 1;
      const eol = this.text.indexOf('\n', b);
      spans.push({ start, end: eol === -1 ? this.text.length : eol, declares: [] });
    }
    spans.sort((x, y) => x.start - y.start);
    const merged: typeof spans = [];
    for (const sp of spans) {
      const last = merged[merged.length - 1];
      if (last && sp.start <= last.end) merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, sp.end), declares: [...last.declares, ...sp.declares] };
      else merged.push(sp);
    }
    this.chunks = [...kept, ...this.analyzeSpans(root, merged)].sort((a, b) => a.start - b.start);
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
    const shared = new Map<string, unknown>();
    const declCtx = this.oneShot ? undefined : new AnalysisContext(this.text, this.linter.resolvedThresholds, this.language, 0, this.text.length, shared);
    if (declCtx) declCtx.workspace = this.workspace();
    return this.analyzeSpans(root, nodes.map((n) => ({ start: n.startIndex, end: n.endIndex, declares: declCtx ? this.loaded.analyzer.declares(n, declCtx) : [] })), shared);
  }

  /** Analyses spans of the text (chunks, or former chunks while the syntax is broken) with one query run. */
  private analyzeSpans(root: Node, spans: readonly { start: number; end: number; declares: readonly string[] }[], shared = new Map<string, unknown>()): ChunkResult[] {
    const { analyzer } = this.loaded;
    // Only reached with a tree, so the language has a grammar and a query.
    const query = this.loaded.query!;
    if (spans.length === 0) return [];
    const results: ChunkResult[] = spans.map(({ start, end, declares }) => emptyChunk(start, end, declares));
    const lo = spans[0].start;
    const hi = spans[spans.length - 1].end;
    const matches = analyzer.anchors
      ? anchoredMatches(root, query, analyzer.anchors, this.text, lo, hi)
      // web-tree-sitter reports node offsets in UTF-16 units but takes query ranges in bytes of its UTF-16 buffer.
      : query.matches(root, { startIndex: lo * 2, endIndex: hi * 2 });
    const perChunk: (typeof matches)[] = spans.map(() => []);
    for (const m of matches) {
      let s = Infinity;
      for (const c of m.captures) if (c.node.startIndex < s) s = c.node.startIndex;
      const i = chunkIndexOf(results, s);
      if (i !== -1) perChunk[i].push(m);
    }
    for (let i = 0; i < spans.length; i++) if (perChunk[i].length !== 0) this.analyzeChunk(results[i], perChunk[i], shared);
    return results;
  }

  /** Runs the checks on the matches of one chunk and stores what they found in it. */
  private analyzeChunk(r: ChunkResult, matches: readonly QueryMatch[], shared: Map<string, unknown>): void {
    const ctx = new AnalysisContext(this.text, this.linter.resolvedThresholds, this.language, r.start, r.end, shared);
    ctx.workspace = this.workspace();
    if (this.findingCap) {
      ctx.sink = (f) => this.findingCap!.offer(f);
      ctx.skipper = (id, start, end, severity) => this.findingCap!.skips(id, start, end, severity);
    }
    try {
      this.loaded.analyzer.analyze(matches, ctx);
    } catch (err) {
      // A check tripping over an unexpected tree shape must not take the document down.
      if (process.env.SESSION_LENS_DEBUG) console.error(err);
    }
    if (this.pieceLookups) for (const name of ctx.lookups) this.pieceLookups.add(name);
    if (this.oneShot) {
      // Read once by findings() and thrown away: no edits to follow (reach, lookups, offsets), no
      // cookie setters asked for, and facts only for a language that finishes with them.
      r.findings = ctx.findings.length !== 0 ? ctx.findings : NO_FINDINGS;
      if (this.loaded.analyzer.finish && ctx.facts.length !== 0) r.facts = ctx.facts;
      return;
    }
    for (const f of ctx.facts) ctx.touch(f.start, f.valueEnd ?? f.end);
    for (const site of ctx.cookieSites) ctx.touch(site.start, site.end);
    r.findings = ctx.findings;
    r.facts = ctx.facts;
    r.sites = ctx.cookieSites;
    r.lookups = ctx.lookups;
    r.reachStart = Math.min(r.start, ctx.reachStart);
    r.reachEnd = Math.max(r.end, ctx.reachEnd);
    r.lo = lowestOffset(r);
  }

  /**
   * The whole-document analysis of a one-shot lint: the same matches, chunks and checks as
   * analyzeRange over the whole text, but only the chunks holding a match are looked up (from the
   * match down), instead of reading every chunk of the file: a one-shot lint keeps no bookkeeping
   * for the others, and most chunks hold nothing. `from` is where the tree's text starts (a
   * piece's start, see analyzePieces): the anchor words before it are not looked for.
   */
  private analyzeOnce(root: Node, limit = Infinity, from = 0): ChunkResult[] {
    const { analyzer } = this.loaded;
    // Only reached with a tree, so the language has a grammar and a query.
    const query = this.loaded.query!;
    const containers = analyzer.containers;
    // Without anchors the query runs over the whole span of the chunks: cut them as analyzeRange does.
    if (!analyzer.anchors) return this.analyzeRange(root, 0, this.text.length);
    const lo = firstChunkStart(root, containers);
    const last = lastChunkEnd(root, containers);
    if (lo === undefined || last === undefined || lo >= limit) return [];
    // A piece's last statement is linted with the next piece (see analyzePieces).
    const hi = Math.min(last, limit);
    /** Every chunk, cut only when a match is not under a chunk found from it (never, in well-formed trees). */
    let all: ChunkResult[] | undefined;
    /** The chunks checked that found something, in document order. */
    const done: ChunkResult[] = [];
    /** The chunks holding matches not checked yet, in document order, and their matches. */
    let chunks: ChunkResult[] = [];
    let perChunk: QueryMatch[][] = [];
    const shared = new Map<string, unknown>();
    /** Checks the pending chunks that end at or before `limit`, in document order. */
    const checkUpTo = (limit: number) => {
      let n = 0;
      while (n < chunks.length && chunks[n].end <= limit) {
        const c = chunks[n];
        this.analyzeChunk(c, perChunk[n], shared);
        // findings() reads nothing else of a one-shot lint's chunks.
        if (c.findings.length !== 0 || c.facts.length !== 0) done.push(c);
        n++;
      }
      if (n !== 0) {
        chunks = chunks.slice(n);
        perChunk = perChunk.slice(n);
      }
    };
    // The root's child holding a match, found by a cursor that moves forward over the root's
    // children: matches come in document order, so the walk is linear in the file, where asking
    // the root for the child holding each match walks its children from the first every time
    // (quadratic in a minified bundle: one line, tens of thousands of top-level statements).
    // Each step of the cursor is a call into wasm: in a file of a few hundred statements, asking
    // the root costs less than stepping over them.
    const cursor = root.childCount > CURSOR_MIN_CHILDREN ? root.walk() : undefined;
    let onChild = cursor?.gotoFirstChild() ?? false;
    // The query runs window by window, and the chunks that no later window can add a match to are
    // checked before the next: the matches (and what the checks build) die young instead of all
    // being held to the end of a large file.
    forEachMatchWindow(root, query, analyzer.anchors, this.text, lo, hi, from, (matches, windowStart) => {
      // A match first returned by a later window has its nodes after this window's start (it would
      // have been returned before otherwise), so chunks ending here are complete.
      checkUpTo(windowStart);
      for (const m of matches) {
        let first: Node | undefined;
        for (const c of m.captures) if (!first || c.node.startIndex < first.startIndex) first = c.node;
        if (!first) continue;
        const at = first.startIndex;
        if (at >= limit) continue;
        // Chunks do not overlap: one found already that holds the offset is the one (several
        // matches often share a statement), and spares walking down to it again.
        const known = chunkIndexOf(chunks, at);
        if (known !== -1) {
          perChunk[known].push(m);
          continue;
        }
        let start: number;
        let end: number;
        let top: Node | undefined;
        if (cursor) {
          if (!onChild || cursor.startIndex > at) {
            cursor.reset(root);
            onChild = cursor.gotoFirstChild();
          }
          while (onChild && cursor.endIndex <= at) onChild = cursor.gotoNextSibling();
          top = onChild ? cursor.currentNode : undefined;
        }
        // A node that starts inside a child and has a width is that child's descendant; anything
        // else (empty nodes at a boundary) is looked up from the root.
        const inTop = top !== undefined && top.startIndex <= at && first.endIndex <= top.endIndex && first.endIndex > at;
        const held = chunkHolding(root, first, at, containers, inTop ? top : undefined);
        if (held) {
          ({ start, end } = held);
        } else {
          if (!all) {
            const nodes: Node[] = [];
            collectChunks(root, 0, this.text.length, containers, nodes);
            all = nodes.map((n) => emptyChunk(n.startIndex, n.endIndex, []));
          }
          const i = chunkIndexOf(all, at);
          if (i === -1) continue;
          ({ start, end } = all[i]);
        }
        let i = chunks.length;
        while (i > 0 && chunks[i - 1].start > start) i--;
        chunks.splice(i, 0, emptyChunk(start, end, []));
        perChunk.splice(i, 0, [m]);
      }
    });
    cursor?.delete();
    checkUpTo(Infinity);
    return done;
  }

  /** Current findings, severities resolved, disabled lines removed, in document order. */
  findings(): LintFinding[] {
    if (this.cached) return this.cached;
    const raw: RawFinding[] = [];
    /** The pending move of each raw finding's offsets (its chunk's `off`). */
    const offs: number[] = [];
    const finish = this.loaded.analyzer.finish;
    const facts: Fact[] = [];
    const chunks = this.chunks;
    for (let i = 0; i < chunks.length; i++) {
      // Most chunks hold nothing: spreading their empty arrays would cost more than the rest.
      const c = chunks[i];
      for (let k = 0; k < c.findings.length; k++) {
        raw.push(c.findings[k]);
        offs.push(c.off);
      }
      if (finish && c.facts.length) {
        const moved = c.off === 0 ? c.facts : shiftFacts(c.facts, -1, -1, c.off);
        for (let k = 0; k < moved.length; k++) facts.push(moved[k]);
      }
    }
    if (finish) {
      const ctx = new AnalysisContext(this.text, this.linter.resolvedThresholds, this.language);
      ctx.workspace = this.workspace();
      if (this.findingCap) {
        ctx.sink = (f) => this.findingCap!.offer(f);
        ctx.skipper = (id, start, end, severity) => this.findingCap!.skips(id, start, end, severity);
      }
      try {
        finish.call(this.loaded.analyzer, facts, ctx, this.filePath);
      } catch {
        // see analyzeRange
      }
      for (const f of ctx.findings) {
        raw.push(f);
        offs.push(0);
      }
      this.docSites = ctx.cookieSites;
    }
    if (this.findingCap) return (this.cached = this.cappedFindings(this.findingCap));
    // One scan for the marker: without it no line is disabled.
    const hasMarker = this.text.includes(DISABLE_MARKER);
    const disabled: ReadonlyMap<number, ReadonlySet<string>> = this.markerFree || !hasMarker ? NO_DISABLED : disabledLines(this.text, this.lines);
    this.markerFree = disabled.size === 0 && !hasMarker;
    const out: LintFinding[] = [];
    // A one-shot lint is never edited: it keeps no converted forms for the next call.
    const converted = this.oneShot ? NO_CONVERTED : new Map<RawFinding, LintFinding>();
    // Document order first (start, then rule, then as found): the first findings of a rule are the
    // ones a cap keeps, and only listed findings are converted to lines and characters.
    const length = this.text.length;
    const starts = new Float64Array(raw.length);
    const order = new Array<number>(raw.length);
    for (let i = 0; i < raw.length; i++) {
      // Positions clamp offsets to the text, so order does too.
      starts[i] = Math.min(Math.max(raw[i].start + offs[i], 0), length);
      order[i] = i;
    }
    order.sort((a, b) => starts[a] - starts[b] || byRule(raw[a].ruleId, raw[b].ruleId) || a - b);
    const cap = positiveCap(this.linter.options.maxFindingsPerRule);
    const listed = cap === undefined ? undefined : new Map<string, number>();
    /** Per rule over the cap: how many were left out, the first of them, the highest severity. */
    const left = new Map<RuleId, { count: number; first: LintRange; severity: Severity }>();
    // Two calls sharing one options object (or one secret) report its problems once: the rule and
    // end of the findings seen at the current start (the order puts equal starts together).
    let seenStart = -1;
    const seen: { ruleId: string; end: number }[] = [];
    for (let k = 0; k < order.length; k++) {
      const i = order[k];
      const f = raw[i];
      const fOff = offs[i];
      const start = f.start + fOff;
      const end = f.end + fOff;
      if (start !== seenStart) {
        seenStart = start;
        seen.length = 0;
      } else if (seen.some((o) => o.ruleId === f.ruleId && o.end === end)) continue;
      seen.push({ ruleId: f.ruleId, end });
      const severity = this.linter.severityOf(f.ruleId, f.severity);
      if (!severity) continue;
      if (disabled.size !== 0) {
        const off = disabled.get(this.lines.position(start).line);
        if (off && (off.has('*') || off.has(f.ruleId))) continue;
      }
      if (listed) {
        const n = listed.get(f.ruleId) ?? 0;
        if (n >= cap!) {
          const l = left.get(f.ruleId);
          if (l) {
            l.count++;
            if (RANK[severity] > RANK[l.severity]) l.severity = severity;
          } else left.set(f.ruleId, { count: 1, first: this.lines.range(start, end), severity });
          continue;
        }
        listed.set(f.ruleId, n + 1);
      }
      // A finding the last edit did not move keeps its converted form (same object, same lines).
      // (Edits replace the raw findings whose lines or columns they move, and only add to the
      // pending offset of those they leave in place, so an unchanged object keeps its positions.)
      let lf = this.converted.get(f);
      if (!lf) {
        // Offsets are never negative: an edit at -1 moves all of them by the pending offset.
        const g = fOff === 0 ? f : shiftFindings([f], { start: -1, oldEnd: -1, delta: fOff, keepFrom: Infinity, converted: NO_CONVERTED })[0];
        lf = this.convert(g, severity);
      }
      if (converted !== NO_CONVERTED) converted.set(f, lf);
      out.push(lf);
    }
    this.converted = converted;
    if (left.size !== 0) {
      for (const [ruleId, l] of left) {
        out.push({
          ruleId, severity: l.severity, range: l.first, omitted: l.count,
          message: `${l.count} more ${ruleId} finding${l.count === 1 ? '' : 's'} in this file ${l.count === 1 ? 'is' : 'are'} not listed: at most ${cap!} per rule and file are.`,
        });
      }
      out.sort((a, b) => cmpPos(a.range.start, b.range.start) || byRule(a.ruleId, b.ruleId));
    }
    this.cached = out;
    return out;
  }

  /** The findings of a one-shot lint whose cap was applied as they were reported, in the order and form findings() gives. */
  private cappedFindings(cap: FindingCap): LintFinding[] {
    const listed = cap.listed();
    const length = this.text.length;
    const at = (f: RawFinding) => Math.min(Math.max(f.start, 0), length);
    listed.sort((a, b) => at(a.finding) - at(b.finding) || byRule(a.finding.ruleId, b.finding.ruleId) || a.seq - b.seq);
    const out: LintFinding[] = [];
    for (const { finding } of listed) out.push(this.convert(finding, this.linter.severityOf(finding.ruleId, finding.severity)!));
    const omitted = cap.omitted();
    if (omitted.length === 0) return out;
    for (const o of omitted) {
      out.push({
        ruleId: o.ruleId, severity: o.severity, range: this.lines.range(o.start, o.end), omitted: o.count,
        message: `${o.count} more ${o.ruleId} finding${o.count === 1 ? '' : 's'} in this file ${o.count === 1 ? 'is' : 'are'} not listed: at most ${cap.cap} per rule and file are.`,
      });
    }
    out.sort((a, b) => cmpPos(a.range.start, b.range.start) || byRule(a.ruleId, b.ruleId));
    return out;
  }

  /** A finding in line/character form. */
  private convert(f: RawFinding, severity: Severity): LintFinding {
    const range = this.lines.range(f.start, f.end);
    if (!f.fix || !validEdits(f.fix.edits, this.text.length)) return { ruleId: f.ruleId, severity, message: f.message, range };
    const edits = f.fix.edits.map((e) => ({ range: this.lines.range(e.start, e.end), newText: e.newText }));
    return { ruleId: f.ruleId, severity, message: f.message, range, fix: { title: f.fix.title, isPreferred: true, edits } };
  }

  private docSites: CookieSiteRecord[] = [];

  /** Every place in this document that sets a cookie, with the attributes the code sets. */
  cookieSetters(): CookieSetter[] {
    if (this.cachedSites) return this.cachedSites;
    this.findings();
    const out: CookieSetter[] = [];
    for (const s of [...this.chunks.flatMap((c) => (c.off === 0 ? c.sites : shiftSites(c.sites, -1, -1, c.off))), ...this.docSites]) {
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
    this.dropLastGood();
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

  /**
   * True while a syntax error that re-shaped a large part of the file keeps findings away from the
   * edit as they were at the last analysis. Cleared when the syntax is whole again or on refresh().
   */
  isStale(): boolean {
    return this.lastGood !== undefined;
  }

  /** Frees the syntax trees. */
  dispose(): void {
    this.dropLastGood();
    this.tree?.delete();
    this.tree = undefined;
    this.chunks = [];
  }
}

/** A fix is offered only when its edits are in the text and do not overlap (broken syntax can confuse a writer). */
function validEdits(edits: readonly { start: number; end: number }[], length: number): boolean {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let at = 0;
  for (const e of sorted) {
    if (e.start < at || e.end < e.start || e.end > length) return false;
    at = e.end;
  }
  return sorted.length > 0;
}

function toPoint(p: LintPosition): { row: number; column: number } {
  return { row: p.line, column: p.character };
}

/** Rule ids in the order findings at one position are listed. */
function byRule(a: string, b: string): number {
  return a === b ? 0 : a.localeCompare(b);
}

const RANK: Readonly<Record<Severity, number>> = { info: 1, warning: 2, error: 3 };

/** The per-rule cap of an option, or undefined for none (unset, 0, or not a positive number). */
function positiveCap(v: number | undefined): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 1 ? Math.floor(v) : undefined;
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

/** An edit as the bookkeeping moves offsets along it. */
interface Shift {
  readonly start: number;
  readonly oldEnd: number;
  readonly delta: number;
  /** Offsets from here on (and before start) keep their line and character. */
  readonly keepFrom: number;
  /** Converted findings of the last findings() call: a finding whose positions stay keeps its form. */
  readonly converted: Map<RawFinding, LintFinding>;
}

function shiftChunk(c: ChunkResult, moved: Shift): void {
  const { start, oldEnd, delta } = moved;
  if (c.reachEnd < start) return;
  c.start = shiftOffset(c.start, start, oldEnd, delta);
  c.end = c.end >= oldEnd ? c.end + delta : Math.max(c.end, start);
  c.reachStart = shiftOffset(c.reachStart, start, oldEnd, delta);
  c.reachEnd = c.reachEnd >= oldEnd ? c.reachEnd + delta : Math.max(c.reachEnd, start);
  // Most chunks hold nothing: leave their (shared, empty) arrays alone instead of copying them.
  if (c.lo === Infinity) return;
  if (c.lo + c.off >= moved.keepFrom) {
    // Everything the chunk found is on lines after the edit, which keep their lines and columns.
    c.off += delta;
    return;
  }
  const off = c.off;
  if (c.findings.length) c.findings = shiftFindings(c.findings, { ...moved, pending: off });
  if (c.facts.length) c.facts = shiftFacts(off === 0 ? c.facts : shiftFacts(c.facts, -1, -1, off), start, oldEnd, delta);
  if (c.sites.length) c.sites = shiftSites(off === 0 ? c.sites : shiftSites(c.sites, -1, -1, off), start, oldEnd, delta);
  // Offsets move monotonically: the lowest stays the lowest.
  c.lo = shiftOffset(c.lo + off, start, oldEnd, delta);
  c.off = 0;
}

/** The smallest offset in what a chunk found (Infinity when it found nothing). */
function lowestOffset(c: ChunkResult): number {
  let lo = Infinity;
  for (const f of c.findings) {
    lo = Math.min(lo, f.start, f.end);
    if (f.fix) for (const e of f.fix.edits) lo = Math.min(lo, e.start, e.end);
  }
  for (const f of c.facts) {
    lo = Math.min(lo, f.start, f.end);
    if (f.valueStart !== undefined) lo = Math.min(lo, f.valueStart);
    if (f.valueEnd !== undefined) lo = Math.min(lo, f.valueEnd);
  }
  for (const s of c.sites) lo = Math.min(lo, s.start, s.end);
  return lo;
}

/**
 * Moves findings along an edit. `pending` is added to the stored offsets first (a chunk's `off`);
 * a finding whose lines and columns stay keeps its converted form under the new object.
 */
function shiftFindings(findings: readonly RawFinding[], moved: Shift & { readonly pending?: number }): RawFinding[] {
  const { start, oldEnd, delta, keepFrom, converted } = moved;
  const p = moved.pending ?? 0;
  const stays = (o: number) => o < start || o >= keepFrom;
  const out: RawFinding[] = new Array<RawFinding>(findings.length);
  for (let i = 0; i < findings.length; i++) {
    const f = findings[i];
    let fix: RawFinding['fix'] | undefined;
    let same = stays(f.start + p) && stays(f.end + p);
    if (f.fix) {
      const edits = f.fix.edits;
      const movedEdits = new Array<OffsetEdit>(edits.length);
      for (let k = 0; k < edits.length; k++) {
        const e = edits[k];
        same = same && stays(e.start + p) && stays(e.end + p);
        movedEdits[k] = { start: shiftOffset(e.start + p, start, oldEnd, delta), end: shiftOffset(e.end + p, start, oldEnd, delta), newText: e.newText };
      }
      fix = { title: f.fix.title, edits: movedEdits };
    }
    const nf = { ...f, start: shiftOffset(f.start + p, start, oldEnd, delta), end: shiftOffset(f.end + p, start, oldEnd, delta), ...(fix ? { fix } : {}) };
    out[i] = nf;
    if (same) {
      const lf = converted.get(f);
      if (lf) converted.set(nf, lf);
    }
  }
  return out;
}

function shiftFacts(facts: readonly Fact[], start: number, oldEnd: number, delta: number): Fact[] {
  const out: Fact[] = new Array<Fact>(facts.length);
  for (let i = 0; i < facts.length; i++) {
    const f = facts[i];
    out[i] = {
      ...f, start: shiftOffset(f.start, start, oldEnd, delta), end: shiftOffset(f.end, start, oldEnd, delta),
      ...(f.valueStart !== undefined ? { valueStart: shiftOffset(f.valueStart, start, oldEnd, delta) } : {}),
      ...(f.valueEnd !== undefined ? { valueEnd: shiftOffset(f.valueEnd, start, oldEnd, delta) } : {}),
    };
  }
  return out;
}

function shiftSites(sites: readonly CookieSiteRecord[], start: number, oldEnd: number, delta: number): CookieSiteRecord[] {
  const out: CookieSiteRecord[] = new Array<CookieSiteRecord>(sites.length);
  for (let i = 0; i < sites.length; i++) {
    const s = sites[i];
    out[i] = { ...s, start: shiftOffset(s.start, start, oldEnd, delta), end: shiftOffset(s.end, start, oldEnd, delta) };
  }
  return out;
}

/** Moves spans of the text before an edit to the text after it (an edit inside a span widens it to the inserted text). */
function shiftSpans(spans: [number, number][], start: number, oldEnd: number, newEnd: number, delta: number): void {
  for (let i = 0; i < spans.length; i++) {
    const d = spans[i];
    d[0] = shiftOffset(d[0], start, oldEnd, delta);
    d[1] = d[1] >= oldEnd ? d[1] + delta : Math.max(d[1], newEnd);
  }
}

/**
 * The parser's input for an incremental parse: small pieces where it jumps around (it re-reads
 * only around edits, and every piece is copied into wasm memory), growing while it reads on.
 */
function chunkReader(text: string): (index: number) => string {
  let next = -1;
  let size = 64;
  return (index: number) => {
    size = index === next ? Math.min(size * 2, 4096) : 64;
    next = index + size;
    return text.slice(index, next);
  };
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

/** Work done by anchorSegments, for tests: the lines looked up (each scanned once from end to end). */
export interface AnchorSegmentStats {
  lineLookups: number;
}

/**
 * Runs of touching lines holding anchor words in [lo, hi]: [first line start, last line end,
 * first anchor word start, last anchor word end] each. Linear in the text: the line of an anchor
 * word is looked up once per line, not once per word (a minified bundle has thousands on a line).
 */
export function anchorSegments(anchors: RegExp, text: string, lo: number, hi: number, stats?: AnchorSegmentStats, from = 0): [number, number, number, number][] {
  const re = anchorRegExp(anchors, true);
  // From the start of lo's line: an anchor may begin with the line's indentation (`^\s*NAME =`).
  // But not before `from`, where the text of a piece's tree starts (nothing before it can match):
  // on a one-line bundle, every piece scanned and queried the line from its start (quadratic).
  re.lastIndex = Math.max(text.lastIndexOf('\n', lo - 1) + 1, from);
  // Every match contains its anchor word, and a query returns the matches whose pattern meets its
  // range (with captures outside it), so a run's range spans its anchor words only: fewer nodes
  // for the query to try.
  const segments: [number, number, number, number][] = [];
  let lineStart = 0;
  let lineEnd = -1;
  for (let m = re.exec(text); m && m.index < hi; m = re.exec(text)) {
    if (m[0].length === 0) re.lastIndex++;
    const at = m.index + (m[0].length - m[0].trimStart().length);
    const end = Math.max(at + 1, m.index + m[0].length);
    if (at > lineEnd || at < lineStart) {
      lineStart = text.lastIndexOf('\n', at - 1) + 1;
      lineEnd = text.indexOf('\n', at);
      if (lineEnd === -1) lineEnd = text.length;
      if (stats) stats.lineLookups++;
    }
    // Only touching lines merge: which matches come back must not depend on what else is in the range.
    const last = segments[segments.length - 1];
    if (last && lineStart <= last[1] + 1) {
      last[1] = Math.max(last[1], lineEnd);
      last[3] = Math.max(last[3], end);
    } else segments.push([lineStart, lineEnd, at, end]);
  }
  return segments;
}

/**
 * Runs the query only on the lines around the anchor words in [lo, hi]: the C query cursor then
 * skips the bulk of the file, which is code the rules never look at.
 */
function anchoredMatches(root: Node, query: Query, anchors: RegExp, text: string, lo: number, hi: number): QueryMatch[] {
  const segments = anchorSegments(anchors, text, lo, hi);
  const out: QueryMatch[] = [];
  /** Matches kept so far, by the node id of their first capture. */
  const seen = new Map<number, QueryMatch[]>();
  for (const [, , a, b] of segments) {
    // web-tree-sitter reports node offsets in UTF-16 units but takes query ranges in bytes of its UTF-16 buffer.
    for (const match of query.matches(root, { startIndex: a * 2, endIndex: b * 2 })) {
      // A match spanning two segments comes back twice.
      const key = match.captures.length > 0 ? match.captures[0].node.id : -1;
      const same = seen.get(key);
      if (same?.some((o) => sameMatch(o, match))) continue;
      if (same) same.push(match);
      else seen.set(key, [match]);
      out.push(match);
    }
  }
  return out;
}

/**
 * Width of the windows a one-shot lint runs the query in (UTF-16 units): about 500 matches in a
 * dense bundle. A window's matches and what the checks build from them live until its chunks are
 * checked: at 32 K the scavenges of a 2 MB bundle's cold scan copied 46-67 MB, at 16 K 32 MB.
 */
const MATCH_WINDOW = 16384;

/**
 * The matches of anchoredMatches, handed over window by window in document order: each run of
 * anchor lines is cut into windows of MATCH_WINDOW, and `each` gets a window's matches that no
 * earlier window returned, with the window's start. A match crossing a window's end comes back
 * in the next run of the query: the nodes of a match are one span of the text, so a match that
 * an earlier run returned meets every window after it up to this one, and was returned by the
 * run just before. Only that run's matches are compared (by node ids, which are JavaScript
 * properties: no call into wasm, where reading each capture's end to forget it was one).
 */
function forEachMatchWindow(root: Node, query: Query, anchors: RegExp, text: string, lo: number, hi: number, from: number, each: (matches: QueryMatch[], windowStart: number) => void): void {
  /** The matches the previous run returned, by the node id of their first capture. */
  let previous = new Map<number, QueryMatch[]>();
  for (const [, , a, b] of anchorSegments(anchors, text, lo, hi, undefined, from)) {
    for (let wa = a; wa < b; wa += MATCH_WINDOW) {
      const wb = Math.min(b, wa + MATCH_WINDOW);
      const returned = new Map<number, QueryMatch[]>();
      const out: QueryMatch[] = [];
      piecewise.windows++;
      // web-tree-sitter reports node offsets in UTF-16 units but takes query ranges in bytes of its UTF-16 buffer.
      for (const match of query.matches(root, { startIndex: wa * 2, endIndex: wb * 2 })) {
        const key = match.captures.length > 0 ? match.captures[0].node.id : -1;
        const same = returned.get(key);
        if (same) same.push(match);
        else returned.set(key, [match]);
        if (previous.get(key)?.some((o) => sameMatch(o, match))) continue;
        out.push(match);
      }
      previous = returned;
      if (out.length !== 0) each(out, wa);
    }
  }
}

/** The same pattern capturing the same nodes. */
function sameMatch(a: QueryMatch, b: QueryMatch): boolean {
  if (a.patternIndex !== b.patternIndex || a.captures.length !== b.captures.length) return false;
  for (let i = 0; i < a.captures.length; i++) if (a.captures[i].node.id !== b.captures[i].node.id) return false;
  return true;
}

const globalAnchors = new WeakMap<RegExp, RegExp>();
const testAnchors = new WeakMap<RegExp, RegExp>();

/**
 * An analyzer's anchors as a global RegExp (to walk through them) or a non-global one (to test
 * for any), made once per analyzer. The global one's lastIndex is set by each user before use.
 */
function anchorRegExp(anchors: RegExp, global: boolean): RegExp {
  const cache = global ? globalAnchors : testAnchors;
  let re = cache.get(anchors);
  if (!re) {
    const flags = anchors.flags.replace('g', '');
    re = new RegExp(anchors.source, global ? `${flags}g` : flags);
    cache.set(anchors, re);
  }
  return re;
}

function emptyChunk(start: number, end: number, declares: readonly string[]): ChunkResult {
  return { start, end, reachStart: start, reachEnd: end, findings: NO_FINDINGS, facts: NO_FACTS, sites: NO_SITES, lookups: NO_NAMES, declares, off: 0, lo: Infinity };
}

/** Start of the first chunk collectChunks cuts from a container (undefined when it cuts none). */
function firstChunkStart(container: Node, containers: ReadonlySet<string>): number | undefined {
  for (let c = container.firstNamedChild; c; c = c.nextNamedSibling) {
    const type = c.type;
    if (containers.has(type)) {
      const s = firstChunkStart(c, containers);
      if (s !== undefined) return s;
    } else if (!type.includes('comment')) return c.startIndex;
  }
  return undefined;
}

/** End of the last chunk collectChunks cuts from a container (undefined when it cuts none). */
function lastChunkEnd(container: Node, containers: ReadonlySet<string>): number | undefined {
  for (let c = container.lastNamedChild; c; c = c.previousNamedSibling) {
    const type = c.type;
    if (containers.has(type)) {
      const e = lastChunkEnd(c, containers);
      if (e !== undefined) return e;
    } else if (!type.includes('comment')) return c.endIndex;
  }
  return undefined;
}

/**
 * The chunk collectChunks would cut that holds offset `at` of `node`, found by walking from the
 * root down to the node. Undefined when the walk does not end on one (the caller then searches
 * the cut chunks, as analyzeSpans does).
 */
function chunkHolding(root: Node, node: Node, at: number, containers: ReadonlySet<string>, top?: Node): { start: number; end: number } | undefined {
  // `top`, when given, is the root's child holding the node (found by the caller's cursor).
  let c = top ?? root.childWithDescendant(node);
  // Each type or flag read is a call into the parser: read them once, and only when needed.
  let type = c?.type;
  while (c && type !== undefined && c.id !== node.id && containers.has(type) && c.isNamed) {
    c = c.childWithDescendant(node);
    type = c?.type;
  }
  if (!c || type === undefined || containers.has(type) || type.includes('comment') || c.startIndex > at || !c.isNamed) return undefined;
  const end = c.endIndex;
  return at < end ? { start: c.startIndex, end } : undefined;
}

/** Named children of containers (recursively) that touch [lo, hi]; comments are not chunks. */
function collectChunks(container: Node, lo: number, hi: number, containers: ReadonlySet<string>, out: Node[]): void {
  if (lo <= container.startIndex && hi >= container.endIndex) {
    // The whole container (a full analysis): one call for all children instead of one per sibling.
    for (const c of container.namedChildren) {
      if (!c) continue;
      const type = c.type;
      if (containers.has(type)) collectChunks(c, lo, hi, containers, out);
      else if (!type.includes('comment')) out.push(c);
    }
    return;
  }
  // Binary search for the first child ending at or after lo (firstNamedChildForIndex misses offsets between extras).
  const count = container.namedChildCount;
  let a = 0;
  let b = count;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (container.namedChild(mid)!.endIndex < lo) a = mid + 1;
    else b = mid;
  }
  for (let c = a < count ? container.namedChild(a) : null; c; c = c.nextNamedSibling) {
    if (c.startIndex > hi) break;
    const type = c.type;
    if (containers.has(type)) collectChunks(c, lo, hi, containers, out);
    else if (!type.includes('comment')) out.push(c);
  }
}

/**
 * Where a piece may end, from `from` on: after a `;` (minified code), or before a line starting
 * with a word or a decorator (formatted code's top-level statements); the text's length if none.
 */
function nextCut(text: string, from: number): number {
  CUT.lastIndex = from;
  const m = CUT.exec(text);
  return m ? m.index + 1 : text.length;
}

/**
 * Every word of the top-level statements before `limit` that may declare a name (they start like
 * a declaration or an import): more names than they declare, never fewer.
 */
function topLevelDeclarations(root: Node, text: string, limit: number, each: (name: string) => void): void {
  const cursor = root.walk();
  try {
    for (let on = cursor.gotoFirstChild(); on; on = cursor.gotoNextSibling()) {
      const start = cursor.startIndex;
      if (start >= limit) break;
      DECLARING_START.lastIndex = start;
      if (!DECLARING_START.test(text)) continue;
      const body = text.slice(start, cursor.endIndex);
      IDENTIFIER_WORDS.lastIndex = 0;
      for (let m = IDENTIFIER_WORDS.exec(body); m; m = IDENTIFIER_WORDS.exec(body)) each(m[0]);
    }
  } finally {
    cursor.delete();
  }
}

/**
 * True when a check of one piece looked up a name (or a word of a dotted name) that a top-level
 * statement of another piece may declare: the pieces' findings could then differ from the whole text's.
 */
function dependsAcrossPieces(lookedUp: readonly ReadonlySet<string>[], declaredIn: ReadonlyMap<string, number>): boolean {
  for (let p = 0; p < lookedUp.length; p++) {
    for (const name of lookedUp[p]) {
      // A dotted name (a member path) depends on each of its words.
      IDENTIFIER_WORDS.lastIndex = 0;
      for (let m = IDENTIFIER_WORDS.exec(name); m; m = IDENTIFIER_WORDS.exec(name)) {
        const at = declaredIn.get(m[0]);
        if (at !== undefined && at !== p) {
          piecewise.wholeForLookups++;
          return true;
        }
      }
    }
  }
  return false;
}

/**
 * Where the segments of a text linted on several threads start (the first at 0), or [0] alone for
 * one thread: equal parts of at least `piecewise.parallelMinSegment` (the first a little longer),
 * each starting at a cut (after a `;` or before a line starting with a word) that looks like the
 * start of a top-level statement; the segment before confirms it (see analyzePieces).
 */
function segmentStarts(text: string, workers: number, parser: Parser): number[] {
  if (workers < 1 || text.length < piecewise.parallelMinLength) return [0];
  const count = Math.min(workers + 1, Math.floor(text.length / piecewise.parallelMinSegment));
  const starts = [0];
  // This thread's segment is a little longer: a worker starts later and warms up its own code.
  const first = count === 1 ? 1 : Math.min(0.9, (1 / count) * piecewise.parallelFirstWeight);
  for (let k = 1; k < count; k++) {
    const at = statementCut(text, Math.floor(text.length * (first + ((1 - first) * (k - 1)) / (count - 1))), parser);
    if (at === undefined || at <= starts[starts.length - 1]) break;
    starts.push(at);
  }
  return starts;
}

/** Cuts tried for a segment's start (each a parse of SEGMENT_PROBE characters). */
const SEGMENT_CUT_TRIES = 16;
const SEGMENT_PROBE = 2048;

/**
 * The first cut from `from` on whose text parses as a statement (a `;` in a string or a loop
 * header is not a statement's end: what follows it starts with an error), or undefined.
 */
function statementCut(text: string, from: number, parser: Parser): number | undefined {
  let at = nextCut(text, from);
  for (let tries = 0; tries < SEGMENT_CUT_TRIES && at < text.length; tries++) {
    const end = Math.min(text.length, at + SEGMENT_PROBE);
    let row = 0;
    for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) row++;
    const column = at - (text.lastIndexOf('\n', at - 1) + 1);
    let endRow = row;
    for (let i = text.indexOf('\n', at); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) endRow++;
    const endColumn = endRow === row ? column + end - at : end - (text.lastIndexOf('\n', end - 1) + 1);
    const range = { startIndex: at, endIndex: end, startPosition: { row, column }, endPosition: { row: endRow, column: endColumn } };
    const tree = parser.parse(text, null, { includedRanges: [range] });
    if (tree) {
      try {
        const c = tree.rootNode.firstChild;
        // The probe may end inside a statement: only its first statement must be whole.
        if (c && c.startIndex === at && !c.hasError && !c.isError && (c.endIndex < end || end === text.length)) return at;
      } finally {
        tree.delete();
      }
    }
    at = nextCut(text, at + 1);
  }
  return undefined;
}

/** True when a child of the root (a top-level statement or comment) starts at `at`. */
function startsTopLevelNode(root: Node, at: number): boolean {
  const cursor = root.walk();
  try {
    for (let on = cursor.gotoFirstChild(); on; on = cursor.gotoNextSibling()) {
      const start = cursor.startIndex;
      if (start >= at) return start === at;
    }
    return false;
  } finally {
    cursor.delete();
  }
}

/** Whether a rule id from a settings file or command line exists. */
export function checkRuleIds(ids: readonly string[]): string[] {
  return ids.filter((id) => !isRuleId(id));
}
