import { splitCallArgs } from './callArgs';
import { goArgumentFields } from './goStructs';
import type { Literal } from './indexText';
import { lineCounter } from './indexText';
import type { SymbolTable } from './symbolTable';

/*
 * Calls that may hand a cookie helper its name (`cookies.New("orders_auth", token)`): the string
 * literals each call passes, by position, under the function's package import path, so a helper
 * building `&http.Cookie{Name: name, …}` from a parameter is judged with its callers' names. To keep
 * the table small, only calls of packages of the file's own module are read, and bare calls of the
 * file's package only in a file that writes cookies (http.SetCookie).
 */

/** `<go:call>github.com/acme/orders/internal/cookies.New`: the literal arguments of that function's calls. */
export function goCallModule(importPath: string, fn: string): string {
  return `<go:call>${importPath}.${fn}`;
}

/** A call with string literal arguments: the callee's import path ('' for this package) and function. */
export interface GoLiteralCall {
  readonly pkg: string;
  readonly fn: string;
  readonly literals: readonly { readonly index: number; readonly value: string }[];
  /** Literal fields of struct literal arguments (`api.Config{CookieSecure: false}`), by argument position. */
  readonly fields: readonly { readonly index: number; readonly field: string; readonly value: string | number | boolean }[];
  readonly offset: number;
  readonly end: number;
}

/** A literal field value: a boolean, a number or a string (what the cookie checks judge). */
function fieldLiteral(raw: string): Literal | undefined {
  const t = raw.trim();
  if (t === 'true' || t === 'false') return { value: t === 'true' };
  if (/^-?\d+$/.test(t)) return { value: Number(t) };
  const s = /^"((?:[^"\\\n]|\\.)*)"$/.exec(t);
  return s ? { value: s[1] } : undefined;
}

const CALL = /(?<![\w.])(?:(\w+)\.)?([A-Za-z_]\w*)\(/g;
const NOT_CALLS = /^(?:func|if|for|switch|return|go|defer|panic|make|new|len|cap|append|copy|delete|print|println|string|byte|rune|int|bool|error|recover)$/;

/** The calls of `text` with string literal arguments: `pkg.Fn(…)` for `pkg` in `packages`, and bare `fn(…)` when `bare`. */
export function goLiteralCalls(text: string, packages: ReadonlySet<string>, bare: boolean, only?: string): GoLiteralCall[] {
  const out: GoLiteralCall[] = [];
  for (const m of text.matchAll(CALL)) {
    const [, pkg = '', fn] = m;
    if (only !== undefined && fn !== only) continue;
    if (pkg ? !packages.has(pkg) : !bare || NOT_CALLS.test(fn)) continue;
    // `func New(name, value string)`: the declaration, not a call.
    if (!pkg && /\bfunc[ \t]+(?:\([^)]*\)[ \t]*)?$/.test(text.slice(Math.max(0, m.index - 80), m.index))) continue;
    const args = splitCallArgs(text, m.index + m[0].length);
    if (!args) continue;
    const literals = args.list.flatMap((a, index) => {
      const lit = /^"((?:[^"\\\n]|\\.)*)"$/.exec(a.trim()) ?? /^`([^`]*)`$/.exec(a.trim());
      return lit ? [{ index, value: lit[1] }] : [];
    });
    // `api.NewServer(api.Config{CookieSecure: false})`: a struct literal argument's literal fields.
    const fields = pkg ? args.list.flatMap((a, index) => goArgumentFields(a, fieldLiteral).map((f) => ({ index, field: f.key, value: f.literal.value }))) : [];
    if (literals.length || fields.length) out.push({ pkg, fn, literals, fields, offset: m.index, end: args.end });
  }
  return out;
}

/** Records the literal arguments of the file's calls of its module's functions as `line:index:file` → the literal. */
export function indexGoCalls(table: SymbolTable, file: string, text: string, imports: ReadonlyMap<string, string>, ownImportPath: string | undefined, modulePath: string | undefined): void {
  if (!modulePath) return;
  const packages = new Set([...imports].filter(([, p]) => p === modulePath || p.startsWith(`${modulePath}/`)).map(([alias]) => alias));
  const bare = ownImportPath !== undefined && text.includes('SetCookie');
  if (!packages.size && !bare) return;
  const lineOf = lineCounter(text);
  for (const call of goLiteralCalls(text, packages, bare)) {
    const importPath = call.pkg ? imports.get(call.pkg)! : ownImportPath!;
    const line = lineOf(call.offset);
    for (const l of call.literals) table.add(goCallModule(importPath, call.fn), `${line}:${l.index}:${file}`, { value: l.value, file, line });
    // What the caller sets on the cookie the function returns (`c.Secure = true`), for the helper's checks.
    if (call.literals.length) for (const [field, value] of goCallerSets(text, call.offset, call.end) ?? []) table.add(goCallModule(importPath, call.fn), `${line}:set.${field}:${file}`, { value, file, line });
    for (const f of call.fields) table.add(goCallModule(importPath, call.fn), `${line}:${f.index}.${f.field}:${file}`, { value: f.value, file, line });
  }
}

/**
 * `c := cookies.New("orders_auth", t)` then `c.Secure = true` … `http.SetCookie(w, c)`: the fields the
 * caller sets on the returned cookie before sending it (field → the value as written), read from the
 * lines after the call (at most 20) up to the SetCookie. Undefined when the call's result is not kept
 * in a local, or the local is used another way before it is sent.
 */
export function goCallerSets(text: string, offset: number, end: number): Map<string, string> | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const v = /^[ \t]*(\w+)[ \t]*:?=[ \t]*$/.exec(text.slice(lineStart, offset))?.[1];
  if (!v) return undefined;
  const sets = new Map<string, string>();
  const mentions = new RegExp(`(^|[^\\w.])${v}\\b`);
  let at = text.indexOf('\n', end) + 1;
  for (let n = 0; n < 20 && at > 0 && at < text.length; n++) {
    const eol = text.indexOf('\n', at);
    const line = text.slice(at, eol === -1 ? text.length : eol).replace(/\/\/.*$/, '');
    at = eol + 1;
    if (!mentions.test(line)) {
      if (/^[ \t]*\}/.test(line)) return sets;
      continue;
    }
    const set = new RegExp(`^[ \\t]*${v}\\.(\\w+)[ \\t]*=[ \\t]*([^=\\n][^\\n]*?)[ \\t]*$`).exec(line);
    if (set && !mentions.test(set[2])) {
      sets.set(set[1], set[2]);
      continue;
    }
    return new RegExp(`SetCookie\\([^)]*\\b${v}\\)`).test(line) ? sets : undefined;
  }
  return sets;
}
