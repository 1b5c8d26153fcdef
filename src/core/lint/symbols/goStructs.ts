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
  /** The struct type a constructor returns (`Server` of `func NewServer(…) *Server`), for `recv.field` in methods of that type. */
  readonly type?: string;
  /** The constructor applies functional options (`for _, o := range opts { o(s) }`) after the fields: they may change any of them. */
  readonly options?: true;
}

/**
 * The keys a keyed struct literal writes (any value), for a constructor returning it (`Load()`) or a
 * package-level var (`Defaults`): a field it leaves out has its type's zero value (`false` for a bool).
 * Empty for a positional literal, which lists every field.
 */
export interface GoStructKeys {
  readonly name: string;
  readonly keys: readonly string[];
  /** Offset of the literal's body. */
  readonly offset: number;
}

/** The head of a top-level func returning one named type (or it and an error), up to the end of its line. */
const GO_FUNC = /^func[ \t]+(\w+)\([^)\n]*\)[ \t]*(?:\*?([\w.]+)|\([ \t]*\*?([\w.]+)[ \t]*,[ \t]*error[ \t]*\))[ \t]*\{[ \t]*\n/gm;
/** The first statement of a constructor: `return &Config{`, `cfg := &Config{`, `var c Config`, `var c = Config{`. */
const CONSTRUCTOR_START = /^[ \t]+(?:return[ \t]+&?[\w.]+\{|\w+[ \t]*:=[ \t]*&?[\w.]+\{|var[ \t]+\w+[ \t])/;
/** Line starts that end a top-level func: gofmt's closing `}`, or the next top-level declaration when a file is not gofmt-formatted. */
const TOP_LEVEL_END = /\n(?:\}|func[ \t(]|var[ \t(]|const[ \t(]|type[ \t])/g;
/** The longest struct literal read, in characters: an unclosed brace must not send each var to the end of the file. */
const MAX_LITERAL = 16384;
/** `var Defaults = &Config{` / `var Defaults = Config{` at the top level, or `Defaults = &Config{` one indent into a `var (` block. */
const GO_STRUCT_VAR = /^var[ \t]+(\w+)[ \t]*=[ \t]*&?[\w.]+\{|^var[ \t]*\([ \t]*$|^\)|^[ \t]+(\w+)(?:[ \t]+\*?[\w.]+)?[ \t]*=[ \t]*&?[\w.]+\{/gm;

/**
 * The literal struct fields of `text`'s constructors and package-level struct vars. `literal`
 * reads a value written in the source (undefined when it is not a literal).
 */
export function goStructFields(text: string, literal: (raw: string) => Literal | undefined, keys?: GoStructKeys[]): GoStructField[] {
  const out: GoStructField[] = [];
  if (text.includes('func ')) {
    // The ends of top-level funcs, found in one pass and walked forward with the funcs (both in text order):
    // a body of any length costs its own length once, and a file without gofmt's layout stays linear.
    const ends = [...text.matchAll(TOP_LEVEL_END)].map((e) => e.index);
    let next = 0;
    for (const m of text.matchAll(GO_FUNC)) {
      const bodyStart = m.index + m[0].length;
      while (next < ends.length && ends[next] < bodyStart - 1) next++;
      if (!CONSTRUCTOR_START.test(text.slice(bodyStart, text.indexOf('\n', bodyStart) >>> 0))) continue;
      // The body ends at the `}` starting a line (gofmt's layout of a top-level func); without one, at the
      // next top-level declaration, where the body's own checks (a last `return cfg`) decide per func.
      const end = next < ends.length ? ends[next] : text.length;
      const body = text.slice(bodyStart, end);
      // Not gofmt's layout: the func's closing brace ends its last line (`return cfg }`).
      const type = m[2] ?? m[3];
      const fields = constructorFields(text, m[1], bodyStart, text[end + 1] === '}' ? body : body.replace(/\}[ \t]*\n?[ \t]*$/, ''), literal, keys);
      out.push(...(/^\w+$/.test(type) ? fields.map((f) => ({ ...f, type })) : fields));
    }
  }
  if (text.includes('var ')) {
    let assigned: Set<string> | undefined;
    // `var Default = struct { … }{CookieSecure: false}`: a var of an anonymous struct type.
    for (const m of text.matchAll(ANON_STRUCT_VAR)) {
      const type = braced(text, m.index + m[0].length - 1);
      const body = type && text[type.end + 1] === '{' ? braced(text, type.end + 1) : undefined;
      if (!body) continue;
      assigned ??= new Set([...text.matchAll(/(?:^|[^\w.])(\w+\s*\.\s*\w+)\s*(?:=[^=]|\+\+|--|[-+*/|&]=)/gm)].map((a) => a[1].replace(/\s+/g, '')));
      const written = keys ? new Set<string>() : undefined;
      for (const f of fieldsOf(text, body.start, body.end, literal, written)) {
        if (!assigned.has(`${m[1]}.${f.key}`)) out.push({ name: `${m[1]}.${f.key}`, literal: f.literal, offset: f.offset });
      }
      if (written) keys!.push({ name: m[1], keys: [...written], offset: body.start });
    }
    let block = false;
    for (const m of text.matchAll(GO_STRUCT_VAR)) {
      if (m[1] === undefined && m[2] === undefined) {
        block = m[0] !== ')';
        continue;
      }
      // An indented `x = T{` is a block var only inside `var (` … `)`, not an assignment in a function.
      if (m[2] !== undefined && !block) continue;
      const name = m[1] ?? m[2];
      const body = braced(text, m.index + m[0].length - 1);
      if (!body) continue;
      // Any function of the file may set a field: then its literal is only a start value. One pass over the text for all vars.
      assigned ??= new Set([...text.matchAll(/(?:^|[^\w.])(\w+\s*\.\s*\w+)\s*(?:=[^=]|\+\+|--|[-+*/|&]=)/gm)].map((a) => a[1].replace(/\s+/g, '')));
      const written = keys ? new Set<string>() : undefined;
      for (const f of fieldsOf(text, body.start, body.end, literal, written)) {
        if (!assigned.has(`${name}.${f.key}`)) out.push({ name: `${name}.${f.key}`, literal: f.literal, offset: f.offset });
      }
      if (written) keys!.push({ name, keys: [...written], offset: body.start });
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/** The fields of `func name(…) T { … }` whose body returns a struct literal, or a local it built then returns. */
function constructorFields(text: string, name: string, bodyStart: number, body: string, literal: (raw: string) => Literal | undefined, keys?: GoStructKeys[]): GoStructField[] {
  // `return &Config{…}` as the only statement.
  const ret = RETURN_LITERAL.exec(body);
  if (ret) {
    const open = bodyStart + ret[0].length - 1;
    const b = braced(text, open);
    if (!b || text.slice(b.end + 1, bodyStart + body.length).trim() !== '') return [];
    const written = keys ? new Set<string>() : undefined;
    const fields = fieldsOf(text, b.start, b.end, literal, written).map((f) => ({ name: `${name}().${f.key}`, literal: f.literal, offset: f.offset }));
    if (written) keys!.push({ name: `${name}()`, keys: [...written], offset: b.start });
    return fields;
  }
  // `cfg := &Config{…}`, `c := Config{}`, `var c Config` as the first statement, `return cfg` (or `cfg, nil`) as the last.
  const firstEnd = body.indexOf('\n');
  const decl = LOCAL_STRUCT.exec(firstEnd < 0 ? body : body.slice(0, firstEnd));
  if (!decl) return [];
  const v = decl[2] ?? decl[3] ?? decl[4];
  const indent = decl[1];
  const lines = body.split('\n');
  const last = RETURN_NAME.exec(lines.filter((l) => l.trim() !== '' && !/^\s*\/\//.test(l)).pop() ?? '');
  if (!last || last[1] !== indent || last[2] !== v) return [];
  const fields = new Map<string, GoStructField | undefined>();
  let after = bodyStart + lines[0].length + 1;
  // Every field the literal or a later statement writes, whatever its value (a field left out is the zero value).
  const written = keys ? new Set<string>() : undefined;
  let literalAt = bodyStart;
  if (decl[3] === undefined) {
    const b = braced(text, bodyStart + decl.index + decl[0].length - 1);
    if (!b) return [];
    literalAt = b.start;
    for (const f of fieldsOf(text, b.start, b.end, literal, written)) fields.set(f.key, { name: `${name}().${f.key}`, literal: f.literal, offset: f.offset });
    // A positional literal lists every field.
    if (written?.size === 0 && text.slice(b.start, b.end).trim() !== '') written.add('*');
    after = text.indexOf('\n', b.end) + 1;
    if (after === 0) return [];
  }
  let offset = after;
  let optionVar: string | undefined;
  let options = false;
  for (const line of text.slice(after, bodyStart + body.length).split('\n')) {
    const at = offset;
    offset += line.length + 1;
    // `for _, o := range opts { o(s) }`: functional options, indexed on their own (goOptionFields).
    const loop = OPTIONS_LOOP.exec(line);
    if (loop && line.startsWith(`${indent}for`)) {
      optionVar = loop[1];
      continue;
    }
    if (optionVar && new RegExp(`^[ \\t]+${optionVar}\\(&?${v}\\)[ \\t]*$`).test(line)) {
      options = true;
      continue;
    }
    if (!line.includes(v) || /^\s*\/\//.test(line) || line.startsWith(`${indent}return `)) continue;
    const s = FIELD_SET.exec(line);
    if (s && s[2] === v) written?.add(s[3]);
    if (s && s[1] === indent && s[2] === v) {
      const lit = literal(s[4]);
      fields.set(s[3], lit ? { name: `${name}().${s[3]}`, literal: lit, offset: at } : undefined);
      continue;
    }
    // Set under an `if`, in a loop, or by a multiple assignment: not one value any more.
    for (const a of line.matchAll(FIELD_SET_ANYWHERE)) {
      if (a[1] !== v) continue;
      fields.set(a[2], undefined);
      written?.add(a[2]);
    }
    // Handed to a function or a method (which may fill it from the environment): nothing is known.
    for (const a of line.replace(/"(?:[^"\\\n]|\\.)*"|`[^`]*`/g, '""').matchAll(NAME_USE)) if (a[1] === v) return [];
  }
  // Functional options may set any field: no field is known to be left out.
  if (written && !options && !written.has('*')) keys!.push({ name: `${name}()`, keys: [...written], offset: literalAt });
  return [...fields.values()].filter((f): f is GoStructField => f !== undefined).map((f) => (options ? { ...f, options: true as const } : f));
}

const OPTIONS_LOOP = /^[ \t]+for[ \t]+_[ \t]*,[ \t]*(\w+)[ \t]*:=[ \t]*range[ \t]+\w+[ \t]*\{[ \t]*$/;

/** A field a functional option sets to a literal: `func WithInsecureCookies() Option { return func(s *Server) { s.cookieSecure = false } }`. */
export interface GoOptionField {
  readonly type: string;
  readonly field: string;
  readonly option: string;
  readonly literal: Literal;
  readonly offset: number;
}

/** `func Name(…) T {` then `return func(s *Server) {` as its first statement. */
const GO_OPTION = /^func[ \t]+(\w+)\([^)\n]*\)[ \t]*[\w.]+[ \t]*\{[ \t]*\n([ \t]+)return[ \t]+func\([ \t]*(\w+)[ \t]+\*(\w+)[ \t]*\)[ \t]*\{[ \t]*\n/gm;

/** The literal fields functional options of `text` set, and (as `literal` undefined) those they set from a parameter. */
export function goOptionFields(text: string, literal: (raw: string) => Literal | undefined): (Omit<GoOptionField, 'literal'> & { literal?: Literal })[] {
  const out: (Omit<GoOptionField, 'literal'> & { literal?: Literal })[] = [];
  if (!text.includes('return func(')) return out;
  for (const m of text.matchAll(GO_OPTION)) {
    const [, option, indent, recv, type] = m;
    let offset = m.index + m[0].length;
    // The closure's statements, up to its closing brace at the return's indent (at most 40 lines).
    for (const line of text.slice(offset, offset + 4096).split('\n').slice(0, 40)) {
      const at = offset;
      offset += line.length + 1;
      if (line.startsWith(`${indent}}`)) break;
      const set = FIELD_SET.exec(line);
      if (set && set[2] === recv) out.push({ type, field: set[3], option, offset: at, ...(literal(set[4]) ? { literal: literal(set[4])! } : {}) });
    }
  }
  return out;
}

/** `func (s *Server) Name(…) {`: a method with a pointer receiver, whose statements may set the receiver's fields. */
const GO_POINTER_METHOD = /^func[ \t]+\([ \t]*(\w+)[ \t]+\*(\w+)[ \t]*\)[ \t]+\w+\([^\n]*\{[ \t]*$/gm;

/** `Type.field` for each field a pointer-receiver method of `text` assigns (`s.cookieSecure = cfg.Secure`). */
export function goMethodFieldSets(text: string): { type: string; field: string; offset: number }[] {
  const out: { type: string; field: string; offset: number }[] = [];
  if (!text.includes('func (')) return out;
  const heads = [...text.matchAll(GO_POINTER_METHOD)];
  heads.forEach((m, i) => {
    const start = m.index + m[0].length;
    const close = text.indexOf('\n}', start);
    const end = Math.min(close < 0 ? text.length : close, heads[i + 1]?.index ?? text.length);
    for (const a of text.slice(start, end).matchAll(FIELD_SET_ANYWHERE)) {
      if (a[1] === m[1]) out.push({ type: m[2], field: a[2], offset: start + a.index });
    }
  });
  return out;
}

const ANON_STRUCT_VAR = /^var[ \t]+(\w+)[ \t]*=[ \t]*struct[ \t]*\{/gm;
const RETURN_LITERAL = /^[ \t]+return[ \t]+&?[\w.]+\{/;
const LOCAL_STRUCT = /^([ \t]+)(?:(\w+)[ \t]*:=[ \t]*&?[\w.]+\{|var[ \t]+(\w+)[ \t]+\*?[\w.]+[ \t]*$|var[ \t]+(\w+)[ \t]*=[ \t]*&?[\w.]+\{)/;
const RETURN_NAME = /^([ \t]+)return[ \t]+(\w+)(?:[ \t]*,[ \t]*nil)?[ \t]*$/;
/** `cfg.Field = value // comment` as a whole line. */
const FIELD_SET = /^([ \t]*)(\w+)\.(\w+)[ \t]*=[ \t]*([^\n]+?)[ \t]*(?:\/\/[^\n]*)?$/;
/** `cfg.Field = …`, `cfg.Field, err = …`, `cfg.Field++`, `cfg.Field += …` anywhere in a line. */
const FIELD_SET_ANYWHERE = /(?:^|[^\w.])(\w+)\.(\w+)(?:\s*,[^=\n]*)?\s*(?:=[^=]|\+\+|--|[-+*/|&]=)/g;
/** A name used other than by reading one of its fields: passed (`load(cfg)`, `&cfg`) or a method called on it (`cfg.Load()`). */
const NAME_USE = /(?:^|[^\w.])(\w+)\b(?!\s*\.\s*\w+\b(?!\s*\())/g;

/** The span inside the braces opening at `open` (strings, runes and comments skipped), or undefined when they do not close. */
function braced(text: string, open: number): { start: number; end: number } | undefined {
  let depth = 0;
  for (let i = open, stop = Math.min(text.length, open + MAX_LITERAL); i < stop; i++) {
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
function fieldsOf(text: string, start: number, end: number, literal: (raw: string) => Literal | undefined, written?: Set<string>): { key: string; literal: Literal; offset: number }[] {
  const out: { key: string; literal: Literal; offset: number }[] = [];
  let depth = 0;
  let itemStart = start;
  let positional = false;
  const take = (to: number) => {
    // Comments blanked, not removed: offsets stay those of the file.
    const raw = blankComments(text.slice(itemStart, to));
    const m = /^\s*(\w+)\s*:\s*([\s\S]+?)\s*$/.exec(raw);
    if (m) written?.add(m[1]);
    else if (raw.trim() !== '') positional = true;
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
  // `Config{"a", true}` lists every field: none is left out.
  if (positional) written?.clear();
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

/**
 * Constructors that keep a parameter in a field (`func NewServer(cfg Config) *Server { return &Server{cfg: cfg} }`):
 * `Server{}.cfg<=NewServer` → the parameter's position, for `s.cfg.CookieSecure` read with what callers pass.
 */
export function goConstructorParams(text: string): { type: string; field: string; constructor: string; param: number; offset: number }[] {
  const out: { type: string; field: string; constructor: string; param: number; offset: number }[] = [];
  if (!text.includes('func ')) return out;
  for (const m of text.matchAll(GO_FUNC)) {
    const type = m[2] ?? m[3];
    if (!type || !/^\w+$/.test(type)) continue;
    const head = /^func[ \t]+\w+\(([^)\n]*)\)/.exec(m[0]);
    const names = (head?.[1] ?? '').split(',').map((p) => /^\s*(\w+)/.exec(p)?.[1] ?? '');
    const bodyStart = m.index + m[0].length;
    const ret = RETURN_LITERAL.exec(text.slice(bodyStart, text.indexOf('\n', bodyStart) >>> 0) + '\n');
    if (!ret) continue;
    const b = braced(text, bodyStart + ret[0].length - 1);
    if (!b) continue;
    for (const f of fieldsOf(text, b.start, b.end, (raw) => (names.includes(raw.trim()) ? { value: names.indexOf(raw.trim()) } : undefined))) {
      out.push({ type, field: f.key, constructor: m[1], param: f.literal.value as number, offset: f.offset });
    }
  }
  return out;
}

/** `Config{CookieSecure: false, …}` written as one argument (`api.Config{…}`, `&Config{…}`): its literal fields. */
export function goArgumentFields(arg: string, literal: (raw: string) => Literal | undefined): { key: string; literal: Literal }[] {
  const m = /^\s*&?(?:\w+\.)?\w+\{/.exec(arg);
  if (!m) return [];
  const b = braced(arg, m[0].length - 1);
  return b && arg.slice(b.end + 1).trim() === '' ? fieldsOf(arg, b.start, b.end, literal) : [];
}
