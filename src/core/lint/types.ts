import type { RuleId, Severity } from '../rules/catalog';

/** A 0-based position; `character` counts UTF-16 code units, as editors do. */
export interface LintPosition {
  readonly line: number;
  readonly character: number;
}

/** A half-open range of a document. */
export interface LintRange {
  readonly start: LintPosition;
  readonly end: LintPosition;
}

/** Replace `range` with `newText` (an insertion when the range is empty). */
export interface LintTextEdit {
  readonly range: LintRange;
  readonly newText: string;
}

/** A quick fix: edits to apply together. Exactly one fix per finding is preferred. */
export interface LintFix {
  readonly title: string;
  readonly edits: readonly LintTextEdit[];
  readonly isPreferred: boolean;
}

/** One problem found in source code or configuration. Plain data. */
export interface LintFinding {
  readonly ruleId: RuleId;
  readonly severity: Severity;
  /** What is wrong and what to change. */
  readonly message: string;
  /** The offending property or argument, or the call when something is missing. */
  readonly range: LintRange;
  readonly fix?: LintFix;
  /**
   * Set on the one summary finding that stands for further findings of this rule in the document,
   * left out by `LintOptions.maxFindingsPerRule`: how many. Its range is the first one left out.
   */
  readonly omitted?: number;
}

/** The languages and configuration formats the engine reads. */
export type LintLanguage =
  | 'javascript'
  | 'typescript'
  | 'tsx'
  | 'python'
  | 'php'
  | 'java'
  | 'csharp'
  | 'go'
  | 'ruby'
  | 'ini'
  | 'properties'
  | 'yaml'
  /** Servlet deployment descriptors (web.xml, web-fragment.xml); read without a grammar. */
  | 'xml'
  /** ASP.NET Core appsettings*.json; read without a grammar. */
  | 'json';

export const LINT_LANGUAGES: readonly LintLanguage[] = [
  'javascript', 'typescript', 'tsx', 'python', 'php', 'java', 'csharp', 'go', 'ruby', 'ini', 'properties', 'yaml', 'xml', 'json',
];

/** Configuration formats the engine reads with a small scanner of its own instead of a tree-sitter grammar. */
export type TextLanguage = 'xml' | 'json';

/** The languages parsed by a tree-sitter grammar. */
export type GrammarLanguage = Exclude<LintLanguage, TextLanguage>;

export function isGrammarLanguage(language: LintLanguage): language is GrammarLanguage {
  return language !== 'xml' && language !== 'json';
}

/** Per-rule setting: off, on with the catalog severity, or on with a chosen severity. */
export type RuleSetting = 'off' | 'on' | Severity | boolean;

/**
 * What the engine checks and how loudly. The `sessionLens.lint.*` settings map onto this;
 * every field is optional and defaults to the catalog.
 */
export interface LintOptions {
  /** Rules switched off, on, or dialled to another severity. Unlisted rules use the catalog default. */
  readonly rules?: Partial<Record<RuleId, RuleSetting>>;
  /** Session/auth cookies living longer than this are flagged (default 30 days). */
  readonly maxSessionCookieLifetimeDays?: number;
  /** Session idle timeouts above this are flagged (default 30 minutes). */
  readonly maxSessionIdleTimeoutMinutes?: number;
  /** Folder holding the `.wasm` grammars and runtime; defaults to `dist/grammars` next to the bundle, else node_modules. */
  readonly grammarDir?: string;
  /** Languages to lint; others are skipped (default: all). */
  readonly languages?: readonly LintLanguage[];
  /**
   * List at most this many findings of one rule per document (the first ones, in document order);
   * one summary finding (`omitted`) then says how many more there are. 0 or unset lists all.
   * A generated or minified file can hold tens of thousands of one finding, which nobody reads
   * one by one; the summary keeps the count visible.
   */
  readonly maxFindingsPerRule?: number;
}
