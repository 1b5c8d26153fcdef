import type { Literal } from './indexText';

/*
 * Go struct values a package gives the rest of the module, read from the text as far as a text
 * indexer can do soundly: constructors (`func NewConfig(env string) *Config`) and package-level
 * vars (`var Defaults = &Config{…}`), their fields written in the struct literal (one a line or
 * several on one line) or set after it by `cfg.Field = …` statements of the function's own block.
 * A field whose last value is not a literal (a parameter, `env == "production"`, an environment
 * read), one set under an `if` or in a loop, or every field of a value handed to another function
 * (`env.Parse(cfg)`, `cfg.Load()`), is left out: the lint then stays silent about it.
 */

/** One literal field a constructor or package var fills: `Name().Field` or `Name.Field`. */
export interface GoStructField {
  readonly name: string;
  readonly literal: Literal;
  /** Offset of the field or assignment in the file. */
  readonly offset: number;
}

/** A top-level func returning one named type (or it and an error), up to the `}` closing it at the start of a line. */
const GO_FUNC = /^func[ \t]+(\w+)\([^)\n]*\)[ \t]*(?:\*?[\w.]+|\([ \t]*\*?[\w.]+[ \t]*,[ \t]*error[ \t]*\))[ \t]*\{[ \t]*\n([\s\S]*?)^\}/gm;
/** `var Defaults = &Config{` / `var Defaults = Config{` at the top level. */
const GO_STRUCT_VAR = /^var[ \t]+(\w+)[ \t]*=[ \t]*&?[\w.]+\{/gm;

/**
 * The literal struct fields of `text`'s constructors and package-level struct vars. `literal`
 * reads a value written in the source (undefined when it is not a literal).
 */
export function goStructFields(text: string, literal: (raw: string) => Literal | undefined): GoStructField[] {
  const out: GoStructField[] = [];
  if (text.includes('func ')) {
    for (const m of text.matchAll(GO_FUNC)) out.push(...constructorFields(text, m[1], m.index + m[0].length - 1 - m[2].length, m[2], literal));
  }
  if (text.includes('var ')) {
    for (const m of text.matchAll(GO_STRUCT_VAR)) {
      const body = braced(text, m.index + m[0].length - 1);
      if (!body) continue;
      for (const f of fieldsOf(text, body.start, body.end, literal)) {
        // Any function of the file may set the field: then its literal is only a start value.
        if (new RegExp(`(^|[^\\w.])${m[1]}\\s*\\.\\s*${f.key}\\s*=[^=]`, 'm').test(text)) continue;
        out.push({ name: `${m[1]}.${f.key}`, literal: f.literal, offset: f.offset });
      }
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/** The fields of `func name(…) T { … }` whose body returns a struct literal, or a local it built then returns. */
function constructorFields(text: string, name: string, bodyStart: number, body: string, literal: (raw: string) => Literal | undefined): GoStructField[] {
  const lines = body.split('\n');
  // `return &Config{…}` as the only statement.
  const ret = /^([ \t]+)return[ \t]+&?[\w.]+\{/.exec(body);
  if (ret) {
    const open = bodyStart + ret[0].length - 1;
    const b = braced(text, open);
    if (!b || text.slice(b.end + 1, bodyStart + body.length).trim() !== '') return [];
    return fieldsOf(text, b.start, b.end, literal).map((f) => ({ name: `${name}().${f.key}`, literal: f.literal, offset: f.offset }));
  }
  // `cfg := &Config{…}`, `c := Config{}`, `var c Config` as the first statement, `return cfg` (or `cfg, nil`) as the last.
  const decl = /^([ \t]+)(?:(\w+)[ \t]*:=[ \t]*&?[\w.]+\{|var[ \t]+(\w+)[ \t]+\*?[\w.]+[ \t]*$|var[ \t]+(\w+)[ \t]*=[ \t]*&?[\w.]+\{)/m.exec(lines[0] ?? '');
  if (!decl) return [];
  const v = decl[2] ?? decl[3] ?? decl[4];
  const indent = decl[1];
  const last = lines.filter((l) => l.trim() !== '' && !/^\s*\/\//.test(l)).pop() ?? '';
  if (!new RegExp(`^${indent}return[ \\t]+${v}(?:[ \\t]*,[ \\t]*nil)?[ \\t]*$`).test(last)) return [];
  const fields = new Map<string, GoStructField | undefined>();
  let after = bodyStart + lines[0].length + 1;
  if (decl[3] === undefined) {
    const b = braced(text, bodyStart + decl.index + decl[0].length - 1);
    if (!b) return [];
    for (const f of fieldsOf(text, b.start, b.end, literal)) fields.set(f.key, { name: `${name}().${f.key}`, literal: f.literal, offset: f.offset });
    after = text.indexOf('\n', b.end) + 1;
    if (after === 0) return [];
  }
  const set = new RegExp(`^${indent}${v}\\.(\\w+)[ \\t]*=[ \\t]*([^\\n]+?)[ \\t]*(?://[^\\n]*)?$`);
  const setAnywhere = new RegExp(`(?:^|[^\\w.])${v}\\.(\\w+)(?:\\s*,[^=\\n]*)?\\s*(?:=[^=]|\\+\\+|--|[-+*/|&]=)`, 'g');
  const mention = new RegExp(`(?:^|[^\\w.])${v}\\b(?!\\s*\\.\\s*\\w+\\b(?!\\s*\\())`);
  let offset = after;
  for (const line of text.slice(after, bodyStart + body.length).split('\n')) {
    const at = offset;
    offset += line.length + 1;
    if (line.trim() === '' || /^\s*\/\//.test(line)) continue;
    if (new RegExp(`^${indent}return[ \\t]`).test(line)) continue;
    const s = set.exec(line);
    if (s) {
      const lit = literal(s[2]) ?? undefined;
      fields.set(s[1], lit ? { name: `${name}().${s[1]}`, literal: lit, offset: at } : undefined);
      continue;
    }
    // Set under an `if`, in a loop, or by a multiple assignment: not one value any more.
    for (const a of line.matchAll(setAnywhere)) fields.set(a[1], undefined);
    // Handed to a function or a method (which may fill it from the environment): nothing is known.
    if (mention.test(line.replace(/"(?:[^"\\\n]|\\.)*"|`[^`]*`/g, '""'))) return [];
  }
  return [...fields.values()].filter((f): f is GoStructField => f !== undefined);
}

/** The span inside the braces opening at `open` (strings, runes and comments skipped), or undefined when they do not close. */
function braced(text: string, open: number): { start: number; end: number } | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === '\'' || c === '`') {
      i = stringEnd(text, i);
      if (i < 0) return undefined;
    } else if (c === '/' && text[i + 1] === '/') {
      const eol = text.indexOf('\n', i);
      if (eol < 0) return undefined;
      i = eol;
    } else if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') {
      depth--;
      if (depth === 0) return c === '}' ? { start: open + 1, end: i } : undefined;
    }
  }
  return undefined;
}

/** The offset of the quote closing the string or rune opening at `i`, or -1. */
function stringEnd(text: string, i: number): number {
  const q = text[i];
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\' && q !== '`') j++;
    else if (text[j] === q) return j;
    else if (text[j] === '\n' && q !== '`') return -1;
  }
  return -1;
}

/** `Key: value` items of a keyed struct literal body in [start, end), split at top-level commas and line ends. */
function fieldsOf(text: string, start: number, end: number, literal: (raw: string) => Literal | undefined): { key: string; literal: Literal; offset: number }[] {
  const out: { key: string; literal: Literal; offset: number }[] = [];
  let depth = 0;
  let itemStart = start;
  const take = (to: number) => {
    // Comments blanked, not removed: offsets stay those of the file.
    const raw = blankComments(text.slice(itemStart, to));
    const m = /^\s*(\w+)\s*:\s*([\s\S]+?)\s*$/.exec(raw);
    const lit = m ? literal(m[2]) : undefined;
    if (m && lit) out.push({ key: m[1], literal: lit, offset: itemStart + raw.search(/\S/) });
    itemStart = to + 1;
  };
  for (let i = start; i < end; i++) {
    const c = text[i];
    if (c === '"' || c === '\'' || c === '`') {
      i = stringEnd(text, i);
      if (i < 0) return out;
    } else if (c === '/' && text[i + 1] === '/') {
      const eol = text.indexOf('\n', i);
      i = eol < 0 || eol > end ? end : eol - 1;
    } else if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) take(i);
  }
  take(end);
  return out;
}

/** `s` with its line comments turned into spaces (strings kept, `"https://…"` included). */
function blankComments(s: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === '\'' || c === '`') {
      const end = stringEnd(s, i);
      if (end < 0) break;
      i = end;
    } else if (c === '/' && s[i + 1] === '/') {
      const eol = s.indexOf('\n', i);
      const stop = eol < 0 ? s.length : eol;
      out += s.slice(from, i) + ' '.repeat(stop - i);
      from = stop;
      i = stop - 1;
    }
  }
  return out + s.slice(from);
}
