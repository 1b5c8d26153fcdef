import { JS_IMPORT_SUFFIX, lineCounter } from './indexText';
import type { SymbolTable } from './symbolTable';

/** `import … from '…'` (the clause may span lines) and `const … = require('…')`, at the start of a line. */
const JS_IMPORTS = /^[ \t]*(?:import[ \t]+(?!type\b)([^;'"]*?)[ \t]*from[ \t]*['"]([^'"\n]+)['"]|(?:const|let|var)[ \t]+([^=;\n]+?)[ \t]*=[ \t]*require\([ \t]*['"]([^'"\n]+)['"][ \t]*\))/gm;

/** The local names an import clause or require() pattern binds, each with what it stands for in the module. */
function clauseBindings(clause: string, whole: '*' | 'default'): [string, string][] {
  const out: [string, string][] = [];
  const braces = /\{([^}]*)\}/.exec(clause);
  const outside = clause.replace(/\{[^}]*\}/, '').replace(/,/g, ' ').trim();
  const ns = /\*\s*as\s+([\w$]+)/.exec(outside);
  if (ns) out.push([ns[1], '*']);
  else {
    const def = /^([A-Za-z_$][\w$]*)/.exec(outside);
    if (def) out.push([def[1], whole]);
  }
  for (const part of braces ? braces[1].split(',') : []) {
    const m = /^\s*(?:type\s+)?([\w$]+)\s*(?:(?:as|:)\s*([\w$]+))?\s*(?:=.*)?$/.exec(part);
    if (m && m[1] !== 'type') out.push([m[2] ?? m[1], m[1]]);
  }
  return out;
}

/** One name a file imports: the local name, the module specifier, what it stands for there, and its line. */
export interface JsImport {
  readonly local: string;
  readonly source: string;
  readonly imported: string;
  readonly line: number;
}

/**
 * The names a file imports from relative or aliased modules (`import { SESSION_DEFAULTS } from
 * './defaults'`, `const { baseCookie } = require('./cookies')`); packages are left out.
 */
export function readJsImports(text: string): JsImport[] {
  const out: JsImport[] = [];
  if (!text.includes('import') && !text.includes('require(')) return out;
  const lineOf = lineCounter(text);
  for (const m of text.matchAll(JS_IMPORTS)) {
    const clause = m[1] ?? m[3];
    const source = m[2] ?? m[4];
    // A bare specifier is a package (`express`, `@nestjs/jwt`); tsconfig aliases (`@/config`, `~/lib`) are kept for the table to resolve.
    if (!clause || !source || (/^[\w@]/.test(source) && !source.startsWith('@/'))) continue;
    const line = lineOf(m.index);
    for (const [local, imported] of clauseBindings(clause, m[1] !== undefined ? 'default' : '*')) out.push({ local, source, imported, line });
  }
  return out;
}

/**
 * Records a file's imports as `name.#from`, for a definition of the file that another file reads:
 * its source is kept alone (indexJsDefinitions), so the names it reads from a third file resolve
 * through these.
 */
export function recordJsImports(table: SymbolTable, file: string, imports: readonly JsImport[]): void {
  for (const i of imports) table.add(file, `${i.local}${JS_IMPORT_SUFFIX}`, { value: `${i.source}\n${i.imported}`, file, line: i.line });
}
