import { lineCounter } from './indexText';
import type { SymbolTable } from './symbolTable';

/*
 * Ruby hashes of cookie options other files use: a method whose whole body is a hash literal
 * (`def remember_cookie(token) { value: token, httponly: false, expires: 1.year } end` in a concern
 * of app/controllers/concerns or a module of lib/), and a constant holding one
 * (`REMEMBER_COOKIE = { secure: false }`, also as `Module::REMEMBER_COOKIE`). Each flag written as a
 * literal is kept as `name#key` (`remember_cookie#httponly` → false), so `cookies[:x] = remember_cookie(t)`
 * and `config.rememberable_options = REMEMBER_COOKIE` are judged with them.
 */

/** The table module of those entries. */
export const RUBY_COOKIE_HASHES = '<rb:cookieHash>';

/** The keys read: the flags the cookie checks judge. */
export const RUBY_COOKIE_KEYS = ['secure', 'httponly', 'same_site'] as const;

const DEF = /^([ \t]*)def[ \t]+(?:self\.)?(\w+[?!]?)[ \t]*(?:\([^)\n]*\))?[ \t]*\n/gm;
const CONST_HASH = /^[ \t]*(?:module|class)[ \t]+([A-Z][\w:]*)|^[ \t]*([A-Z][A-Z0-9_]*)[ \t]*=[ \t]*(?:\{|\(?\s*\{)/gm;

/** A literal flag value: true/false, a symbol (`:none`), a string. */
function flagValue(raw: string): string | boolean | undefined {
  const t = raw.trim().replace(/\s+#.*$/, '');
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^:\w+$/.test(t)) return t;
  const s = /^(["'])([^"'\n]*)\1$/.exec(t);
  return s ? s[2] : undefined;
}

/** The `key: value` pairs of a hash literal's text between its braces, with their offsets; undefined when it holds a splat. */
function pairsOf(text: string, start: number, end: number): { key: string; value: string; offset: number }[] | undefined {
  const out: { key: string; value: string; offset: number }[] = [];
  let depth = 0;
  let from = start;
  const take = (to: number) => {
    const raw = text.slice(from, to);
    const m = /^\s*(?:(\w+):(?!:)|:(\w+)\s*=>|["'](\w+)["']\s*=>)\s*([\s\S]*?)\s*$/.exec(raw.replace(/#[^\n]*/g, ''));
    if (/^\s*\*\*/.test(raw)) return false;
    if (m) out.push({ key: m[1] ?? m[2] ?? m[3], value: m[4], offset: from + raw.search(/\S/) });
    from = to + 1;
    return true;
  };
  for (let i = start; i < end; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0 || close > end) return undefined;
      i = close;
    } else if (c === '#') {
      const eol = text.indexOf('\n', i);
      i = eol < 0 || eol > end ? end : eol;
    } else if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0 && !take(i)) return undefined;
  }
  return take(end) ? out : undefined;
}

/** The braces of a hash opening at `open`, at most 4 K characters. */
function hashEnd(text: string, open: number): number | undefined {
  let depth = 0;
  for (let i = open, stop = Math.min(text.length, open + 4096); i < stop; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0) return undefined;
      i = close;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return undefined;
}

function addPairs(table: SymbolTable, names: readonly string[], text: string, open: number, close: number, file: string, lineOf: (o: number) => number): void {
  const pairs = pairsOf(text, open + 1, close);
  if (!pairs) return;
  for (const p of pairs) {
    if (!(RUBY_COOKIE_KEYS as readonly string[]).includes(p.key)) continue;
    const value = flagValue(p.value);
    if (value === undefined) continue;
    const line = lineOf(p.offset);
    for (const n of names) table.add(RUBY_COOKIE_HASHES, `${n}#${p.key}`, { value, file, line });
  }
}

/** Records the cookie flags of the file's hash-returning methods and hash constants. */
export function indexRubyCookieHashes(table: SymbolTable, file: string, text: string): void {
  if (!/httponly|secure|same_site/.test(text)) return;
  const defLine = lineCounter(text);
  for (const m of text.matchAll(DEF)) {
    const bodyStart = m.index + m[0].length;
    const end = text.indexOf(`\n${m[1]}end`, bodyStart - 1);
    if (end < 0 || end - bodyStart > 4096) continue;
    const body = text.slice(bodyStart, end).replace(/^\s*#[^\n]*\n/gm, '');
    const open = text.indexOf('{', bodyStart);
    if (!/^\s*\{/.test(body) || open < 0) continue;
    const close = hashEnd(text, open);
    // The hash must be the whole body: its value is what the method returns.
    if (close === undefined || close > end || text.slice(close + 1, end).trim() !== '') continue;
    addPairs(table, [m[2]], text, open, close, file, defLine);
  }
  const constLine = lineCounter(text);
  let scope: string | undefined;
  for (const m of text.matchAll(CONST_HASH)) {
    if (m[1] !== undefined) {
      scope = m[1];
      continue;
    }
    const open = text.indexOf('{', m.index + m[0].length - 1);
    const close = hashEnd(text, open);
    if (close === undefined) continue;
    addPairs(table, scope ? [m[2], `${scope}::${m[2]}`] : [m[2]], text, open, close, file, constLine);
  }
}
