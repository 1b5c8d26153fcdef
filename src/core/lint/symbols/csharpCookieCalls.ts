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
/** Words after which `Name(` is a call, not a method declaration. */
const NOT_A_TYPE = /^(?:await|return|yield|throw|else|in|new|case|when|is|and|or|not)$/;

/** The calls of methods named `…Cookie…` in a C# text, with their literal arguments. */
export function csharpCookieHelperCalls(text: string, only?: string): CookieHelperCall[] {
  const out: CookieHelperCall[] = [];
  for (const m of text.matchAll(CALL)) {
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
