import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDotenvName, languageForPath } from '../grammars';
import { decodeForLint } from '../lintFile';
import type { LintLanguage } from '../types';
import { GLOBAL_MODULE, type PathAlias, SymbolTable, type SymbolTableStats } from './symbolTable';
import { DJANGO_SETTINGS_PREFIX, JS_SOURCE_SUFFIX, type Literal, PY_FACTORY_SUFFIX, PY_DECORATOR_SUFFIX, PY_LIST_SUFFIX, PY_SET_SUFFIX, PY_STAR_PREFIX, PY_VERIFIER_SUFFIX, addLiteral, lineCounter } from './indexText';
import { indexDotenv } from './dotenvIndex';
import { type JsImport, readJsImports, recordJsImports } from './jsImports';
import { indexNodeConfig } from './nodeConfigIndex';
import { indexRailsConfig } from './railsConfigIndex';
import { indexRubyCookieHashes } from './rubyCookieHashes';
import { indexAppSettings, indexCSharp, indexGo, indexJava } from './typeIndexers';
import { resolveJavaPending } from './javaIndexer';
import { resolveCSharpCookieWriters } from './csharpCookieCalls';
import { indexSpringConfig, indexSpringDotenv, isSpringConfigFile } from './springIndexer';

/*
 * Indexers read a file's text line by line for constants with a literal value; no parse. A scan
 * parses each file once (for the lint); the index is a cheap text pass before it, so that every
 * file's lint can already see every other file's constants, also on worker threads. What a line
 * scanner cannot read (a constant computed over several lines) is simply not indexed: the lint
 * then stays silent, as it was without the table.
 */


const STRING = String.raw`'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"`;
const STRING_RE = new RegExp(`^(?:${STRING})$`);

/** A literal written as the whole right-hand side (a trailing comma or semicolon allowed). */
function literal(raw: string, language: 'js' | 'py' | 'php' | 'rb'): Literal | undefined {
  // A comment after the value: tried without it only when the whole text is not a literal (a '#' may sit in a string).
  const found = literalText(raw, language);
  if (found) return found;
  const code = raw.replace(/\s+(\/\/|#).*$/, '');
  return code === raw ? undefined : literalText(code, language);
}

function literalText(raw: string, language: 'js' | 'py' | 'php' | 'rb'): Literal | undefined {
  let s = raw.trim().replace(/[,;]$/, '').trim();
  if (language === 'js') s = s.replace(/\s+as\s+const$/, '');
  if (language === 'rb') s = s.replace(/\.freeze$/, '');
  // A Ruby Symbol (`SAME_SITE = :none`) is kept with its colon: a value such as a SameSite, never a string a secret could be.
  if (language === 'rb' && /^:\w+$/.test(s)) return { value: s };
  const m = STRING_RE.exec(s);
  if (m) return { value: m[1] ?? m[2] ?? '' };
  if (language === 'js' && /^`[^`$]*`$/.test(s)) return { value: s.slice(1, -1) };
  if (/^-?\d+(\.\d+)?$/.test(s)) return { value: Number(s) };
  if (/^(true|True)$/.test(s)) return { value: true };
  if (/^(false|False)$/.test(s)) return { value: false };
  return fallback(s, language);
}

/** `process.env.X || 'dev'`, `os.environ.get('X', 'dev')`, `getenv('X') ?: 'dev'`, `ENV.fetch('X', 'dev')`. Compiled once. */
const FALLBACKS: Readonly<Record<'js' | 'py' | 'php' | 'rb', readonly RegExp[]>> = {
  js: [new RegExp(String.raw`^process\.env(?:\.(\w+)|\[\s*['"](\w+)['"]\s*\])\s*(?:\|\||\?\?)\s*(?:${STRING})$`)],
  py: [
    new RegExp(String.raw`^(?:os\.)?(?:environ\.get|getenv)\(\s*['"](\w+)['"]()\s*,\s*(?:${STRING})\s*\)$`),
    new RegExp(String.raw`^(?:os\.)?(?:environ\.get|getenv)\(\s*['"](\w+)['"]\s*\)()\s+or\s+(?:${STRING})$`),
  ],
  php: [
    new RegExp(String.raw`^(?:getenv|env)\(\s*['"](\w+)['"]\s*\)()\s*(?:\?:|\?\?)\s*(?:${STRING})$`),
    new RegExp(String.raw`^env\(\s*['"](\w+)['"]()\s*,\s*(?:${STRING})\s*\)$`),
  ],
  rb: [
    new RegExp(String.raw`^ENV\[\s*['"](\w+)['"]\s*\]()\s*\|\|\s*(?:${STRING})$`),
    new RegExp(String.raw`^ENV\.fetch\(\s*['"](\w+)['"]()\s*,\s*(?:${STRING})\s*\)$`),
  ],
};

function fallback(s: string, language: 'js' | 'py' | 'php' | 'rb'): Literal | undefined {
  // Every fallback reads the environment by name and ends with a string.
  if (!/env|ENV/.test(s)) return undefined;
  for (const re of FALLBACKS[language]) {
    const m = re.exec(s);
    if (!m) continue;
    // Groups: the variable (in one of two spellings, the other empty), then the string in one of two quotes.
    const groups = m.slice(1);
    const variable = groups[0] || groups[1];
    const value = groups[2] ?? groups[3] ?? '';
    if (variable) return { value, fallbackFor: variable };
  }
  return undefined;
}



/*
 * Each indexer runs one multi-line regular expression over the whole text for the lines that can
 * declare a constant (most lines cannot): splitting every file into lines and testing each was a
 * tenth of the cost of parsing them.
 */
const JS_CANDIDATES = /^(?:(?:export[ \t]+)?(?:const|let|var)[ \t]+([A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]+)?=[ \t]*([^\n]*)|(?:module\.)?exports\.([A-Za-z_$][\w$]*)[ \t]*=[ \t]*([^\n]*)|(module\.exports[ \t]*=|export[ \t]+default)[ \t]*([^\n]*?)[ \t]*;?[ \t]*)$/gm;

/**
 * JavaScript/TypeScript: top-level `const`/`let`/`var` (exported or not), `exports.x =`,
 * `module.exports = { … }`, `export default { … }`, with nested object keys as dotted names
 * (`jwt.secret`); `module.exports = config` / `export default config` re-export an object's keys.
 */
function indexJs(table: SymbolTable, file: string, text: string): void {
  const names = new Map<string, { lit: Literal; line: number }>();
  let exportedObject: { name: string; as: string } | undefined;
  const lineOf = lineCounter(text);
  for (const m of text.matchAll(JS_CANDIDATES)) {
    const line = lineOf(m.index);
    if (m[1] !== undefined) {
      const rest = m[2].trim();
      if (rest === '{') objectKeys(text, m.index + m[0].length, [m[1]], line, names);
      else if (rest.startsWith('{')) oneLineObject(rest, [m[1]], line, names);
      else {
        const lit = literal(rest, 'js');
        if (lit) names.set(m[1], { lit, line });
      }
    } else if (m[3] !== undefined) {
      const lit = literal(m[4], 'js');
      if (lit) names.set(m[3], { lit, line });
    } else if (m[5] !== undefined) {
      const as = m[5].startsWith('module') ? '' : 'default';
      if (m[6] === '{') objectKeys(text, m.index + m[0].length, as ? [as] : [], line, names);
      else if (m[6].startsWith('{')) oneLineObject(m[6], as ? [as] : [], line, names);
      else if (/^[A-Za-z_$][\w$]*$/.test(m[6])) exportedObject = { name: m[6], as };
      else if (as) {
        // `export default 'literal'`.
        const lit = literal(m[6], 'js');
        if (lit) names.set('default', { lit, line });
      }
    }
  }
  if (exportedObject) {
    const { name, as } = exportedObject;
    for (const [k, v] of [...names]) if (k.startsWith(`${name}.`)) names.set(`${as ? `${as}.` : ''}${k.slice(name.length + 1)}`, v);
    // `export default SECRET` of a constant.
    const direct = names.get(name);
    if (as && direct) names.set(as, direct);
  }
  indexJsReturns(text, names);
  indexJsDefinitions(table, file, text);
  if (text.includes('config')) indexNodeConfig(table, file, text);
  indexJsExportLists(table, file, text, names);
  for (const [name, { lit, line }] of names) addLiteral(table, file, name, lit, file, line);
}

/**
 * Functions that return one literal, as `name()`: `function getSecret() {` + `return 'dev';` + `}`
 * (the three lines in a row), `const getSecret = () => 'dev';`.
 */
const JS_RETURNS = /^(?:export[ \t]+)?(?:async[ \t]+)?function[ \t]+([A-Za-z_$][\w$]*)[ \t]*\([^)\n]*\)[^{\n]*\{[ \t]*\n[ \t]*return[ \t]+([^\n]+?)[ \t]*;?[ \t]*(?:\/\/[^\n]*)?\n[ \t]*\}|^(?:export[ \t]+)?const[ \t]+([A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]+)?=[ \t]*(?:async[ \t]*)?\([^)\n]*\)[ \t]*(?::[^=\n]+)?=>[ \t]*([^{\n][^\n]*)$/gm;

function indexJsReturns(text: string, names: Map<string, { lit: Literal; line: number }>): void {
  if (!text.includes('return') && !text.includes('=>')) return;
  const lineOf = lineCounter(text);
  for (const m of text.matchAll(JS_RETURNS)) {
    const name = m[1] ?? m[3];
    const raw = (m[2] ?? m[4]).replace(/\s*\/\/.*$/, '');
    const lit = literal(raw, 'js');
    if (!lit) continue;
    // The literal's line: the return's, one below a function's head.
    names.set(`${name}()`, { lit, line: lineOf(m.index) + (m[1] !== undefined ? 1 : 0) });
  }
}

/** A top-level function or const, at the start of a line. */
const JS_DEFINITIONS = /^(?:export[ \t]+)?(?:(?:async[ \t]+)?function\*?[ \t]+([A-Za-z_$][\w$]*)|(?:const|let|var)[ \t]+([A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]+)?=(?!=))/gm;
/** What makes a definition worth keeping: cookie options it builds. */
const COOKIE_OPTION_KEY = /\b(?:secure|httpOnly|httponly|sameSite|samesite|maxAge|expires|domain)\b/;
/** Every cookie option key of a text. */
const COOKIE_OPTION_KEY_ALL = new RegExp(COOKIE_OPTION_KEY.source, 'g');
/** The first line starting with `}` or `)` after a definition's head: where one written over several lines ends. */
const DEFINITION_CLOSE = /\n[})][^\n]*/g;
/** Longest definition kept (characters): options builders are short; the table stays small. */
const MAX_DEFINITION = 4000;

/**
 * Top-level functions and consts that build cookie options (`export function cookieOptions(env)
 * { … }`, `export const baseCookie = { … }`), kept whole as `name.#src` with their first line: a
 * file importing them evaluates the definition's source with its own arguments (several returns,
 * parameters, spreads), which no literal the table could hold says. A definition ends on its
 * own line (balanced brackets) or at the first line starting with `}` or `)` after it.
 */
function indexJsDefinitions(table: SymbolTable, file: string, text: string): void {
  // Where the file names a cookie option, in order: whether a definition's text holds one is then a
  // look-up instead of a RegExp run over each definition (a key never spans a definition's edge:
  // both edges are line ends).
  const keys: number[] = [];
  for (const k of text.matchAll(COOKIE_OPTION_KEY_ALL)) keys.push(k.index);
  // A file without option keys may still build options from what it imports (`{ ...SESSION_DEFAULTS }` of ./defaults).
  if (keys.length === 0 && !COOKIE_WORD.test(text)) return;
  let nextKey = 0;
  /** Whether a cookie option key starts in [from, to); `from` never decreases between calls. */
  const keyIn = (from: number, to: number): boolean => {
    while (nextKey < keys.length && keys[nextKey] < from) nextKey++;
    return nextKey < keys.length && keys[nextKey] < to;
  };
  const lineOf = lineCounter(text);
  let imports: JsImport[] | undefined;
  let imported: Set<string> | undefined;
  let kept = 0;
  for (const m of text.matchAll(JS_DEFINITIONS)) {
    const name = m[1] ?? m[2];
    const lineEnd = text.indexOf('\n', m.index);
    let end = lineEnd === -1 ? text.length : lineEnd;
    // A function without a key up to the first line starting with `}` or `)` after its head cannot
    // be kept, whatever its first line's brackets say: not worth reading them.
    DEFINITION_CLOSE.lastIndex = end;
    const close = DEFINITION_CLOSE.exec(text);
    if (m[2] === undefined && !keyIn(m.index, close ? close.index + close[0].length : end)) continue;
    if (!balanced(text.slice(m.index, end))) {
      if (!close || close.index - m.index > MAX_DEFINITION) continue;
      end = close.index + close[0].length;
    }
    const src = text.slice(m.index, end);
    const rhs = src.slice(m[0].length - 1);
    // A lifetime the options use (`const DAY = 24 * HOUR;`): arithmetic on numbers and names, no call.
    const arithmetic = m[2] !== undefined && /^=[\w$\s*+\-/().]+;?\s*(?:\/\/[^\n]*)?$/.test(rhs) && /\d\s*[*+\-/]|[*+\-/]\s*\d/.test(rhs) && !/[\w$]\s*\(/.test(rhs);
    if (src.length > MAX_DEFINITION) continue;
    if (!arithmetic && !keyIn(m.index, end)) {
      // Options taken whole from an import (`return { ...SESSION_DEFAULTS, path: '/tickets' }`): kept, with the file's imports.
      imports ??= readJsImports(text);
      imported ??= new Set(imports.map((i) => i.local));
      if (!usesImported(src, imported)) continue;
    }
    // A const is kept when it is an object (or builds one), a function when it returns something.
    if (m[2] !== undefined && !arithmetic && !/=\s*(?:\{|Object\.assign\(|\(|async\b|function\b|[\w$]+\()/.test(rhs)) continue;
    table.add(file, `${name}${JS_SOURCE_SUFFIX}`, { value: src, file, line: lineOf(m.index) });
    kept++;
  }
  // The names a kept definition reads from a third file resolve through the file's imports (one more hop).
  if (kept) recordJsImports(table, file, imports ?? readJsImports(text));
}

/** A word that a file building cookie options from another file's pieces writes (`cookieOptions`, `CookieOptions`, `SESSION_COOKIE`). */
const COOKIE_WORD = /cookie/i;

/** Whether a definition spreads, merges or returns a name the file imports. */
function usesImported(src: string, imported: ReadonlySet<string>): boolean {
  if (imported.size === 0) return false;
  for (const m of src.matchAll(/(?:\.\.\.|\breturn\s+|Object\.assign\([^)]*?,\s*)([A-Za-z_$][\w$]*)/g)) if (imported.has(m[1])) return true;
  return false;
}

/** Whether a line closes every bracket it opens (strings ignored roughly: enough for a definition's first line). */
function balanced(line: string): boolean {
  let level = 0;
  for (const c of line.replace(/(['"`])(?:\\.|(?!\1).)*\1/g, '')) {
    if (c === '{' || c === '(' || c === '[') level++;
    else if (c === '}' || c === ')' || c === ']') level--;
  }
  return level <= 0;
}

/** `export { A, B as C } from './x'`, `export * from './x'`, and `export { A as B }` of this file's own constants. */
const JS_EXPORT_LISTS = /^[ \t]*export[ \t]+(?:type[ \t]+)?(?:\*(?:[ \t]+as[ \t]+([\w$]+))?|\{([^}]*)\})(?:[ \t]*from[ \t]*['"]([^'"\n]+)['"])?/gm;

function indexJsExportLists(table: SymbolTable, file: string, text: string, names: Map<string, { lit: Literal; line: number }>): void {
  if (!text.includes('export')) return;
  for (const m of text.matchAll(JS_EXPORT_LISTS)) {
    const from = m[3];
    if (m[1] !== undefined) {
      // `export * as keys from './keys'`: keys.X is X of that file.
      if (from) table.addReexport(file, { from, names: [[m[1], '*']] });
      continue;
    }
    if (m[2] === undefined) {
      // `export * from './x'`.
      if (from) table.addReexport(file, { from, names: '*' });
      continue;
    }
    const pairs: [string, string][] = [];
    for (const part of m[2].split(',')) {
      const b = /^\s*(?:type\s+)?([\w$]+)(?:\s+as\s+([\w$]+))?\s*$/.exec(part.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, ''));
      if (b) pairs.push([b[2] ?? b[1], b[1]]);
    }
    if (from) table.addReexport(file, { from, names: pairs });
    else {
      for (const [exported, local] of pairs) {
        if (exported === local) continue;
        for (const [k, v] of [...names]) {
          if (k === local) names.set(exported, v);
          else if (k.startsWith(`${local}.`)) names.set(`${exported}${k.slice(local.length)}`, v);
        }
      }
    }
  }
}

/** The `key: literal` lines of an object literal written one property per line, from `from` to its closing brace. */
function objectKeys(text: string, from: number, prefix: readonly string[], firstLine: number, names: Map<string, { lit: Literal; line: number }>): void {
  const stack: string[] = [];
  let line = firstLine;
  let at = text.indexOf('\n', from);
  // A config object is short; a runaway (unbalanced braces) stops at 2,000 lines.
  for (let n = 0; at !== -1 && n < 2000; n++) {
    const next = text.indexOf('\n', at + 1);
    const t = text.slice(at + 1, next === -1 ? undefined : next).trim();
    line++;
    at = next;
    const m = /^(['"]?)([\w$-]+)\1\s*:\s*(.+?)\s*$/.exec(t);
    if (m) {
      if (/^\{\s*,?$/.test(m[3])) stack.push(m[2]);
      else if (m[3].startsWith('{')) oneLineObject(m[3].replace(/,$/, ''), [...prefix, ...stack, m[2]], line, names);
      else {
        const lit = literal(m[3], 'js');
        if (lit) names.set([...prefix, ...stack, m[2]].join('.'), { lit, line });
      }
    } else if (t.startsWith('}')) {
      if (stack.length === 0) return;
      stack.pop();
    }
  }
}

/**
 * The `key: literal` properties of an object literal written on one line (`{ session: { secret:
 * 'keyboard cat', cookie: { secure: false } } }`), nested objects as dotted names. Items split at
 * the commas outside quotes and brackets; a spread, method or computed key is skipped.
 */
function oneLineObject(raw: string, prefix: readonly string[], line: number, names: Map<string, { lit: Literal; line: number }>, depth = 0): void {
  const s = raw.trim().replace(/;$/, '').trim();
  if (depth > 8 || !s.startsWith('{') || !s.endsWith('}')) return;
  const inner = s.slice(1, -1);
  let level = 0;
  let quote = '';
  let from = 0;
  const items: string[] = [];
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '{' || c === '[' || c === '(') level++;
    else if (c === '}' || c === ']' || c === ')') level--;
    else if (c === ',' && level === 0) {
      items.push(inner.slice(from, i));
      from = i + 1;
    }
  }
  // Unbalanced (the object goes on over the next lines): not a one-line object.
  if (level !== 0 || quote) return;
  items.push(inner.slice(from));
  for (const item of items) {
    const kv = /^\s*(['"]?)([\w$-]+)\1\s*:\s*([\s\S]*?)\s*$/.exec(item);
    if (!kv) continue;
    const keys = [...prefix, kv[2]];
    if (kv[3].startsWith('{')) oneLineObject(kv[3], keys, line, names, depth + 1);
    else {
      const lit = literal(kv[3], 'js');
      if (lit) names.set(keys.join('.'), { lit, line });
    }
  }
}

/**
 * `from .base import *` of a module: recorded as `py-star:<file>:<module>` in GLOBAL_MODULE (a
 * split settings package's production.py extends base.py); true when the module has one.
 */
function indexPythonStarImports(table: SymbolTable, file: string, text: string, lineOf: (at: number) => number): boolean {
  let found = false;
  for (const m of text.matchAll(/^from[ \t]+([\w.]+)[ \t]+import[ \t]+\*/gm)) {
    table.add(GLOBAL_MODULE, `${PY_STAR_PREFIX}${file}:${m[1]}`, { value: m[1], file, line: lineOf(m.index) });
    found = true;
  }
  return found;
}

const PY_CANDIDATES = /^([A-Za-z_]\w*)[ \t]*(?::[ \t]*[\w[\], .]+)?=(?!=)[ \t]*([^\n]+)$/gm;

/** Python: module-level `NAME = literal` (settings modules, constants), annotated or not. */
function indexPython(table: SymbolTable, file: string, text: string): void {
  const lineOf = lineCounter(text);
  // A split settings module (`from .base import *`, then overrides): which modules it extends, and every setting it writes.
  const star = text.includes('import *') && indexPythonStarImports(table, file, text, lineOf);
  for (const m of text.matchAll(PY_CANDIDATES)) {
    // A value written over several lines (a dict, a list, strings joined in parentheses): read as one line.
    const value = pythonContinued(text, m.index + m[0].length, m[2]);
    if (value !== m[2]) m[2] = value;
    const lit = literal(m[2], 'py') ?? pythonJoinedStrings(m[2]);
    if (lit) addLiteral(table, file, m[1], lit, file, lineOf(m.index));
    else if (star && /^[A-Z][A-Z0-9_]*$/.test(m[1])) table.add(file, `${m[1]}${PY_SET_SUFFIX}`, { value: m[2].trim(), file, line: lineOf(m.index) });
    if (lit) continue;
    if (m[2].startsWith('{')) {
      // `JWT_OPTIONS = {"verify_signature": False}` on one line: its keys as JWT_OPTIONS.verify_signature.
      const names = new Map<string, { lit: Literal; line: number }>();
      oneLineObject(m[2].replace(/\s+#.*$/, ''), [m[1]], lineOf(m.index), names);
      for (const [name, v] of names) addLiteral(table, file, name, v.lit, file, v.line);
    } else if (/^[[(]/.test(m[2])) {
      // `ALLOWED_ALGORITHMS = ["HS256", "none"]`: a list of string literals, kept whole (JSON) under NAME[*].
      const items = /^[[(]\s*((?:(?:'[^'\\\n]*'|"[^"\\\n]*")\s*,\s*)*(?:'[^'\\\n]*'|"[^"\\\n]*")?\s*,?)\s*[\])]\s*(?:#.*)?$/.exec(m[2]);
      if (items) addLiteral(table, file, `${m[1]}${PY_LIST_SUFFIX}`, { value: JSON.stringify([...items[1].matchAll(/'([^']*)'|"([^"]*)"/g)].map((x) => x[1] ?? x[2])) }, file, lineOf(m.index));
    }
  }
  if (text.includes('algorithms') && text.includes('decode')) indexPythonVerifiers(table, file, text, lineOf);
  if (text.includes('return ')) indexPythonFactories(table, file, text, lineOf);
  // manage.py, wsgi.py, asgi.py: the project's settings module is a Django settings file whatever it holds.
  if (text.includes('DJANGO_SETTINGS_MODULE')) {
    for (const m of text.matchAll(/DJANGO_SETTINGS_MODULE['"][ \t]*(?:,|\][ \t]*=)[ \t]*['"]([\w.]+)['"]/g)) {
      table.add(GLOBAL_MODULE, `${DJANGO_SETTINGS_PREFIX}${m[1]}`, { value: m[1], file, line: lineOf(m.index) });
    }
  }
}

/** A module-level function: its name and body (the indented lines after the head). */
const PY_FUNCTIONS = /^(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)[ \t]*\([^)]*\)[^:\n]*:[ \t]*\n((?:[ \t]+[^\n]*\n|[ \t]*\n)*)/gm;

/**
 * Factories: module-level functions whose every return builds one class (`return TokenService(key)`)
 * or returns a module-level instance of it (`_tokens = TokenService()` … `return _tokens`), as
 * `name()->` with the class, written `module:Class` when the module imports it (`from .services
 * import TokenService`): `tokens = get_token_service(); tokens.verify(t)` elsewhere then knows the class.
 */
function indexPythonFactories(table: SymbolTable, file: string, text: string, lineOf: (at: number) => number): void {
  for (const m of text.matchAll(PY_FUNCTIONS)) {
    const returns = [...m[2].matchAll(/^[ \t]+return[ \t]+([^\n]+)$/gm)].map((r) => r[1].trim());
    if (returns.length === 0) continue;
    const classes = new Set(returns.map((r) => {
      const built = /^([A-Z]\w*)\(/.exec(r);
      if (built) return built[1];
      const held = /^([A-Za-z_]\w*)$/.exec(r);
      return held ? new RegExp(`^${held[1]}[ \\t]*(?::[^=\\n]+)?=[ \\t]*([A-Z]\\w*)\\(`, 'm').exec(text)?.[1] : undefined;
    }));
    if (classes.size !== 1) continue;
    const cls = [...classes][0];
    if (!cls) continue;
    const imported = new RegExp(`^from[ \\t]+([\\w.]+)[ \\t]+import[^\\n]*\\b${cls}\\b`, 'm').exec(text)?.[1];
    table.add(file, `${m[1]}${PY_FACTORY_SUFFIX}`, { value: imported ? `${imported}:${cls}` : cls, file, line: lineOf(m.index) });
  }
}

/** Most lines a value spread over lines is read for (a constant is short; a runaway bracket stops here). */
const PY_CONTINUATION_LINES = 200;

/**
 * The rest of a module-level value opened on its first line and closed on a later one
 * (`JWT_OPTIONS = {` … `}`, `ALGS = [` … `]`, `SECRET = (` … `)`), joined into one line with
 * comments dropped; `first` itself when it closes what it opens. Strings spanning lines are not
 * joined (a triple-quoted string is not a constant the lint reads).
 */
function pythonContinued(text: string, lineEnd: number, first: string): string {
  const level = (s: string): number => {
    let n = 0;
    for (const c of s.replace(/'[^'\\\n]*'|"[^"\\\n]*"/g, '').replace(/#.*$/, '')) {
      if (c === '(' || c === '[' || c === '{') n++;
      else if (c === ')' || c === ']' || c === '}') n--;
    }
    return n;
  };
  let open = level(first);
  if (open <= 0 || !/^[([{]/.test(first.trim()) || first.includes('"""') || first.includes("'''")) return first;
  const parts = [first.replace(/\s+#.*$/, '')];
  let at = lineEnd;
  for (let n = 0; n < PY_CONTINUATION_LINES && open > 0 && at < text.length; n++) {
    const next = text.indexOf('\n', at + 1);
    const line = text.slice(at + 1, next === -1 ? text.length : next);
    at = next === -1 ? text.length : next;
    if (line.includes('"""') || line.includes("'''")) return first;
    const code = line.replace(/^(\s*)#.*$/, '$1').replace(/(['"][^'"\n]*['"]|[^'"#\n])*?\s+#.*$/, (whole) => whole.replace(/\s+#.*$/, ''));
    parts.push(code.trim());
    open += level(line);
  }
  return open === 0 ? parts.join(' ').replace(/\s+/g, ' ').replace(/([([{]) /g, '$1').replace(/ ([)\]}])/g, '$1') : first;
}

/** Adjacent string literals, in parentheses or not (`("dev-" "secret")`): Python joins them into one. */
function pythonJoinedStrings(raw: string): Literal | undefined {
  const s = raw.trim().replace(/^\((.*)\)$/, '$1').trim();
  if (!/^(?:(?:'[^'\\\n]*'|"[^"\\\n]*")\s*)+$/.test(s)) return undefined;
  return { value: [...s.matchAll(/'([^']*)'|"([^"]*)"/g)].map((x) => x[1] ?? x[2]).join('') };
}

/** A `class` line at the top level, or a `def` at any depth: its indent, name, and first parameter after self/cls. */
const PY_DEFS = /^class[ \t]+([A-Za-z_]\w*)|^([ \t]*)(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)[ \t]*\([ \t]*(?:(?:self|cls)[ \t]*(?::[^,)\n]*)?,[ \t]*)?([A-Za-z_]\w*)/gm;

/**
 * Functions that verify their first parameter as a JWT (`def verify_token(t): return jwt.decode(t,
 * KEY, algorithms=[…])`), so that a peek after calling one imported from here is on a verified
 * path: module-level functions as `name(jwt)`, methods of a top-level class (after self/cls, or a
 * @staticmethod's first) as `Class.name(jwt)`. The value says how a bad token ends: 'raises' out
 * of the function, or 'returns' (an `except` that does not raise). The body is the lines indented
 * deeper than the `def`.
 */
function indexPythonVerifiers(table: SymbolTable, file: string, text: string, lineOf: (at: number) => number): void {
  let cls: { name: string; end: number; memberIndent?: string } | undefined;
  for (const m of text.matchAll(PY_DEFS)) {
    if (m[1] !== undefined) {
      const end = /\n(?=[^ \t\n#])/g;
      end.lastIndex = m.index + m[0].length;
      const stop = end.exec(text);
      cls = { name: m[1], end: stop ? stop.index : text.length };
      continue;
    }
    const indent = m[2];
    let owner = '';
    if (indent.length > 0) {
      if (!cls || m.index > cls.end) continue;
      // Only the class's own methods (not functions nested in them): the first member's indent.
      cls.memberIndent ??= indent;
      if (indent !== cls.memberIndent) continue;
      owner = `${cls.name}.`;
    } else cls = undefined;
    const param = m[4];
    if (param === 'self' || param === 'cls') continue;
    const start = m.index + m[0].length;
    const end = new RegExp(`\\n(?=${indent.length ? `[ \\t]{0,${indent.length}}` : ''}[^ \\t\\n#])`, 'g');
    end.lastIndex = start;
    const stop = end.exec(text);
    const body = text.slice(start, stop ? stop.index : undefined);
    // A decorator: a module-level function that defines the wrapper and verifies a token in it (what it decodes is the request's).
    if (!owner && /\n[ \t]+(?:async[ \t]+)?def[ \t]/.test(body) && [...body.matchAll(/\bdecode\s*\((?:[^()]|\([^()]*\))*\balgorithms\s*=(?:[^()]|\([^()]*\))*\)/g)].some((d) => !/verify_signature|\bverify\s*=\s*False/.test(d[0]))) {
      addLiteral(table, file, `${m[3]}${PY_DECORATOR_SUFFIX}`, { value: 'raises' }, file, lineOf(m.index));
    }
    const p = param.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const verified = [...body.matchAll(new RegExp(`\\bdecode\\s*\\(\\s*${p}\\s*,(?:[^()]|\\([^()]*\\))*\\)`, 'g'))]
      .some((d) => /\balgorithms\s*=/.test(d[0]) && !/verify_signature|\bverify\s*=\s*False/.test(d[0]));
    if (!verified) continue;
    const swallowed = [...body.matchAll(/^([ \t]+)except\b[^\n]*\n((?:\1[ \t]+[^\n]*\n?|[ \t]*\n)*)/gm)].some((e) => !/\braise\b/.test(e[2]));
    addLiteral(table, file, `${owner}${m[3]}${PY_VERIFIER_SUFFIX}`, { value: swallowed ? 'returns' : 'raises' }, file, lineOf(m.index));
  }
}

const PHP_CANDIDATES = /^[ \t]*(?:(?:abstract|final|readonly)[ \t]+)*(?:class|interface|trait|enum)[ \t]+(\w+)|\bdefine\([ \t]*['"](\w+)['"][ \t]*,[ \t]*([^\n]+?)\)[ \t]*;|^([ \t]*)(?:(?:public|protected|private|final)[ \t]+)*const[ \t]+(?:\w+[ \t]+)?(\w+)[ \t]*=[ \t]*([^\n]+)$/gm;

/** PHP: `define('NAME', literal)`, `const NAME = literal` at the top level and class constants as `Class::NAME`. */
function indexPhp(table: SymbolTable, file: string, text: string): void {
  const lineOf = lineCounter(text);
  let cls: string | undefined;
  for (const m of text.matchAll(PHP_CANDIDATES)) {
    if (m[1] !== undefined) {
      cls = m[1];
      continue;
    }
    const line = lineOf(m.index);
    if (m[2] !== undefined) {
      const lit = literal(m[3], 'php');
      if (lit) addLiteral(table, GLOBAL_MODULE, m[2], lit, file, line);
      continue;
    }
    const lit = literal(m[6], 'php');
    if (lit) addLiteral(table, GLOBAL_MODULE, m[4].length > 0 && cls ? `${cls}::${m[5]}` : m[5], lit, file, line);
  }
}

/** A Laravel `config/<name>.php` file: its returned array is what `config('<name>.key')` reads. */
const LARAVEL_CONFIG_FILE = /[\\/]config[\\/]([\w-]+)\.php$/;
const LARAVEL_ENV_DEFAULT = /^env\(\s*['"](\w+)['"]\s*,\s*(true|false|-?\d+)\s*\)$/i;

/**
 * Laravel config files: the `'key' => literal` lines of the returned array, nested arrays as dotted
 * names, under `config:<file>.<key>` in GLOBAL_MODULE (`config:jwt.secret`). `env('X', default)`
 * values keep the default with the variable (a string default through the usual fallback reading).
 */
function indexLaravelConfig(table: SymbolTable, file: string, text: string): void {
  const m = LARAVEL_CONFIG_FILE.exec(file);
  if (!m) return;
  const lineOf = lineCounter(text);
  const add = (keys: readonly string[], raw: string, at: number) => {
    const name = `config:${keys.join('.')}`;
    const env = LARAVEL_ENV_DEFAULT.exec(raw);
    const lit: Literal | undefined = env
      ? { value: /^(true|false)$/i.test(env[2]) ? env[2].toLowerCase() === 'true' : Number(env[2]), fallbackFor: env[1] }
      : literal(raw, 'php');
    if (lit) addLiteral(table, GLOBAL_MODULE, name, lit, file, lineOf(at));
  };
  // `return ['secret' => '…', 'ttl' => 60];` (or `return array(…);`) on one line.
  const oneLine = /^(?:<\?php[ \t]+)?return[ \t]*(\[[^\n]*\]|array[ \t]*\([^\n]*\))[ \t]*;[ \t]*$/m.exec(text);
  if (oneLine && arrayInner(oneLine[1]) !== undefined) {
    addOneLineArray([m[1]], oneLine[1], oneLine.index, add);
    return;
  }
  const start = /^(?:<\?php[ \t]+)?return\s*(?:\[|array\s*\()\s*$/m.exec(text);
  if (start) {
    arrayLines(text, start.index + start[0].length, [m[1]], add);
    return;
  }
  const returned = /^return[ \t]+\$(\w+)[ \t]*;/m.exec(text);
  if (returned) indexBuiltConfig(text, returned[1], returned.index, [m[1]], add);
}

/** The `'key' => value` lines of an array written one item a line, from `from` to the bracket closing it; nested arrays as dotted keys. */
function arrayLines(text: string, from: number, prefix: readonly string[], add: (keys: readonly string[], raw: string, at: number) => void): void {
  const stack: string[] = [...prefix];
  const lineRe = /^[ \t]*(?:'([\w.-]+)'|"([\w.-]+)")[ \t]*=>[ \t]*([^\n]*?)[ \t]*(?:\/\/[^\n]*)?$|^[ \t]*[\])][ \t]*[,;]?[ \t]*$/gm;
  lineRe.lastIndex = from;
  for (let x = lineRe.exec(text); x; x = lineRe.exec(text)) {
    if (x[1] === undefined && x[2] === undefined) {
      if (stack.length === prefix.length) return;
      stack.pop();
      continue;
    }
    const key = x[1] ?? x[2];
    const raw = x[3].replace(/,$/, '').trim();
    if (raw === '[' || /^array\s*\($/i.test(raw)) {
      stack.push(key);
      continue;
    }
    // `'cookie' => ['secure' => false, 'http_only' => true],` (or `array(…)`) on one line.
    if (arrayInner(raw) !== undefined) addOneLineArray([...stack, key], raw, x.index, add);
    else add([...stack, key], raw, x.index);
  }
}

/**
 * A config file that builds its array over statements and returns the variable: `$config = [...];`
 * then `$config['secure'] = false;`, `$config['cookie'] = ['secure' => false];` (statements at the
 * top level, before the return; a later statement overrides an earlier key, as PHP does). An
 * assignment inside a block (an `if`) is indented and not read: its branch is not known.
 */
function indexBuiltConfig(text: string, name: string, end: number, prefix: readonly string[], add: (keys: readonly string[], raw: string, at: number) => void): void {
  const found = new Map<string, { keys: readonly string[]; raw: string; at: number }>();
  const keep = (keys: readonly string[], raw: string, at: number) => {
    const k = keys.join('.');
    // A key set again drops what was under it (`$config['cookie'] = [...]` replaces the whole array).
    for (const old of [...found.keys()]) if (old === k || old.startsWith(`${k}.`)) found.delete(old);
    found.set(k, { keys, raw, at });
  };
  const statement = new RegExp(String.raw`^\$${name}((?:\[[ \t]*(?:'[\w.-]+'|"[\w.-]+")[ \t]*\])*)[ \t]*=[ \t]*([^\n]*?)[ \t]*(?:\/\/[^\n]*)?$`, 'gm');
  for (const x of text.slice(0, end).matchAll(statement)) {
    const keys = [...prefix, ...[...x[1].matchAll(/['"]([\w.-]+)['"]/g)].map((k) => k[1])];
    const raw = x[2].replace(/;$/, '').trim();
    if (x[1] === '') for (const old of [...found.keys()]) found.delete(old);
    if (raw === '[' || /^array\s*\($/i.test(raw)) arrayLines(text, x.index + x[0].length, keys, keep);
    else if (arrayInner(raw) !== undefined) {
      if (x[1] !== '') keep(keys, raw, x.index);
      addOneLineArray(keys, raw, x.index, keep);
    } else if (x[1] !== '') keep(keys, raw, x.index);
  }
  for (const { keys, raw, at } of found.values()) if (arrayInner(raw) === undefined) add(keys, raw, at);
}

/**
 * The text inside a PHP array written whole, `[…]` or the long syntax `array(…)`, when the bracket
 * that opens it is the one that closes it at the end (not `array(1) + f()` nor `['a'][0]`).
 */
function arrayInner(raw: string): string | undefined {
  const long = /^array\s*\(/i.exec(raw);
  const open = long ? long[0].length - 1 : raw.startsWith('[') ? 0 : -1;
  if (open === -1 || !raw.endsWith(long ? ')' : ']')) return undefined;
  let depth = 0;
  let quote = '';
  for (let i = open; i < raw.length; i++) {
    const c = raw[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[' || c === '(') depth++;
    else if ((c === ']' || c === ')') && --depth === 0) return i === raw.length - 1 ? raw.slice(open + 1, -1) : undefined;
  }
  return undefined;
}

/**
 * The `'key' => value` items of an array written on one line (`['a' => 1, 'b' => array('c' => true)]`),
 * nested ones as dotted names. Items are split at the commas outside quotes and brackets.
 */
function addOneLineArray(keys: readonly string[], raw: string, at: number, add: (keys: readonly string[], raw: string, at: number) => void): void {
  const inner = arrayInner(raw);
  if (inner === undefined) return;
  const items: string[] = [];
  let depth = 0;
  let quote = '';
  let from = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      items.push(inner.slice(from, i));
      from = i + 1;
    }
  }
  items.push(inner.slice(from));
  for (const item of items) {
    const kv = /^\s*(?:'([\w.-]+)'|"([\w.-]+)")\s*=>\s*([\s\S]*?)\s*$/.exec(item);
    if (!kv) continue;
    const value = kv[3];
    if (arrayInner(value) !== undefined) addOneLineArray([...keys, kv[1] ?? kv[2]], value, at, add);
    else add([...keys, kv[1] ?? kv[2]], value, at);
  }
}

const RUBY_CANDIDATES = /^[ \t]*(?:module|class)[ \t]+([A-Z][\w:]*)|^[ \t]*([A-Z][A-Z0-9_]*)[ \t]*=(?![=~>])[ \t]*([^\n]+)$/gm;

/** Ruby: constants `NAME = literal`, also as `Module::NAME` of the innermost module or class opened before. */
function indexRuby(table: SymbolTable, file: string, text: string): void {
  const lineOf = lineCounter(text);
  let scope: string | undefined;
  for (const m of text.matchAll(RUBY_CANDIDATES)) {
    if (m[1] !== undefined) {
      scope = m[1];
      continue;
    }
    const lit = literal(m[3], 'rb');
    if (!lit) continue;
    const line = lineOf(m.index);
    addLiteral(table, GLOBAL_MODULE, m[2], lit, file, line);
    if (scope) addLiteral(table, GLOBAL_MODULE, `${scope}::${m[2]}`, lit, file, line);
  }
}

/** Adds one file's constants to the table (by its language; other languages add nothing yet). */
export function indexFile(table: SymbolTable, file: string, text: string, language: LintLanguage | undefined = languageForPath(file)): void {
  switch (language) {
    case 'javascript':
    case 'typescript':
    case 'tsx':
      indexJs(table, file, text);
      return;
    case 'python':
      indexPython(table, file, text);
      return;
    case 'php':
      indexPhp(table, file, text);
      indexLaravelConfig(table, file, text);
      return;
    case 'ruby':
      indexRuby(table, file, text);
      indexRubyCookieHashes(table, file, text);
      indexRailsConfig(table, file, text);
      return;
    case 'java':
      indexJava(table, file, text);
      return;
    case 'csharp':
      indexCSharp(table, file, text);
      return;
    case 'go':
      indexGo(table, file, text);
      return;
    case 'json':
      indexAppSettings(table, file, text);
      return;
    case 'properties':
    case 'yaml':
      indexSpringConfig(table, file, text);
      return;
    case 'ini':
      if (isDotenvName(path.basename(file).toLowerCase())) indexDotenv(table, file, text);
      if (isDotenvName(path.basename(file).toLowerCase())) indexSpringDotenv(table, file, text);
      return;
    default:
      return;
  }
}

/** `compilerOptions.paths` of the tsconfig.json/jsconfig.json at the root of a scan, resolved against baseUrl. */
export function readPathAliases(root: string): PathAlias[] {
  for (const name of ['tsconfig.json', 'jsconfig.json']) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(root, name), 'utf8');
    } catch {
      continue;
    }
    try {
      // tsconfig allows comments and trailing commas.
      const json = JSON.parse(text.replace(/\/\*[\s\S]*?\*\/|(^|[^:"'])\/\/.*$/gm, '$1').replace(/,(\s*[}\]])/g, '$1')) as {
        compilerOptions?: { baseUrl?: string; paths?: Record<string, string[]> };
      };
      const base = path.resolve(root, json.compilerOptions?.baseUrl ?? '.');
      return Object.entries(json.compilerOptions?.paths ?? {}).map(([key, targets]) => ({
        prefix: key.replace(/\*$/, ''),
        wildcard: key.endsWith('*'),
        targets: (Array.isArray(targets) ? targets : []).map((t) => {
          const stem = String(t).replace(/\*$/, '');
          // `src/config/*` keeps its separator: the rest of the import is appended to it.
          return path.resolve(base, stem) + (/[\\/]$/.test(stem) ? path.sep : '');
        }),
      }));
    } catch {
      return [];
    }
  }
  return [];
}

/** Languages whose files feed the table. */
const INDEXED = new Set<LintLanguage>(['javascript', 'typescript', 'tsx', 'python', 'php', 'ruby', 'java', 'csharp', 'go', 'json', 'properties', 'yaml', 'ini']);

/** The language a file feeds the table as, or undefined when the table does not read it. */
function tableLanguage(file: string): LintLanguage | undefined {
  const language = languageForPath(file);
  if (!language || !INDEXED.has(language)) return undefined;
  // Of YAML and properties files, only Spring Boot's configuration is read (not CI or deployment manifests).
  if ((language === 'yaml' || language === 'properties') && !isSpringConfigFile(file)) return undefined;
  // Of ini files, only dotenv files (.env, .env.production…): what env('X', default) reads.
  if (language === 'ini' && !isDotenvName(path.basename(file).toLowerCase())) return undefined;
  return language;
}

/** What the table does once every file is indexed: Java constants that need other files, tsconfig `paths` at the roots. */
function finishTable(table: SymbolTable, roots: readonly string[]): void {
  resolveJavaPending(table);
  resolveCSharpCookieWriters(table);
  const aliases: PathAlias[] = [];
  for (const r of roots) aliases.push(...readPathAliases(r));
  table.setAliases(aliases);
}

/**
 * The table of texts already read (file, text), as buildSymbolTable makes it from the files: the
 * table's own work without the reads, which bench/lint times apart (a scan's lint takes the texts
 * the table's pass read, so that pass's reads are not a cost of the table).
 */
export function indexTexts(texts: Iterable<readonly [string, string]>, roots: readonly string[]): SymbolTable {
  const table = new SymbolTable();
  for (const [file, text] of texts) {
    const language = tableLanguage(file);
    if (language) indexFile(table, file, text, language);
  }
  finishTable(table, roots);
  return table;
}

/**
 * Texts the table's pass read, kept for the scan's lint of the same files (read once per scan) while
 * their size stays within `budgetChars`: only texts the lint would read the same way (a regular
 * file within the size limit, not binary, valid UTF-8: `decodeForLint`).
 */
export interface KeptTexts {
  readonly texts: Map<string, string>;
  budgetChars: number;
}

/**
 * Builds the table of a scan: reads each file once (skipping those over `maxBytes`), indexes its
 * constants, and reads tsconfig `paths` at the roots given. With `keep`, the texts read are kept
 * for the lint (see KeptTexts).
 */
export function buildSymbolTable(files: readonly string[], roots: readonly string[], maxBytes: number, keep?: KeptTexts): { table: SymbolTable; stats: SymbolTableStats } {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const table = new SymbolTable();
  let indexed = 0;
  for (const file of files) {
    const language = tableLanguage(file);
    if (!language) continue;
    let text: string;
    let fd: number | undefined;
    try {
      // One open, then the size of what was opened (as lintFile reads), non-blocking for named pipes.
      fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
      const st = fs.fstatSync(fd);
      if (!st.isFile() || st.size > maxBytes) continue;
      // The text as the lint reads it (no byte order mark), the same with or without `keep`.
      const buf = fs.readFileSync(fd);
      const decoded = decodeForLint(buf);
      if (keep && typeof decoded === 'string' && decoded.length <= keep.budgetChars) {
        keep.texts.set(file, decoded);
        keep.budgetChars -= decoded.length;
      }
      text = typeof decoded === 'string' ? decoded : buf.toString('utf8');
    } catch {
      continue;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
    indexFile(table, file, text, language);
    indexed++;
  }
  finishTable(table, roots);
  const cpu = process.cpuUsage(cpu0);
  return { table, stats: { files: indexed, symbols: table.size, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 } };
}
