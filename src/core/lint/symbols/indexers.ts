import * as fs from 'node:fs';
import * as path from 'node:path';
import { languageForPath } from '../grammars';
import type { LintLanguage } from '../types';
import { GLOBAL_MODULE, type PathAlias, SymbolTable, type SymbolTableStats, type WorkspaceSymbol } from './symbolTable';

/*
 * Indexers read a file's text line by line for constants with a literal value; no parse. A scan
 * parses each file once (for the lint); the index is a cheap text pass before it, so that every
 * file's lint can already see every other file's constants, also on worker threads. What a line
 * scanner cannot read (a constant computed over several lines) is simply not indexed: the lint
 * then stays silent, as it was without the table.
 */

type Literal = { value: string | number | boolean; fallbackFor?: string };

const STRING = String.raw`'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"`;
const STRING_RE = new RegExp(`^(?:${STRING})$`);

/** A literal written as the whole right-hand side (a trailing comma or semicolon allowed). */
function literal(raw: string, language: 'js' | 'py' | 'php' | 'rb'): Literal | undefined {
  // A comment after the value: tried without it only when the whole text is not a literal (a '#' may sit in a string).
  return literalText(raw, language) ?? literalText(raw.replace(/\s+(\/\/|#).*$/, ''), language);
}

function literalText(raw: string, language: 'js' | 'py' | 'php' | 'rb'): Literal | undefined {
  let s = raw.trim().replace(/[,;]$/, '').trim();
  if (language === 'js') s = s.replace(/\s+as\s+const$/, '');
  if (language === 'rb') s = s.replace(/\.freeze$/, '');
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

function add(table: SymbolTable, module: string, name: string, lit: Literal, file: string, line: number): void {
  const symbol: WorkspaceSymbol = lit.fallbackFor !== undefined ? { value: lit.value, file, line, fallbackFor: lit.fallbackFor } : { value: lit.value, file, line };
  table.add(module, name, symbol);
}

/**
 * JavaScript/TypeScript: top-level `const`/`let`/`var` (exported or not), `exports.x =`,
 * `module.exports = { … }`, `export default { … }`, with nested object keys as dotted names
 * (`jwt.secret`); `module.exports = config` / `export default config` re-export an object's keys.
 */
function indexJs(table: SymbolTable, file: string, text: string): void {
  const lines = text.split('\n');
  const names = new Map<string, { lit: Literal; line: number }>();
  let exportedObject: { name: string; as: string } | undefined;
  const stack: string[] = [];
  let objectPrefix: string[] | undefined;
  lines.forEach((lineText, i) => {
    const line = i + 1;
    if (objectPrefix) {
      const t = lineText.trim();
      const m = /^(['"]?)([\w$-]+)\1\s*:\s*(.+?)\s*$/.exec(t);
      if (m) {
        const value = m[3];
        if (/^\{\s*$/.test(value.replace(/,$/, ''))) stack.push(m[2]);
        else {
          const lit = literal(value, 'js');
          if (lit) names.set([...objectPrefix, ...stack, m[2]].join('.'), { lit, line });
        }
        return;
      }
      if (/^\}/.test(t)) {
        if (stack.length) stack.pop();
        else objectPrefix = undefined;
      }
      return;
    }
    const decl = /^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(.*)$/.exec(lineText);
    if (decl) {
      const rest = decl[2].trim();
      if (rest === '{') objectPrefix = [decl[1]];
      else {
        const lit = literal(rest, 'js');
        if (lit) names.set(decl[1], { lit, line });
      }
      return;
    }
    const cjs = /^(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=\s*(.*)$/.exec(lineText);
    if (cjs) {
      const lit = literal(cjs[2], 'js');
      if (lit) names.set(cjs[1], { lit, line });
      return;
    }
    const whole = /^(module\.exports\s*=|export\s+default)\s*(.*?)\s*;?\s*$/.exec(lineText);
    if (whole) {
      const as = whole[1].startsWith('module') ? '' : 'default';
      if (whole[2] === '{') objectPrefix = as ? [as] : [];
      else if (/^[A-Za-z_$][\w$]*$/.test(whole[2])) exportedObject = { name: whole[2], as };
    }
  });
  if (exportedObject) {
    const { name, as } = exportedObject;
    for (const [k, v] of [...names]) if (k.startsWith(`${name}.`)) names.set(`${as ? `${as}.` : ''}${k.slice(name.length + 1)}`, v);
  }
  for (const [name, { lit, line }] of names) add(table, file, name, lit, file, line);
}

/** Python: module-level `NAME = literal` (settings modules, constants), annotated or not. */
function indexPython(table: SymbolTable, file: string, text: string): void {
  text.split('\n').forEach((lineText, i) => {
    const m = /^([A-Za-z_]\w*)\s*(?::\s*[\w[\], .]+)?=\s*(.+)$/.exec(lineText);
    if (!m || m[2].startsWith('=')) return;
    const lit = literal(m[2], 'py');
    if (lit) add(table, file, m[1], lit, file, i + 1);
  });
}

/** PHP: `define('NAME', literal)`, `const NAME = literal` at the top level and class constants as `Class::NAME`. */
function indexPhp(table: SymbolTable, file: string, text: string): void {
  let cls: string | undefined;
  text.split('\n').forEach((lineText, i) => {
    const c = /^\s*(?:(?:abstract|final|readonly)\s+)*(?:class|interface|trait|enum)\s+(\w+)/.exec(lineText);
    if (c) cls = c[1];
    const d = /\bdefine\(\s*['"](\w+)['"]\s*,\s*(.+?)\)\s*;/.exec(lineText);
    if (d) {
      const lit = literal(d[2], 'php');
      if (lit) add(table, GLOBAL_MODULE, d[1], lit, file, i + 1);
      return;
    }
    const k = /^(\s*)(?:(?:public|protected|private|final)\s+)*const\s+(?:\w+\s+)?(\w+)\s*=\s*(.+)$/.exec(lineText);
    if (k) {
      const lit = literal(k[3], 'php');
      if (lit) add(table, GLOBAL_MODULE, k[1].length > 0 && cls ? `${cls}::${k[2]}` : k[2], lit, file, i + 1);
    }
  });
}

/** Ruby: constants `NAME = literal`, also as `Module::NAME` of the innermost module or class opened before. */
function indexRuby(table: SymbolTable, file: string, text: string): void {
  let scope: string | undefined;
  text.split('\n').forEach((lineText, i) => {
    const s = /^\s*(?:module|class)\s+([A-Z][\w:]*)/.exec(lineText);
    if (s) scope = s[1];
    const m = /^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.+)$/.exec(lineText);
    if (!m) return;
    const lit = literal(m[2], 'rb');
    if (!lit) return;
    add(table, GLOBAL_MODULE, m[1], lit, file, i + 1);
    if (scope) add(table, GLOBAL_MODULE, `${scope}::${m[1]}`, lit, file, i + 1);
  });
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
      return;
    case 'ruby':
      indexRuby(table, file, text);
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
const INDEXED = new Set<LintLanguage>(['javascript', 'typescript', 'tsx', 'python', 'php', 'ruby']);

/**
 * Builds the table of a scan: reads each file once (skipping those over `maxBytes`), indexes its
 * constants, and reads tsconfig `paths` at the roots given.
 */
export function buildSymbolTable(files: readonly string[], roots: readonly string[], maxBytes: number): { table: SymbolTable; stats: SymbolTableStats } {
  const t0 = performance.now();
  const table = new SymbolTable();
  let indexed = 0;
  for (const file of files) {
    const language = languageForPath(file);
    if (!language || !INDEXED.has(language)) continue;
    let text: string;
    try {
      const st = fs.statSync(file);
      if (!st.isFile() || st.size > maxBytes) continue;
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    indexFile(table, file, text, language);
    indexed++;
  }
  const aliases: PathAlias[] = [];
  for (const r of roots) aliases.push(...readPathAliases(r));
  table.setAliases(aliases);
  return { table, stats: { files: indexed, symbols: table.size, ms: performance.now() - t0 } };
}
