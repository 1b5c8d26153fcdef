import * as fs from 'node:fs';
import * as path from 'node:path';
import { jsonValues } from '../languages/appSettings';
import type { SymbolTable } from './symbolTable';
import { indexCSharpCookieCalls, noteCSharpCookieWriters } from './csharpCookieCalls';
import { indexGoCalls } from './goCookieCalls';
import { type GoStructKeys, goConstructorParams, goMethodFieldSets, goOptionFields, goStructFields } from './goStructs';
import { type Literal, addLiteral, lineCounter } from './indexText';
import { JAVA_CONFIG_DEFAULTS, JAVA_CONFIG_PROPERTIES, JAVA_CONSTRUCTOR_FIELD, JAVA_FACTORY, JAVA_NEW_ARGUMENT, annotationsAbove, configurationPropertiesPrefix, constantTerms, javaClassModules, javaNamesOf, noteJavaExtension, noteJavaPending, noteJavaSuperCall, textBlockValue } from './javaIndexer';
import { springCanonicalKey, springVariable } from './springIndexer';

/*
 * Class, namespace and package indexes of Java, C# and Go: the constants a file gives the rest of
 * its workspace, keyed by where the language's own name rules find them (a Java class by its
 * package, a C# class by its namespace, a Go package by its directory and go.mod module path).
 * Like the other indexers, a text pass with one multi-line regular expression per file, no parse:
 * what a line cannot hold (a constant computed over several lines, a concatenation) is not indexed,
 * and the lint stays silent about it.
 */

/** `java:com.acme.config.SecurityConstants`: the table module of a Java class (top-level or nested, by its simple name). */
export function javaClassModule(qualifiedClass: string): string {
  return `java:${qualifiedClass}`;
}

/** `cs:Shop.Security.JwtDefaults`: the table module of a C# class (partial classes of several files share it). */
export function csharpClassModule(qualifiedClass: string): string {
  return `cs:${qualifiedClass}`;
}

/** The pseudo-module of C# options classes bound to a configuration section: name = the class, value = the section (`Jwt`). */
export const CSHARP_OPTIONS = '<cs:options>';

/**
 * Marks a section named by a constant (`GetSection(JwtSettings.SectionName)`): the value is this
 * prefix and the constant as written, resolved where the options are read (that file names the class too).
 */
export const CSHARP_SECTION_CONSTANT = '\u0000';

/** `"Jwt"` or `JwtSettings.SectionName` as `GetSection(…)` takes it: the pattern, and the table value of a match's two groups. */
export const CSHARP_SECTION_ARG = String.raw`(?:"([^"]+)"|([A-Za-z_]\w*(?:\.\w+)*\.\w+))`;
/** `Configure<T>(….GetSection(…))`, `AddOptions<T>().Bind(….GetSection(…))`. */
const CSHARP_CONFIGURE = new RegExp(String.raw`\b(?:Configure|AddOptions)<(\w+)>\((?:\)\s*\.\s*Bind\()?[^;]*?GetSection\(\s*${CSHARP_SECTION_ARG}\s*\)`, 'g');
/** `s = ….GetSection(…).Get<T>()`, `….GetSection(…).Bind(s)`, `configuration.Bind("Jwt", s)`. */
const CSHARP_BIND = new RegExp(String.raw`\b(\w+)\s*=\s*[\w.]*GetSection\(\s*${CSHARP_SECTION_ARG}\s*\)\s*\.\s*Get<(\w+)>\(\s*\)|GetSection\(\s*${CSHARP_SECTION_ARG}\s*\)\s*\.\s*Bind\(\s*(\w+)\s*\)|\.\s*Bind\(\s*${CSHARP_SECTION_ARG}\s*,\s*(\w+)\s*\)`, 'g');

/**
 * `GetSection(nameof(JwtSettings))` read as `GetSection("JwtSettings")`, the text keeping its length
 * (offsets and lines stay those of the file): nameof gives the last name as a string.
 */
export function csharpNameofAsString(text: string): string {
  if (!text.includes('nameof')) return text;
  return text.replace(/\bnameof\(\s*(?:\w+\s*\.\s*)*(\w+)\s*\)/g, (m, name: string) => `"${name}"`.padEnd(m.length));
}

/** The pseudo-module of C# objects registered whole (`AddSingleton(sp => new PartnerTokenSettings { Key = "…" })`): name = `Type.Property`. */
export const CSHARP_REGISTERED = '<cs:registered>';
/** `AddSingleton(new T {`, `AddSingleton<T>(sp => new T {`, `AddSingleton(_ => new() {` with the type argument, `TryAddSingleton…`. */
const CSHARP_REGISTRATION = /\b(?:Try)?AddSingleton(?:<(\w+)>)?\(\s*(?:(?:\w+|\(\s*\w*\s*\))\s*=>\s*)?new\s*(\w+)?\s*(?:\(\s*\))?\s*\{/g;

/** `AddSession(o => ….GetSection(…).Bind(o))`: the framework's options bound inside their registration lambda. */
const CSHARP_BIND_IN_LAMBDA = new RegExp(String.raw`\.\s*(AddSession|AddCookie|ConfigureApplicationCookie|AddAntiforgery)\(\s*(?:"[^"]*"\s*,\s*)?(\w+)\s*=>\s*[\w.]*GetSection\(\s*${CSHARP_SECTION_ARG}\s*\)\s*\.\s*Bind\(\s*(\w+)\s*\)`, 'g');
const LAMBDA_OPTIONS_TYPE: Readonly<Record<string, string>> = {
  AddSession: 'SessionOptions', AddCookie: 'CookieAuthenticationOptions', ConfigureApplicationCookie: 'CookieAuthenticationOptions', AddAntiforgery: 'AntiforgeryOptions',
};

function sectionValue(literal: string | undefined, constant: string | undefined): string {
  return literal ?? `${CSHARP_SECTION_CONSTANT}${constant}`;
}

/** `go:/abs/dir`: the table module of a Go package, by the directory its files are in. */
export function goPackageModule(dir: string): string {
  return `go:${dir}`;
}

/** The pseudo-module listing go.mod files: name = module path, value = the module's root directory. */
export const GO_MODULES = '<go.mod>';

/**
 * The directory of a Go import path among the indexed modules (`github.com/acme/shop/internal/config`
 * → `/ws/internal/config` when /ws/go.mod says `module github.com/acme/shop`), or undefined for a
 * package outside the workspace.
 */
export function goImportDir(table: SymbolTable, importPath: string): string | undefined {
  // Longest module path first: nested modules (a tools/ go.mod) win over their parent.
  let best: { mod: string; root: string } | undefined;
  for (const [mod, sym] of table.namesOf(GO_MODULES)) {
    if ((importPath === mod || importPath.startsWith(`${mod}/`)) && (!best || mod.length > best.mod.length)) best = { mod, root: String(sym.value) };
  }
  return best ? path.join(best.root, importPath.slice(best.mod.length)) : undefined;
}


/** A literal of Java, C# or Go written as the whole initializer: a double-quoted (C# verbatim, Go raw) string, a number, a boolean. */
function literal(raw: string): Literal | undefined {
  const s = raw.trim().replace(/;$/, '').replace(/\s+\/\/.*$/, '').trim()
    // Wrappers that keep the literal's meaning: bytes of it.
    .replace(/^(?:Encoding\.\w+\.GetBytes|\[\]byte)\((.*)\)$/, '$1').replace(/^(".*")\.getBytes\([^)]*\)$/, '$1').trim();
  let m = /^"((?:[^"\\\n]|\\.)*)"$/.exec(s);
  if (m) return { value: m[1] };
  m = /^@"((?:[^"]|"")*)"$/.exec(s) ?? /^`([^`]*)`$/.exec(s);
  if (m) return { value: m[1] };
  if (/^-?\d+(\.\d+)?[LlDdFfMm]?$/.test(s)) return { value: Number(s.replace(/[LlDdFfMm]$/, '')) };
  if (s === 'true' || s === 'false') return { value: s === 'true' };
  // `Environment.GetEnvironmentVariable("JWT_KEY") ?? "dev-key"`: what production gets without the variable.
  m = /^Environment\.GetEnvironmentVariable\(\s*"(\w+)"\s*\)\s*\?\?\s*"((?:[^"\\\n]|\\.)*)"$/.exec(s);
  if (m) return { value: m[2], fallbackFor: m[1] };
  return undefined;
}



const JAVA_CANDIDATES = /^[ \t]*((?:(?:public|protected|private|final|static|default)[ \t]+)*)[\w$.<>[\]]+[ \t]+([A-Za-z_$][\w$]*)\(\)[ \t]*\{[ \t]*\n?[ \t]*return[ \t]+([^;\n]+);[ \t]*(?:\/\/[^\n]*)?\n?[ \t]*\}|^[ \t]*package[ \t]+([\w.]+)[ \t]*;|^[ \t]*(?:(?:public|protected|private|abstract|final|static|sealed|non-sealed|strictfp)[ \t]+)*(class|interface|enum|record)[ \t]+([A-Za-z_$][\w$]*)|^[ \t]*((?:(?:public|protected|private|static|final|transient)[ \t]+)*)[\w$.<>[\], ]+?[ \t]+([A-Za-z_$][\w$]*)[ \t]*=[ \t]*([^\n;]+);/gm;

/**
 * Java: `static final` fields and interface constants, as `Class.NAME` of the file's package (a
 * nested class under its simple name too, which is how other files name it after importing it);
 * methods without parameters that only return a value, as `Class.name()` (static or not: the lint
 * follows `new Config().getSecret()` and a field of the class's type); a constant built by
 * concatenation (`PREFIX + "-key"`) and a getter returning a constant are resolved once every file
 * is indexed (javaIndexer.ts). Private instance fields with a literal that nothing else assigns are
 * kept as `#name` for the getters that return them; Lombok `@Getter`/`@Value` fields with a
 * literal give `getName()`. `@ConfigurationProperties` classes are listed with their prefix.
 */
export function indexJava(table: SymbolTable, file: string, text: string): void {
  const lineOf = lineCounter(text);
  let pkg = '';
  let type: { name: string; interface: boolean; module: string; lombok: boolean; bindable: boolean; prefix?: string; valueIndent?: number } | undefined;
  const prefixed: { at: number; module: string; prefix: string }[] = [];
  const classes: { at: number; module: string; name: string; interface: boolean }[] = [];
  let declared: Set<string> | undefined;
  let names: ReturnType<typeof javaNamesOf> | undefined;
  let assigned: Map<string, number> | undefined;
  const lombok = text.includes('lombok');
  const later = (name: string, expr: string, at: number): void => {
    const terms = type ? constantTerms(expr) : undefined;
    if (!terms || !type || terms.every((t) => 'lit' in t && terms.length === 1)) return;
    names ??= javaNamesOf(text);
    noteJavaPending(table, { module: type.module, own: type.module, name, terms, names, file, line: lineOf(at) });
  };
  for (const m of text.matchAll(JAVA_CANDIDATES)) {
    if (m[2] !== undefined) {
      // `String secret() { return "…"; }`: a method that only returns a value, as `secret()`.
      if (!type) continue;
      // `SecretKey signingKey() { return Keys.hmacShaKeyFor("…".getBytes(UTF_8)); }`: the key material it wraps.
      const returned = javaKeyMaterial(m[3]);
      const lit = literal(returned);
      if (lit) addLiteral(table, type.module, `${m[2]}()`, lit, file, lineOf(m.index));
      else later(`${m[2]}()`, returned, m.index);
    } else if (m[4] !== undefined) pkg = m[4];
    else if (m[5] !== undefined) {
      const qualified = pkg ? `${pkg}.${m[6]}` : m[6];
      const annotations = text.includes('@', Math.max(0, m.index - 600)) ? annotationsAbove(text, m.index) : '';
      const prefix = configurationPropertiesPrefix(annotations);
      if (prefix) table.add(JAVA_CONFIG_PROPERTIES, qualified, { value: prefix, file, line: lineOf(m.index) });
      if (prefix) prefixed.push({ at: m.index, module: javaClassModule(qualified), prefix });
      classes.push({ at: m.index, module: javaClassModule(qualified), name: m[6], interface: m[5] === 'interface' });
      if (m[5] === 'class' || m[5] === 'record' || m[5] === 'enum') {
        const header = /^[^{;]*/.exec(text.slice(m.index, m.index + 400))?.[0] ?? '';
        const superclass = m[5] === 'class' ? /\bextends\s+([\w$.]+)/.exec(header)?.[1] : undefined;
        // An interface's default methods are inherited like a superclass's getters (the class may override them).
        const interfaces = /\bimplements\s+([\w$.<>,\s]+?)\s*$/.exec(header)?.[1].replace(/<[^<>]*>/g, '').split(',').map((i) => i.trim()).filter(Boolean) ?? [];
        for (const supertype of [...(superclass ? [superclass] : []), ...interfaces]) {
          names ??= javaNamesOf(text);
          declared ??= new Set(Array.from(text.matchAll(/\b([A-Za-z_$][\w$]*)\s*\([^()]*\)\s*(?:throws[^{;]*)?\{/g), (d) => d[1]));
          noteJavaExtension(table, { module: javaClassModule(qualified), superclass: supertype, names, declared });
        }
      }
      type = { name: m[6], interface: m[5] === 'interface', module: javaClassModule(qualified), lombok: lombok && /@(Getter|Value|Data)\b(?!\s*\()/.test(annotations), ...(prefix ? { prefix } : {}),
        // Lombok @Data and @Setter write the setters a @Bean method's binding calls.
        bindable: lombok && /@(Data|Setter)\b(?!\s*\()/.test(annotations),
        // Lombok @Value makes fields private final: members are written without modifiers, one indent into the class.
        ...(lombok && /@Value\b(?!\s*\()/.test(annotations) ? { valueIndent: (/^[ \t]*/.exec(m[0])?.[0] ?? '').replace(/\t/g, '    ').length } : {}) };
    } else if (type) {
      const mods = m[7];
      const constant = type.interface || (/\bstatic\b/.test(mods) && /\bfinal\b/.test(mods));
      const lit = literal(m[9]) ?? javaJoinedLiteral(m[9]);
      if (constant) {
        if (lit) addLiteral(table, type.module, m[8], lit, file, lineOf(m.index));
        else later(m[8], m[9], m.index);
        continue;
      }
      if (lit && !/\bstatic\b/.test(mods) && typeof lit.value === 'string') {
        // A @ConfigurationProperties field's initializer: what binds when no property source sets it, as `=name`.
        // A class with a setter for it may be bound by a @Bean method of another file: kept without the property.
        if (type.prefix) addLiteral(table, type.module, `=${m[8]}`, { ...lit, fallbackFor: configurationFallback(type.prefix, m[8]) }, file, lineOf(m.index));
        else if (type.bindable || text.includes(`set${m[8].charAt(0).toUpperCase()}${m[8].slice(1)}(`)) addLiteral(table, type.module, `=${m[8]}`, lit, file, lineOf(m.index));
      }
      // An instance field with a literal that no other statement of the file assigns: what its getters return.
      const indent = (/^[ \t]*/.exec(m[0])?.[0] ?? '').replace(/\t/g, '    ').length;
      const lombokMember = type.valueIndent !== undefined && indent > type.valueIndent && indent <= type.valueIndent + 4;
      if (!lit || /\bstatic\b/.test(mods) || !(/\b(private|protected|public)\b/.test(mods) || lombokMember)) continue;
      assigned ??= assignmentCounts(text);
      if ((assigned.get(m[8]) ?? 0) > 1) continue;
      addLiteral(table, type.module, `#${m[8]}`, lit, file, lineOf(m.index));
      if (type.lombok || (lombok && /@Getter\b(?!\s*\()/.test(annotationsAbove(text, m.index)))) {
        const getter = `${typeof lit.value === 'boolean' ? 'is' : 'get'}${m[8].charAt(0).toUpperCase()}${m[8].slice(1)}()`;
        addLiteral(table, type.module, getter, lit, file, lineOf(m.index));
      }
    }
  }
  if (text.includes('ConfigurationProperties')) indexJavaBinding(table, file, text, prefixed, classes);
  indexJavaFactories(table, file, text, classes);
  if (text.includes('new ')) indexFactoryArguments(table, file, text, classes);
  if (text.includes('this.')) indexConstructorLiterals(table, file, text, classes, assigned ?? assignmentCounts(text));
  if (text.includes('super(') && text.includes('extends')) indexSuperCalls(table, file, text, classes);
  if (text.includes('"""') || text.includes('format') || text.includes('StringBu')) indexTextBlocks(table, file, text, classes);
}

/**
 * The key material a key-building expression wraps (`Keys.hmacShaKeyFor(X.getBytes(UTF_8))`,
 * `new SecretKeySpec(X.getBytes(), "HmacSHA256")`, `Decoders.BASE64.decode(X)`,
 * `Base64.getDecoder().decode(X)`): X; any other expression as it is.
 */
export function javaKeyMaterial(expr: string): string {
  let s = expr.trim();
  for (let i = 0; i < 4; i++) {
    const m = /^(?:(?:io\.jsonwebtoken\.security\.)?Keys\s*\.\s*hmacShaKeyFor|(?:Decoders\s*\.\s*BASE64(?:URL)?|Base64\s*\.\s*get(?:Url|Mime)?Decoder\s*\(\s*\))\s*\.\s*decode)\s*\(([\s\S]*)\)$/.exec(s)
      ?? /^new\s+SecretKeySpec\s*\(([\s\S]*?),\s*(?:"Hmac\w*"|SignatureAlgorithm\.\w+\.getJcaName\(\s*\))\s*\)$/.exec(s);
    if (!m) break;
    s = m[1].trim().replace(/\.getBytes\(\s*(?:(?:java\.nio\.charset\.)?StandardCharsets\.UTF_8|"UTF-8")?\s*\)$/, '').trim();
  }
  return s;
}

/**
 * `String.join("-", "a", "b")`, `"a".concat("b")`, `String.format("%s-%s", "a", "b")`,
 * `new StringBuilder("a").append("b").toString()`: a constant when every part is a literal
 * (a format of `%s`, `%%` and `%n` only).
 */
function javaJoinedLiteral(raw: string): Literal | undefined {
  const s = raw.trim().replace(/\s+\/\/.*$/, '').trim();
  const str = String.raw`"((?:[^"\\\n]|\\.)*)"`;
  const parts = (list: string) => [...list.matchAll(new RegExp(str, 'g'))].map((p) => p[1]);
  const join = new RegExp(String.raw`^String\s*\.\s*join\(\s*${str}((?:\s*,\s*"(?:[^"\\\n]|\\.)*")+)\s*\)$`).exec(s);
  if (join) return { value: parts(join[2]).join(join[1]) };
  const concat = new RegExp(String.raw`^${str}((?:\s*\.\s*concat\(\s*"(?:[^"\\\n]|\\.)*"\s*\))+)$`).exec(s);
  if (concat) return { value: concat[1] + parts(concat[2]).join('') };
  const format = new RegExp(String.raw`^(?:String\s*\.\s*format\(\s*${str}((?:\s*,\s*"(?:[^"\\\n]|\\.)*")*)\s*\)|${str}\s*\.\s*formatted\(\s*((?:"(?:[^"\\\n]|\\.)*"(?:\s*,\s*)?)*)\))$`).exec(s);
  if (format) {
    const value = formatLiterals(format[1] ?? format[3], parts(format[2] ?? format[4]));
    return value === undefined ? undefined : { value };
  }
  const builder = new RegExp(String.raw`^new\s+StringBu(?:ilder|ffer)\s*\(\s*(?:${str})?\s*\)((?:\s*\.\s*append\(\s*"(?:[^"\\\n]|\\.)*"\s*\))*)\s*\.\s*toString\(\s*\)$`).exec(s);
  if (builder) return { value: (builder[1] ?? '') + parts(builder[2]).join('') };
  return undefined;
}

/** `String.format` of literal arguments when the format only has `%s`, `%%` and `%n` (one argument per `%s`); undefined otherwise. */
export function formatLiterals(format: string, args: readonly string[]): string | undefined {
  let i = 0;
  let ok = true;
  // `%s`, `%S`, `%d`, with an argument index (`%2$s`) or `%<s` (the previous argument); `%%` and `%n`. Widths, flags and other conversions are not read.
  let last = -1;
  const out = format.replace(/%(\d+\$|<)?([-#+ 0,(]*\d*(?:\.\d+)?)?([a-zA-Z%])/g, (_, index: string | undefined, flags: string | undefined, c: string) => {
    if (c === '%' && !index && !flags) return '%';
    if (c === 'n' && !index && !flags) return '\n';
    const at = index === '<' ? last : index ? Number(index.slice(0, -1)) - 1 : i++;
    last = at;
    const arg = args[at];
    if (flags || arg === undefined || !/^[sSd]$/.test(c) || (c === 'd' && !/^-?\d+$/.test(arg))) {
      ok = false;
      return '';
    }
    return c === 'S' ? arg.toUpperCase() : arg;
  });
  return ok ? out : undefined;
}

/** `static final String KEY = """\n  …""";`: a constant text block. */
const JAVA_TEXT_BLOCK = /^[ \t]*((?:(?:public|protected|private|static|final)[ \t]+)*)String[ \t]+([A-Za-z_$][\w$]*)[ \t]*=[ \t]*("""[ \t]*\r?\n(?:[^"\\]|\\[\s\S]|"(?!""))*""")[ \t]*;/gm;
/** `static final String KEY = String.format(…)` / `new StringBuilder(…)….toString()` written over several lines. */
const JAVA_BUILT_CONSTANT = /^[ \t]*((?:(?:public|protected|private|static|final)[ \t]+)*)String[ \t]+([A-Za-z_$][\w$]*)[ \t]*=[ \t]*((?:String[ \t]*\.[ \t]*format|new[ \t]+StringBu(?:ilder|ffer))[ \t]*\((?:[^;"]|"(?:[^"\\\n]|\\.)*")*?)[ \t]*;/gm;

/** Constants written over several lines (text blocks, formats, builders); an interface's fields are static final without saying so. */
function indexTextBlocks(table: SymbolTable, file: string, text: string, classes: readonly { at: number; module: string; interface: boolean }[]): void {
  for (const [re, value] of [[JAVA_TEXT_BLOCK, (v: string) => textBlockValue(v)], [JAVA_BUILT_CONSTANT, (v: string) => javaJoinedLiteral(v.replace(/\s*\n\s*/g, ' '))?.value]] as const) {
    if (re === JAVA_TEXT_BLOCK ? !text.includes('"""') : !/String\s*\.\s*format|StringBu(?:ilder|ffer)/.test(text)) continue;
    const lineOf = lineCounter(text);
    const ownerAt = lastBefore(classes, (c) => c.at);
    for (const m of text.matchAll(re)) {
      const owner = ownerAt(m.index);
      if (!owner || !(owner.interface || (/\bstatic\b/.test(m[1]) && /\bfinal\b/.test(m[1])))) continue;
      const v = value(m[3]);
      if (v !== undefined) addLiteral(table, owner.module, m[2], { value: v }, file, lineOf(m.index));
    }
  }
}

/** `public static JwtConfig defaults(…)`: a static method returning a class, for `var cfg = Keys.defaults()` in another file. */
const JAVA_STATIC_FACTORY = /^[ \t]*(?:(?:public|protected|private|final|synchronized)[ \t]+)*static[ \t]+(?:<[^<>\n]*>[ \t]+)?([A-Z][\w$]*(?:\.[A-Z][\w$]*)*)(?:<[^\n]*?>)?[ \t]+([a-z_$][\w$]*)[ \t]*\(/gm;

/** Records, as `->name` of the class, the class each static factory or instance method returns (qualified by the file's imports). */
function indexJavaFactories(table: SymbolTable, file: string, text: string, classes: readonly { at: number; module: string }[]): void {
  let names: ReturnType<typeof javaNamesOf> | undefined;
  for (const re of [JAVA_STATIC_FACTORY, JAVA_INSTANCE_FACTORY]) {
    if (re === JAVA_STATIC_FACTORY && !text.includes('static')) continue;
    const lineOf = lineCounter(text);
    const ownerAt = lastBefore(classes, (c) => c.at);
    for (const m of text.matchAll(re)) {
      const owner = ownerAt(m.index);
      if (!owner || NOT_A_FACTORY.test(m[1])) continue;
      names ??= javaNamesOf(text);
      const returned = javaClassModules(names, m[1])[0];
      if (returned) table.add(owner.module, `${JAVA_FACTORY}${m[2]}`, { value: returned.slice('java:'.length), file, line: lineOf(m.index) });
    }
  }
}

/**
 * `return new HmacSigner("secret", 3600);` (a @Bean method, a factory) or `… = new HmacSigner(JwtKeys.SECRET);`
 * (a field, a local): an object the code builds with a literal or a constant.
 */
const JAVA_NEW = /^[ \t]*(?:return[ \t]+|[^;=\n(]*[^=!<>]=[ \t]*)new[ \t]+([A-Z][\w$]*(?:\.[A-Z][\w$]*)*)(?:<[^<>\n]*>)?[ \t]*\(((?:[^;"()]|"(?:[^"\\\n]|\\.)*"|\([^;()]*\))*)\)[ \t]*;/gm;

/** JDK classes built with strings that are no key: not recorded. */
const NOT_A_KEY_HOLDER = /(?:Exception|Error)$|^(?:StringBu(?:ilder|ffer)|File|URL|URI|Locale|Thread|HashMap|ArrayList|LinkedHashMap|BigInteger|SimpleDateFormat|DecimalFormat|Cookie|ObjectMapper|Random|SecureRandom|Semaphore)$/;

/** A name a constant argument may be: `SECRET`, `JwtKeys.SECRET`, `com.acme.Keys.SECRET` (upper case last). */
const CONSTANT_NAME = /^(?:[A-Za-z_$][\w$]*\.)*[A-Z][A-Z0-9_$]*$/;

/**
 * The literals and constants the workspace passes to constructors (`@Bean TokenSigner signer()
 * { return new HmacSigner("secret"); }`, `new HmacSigner(SecurityConstants.JWT_SECRET)`): `(new)<arity>#<index>`
 * of the class built, for the constructor's parameter where the class turns it into a key. A
 * constant is resolved once every file is indexed (noteJavaPending), and names the constant's line.
 */
function indexFactoryArguments(table: SymbolTable, file: string, text: string, classes: readonly { at: number; module: string }[]): void {
  const lineOf = lineCounter(text);
  const ownerAt = lastBefore(classes, (c) => c.at);
  let names: ReturnType<typeof javaNamesOf> | undefined;
  for (const m of text.matchAll(JAVA_NEW)) {
    if (m[2].trim() === '' || NOT_A_FACTORY.test(m[1]) || NOT_A_KEY_HOLDER.test(m[1])) continue;
    // Outside a factory's return, a literal with a space is a message (`new IllegalStateException("…")`), not a key: not kept.
    const returned = /^[ \t]*return\b/.test(m[0]);
    const args = splitArguments(m[2]);
    const constants = args.map((a) => (a.includes('"') ? undefined : constantTerms(a))).map((t) => (t && t.every((x) => 'lit' in x || CONSTANT_NAME.test(x.name)) && t.some((x) => 'name' in x) ? t : undefined));
    if (!m[2].includes('"') && !constants.some(Boolean)) continue;
    names ??= javaNamesOf(text);
    const module = javaClassModules(names, m[1])[0];
    if (!module) continue;
    const owner = ownerAt(m.index);
    args.forEach((a, i) => {
      const lit = literal(a);
      const name = `${JAVA_NEW_ARGUMENT}${args.length}#${i}`;
      if (lit && typeof lit.value === 'string' && (returned || !/\s/.test(lit.value))) addLiteral(table, module, name, lit, file, lineOf(m.index));
      else if (constants[i] && owner) noteJavaPending(table, { module, own: owner.module, name, terms: constants[i]!, names: names!, file, line: lineOf(m.index) });
    });
  }
}

/**
 * `public JwtProperties jwtProperties() {`, `@Bean DisputeKeys disputeKeys(…) {`: an instance method
 * returning a class, for `var props = config.jwtProperties()` and `config.keys().signingKey()`.
 */
const JAVA_INSTANCE_FACTORY = /^[ \t]*(?:@[\w.]+(?:\([^()\n]*\))?[ \t]+)*(?:(?:public|protected|private|final|synchronized|default)[ \t]+)*([A-Z][\w$]*(?:\.[A-Z][\w$]*)*)(?:<[^\n]*?>)?[ \t]+([a-z_$][\w$]*)[ \t]*\([^;{]*\)[ \t]*(?:throws[^{;]*)?\{/gm;

/** Return types of the JDK and frameworks that no workspace class is: not recorded as factories. */
const NOT_A_FACTORY = /^(?:String|Object|Boolean|Integer|Long|Double|Void|List|Map|Set|Collection|Optional|Stream|Iterable|CompletableFuture|Mono|Flux|ResponseEntity|Duration|Instant|Date|LocalDate|LocalDateTime|BigDecimal|UUID|Class)$/;

/** A member header: a constructor (no type before the name) or a method. */
const JAVA_MEMBER = /^[ \t]*(?:(?:public|protected|private|static|final|synchronized|abstract|native|default)[ \t]+)*(?:(<[^<>\n]*>[ \t]+)?([\w$.<>[\], ]+?)[ \t]+)?([A-Za-z_$][\w$]*)[ \t]*\([^;{]*\)[ \t]*(?:throws[^{;]*)?\{/gm;
const THIS_LITERAL = /^[ \t]*this\.([A-Za-z_$][\w$]*)[ \t]*=[ \t]*("(?:[^"\\\n]|\\.)*")[ \t]*;/gm;

/** `this.secret = secret;`: a field set from a parameter (of a constructor, when the member says so). */
const THIS_PARAMETER = /^[ \t]*this\.([A-Za-z_$][\w$]*)[ \t]*=[ \t]*([A-Za-z_$][\w$]*)[ \t]*;/gm;
/** `this("dev-secret", 3600);`: a constructor delegating to another of its class. */
const THIS_CALL = /^[ \t]*this[ \t]*\(((?:[^;"()]|"(?:[^"\\\n]|\\.)*"|\([^;()]*\))*)\)[ \t]*;/gm;

/**
 * `this.secret = "…";` in a constructor, the field's only assignment (declared without an
 * initializer): what the class's getters return, as `#secret`, like a field with a literal. So is
 * `this.secret = secret;` of a constructor that another constructor of the class calls with a
 * literal (`JwtConfig() { this("dev-secret", 3600); }`), named where that literal is written.
 */
function indexConstructorLiterals(table: SymbolTable, file: string, text: string, classes: readonly { at: number; module: string; name: string }[], assigned: ReadonlyMap<string, number>): void {
  const literals = [...text.matchAll(THIS_LITERAL)].filter((m) => assigned.get(m[1]) === 1);
  const delegated = [...text.matchAll(THIS_PARAMETER)].filter((m) => assigned.get(m[1]) === 1);
  if (literals.length === 0 && delegated.length === 0) return;
  const members = [...text.matchAll(JAVA_MEMBER)].filter((h) => !/^(if|for|while|switch|catch|synchronized|return|new|else)$/.test(h[3]));
  const lineOf = lineCounter(text);
  // The constructor (a member named as its class, no return type) an offset is in; a forward cursor, one per pass.
  const constructorCursor = () => {
    const memberAt = lastBefore(members, (h) => h.index);
    const ownerAt = lastBefore(classes, (c) => c.at);
    return (offset: number) => {
      const member = memberAt(offset);
      const owner = ownerAt(offset);
      return member && owner && member[2] === undefined && member[3] === owner.name ? { member, owner } : undefined;
    };
  };
  const literalIn = constructorCursor();
  for (const m of literals) {
    // Only a constructor's assignment is what every object starts with.
    const owner = literalIn(m.index)?.owner;
    if (!owner) continue;
    const lit = literal(m[2]);
    if (lit) addLiteral(table, owner.module, `#${m[1]}`, lit, file, lineOf(m.index));
  }
  if (delegated.length === 0) return;
  const callOwner = lastBefore(classes, (c) => c.at);
  const callLine = lineCounter(text);
  const calls = [...text.matchAll(THIS_CALL)].map((c) => ({ owner: callOwner(c.index), args: splitArguments(c[1]), line: callLine(c.index) }));
  const parameterIn = constructorCursor();
  for (const m of delegated) {
    const ctor = parameterIn(m.index);
    if (!ctor) continue;
    const { member, owner } = ctor;
    const declared = splitArguments(/\(([^;{]*)\)/.exec(member[0])?.[1] ?? '');
    const params = declared.map((p) => /([A-Za-z_$][\w$]*)\s*$/.exec(p)?.[1]);
    const index = params.indexOf(m[2]);
    if (index === -1) continue;
    // A string parameter kept in a field: what a subclass's super("…") gives it (resolveJavaPending).
    if (/^(?:final\s+)?(?:java\.lang\.)?(?:String|char\s*\[\s*\]|byte\s*\[\s*\])\s+[\w$]+$/.test(declared[index])) {
      table.add(owner.module, `${JAVA_CONSTRUCTOR_FIELD}${params.length}#${index}`, { value: m[1], file, line: lineOf(m.index) });
    }
    // The delegating call of the same class with as many arguments, the parameter's argument a literal.
    const call = calls.find((c) => c.owner === owner && c.args.length === params.length && literal(c.args[index]) !== undefined);
    const lit = call ? literal(call.args[index]) : undefined;
    if (call && lit) addLiteral(table, owner.module, `#${m[1]}`, lit, file, call.line);
  }
}

/** `super("merchant-secret", 60);` in a constructor. */
const SUPER_CALL = /^[ \t]*super[ \t]*\(((?:[^;"()]|"(?:[^"\\\n]|\\.)*"|\([^;()]*\))*)\)[ \t]*;/gm;

/** Notes each `super(…)` call with string literal arguments, of a class extending another (see JAVA_CONSTRUCTOR_FIELD). */
function indexSuperCalls(table: SymbolTable, file: string, text: string, classes: readonly { at: number; module: string }[]): void {
  const ownerAt = lastBefore(classes, (c) => c.at);
  const lineOf = lineCounter(text);
  let names: ReturnType<typeof javaNamesOf> | undefined;
  for (const m of text.matchAll(SUPER_CALL)) {
    const owner = ownerAt(m.index);
    if (!owner) continue;
    const superclass = /^[^{;]*?\bextends\s+([\w$.]+)/.exec(text.slice(owner.at, owner.at + 400))?.[1];
    if (!superclass) continue;
    const args = splitArguments(m[1]);
    const literals = new Map<number, string>();
    args.forEach((a, i) => {
      const lit = literal(a);
      if (lit && typeof lit.value === 'string') literals.set(i, lit.value);
    });
    names ??= javaNamesOf(text);
    if (literals.size > 0) noteJavaSuperCall(table, { module: owner.module, superclass, names, arity: args.length, literals, file, line: lineOf(m.index) });
    // `super(DevKeys.SECRET)`: a constant as the superclass constructor's argument, resolved once every file is indexed.
    const superModule = javaClassModules(names, superclass)[0];
    args.forEach((a, i) => {
      const terms = a.includes('"') ? undefined : constantTerms(a);
      if (superModule && terms?.some((t) => 'name' in t) && terms.every((t) => 'lit' in t || CONSTANT_NAME.test(t.name))) {
        noteJavaPending(table, { module: superModule, own: owner.module, name: `${JAVA_NEW_ARGUMENT}${args.length}#${i}`, terms, names: names!, file, line: lineOf(m.index) });
      }
    });
  }
}

/** The arguments of a call (or parameters of a header) split at the commas outside strings, parentheses and type arguments. */
function splitArguments(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === '"') {
      for (i++; i < list.length && list[i] !== '"'; i++) if (list[i] === '\\') i++;
    } else if (c === '(' || c === '<' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === '>' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(list.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = list.slice(start).trim();
  if (last !== '' || out.length > 0) out.push(last);
  return out;
}

/**
 * The last item of `items` (in text order) starting before each offset asked, for offsets asked in
 * increasing order: one walk over the list for all the matches of a pass.
 */
function lastBefore<T>(items: readonly T[], start: (item: T) => number): (offset: number) => T | undefined {
  let i = -1;
  return (offset) => {
    while (i + 1 < items.length && start(items[i + 1]) < offset) i++;
    return i >= 0 ? items[i] : undefined;
  };
}

/** `JWT_SECRET (or the property jwt.secret)`: the variable and property a @ConfigurationProperties field binds from. */
export function configurationFallback(prefix: string, field: string): string {
  const property = `${prefix}.${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return `${springVariable(property)} (or the property ${property})`;
}

/** `@Bean @ConfigurationProperties("jwt") JwtProperties jwtProperties()`: the annotation, then the method's return type. */
const BEAN_CONFIGURATION_PROPERTIES = /@ConfigurationProperties\s*\(\s*(?:(?:prefix|value)\s*=\s*)?"([^"]+)"\s*\)((?:\s*@[\w.]+(?:\s*\([^()]*\))?)*)\s*(?:(?:public|protected|private|static|final)\s+)*([A-Z][\w$]*(?:\.[A-Z][\w$]*)*|[a-z][\w$]*(?:\.[a-z][\w$]*)*\.[A-Z][\w$]*)(?:\s*<[^<>;{]*>)?\s+[A-Za-z_$][\w$]*\s*\(/g;

/** `@DefaultValue("changeme") String secret` on a constructor parameter or record component: what binds when nothing sets the property. */
const DEFAULT_VALUE = /@DefaultValue\s*\(\s*(?:value\s*=\s*)?"((?:[^"\\\n]|\\.)*)"\s*\)\s+(?:final\s+)?(?:java\.lang\.)?String\s+([A-Za-z_$][\w$]*)/g;

/**
 * The Spring binding a Java file declares outside its classes' own annotation: a @Bean method
 * annotated @ConfigurationProperties binds the class it returns to the prefix (listed like an
 * annotated class), and `@DefaultValue` on a constructor-bound property of an annotated class
 * (`prefixed`, in text order) is that property's fallback, as `=name`.
 */
function indexJavaBinding(table: SymbolTable, file: string, text: string, prefixed: readonly { at: number; module: string; prefix: string }[], classes: readonly { at: number; module: string; name: string }[]): void {
  const lineOf = lineCounter(text);
  let names: ReturnType<typeof javaNamesOf> | undefined;
  for (const m of text.matchAll(BEAN_CONFIGURATION_PROPERTIES)) {
    names ??= javaNamesOf(text);
    const line = lineOf(m.index);
    for (const module of javaClassModules(names, m[3])) table.add(JAVA_CONFIG_PROPERTIES, module.slice('java:'.length), { value: m[1], file, line });
  }
  if (prefixed.length === 0 || !text.includes('@DefaultValue')) return;
  const defaultLine = lineCounter(text);
  const ownerAt = lastBefore(prefixed, (p) => p.at);
  const classAt = lastBefore(classes, (c) => c.at);
  for (const m of text.matchAll(DEFAULT_VALUE)) {
    const owner = ownerAt(m.index);
    const cls = classAt(m.index);
    if (!owner) continue;
    if (!cls || cls.module === owner.module) {
      addLiteral(table, owner.module, `=${m[2]}`, { value: m[1], fallbackFor: configurationFallback(owner.prefix, m[2]) }, file, defaultLine(m.index));
      continue;
    }
    // A nested group (`record AppProperties(Jwt jwt) { record Jwt(@DefaultValue("…") String secret) {} }`): the
    // component or field of the annotated class holding it names the group (`app.jwt.secret`).
    const group = new RegExp(`\\b${cls.name.replace(/\$/g, '\\$')}(?:\\s*<[^<>;{]*>)?\\s+([a-z_$][\\w$]*)\\s*[,)=;]`).exec(text.slice(owner.at, cls.at))?.[1];
    if (!group) continue;
    const prefix = `${owner.prefix}.${group.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const property = `${prefix}.${m[2].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    addLiteral(table, JAVA_CONFIG_DEFAULTS, springCanonicalKey(property), { value: m[1], fallbackFor: configurationFallback(prefix, m[2]) }, file, defaultLine(m.index));
  }
}

/** How often each name is assigned in a Java file (`name =`, `this.name =`; a declaration with an initializer counts), in one pass. */
function assignmentCounts(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/(?:^|[^\w$.])(?:this\s*\.\s*)?([A-Za-z_$][\w$]*)\s*=(?!=)/g)) out.set(m[1], (out.get(m[1]) ?? 0) + 1);
  return out;
}

const CSHARP_CANDIDATES = /^[ \t]*(?:(?:public|internal|private|protected)[ \t]+)*static[ \t]+[\w.<>?[\]]+[ \t]+(\w+)\(\)[ \t]*(?:=>[ \t]*([^;\n]+);|\n?[ \t]*\{[ \t]*\n?[ \t]*return[ \t]+([^;\n]+);[ \t]*\n?[ \t]*\})|^[ \t]*namespace[ \t]+([\w.]+)|^[ \t]*(?:(?:public|internal|private|protected|static|partial|sealed|abstract|readonly)[ \t]+)*(?:class|struct|record|interface)[ \t]+(\w+)|^[ \t]*((?:(?:public|internal|private|protected|static|readonly|const|new)[ \t]+)+)[\w.<>?[\], ]+?[ \t]+(\w+)[ \t]*(=>?)[ \t]*([^\n;]+);/gm;

/**
 * C#: `const` and `static readonly` fields with a literal value, static expression-bodied
 * properties (`public static string Key => "…";`), and static methods without parameters that
 * only return a literal (as `Name()`), as `Class.NAME` of the file's namespace
 * (file-scoped or block). Partial classes in several files fill one module.
 */
export function indexCSharp(table: SymbolTable, file: string, text: string): void {
  indexCSharpCookieCalls(table, file, text);
  noteCSharpCookieWriters(table, file, text);
  // `services.Configure<JwtSettings>(Configuration.GetSection("Jwt"))`, `AddOptions<JwtSettings>().Bind(….GetSection("Jwt"))`.
  if (text.includes('AddSingleton')) indexRegistrations(table, file, text);
  if (text.includes('GetSection') || text.includes('.Bind(')) {
    text = csharpNameofAsString(text);
    const optionsLine = lineCounter(text);
    for (const m of text.matchAll(CSHARP_CONFIGURE)) {
      table.add(CSHARP_OPTIONS, m[1], { value: sectionValue(m[2], m[3]), file, line: optionsLine(m.index) });
    }
    // `var s = ….GetSection("Jwt").Get<JwtSettings>()`, or `GetSection("Jwt").Bind(s)` of an `s = new JwtSettings()`,
    // registered with `AddSingleton(s)`: other files are given that instance as JwtSettings. An instance the file only
    // uses itself is resolved there (csharpOptionsKey), not indexed: the type may be bound to other sections elsewhere.
    const lambdas = lineCounter(text);
    for (const m of text.matchAll(CSHARP_BIND_IN_LAMBDA)) {
      if (m[2] === m[5]) table.add(CSHARP_OPTIONS, LAMBDA_OPTIONS_TYPE[m[1]], { value: sectionValue(m[3], m[4]), file, line: lambdas(m.index) });
    }
    const bindings = lineCounter(text);
    for (const m of text.matchAll(CSHARP_BIND)) {
      const v = m[1] ?? m[7] ?? m[10];
      if (!new RegExp(`\\bAddSingleton(?:<\\w+>)?\\(\\s*${v}\\s*!?\\s*\\)`).test(text)) continue;
      const type = m[4] ?? new RegExp(`\\b(?:${v}\\s*=\\s*new\\s+(\\w+)\\s*[({]|(\\w+)\\s+${v}\\s*=\\s*new\\s*\\()`).exec(text)?.slice(1).find(Boolean);
      const section = m[1] !== undefined ? sectionValue(m[2], m[3]) : m[7] !== undefined ? sectionValue(m[5], m[6]) : sectionValue(m[8], m[9]);
      if (type) table.add(CSHARP_OPTIONS, type, { value: section, file, line: bindings(m.index) });
    }
  }
  const lineOf = lineCounter(text);
  let ns = '';
  let cls: string | undefined;
  for (const m of text.matchAll(CSHARP_CANDIDATES)) {
    if (m[1] !== undefined) {
      // `static string Secret() => "…";` or `{ return "…"; }`: as `Secret()`.
      const lit = cls ? literal(m[2] ?? m[3]) : undefined;
      if (lit && cls) addLiteral(table, csharpClassModule(ns ? `${ns}.${cls}` : cls), `${m[1]}()`, lit, file, lineOf(m.index));
    } else if (m[4] !== undefined) ns = m[4];
    else if (m[5] !== undefined) cls = m[5];
    else if (cls) {
      const mods = m[6];
      const constant = m[8] === '=' ? /\bconst\b/.test(mods) || (/\bstatic\b/.test(mods) && /\breadonly\b/.test(mods)) : /\bstatic\b/.test(mods);
      if (!constant) continue;
      // `const SameSiteMode Receipt = SameSiteMode.Unspecified;`: a cookie mode, kept as its text for the cookie checks.
      const lit = literal(m[9]) ?? (/^(?:Microsoft\.AspNetCore\.Http\.)?SameSiteMode\.(?:Unspecified|None|Lax|Strict)$/.test(m[9].trim()) ? { value: m[9].trim().replace(/^.*(?=SameSiteMode\.)/, '') } : undefined);
      if (lit) addLiteral(table, csharpClassModule(ns ? `${ns}.${cls}` : cls), m[7], lit, file, lineOf(m.index));
    }
  }
}

/**
 * `services.AddSingleton(sp => new PartnerTokenSettings { Issuer = "…", Key = "…" })`: the literal
 * properties of an object registered whole, as `PartnerTokenSettings.Key`, for the instance other
 * files are given. Items are read up to the initializer's closing brace on one level; a property
 * whose value is not a literal is left out.
 */
function indexRegistrations(table: SymbolTable, file: string, text: string): void {
  const lineOf = lineCounter(text);
  for (const m of text.matchAll(CSHARP_REGISTRATION)) {
    const type = m[2] ?? m[1];
    if (!type || (m[1] && m[2] && m[1] !== m[2])) continue;
    const open = m.index + m[0].length - 1;
    const close = text.indexOf('}', open);
    // A nested initializer (`{ Inner = new() { … } }`) is not read.
    if (close < 0 || close - open > 4096 || text.slice(open + 1, close).includes('{')) continue;
    let offset = open + 1;
    for (const item of text.slice(open + 1, close).split(',')) {
      const at = offset;
      offset += item.length + 1;
      const p = /^\s*(\w+)\s*=\s*([\s\S]+?)\s*$/.exec(item.replace(/\/\/[^\n]*/g, ''));
      const lit = p ? literal(p[2]) : undefined;
      if (p && lit) addLiteral(table, CSHARP_REGISTERED, `${type}.${p[1]}`, lit, file, lineOf(at + item.search(/\S/)));
    }
  }
}

const GO_CANDIDATES = /^(const|var)[ \t]+(\w+)(?:[ \t]+[\w.[\]]+)?[ \t]*=[ \t]*([^\n]+)$|^(const|var)[ \t]*\([ \t]*$|^\)|^[ \t]+(\w+)(?:[ \t]+[\w.[\]]+)?[ \t]*=[ \t]*([^\n]+)$|^func[ \t]+(\w+)\(\)[ \t]*(?:string|\[\]byte|bool|int)[ \t]*\{[ \t]*\n[ \t]*return[ \t]+([^\n]+)\n\}|^func[ \t]+\([ \t]*(?:\w+[ \t]+)?\*?(\w+)[ \t]*\)[ \t]+(\w+)\(\)[ \t]*(?:string|\[\]byte|bool|int)[ \t]*\{[ \t]*\n[ \t]*return[ \t]+([^\n]+)\n\}/gm;

/**
 * Go: package-level `const`/`var` with a literal value (single or in a block), and functions
 * without parameters that only return a literal (`func jwtKey() string { return "…" }`, under
 * `jwtKey()`), in the module of the file's directory. A package var assigned again elsewhere in
 * the file is left out (any function may change it).
 */
export function indexGo(table: SymbolTable, file: string, text: string): void {
  const lineOf = lineCounter(text);
  const dir = path.dirname(file);
  noteGoModule(table, dir);
  let block = false;
  for (const m of text.matchAll(GO_CANDIDATES)) {
    if (m[4] !== undefined) {
      block = true;
      continue;
    }
    if (m[0] === ')') {
      block = false;
      continue;
    }
    // `func (Keys) Signing() string { return "…" }`: a method of a type, as `Keys.Signing()`.
    const name = m[2] ?? (block ? m[5] : undefined) ?? (m[7] !== undefined ? `${m[7]}()` : undefined) ?? (m[9] !== undefined ? `${m[9]}.${m[10]}()` : undefined);
    const raw = m[3] ?? m[6] ?? m[8] ?? m[11];
    if (!name || raw === undefined) continue;
    if ((m[1] === 'var' || (m[5] && block)) && new RegExp(`^[ \\t]+${name}[ \\t]*=[^=]`, 'm').test(text.slice(m.index + m[0].length))) continue;
    const lit = literal(raw) ?? goProduct(raw);
    if (lit) addLiteral(table, goPackageModule(dir), name, lit, file, lineOf(m.index));
  }
  // Constructors (`Default().Field`) and package-level struct vars (`Defaults.Field`), for `cfg := config.Default()`
  // then `cfg.Field`, or `config.Defaults.Field`, in another file.
  const fieldLine = lineCounter(text);
  const module = goPackageModule(dir);
  const structKeys: GoStructKeys[] = [];
  for (const f of goStructFields(text, (raw) => literal(raw) ?? goProduct(raw), structKeys)) {
    const line = fieldLine(f.offset);
    // A constructor applying functional options gives its fields only as the type's starting values.
    if (!f.options) addLiteral(table, module, f.name, f.literal, file, line);
    if (f.type) addGoTypeField(table, module, `${f.type}{}.${f.name.slice(f.name.indexOf('.') + 1)}`, f.literal, file, line);
  }
  // The keys each literal writes (`Load().#keys` = `CookieName,HttpOnly`): a field left out is the zero value.
  const keysLine = lineCounter(text);
  for (const k of structKeys) if (k.keys.length) table.add(module, `${k.name}${GO_KEYS_SUFFIX}`, { value: k.keys.join(','), file, line: keysLine(k.offset) });
  // `func WithInsecureCookies() Option { return func(s *Server) { s.cookieSecure = false } }`, and methods setting fields.
  const optionLine = lineCounter(text);
  for (const o of goOptionFields(text, (raw) => literal(raw) ?? goProduct(raw))) {
    const line = optionLine(o.offset);
    if (o.literal) addLiteral(table, module, `${o.type}{}.${o.field}${GO_OPTION_MARK}${o.option}()`, o.literal, file, line);
    else table.add(module, `${GO_FIELD_SET_MARK}${o.type}{}.${o.field}`, { value: true, file, line });
  }
  const paramLine = lineCounter(text);
  for (const c of goConstructorParams(text)) table.add(module, `${c.type}{}.${c.field}${GO_PARAM_MARK}${c.constructor}`, { value: c.param, file, line: paramLine(c.offset) });
  const methodLine = lineCounter(text);
  for (const m of goMethodFieldSets(text)) table.add(module, `${GO_FIELD_SET_MARK}${m.type}{}.${m.field}`, { value: true, file, line: methodLine(m.offset) });
  // Calls of the module's functions with literal arguments: the names cookie helpers are given.
  const modulePath = goModuleOf(table, dir);
  indexGoCalls(table, file, text, goFileImports(text), modulePath && goImportPathOf(modulePath, dir), modulePath?.mod);
  // `config.Session.Secure = false` in an init() or main of another package: what that package var's field holds at run time.
  if (/^[ \t]+\w+\.\w+\.\w+[ \t]*=[^=]/m.test(text)) {
    const imports = goFileImports(text);
    const setLine = lineCounter(text);
    for (const m of text.matchAll(GO_FOREIGN_FIELD_SET)) {
      const importPath = imports.get(m[1]);
      if (!importPath) continue;
      const lit = literal(m[4]);
      if (lit) addLiteral(table, goForeignSetModule(importPath), `${m[2]}.${m[3]}`, lit, file, setLine(m.index));
      else table.add(goForeignSetModule(importPath), `${GO_FIELD_SET_MARK}${m[2]}.${m[3]}`, { value: true, file, line: setLine(m.index) });
    }
  }
  // `Defaults.Secret = os.Getenv(…)` in a function (an init() of another file): that package var's field is not its literal.
  if (text.includes('.')) {
    const setLine = lineCounter(text);
    for (const m of text.matchAll(GO_FIELD_SET)) table.add(goPackageModule(dir), `${GO_FIELD_SET_MARK}${m[1]}.${m[2]}`, { value: true, file, line: setLine(m.index) });
  }
}

/** The module (path and root) of the go.mod above `dir`, as the scan noted it. */
export function goModuleOf(table: SymbolTable, dir: string): { mod: string; root: string } | undefined {
  let best: { mod: string; root: string } | undefined;
  for (const [mod, sym] of table.namesOf(GO_MODULES)) {
    const root = String(sym.value);
    if ((dir === root || dir.startsWith(`${root}${path.sep}`)) && (!best || root.length > best.root.length)) best = { mod, root };
  }
  return best;
}

/** The import path of the package in `dir` of a module. */
export function goImportPathOf(module: { mod: string; root: string }, dir: string): string {
  return [module.mod, ...path.relative(module.root, dir).split(path.sep).filter(Boolean)].join('/');
}

/** `pkg.Var.Field = value` as a statement of a function. */
const GO_FOREIGN_FIELD_SET = /^[ \t]+(\w+)\.(\w+)\.(\w+)[ \t]*=[ \t]*([^=\n][^\n]*?)[ \t]*(?:\/\/[^\n]*)?$/gm;

/** `<go:set>github.com/acme/orders/internal/config`: fields of that package's vars set by statements of other packages. */
export function goForeignSetModule(importPath: string): string {
  return `<go:set>${importPath}`;
}

/** Import name → import path of a Go file, read from its text. */
export function goFileImports(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const block = /^import[ \t]*\(([\s\S]*?)^\)/m.exec(text)?.[1] ?? '';
  const single = [...text.matchAll(/^import[ \t]+((?:\w+[ \t]+)?"[^"\n]+")/gm)].map((m) => m[1]).join('\n');
  for (const m of `${block}\n${single}`.matchAll(/^[ \t]*(?:(\w+)[ \t]+)?"([^"\n]+)"/gm)) {
    const last = m[2].split('/').filter((p) => !/^v\d+$/.test(p)).pop() ?? m[2];
    out.set(m[1] ?? last.replace(/[.-].*$/, ''), m[2]);
  }
  return out;
}

/** Between a type's field and the functional option that sets it (`Server{}.cookieSecure<-WithInsecureCookies()`). */
export const GO_OPTION_MARK = '<-';
/** Between a type's field and the constructor that stores a parameter in it (`Server{}.cfg<=NewServer`, value: the parameter's position). */
export const GO_PARAM_MARK = '<=';
/** Suffix of the entry listing the keys a constructor's or package var's struct literal writes (`Load().#keys`, `Defaults.#keys`), comma-separated. */
export const GO_KEYS_SUFFIX = '.#keys';
/** Prefix of the name marking a type's field that constructors of the package set to different literals. */
export const GO_CONFLICT_MARK = '!';

/** `Server{}.cookieSecure`: what the type's constructors give a field; two constructors that disagree leave a conflict mark. */
function addGoTypeField(table: SymbolTable, module: string, name: string, lit: Literal, file: string, line: number): void {
  const earlier = table.lookup(module, name);
  if (earlier && earlier.value !== lit.value) table.add(module, `${GO_CONFLICT_MARK}${name}`, { value: true, file, line });
  else addLiteral(table, module, name, lit, file, line);
}

/** `Var.Field = …` (or `+=`, `++`) as a statement one indent or more into a function. */
const GO_FIELD_SET = /^[ \t]+(\w+)\.(\w+)[ \t]*(?:=[^=]|[-+*/|&]=|\+\+|--)/gm;
/** Prefix of the table names marking a field assigned by a statement of the package (`=Defaults.Secret`). */
export const GO_FIELD_SET_MARK = '=';

/**
 * A Go constant computed from literals and one time unit (`30 * 24 * time.Hour`, `60 * 60 * 24 * 7`):
 * seconds, marked as a duration when a unit is in it. Anything else (another constant) is left out.
 */
function goProduct(raw: string): Literal | undefined {
  const s = raw.replace(/\s+\/\/.*$/, '').replace(/\s+/g, '');
  if (!/^[\w.]+(\*[\w.]+)+$/.test(s)) return undefined;
  let v = 1;
  let duration = false;
  for (const f of s.split('*')) {
    const unit = /^time\.(Hour|Minute|Second)$/.exec(f);
    if (unit && !duration) {
      duration = true;
      v *= { Hour: 3600, Minute: 60, Second: 1 }[unit[1] as 'Hour'];
    } else if (/^\d+$/.test(f)) v *= Number(f);
    else return undefined;
  }
  return duration ? { value: v, duration: true } : { value: v };
}

/** Records the go.mod above `dir` (once per directory and table): its module path and root. */
function noteGoModule(table: SymbolTable, dir: string): void {
  let seen = goModSeen.get(table);
  if (!seen) {
    seen = new Set();
    goModSeen.set(table, seen);
  }
  for (let d = dir; !seen.has(d); d = path.dirname(d)) {
    seen.add(d);
    const modFile = path.join(d, 'go.mod');
    let text: string | undefined;
    try {
      text = fs.readFileSync(modFile, 'utf8');
    } catch {
      text = undefined;
    }
    const mod = text ? /^module[ \t]+"?([^\s"]+)"?/m.exec(text)?.[1] : undefined;
    if (mod) {
      table.add(GO_MODULES, mod, { value: d, file: modFile, line: 1 });
      return;
    }
    if (path.dirname(d) === d) return;
  }
}

const goModSeen = new WeakMap<SymbolTable, Set<string>>();

/**
 * `appsettings:/abs/project`: the table module of a project's appsettings.json, keys as .NET names
 * them (`jwt:key`, lower case); `appsettings.production:/abs/project` for appsettings.Production.json.
 */
export function appSettingsModule(dir: string, environment?: string): string {
  return environment ? `appsettings.${environment.toLowerCase()}:${dir}` : `appsettings:${dir}`;
}

/** Environments whose appsettings.{Environment}.json a configuration read looks in, in this order, when appsettings.json has no literal. */
export const APPSETTINGS_ENVIRONMENTS = ['Production', 'Staging', 'Development'] as const;

/**
 * C# configuration: the string, boolean and number values of `appsettings.json` (the file every environment loads) by
 * their configuration key, so that `Configuration["Jwt:Key"]` in code finds the literal behind it.
 * Keys are case-insensitive in .NET: stored lower case.
 */
export function indexAppSettings(table: SymbolTable, file: string, text: string): void {
  const m = /^appsettings(?:\.([\w-]+))?\.json$/i.exec(path.basename(file));
  if (!m) return;
  // appsettings.{Environment}.json overrides appsettings.json in that environment only (indexed apart).
  const module = appSettingsModule(path.dirname(file), m[1]);
  const lineOf = lineCounter(text);
  // Booleans and numbers too: cookie settings (`"HttpOnly": false`, `"ExpireMinutes": 43200`) bound to options classes.
  for (const v of jsonValues(text)) {
    if (v.value !== '') table.add(module, v.path.join(':').toLowerCase(), { value: v.value, file, line: lineOf(v.start) });
  }
}
