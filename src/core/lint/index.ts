/**
 * The lint engine: insecure cookie, session and JWT settings in source code and configuration,
 * with quick fixes as text edits. VS Code–free; the editor adapter and `session-lens scan` sit on it.
 *
 * - `Linter`: loads grammars lazily; `lintText()` for one-shot linting, `open()` for an
 *   incrementally updated `LintDocument` (`update(changes)` per keystroke, `dispose()` on close).
 * - `scanFiles()` / `listFiles()`: folders and files, .gitignore and exclude globs, worker threads.
 * - `findCookieSetters()`: the code that sets a cookie seen in traffic.
 * - `toSarif()`, `parseLintConfig()`, `applyEdits()`.
 */
export { applyEdits } from './applyEdits';
export { LintConfigError, parseLintConfig } from './config';
export { type CookieSetterLocation, DEFAULT_COOKIE_SOURCES, findCookieSetters, setsCookie } from './cookieSetters';
export { disableCommentFor } from './disableComments';
export { type CookieSetter, LintDocument, Linter, type TextChange } from './engine';
export { GrammarLoadError, bundledGrammarDir, languageForId, languageForPath } from './grammars';
export { DEFAULT_MAX_FILE_BYTES, type FileLintResult, lintFile } from './lintFile';
export { toSarif } from './sarif';
export { type ScanOptions, type ScanProblem, type ScanResult, type ScannedFinding, listFiles, scanFiles } from './scanner';
export type { LintFinding, LintFix, LintLanguage, LintOptions, LintPosition, LintRange, LintTextEdit, RuleSetting } from './types';
export { LINT_LANGUAGES } from './types';
