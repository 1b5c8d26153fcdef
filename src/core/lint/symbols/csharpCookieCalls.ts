import type { SymbolTable } from './symbolTable';
import { splitCallArgs } from './callArgs';
import { lineCounter } from './indexText';

/*
 * Calls of C# cookie helpers (`Response.AppendAuthCookie("shop_auth", token)`,
 * `CookieWriter.SetPreferenceCookie(Response, "theme", value)`): the string literals each call
 * passes, by argument position, so a helper that writes a cookie under a parameter's name is judged
 * with the names its callers give. Only methods whose name says Cookie are read: that keeps the table
 * small (a log call with a string is no cookie write), at the cost of helpers named otherwise, whose
 * callers are only read in the helper's own file.
 */

/** One call with the string literals it passes. */
export interface CookieHelperCall {
  readonly method: string;
  /** The last name before `.Method(` (`Response`, `CookieWriter`), '' for a bare call. */
  readonly receiver: string;
  /** Literal arguments by position (0-based, as written). */
  readonly literals: readonly { readonly index: number; readonly value: string }[];
  readonly offset: number;
  readonly end: number;
}

const CALL = /(\.\s*)?\b([A-Z]\w*Cookie\w*)\s*\(/g;

/** The calls of one method, whatever its name (`SignIn(`, `_writer.Remember(`). */
function callsOf(method: string): RegExp {
  return new RegExp(`(\\.\\s*)?\\b(${method})\\s*\\(`, 'g');
}
/** Words after which `Name(` is a call, not a method declaration. */
const NOT_A_TYPE = /^(?:await|return|yield|throw|else|in|new|case|when|is|and|or|not)$/;

/** The calls of methods named `…Cookie…` in a C# text (or of the method `only`, whatever its name), with their literal arguments. */
export function csharpCookieHelperCalls(text: string, only?: string): CookieHelperCall[] {
  const out: CookieHelperCall[] = [];
  for (const m of text.matchAll(only !== undefined && /^\w+$/.test(only) ? callsOf(only) : CALL)) {
    if (only !== undefined && m[2] !== only) continue;
    const before = text.slice(Math.max(0, m.index - 80), m.index);
    let receiver = '';
    if (m[1]) receiver = /(\w+)\s*$/.exec(before)?.[1] ?? '';
    else {
      // `void SetAuthCookie(…)`, `Task<bool> SetAuthCookie(…)`: a declaration.
      const prev = /(\S+)\s*$/.exec(before)?.[1];
      if (prev && /^[\w.]+(?:<.*>)?[?\]]*$/.test(prev) && !NOT_A_TYPE.test(prev)) continue;
    }
    const args = splitCallArgs(text, m.index + m[0].length);
    if (!args) continue;
    const literals = args.list.flatMap((a, index) => {
      const lit = /^"((?:[^"\\\n]|\\.)*)"$/.exec(a.trim());
      return lit ? [{ index, value: lit[1] }] : [];
    });
    if (literals.length) out.push({ method: m[2], receiver, literals, offset: m.index + (m[1]?.length ?? 0), end: args.end });
  }
  return out;
}

/** `<cs:cookieCall>AppendAuthCookie`: the table module of a helper's calls, one entry per literal argument. */
export function csharpCookieCallModule(method: string): string {
  return `<cs:cookieCall>${method}`;
}

/** Records each literal argument of the file's cookie helper calls as `line:index:receiver` → the literal. */
export function indexCSharpCookieCalls(table: SymbolTable, file: string, text: string): void {
  if (!/Cookie\w*\s*\(/.test(text)) return;
  const lineOf = lineCounter(text);
  for (const call of csharpCookieHelperCalls(text)) {
    const line = lineOf(call.offset);
    for (const l of call.literals) table.add(csharpCookieCallModule(call.method), `${line}:${l.index}:${call.receiver}:${file}`, { value: l.value, file, line });
  }
}

/*
 * Helpers named otherwise (`ShopSession.SignIn(Response, "shop_auth", t)`, `_cookies.Remember("shop_device", id)`):
 * found by their symbol. A method of a class that writes a cookie (`Cookies.Append(`) is noted as a
 * cookie writer, and the calls of each file whose literal argument comes first or second (after a
 * receiver) are kept aside while the scan indexes (bounded); once every file is indexed
 * (resolveCSharpCookieWriters), the calls of a noted writer whose receiver is its class, a name the
 * calling file declares with that class or one of its interfaces, or anything for an extension
 * method, go to the writer's caller list like those of the *Cookie* helpers.
 */

/** A method of a class that writes a cookie: its class, the interfaces the class implements, whether it is an extension method. */
interface CookieWriter {
  readonly types: ReadonlySet<string>;
  readonly extension: boolean;
}

/** A call noted while indexing: the method, its receiver's declared type (if the file declares it), what is written. */
interface PendingCall extends CookieHelperCall {
  readonly file: string;
  readonly line: number;
  readonly receiverType?: string;
}

const writers = new WeakMap<SymbolTable, Map<string, CookieWriter[]>>();
const pendingCalls = new WeakMap<SymbolTable, PendingCall[]>();
/** Calls kept aside per scan: far more than the calls of cookie helpers in a real workspace. */
const MAX_PENDING_CALLS = 50000;

/** `class CookieSession : ICookieSession` then its methods (`public void SignIn(HttpResponse r, string name, …)`). */
const CLASS_HEAD = /\b(?:class|record|struct)\s+([A-Z]\w*)(?:<[^>{]*>)?(?:\s*\([^)]*\))?(?:\s*:\s*([^{\n]+))?/g;
const METHOD_HEAD = /^[ \t]*(?:(?:public|internal|private|protected|static|virtual|override|async|sealed|new)[ \t]+)+[\w<>[\],.? \t]+?[ \t]+([A-Z]\w*)[ \t]*\(([^)]*)\)/gm;
/** `Type name;`/`Type name =`/`Type name,`/`Type name)` (a field, local or parameter), or `var name = new Type(`. */
const DECLARATION = /\b([A-Z]\w*)(?:<[^>;=()]*>)?\??\s+(\w+)\s*[;=,)]|\bvar\s+(\w+)\s*=\s*new\s+([A-Z]\w*)/g;
/** A call with a string literal first, or second after one plain argument (`Response`, `HttpContext.Response`). */
const LITERAL_CALL = /\b([A-Z]\w*)\s*\(\s*(?:[\w.]+\s*,\s*)?"/g;

/** Notes a file's cookie-writing methods, and its calls with a literal argument, for resolveCSharpCookieWriters. */
export function noteCSharpCookieWriters(table: SymbolTable, file: string, text: string): void {
  if (/Cookies\s*\.\s*Append\s*\(/.test(text)) {
    const classes = [...text.matchAll(CLASS_HEAD)];
    const byName = writers.get(table) ?? new Map<string, CookieWriter[]>();
    writers.set(table, byName);
    for (const m of text.matchAll(METHOD_HEAD)) {
      // Named *Cookie*: already indexed by indexCSharpCookieCalls.
      if (/Cookie/.test(m[1]) || !m[2].includes('string')) continue;
      const cls = classes.filter((c) => c.index < m.index).pop();
      if (!cls) continue;
      const interfaces = (cls[2] ?? '').split(',').map((t) => t.trim().replace(/<.*$/, '')).filter((t) => /^I[A-Z]/.test(t));
      const list = byName.get(m[1]) ?? [];
      list.push({ types: new Set([cls[1], ...interfaces]), extension: /^\s*this\s/.test(m[2]) });
      byName.set(m[1], list);
    }
  }
  const list = pendingCalls.get(table) ?? [];
  if (list.length >= MAX_PENDING_CALLS || !text.includes('"')) return;
  pendingCalls.set(table, list);
  const lineOf = lineCounter(text);
  // `private readonly ICookieSession _session;`, `CookieSession session` (a parameter), `var s = new CookieSession(…)`:
  // the file's declarations, read in one pass when a call has a receiver to look up (the first declaration of a name wins).
  let declarations: Map<string, string> | undefined;
  const declaredType = (receiver: string): string | undefined => {
    if (!declarations) {
      declarations = new Map();
      for (const d of text.matchAll(DECLARATION)) {
        const name = d[2] ?? d[3];
        if (!declarations.has(name)) declarations.set(name, d[1] ?? d[4]);
      }
    }
    return declarations.get(receiver);
  };
  for (const m of text.matchAll(LITERAL_CALL)) {
    if (/Cookie/.test(m[1]) || list.length >= MAX_PENDING_CALLS) continue;
    const before = text.slice(Math.max(0, m.index - 80), m.index);
    // `receiver.Method(`: the dot is read before the match (a leading optional group would be tried at every offset).
    const dotted = /(\w+)\s*\.\s*$/.exec(before);
    const receiver = dotted?.[1] ?? '';
    if (!dotted) {
      const prev = /(\S+)\s*$/.exec(before)?.[1];
      if (prev && /^[\w.]+(?:<.*>)?[?\]]*$/.test(prev) && !NOT_A_TYPE.test(prev)) continue;
    }
    const open = m.index + m[0].lastIndexOf('(') + 1;
    const args = splitCallArgs(text, open);
    if (!args) continue;
    const literals = args.list.flatMap((a, index) => {
      const lit = /^"((?:[^"\\\n]|\\.)*)"$/.exec(a.trim());
      return lit ? [{ index, value: lit[1] }] : [];
    });
    if (!literals.length) continue;
    const declared = receiver && !/^[A-Z]/.test(receiver) ? declaredType(receiver) : undefined;
    list.push({ method: m[1], receiver, literals, offset: m.index, end: args.end, file, line: lineOf(m.index), ...(declared ? { receiverType: declared } : {}) });
  }
}

/** Adds the noted calls of cookie-writing methods to their caller lists (csharpCookieCallModule), once every file is indexed. */
export function resolveCSharpCookieWriters(table: SymbolTable): void {
  const byName = writers.get(table);
  const calls = pendingCalls.get(table) ?? [];
  writers.delete(table);
  pendingCalls.delete(table);
  if (!byName?.size) return;
  for (const call of calls) {
    const candidates = byName.get(call.method);
    if (!candidates) continue;
    const receiverType = call.receiverType ?? call.receiver;
    // The writer's own class, a field or parameter of its type or interface, or an extension method on any receiver
    // (bare calls are the class's own: its file reads them itself).
    const ok = candidates.some((w) => w.extension ? call.receiver !== '' : w.types.has(receiverType));
    if (!ok) continue;
    for (const l of call.literals) table.add(csharpCookieCallModule(call.method), `${call.line}:${l.index}:${call.receiver}:${call.file}`, { value: l.value, file: call.file, line: call.line });
  }
}
