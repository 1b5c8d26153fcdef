import type { SymbolTable, WorkspaceSymbol } from './symbolTable';

/*
 * The parts of the Java index that need other files: a constant built from constants
 * (`SECRET = PREFIX + "-signing-key"`) and a getter returning one (`return SecurityConstants.SECRET;`)
 * are noted while their file is indexed and resolved once every file is (resolveJavaPending), by
 * Java's own name rules (the class, static imports, imports, the same package). Also the
 * annotations the lint follows into configuration: `@ConfigurationProperties(prefix = "jwt")`.
 */

/** The pseudo-module of `@ConfigurationProperties` classes: name = the qualified class, value = its prefix (`jwt`). */
export const JAVA_CONFIG_PROPERTIES = '<java:configprops>';

/**
 * The pseudo-module of the defaults of nested groups of constructor-bound `@ConfigurationProperties`
 * (`@DefaultValue("…")` on a component of a nested record): name = the property's canonical key
 * (`app.jwt.secret`), the symbol a fallback naming the variable Spring reads.
 */
export const JAVA_CONFIG_DEFAULTS = '<java:configdefaults>';

/**
 * Prefix of the entry of a constructor argument a factory of the workspace passes as a literal
 * (`return new HmacSigner("secret");` in a `@Bean` method): `(new)1#0` of HmacSigner is the first
 * argument of its one-parameter constructor. Never a name code can look up.
 */
export const JAVA_NEW_ARGUMENT = '(new)';

/**
 * Prefix of the entry naming the field a constructor sets from a string parameter (`this.secret = secret;`):
 * `(param)2#0` = `secret` for the first of two parameters. A subclass's `super("…", 60)` gives that field
 * its literal (resolveJavaPending). Never a name code can look up.
 */
export const JAVA_CONSTRUCTOR_FIELD = '(param)';

/** A subclass constructor's `super(…)` call with literal arguments (by index), resolved once every file is indexed. */
interface SuperCall {
  readonly module: string;
  readonly superclass: string;
  readonly names: JavaNames;
  readonly arity: number;
  readonly literals: ReadonlyMap<number, string>;
  readonly file: string;
  readonly line: number;
}

const superCalls = new WeakMap<SymbolTable, SuperCall[]>();

/** Notes a `super("…", …)` call of a subclass constructor; see JAVA_CONSTRUCTOR_FIELD. */
export function noteJavaSuperCall(table: SymbolTable, call: SuperCall): void {
  const list = superCalls.get(table) ?? [];
  list.push(call);
  superCalls.set(table, list);
}

/**
 * `class MerchantJwt extends BaseJwt { MerchantJwt() { super("merchant-secret", 60); } }`: the field the
 * superclass's constructor sets from that parameter holds the literal in the subclass (`#secret`), and the
 * superclass's getters returning the field are resolved again for the subclass.
 */
function applySuperCalls(table: SymbolTable, left: Pending[]): Pending[] {
  const calls = superCalls.get(table) ?? [];
  superCalls.delete(table);
  if (calls.length === 0) return left;
  const added: Pending[] = [];
  // The pending getters of each class, gathered once (not searched per call).
  const byModule = new Map<string, Pending[]>();
  for (const p of left) {
    const only = p.terms.length === 1 ? p.terms[0] : undefined;
    if (!only || !('name' in only)) continue;
    const list = byModule.get(p.module) ?? [];
    list.push(p);
    byModule.set(p.module, list);
  }
  for (const c of calls) {
    for (const module of javaClassModules(c.names, c.superclass)) {
      for (const [index, value] of c.literals) {
        // The superclass's constructor parameter, for a constructor that makes the key itself (`this.key = Keys.hmacShaKeyFor(secret.getBytes())`).
        table.add(module, `${JAVA_NEW_ARGUMENT}${c.arity}#${index}`, { value, file: c.file, line: c.line });
        const field = table.lookup(module, `${JAVA_CONSTRUCTOR_FIELD}${c.arity}#${index}`)?.value;
        if (typeof field !== 'string') continue;
        table.add(c.module, `#${field}`, { value, file: c.file, line: c.line });
        for (const p of byModule.get(module) ?? []) {
          const only = p.terms[0];
          if ('name' in only && only.name.replace(/^this\./, '') === field) added.push({ ...p, module: c.module, own: c.module });
        }
      }
    }
  }
  return added.length > 0 ? [...added, ...left] : left;
}

/** Prefix of a static or instance method's entry holding the class it returns (`->defaults` of `static JwtConfig defaults(…)`): never a name code can look up. */
export const JAVA_FACTORY = '->';

/** The names a Java file's text brings into scope, read from its package and import lines. */
export interface JavaNames {
  readonly pkg: string;
  readonly classes: ReadonlyMap<string, string>;
  readonly packages: readonly string[];
  readonly members: ReadonlyMap<string, string>;
  readonly staticClasses: readonly string[];
}

/** A term of a constant expression: a literal, or a name to resolve. */
type Term = { lit: string } | { name: string };

interface Pending {
  readonly module: string;
  /** The class's module prefix (`java:com.acme.Config`), for bare names of the class itself. */
  readonly own: string;
  readonly name: string;
  readonly terms: readonly Term[];
  readonly names: JavaNames;
  readonly file: string;
  readonly line: number;
}

const pending = new WeakMap<SymbolTable, Pending[]>();

/** `"a"`, `PREFIX`, `Keys.BASE`, `42` joined by `+`; undefined for anything else (a call, a ternary). */
export function constantTerms(expr: string): Term[] | undefined {
  const s = expr.replace(/\s+\/\/.*$/, '').trim();
  const terms: Term[] = [];
  const re = /\s*(?:"((?:[^"\\\n]|\\.)*)"|(-?\d+)[Ll]?|([A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*))\s*(\+|$)/y;
  let at = 0;
  while (at < s.length) {
    re.lastIndex = at;
    const m = re.exec(s);
    if (!m || m[0] === '') return undefined;
    if (m[1] !== undefined) terms.push({ lit: m[1] });
    else if (m[2] !== undefined) terms.push({ lit: m[2] });
    else terms.push({ name: m[3].replace(/\s+/g, '') });
    at = re.lastIndex;
    if (m[4] === '') break;
  }
  return terms.length > 0 && at >= s.length ? terms : undefined;
}

/**
 * The value of a text block (`"""` then a line break, lines, `"""`): the lines less their common
 * indentation (the closing delimiter's line counts), trailing spaces stripped, the usual escapes.
 */
export function textBlockValue(src: string): string {
  const lines = src.slice(3, -3).replace(/^[ \t\f]*\r?\n/, '').split(/\r?\n/);
  const closingOwnLine = lines.length > 0 && lines[lines.length - 1].trim() === '';
  const indent = Math.min(...lines.filter((l, i) => l.trim() !== '' || (closingOwnLine && i === lines.length - 1)).map((l) => /^[ \t\f]*/.exec(l)![0].length));
  const text = lines.map((l) => l.slice(Math.min(indent, l.length)).replace(/[ \t\f]+$/, '')).join('\n');
  return text.replace(/\\\r?\n/g, '').replace(/\\(["'\\nts])/g, (_, c: string) => ({ n: '\n', t: '\t', s: ' ' }[c] ?? c));
}

/** The package and imports of a Java file, read once per file that needs them. */
export function javaNamesOf(text: string): JavaNames {
  const classes = new Map<string, string>();
  const members = new Map<string, string>();
  const packages: string[] = [];
  const staticClasses: string[] = [];
  const pkg = /^[ \t]*package[ \t]+([\w.]+)[ \t]*;/m.exec(text)?.[1] ?? '';
  for (const m of text.matchAll(/^[ \t]*import[ \t]+(static[ \t]+)?([\w.]+?)(\.\*)?[ \t]*;/gm)) {
    const [, isStatic, name, star] = m;
    const last = name.lastIndexOf('.');
    if (isStatic && star) staticClasses.push(name);
    else if (isStatic) members.set(name.slice(last + 1), name.slice(0, last));
    else if (star) packages.push(name);
    else classes.set(name.slice(last + 1), name);
  }
  return { pkg, classes, packages, members, staticClasses };
}

/** Notes a constant or getter whose value needs other constants; resolved by resolveJavaPending. */
export function noteJavaPending(table: SymbolTable, p: Pending): void {
  const list = pending.get(table) ?? [];
  list.push(p);
  pending.set(table, list);
}

/** The modules a class name written in a file may be, in Java's order: qualified, imported, same package, imported packages. */
export function javaClassModules(names: JavaNames, written: string): string[] {
  const parts = written.split('.');
  if (/^[a-z]/.test(parts[0]) && parts.length > 1) return [`java:${written}`];
  const simple = parts[parts.length - 1];
  const imported = names.classes.get(parts[0]);
  if (imported) return [`java:${imported.slice(0, imported.lastIndexOf('.') + 1)}${simple}`.replace(/^java:\./, 'java:')];
  return [names.pkg ? `java:${names.pkg}.${simple}` : `java:${simple}`, ...names.packages.map((p) => `java:${p}.${simple}`)];
}

/** The value of a name term (with where its literal is written), or undefined while it is not (yet) known. */
function termValue(table: SymbolTable, p: Pending, written: string): WorkspaceSymbol | undefined {
  // `return this.secret;`: the field of the class.
  const name = written.replace(/^this\./, '');
  const dot = name.lastIndexOf('.');
  if (dot === -1) {
    const owner = p.names.members.get(name);
    const modules = [p.own, ...(owner ? [`java:${owner}`] : []), ...p.names.staticClasses.map((c) => `java:${c}`)];
    for (const m of modules) {
      // A constant of the class, else an instance field with a literal (a getter returning it).
      const s = table.lookup(m, name) ?? (m === p.own ? table.lookup(m, `#${name}`) : undefined);
      if (s && s.fallbackFor === undefined) return s;
    }
    return undefined;
  }
  for (const m of javaClassModules(p.names, name.slice(0, dot))) {
    const s = table.lookup(m, name.slice(dot + 1));
    if (s && s.fallbackFor === undefined) return s;
  }
  return undefined;
}

/** A class of the workspace that extends another (`class MerchantTokenConfig extends BaseTokenConfig`): it inherits the getters the table holds for its superclass. */
interface Extension {
  readonly module: string;
  readonly superclass: string;
  readonly names: JavaNames;
  /** Methods the subclass's file declares: an override is not the inherited getter. */
  readonly declared: ReadonlySet<string>;
}

const extensions = new WeakMap<SymbolTable, Extension[]>();

/** Notes a class's superclass; its getters are copied by resolveJavaPending once every file is indexed. */
export function noteJavaExtension(table: SymbolTable, e: Extension): void {
  const list = extensions.get(table) ?? [];
  list.push(e);
  extensions.set(table, list);
}

/** Copies the getters (`name()`) of each noted superclass of the workspace into its subclasses, up a chain of a few classes. */
function inheritJavaGetters(table: SymbolTable): void {
  const list = extensions.get(table) ?? [];
  extensions.delete(table);
  for (let pass = 0; pass < 4 && list.length > 0; pass++) {
    let copied = 0;
    for (const e of list) {
      for (const module of javaClassModules(e.names, e.superclass)) {
        const inherited = [...table.namesOf(module)].filter(([n]) => n.endsWith('()') && !e.declared.has(n.slice(0, -2)) && !table.lookup(e.module, n));
        for (const [n, symbol] of inherited) table.add(e.module, n, symbol);
        copied += inherited.length;
      }
    }
    if (copied === 0) break;
  }
}

/**
 * Resolves the noted constants against the whole table: a few passes, so that a constant built
 * from another built constant resolves too. What stays unresolved (a call, a name outside the
 * workspace) is left out, and the lint stays silent about it.
 */
export function resolveJavaPending(table: SymbolTable): void {
  let left = pending.get(table) ?? [];
  pending.delete(table);
  left = applySuperCalls(table, left);
  for (let pass = 0; pass < 4 && left.length > 0; pass++) {
    const next: Pending[] = [];
    for (const p of left) {
      const values = p.terms.map((t) => ('lit' in t ? t.lit : termValue(table, p, t.name)));
      if (values.some((v) => v === undefined)) {
        next.push(p);
        continue;
      }
      // A getter returning one constant points at that constant's literal; a concatenation at itself.
      const only = values.length === 1 ? values[0] : undefined;
      if (only !== undefined && typeof only !== 'string') table.add(p.module, p.name, only);
      else table.add(p.module, p.name, { value: values.map((v) => (typeof v === 'object' ? String(v!.value) : v)).join(''), file: p.file, line: p.line });
    }
    if (next.length === left.length) break;
    left = next;
  }
  inheritJavaGetters(table);
}

/** The annotation lines right above `at` (a class or field declaration), joined. */
export function annotationsAbove(text: string, at: number): string {
  let out = '';
  let end = at;
  for (let i = 0; i < 12; i++) {
    const start = text.lastIndexOf('\n', end - 2) + 1;
    if (end <= 0) break;
    const line = text.slice(start, end).trim();
    if (!line.startsWith('@') && !(out && /^[\w$.]*\)?$|^"[^"]*"\s*\)?$|^\w+\s*=/.test(line))) break;
    out = `${line} ${out}`;
    end = start;
  }
  return out;
}

/** `@ConfigurationProperties(prefix = "jwt")`, `("jwt")`, `(value = "jwt")`: the prefix, lower case. */
export function configurationPropertiesPrefix(annotations: string): string | undefined {
  return /@ConfigurationProperties\s*\(\s*(?:(?:prefix|value)\s*=\s*)?"([^"]+)"/.exec(annotations)?.[1];
}
