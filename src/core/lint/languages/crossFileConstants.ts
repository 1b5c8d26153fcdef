import * as path from 'node:path';
import type { Node } from '@vscode/tree-sitter-wasm';
import type { AnalysisContext } from '../analysis';
import type { WorkspaceSymbol } from '../symbols/symbolTable';
import { APPSETTINGS_ENVIRONMENTS, CSHARP_OPTIONS, goForeignSetModule, goImportPathOf, goModuleOf, CSHARP_REGISTERED, GO_FIELD_SET_MARK, CSHARP_SECTION_ARG, CSHARP_SECTION_CONSTANT, csharpNameofAsString, appSettingsModule, csharpClassModule, goImportDir, goPackageModule, javaClassModule } from '../symbols/typeIndexers';
import { JAVA_CONFIG_PROPERTIES } from '../symbols/javaIndexer';
import type { ResolvedValue } from './resolvedValue';

/*
 * Constants of other workspace files for Java, C# and Go, found by each language's own name rules
 * in the table the last scan built (see symbols/typeIndexers.ts). A symbol written in the file being
 * linted is never taken from the table: the table may be older than the text being typed.
 */

type External = Extract<ResolvedValue, { k: 'external' }>;

/** Whether a table module holds no name (an options or registration list nothing in the workspace wrote). */
function isEmpty(names: Iterable<unknown>): boolean {
  for (const _ of names) return false;
  return true;
}

function fromTable(ctx: AnalysisContext, module: string, name: string, at: Node): External | undefined {
  const ws = ctx.workspace;
  const symbol: WorkspaceSymbol | undefined = ws?.table.lookup(module, name);
  if (!symbol || symbol.file === ws!.filePath) return undefined;
  return { k: 'external', symbol, node: at };
}

// ---------------------------------------------------------------- Java

interface JavaImports {
  readonly pkg: string;
  /** Simple name → qualified class (`import com.acme.config.SecurityConstants;`). */
  readonly classes: Map<string, string>;
  /** Packages imported whole (`import com.acme.config.*;`). */
  readonly packages: string[];
  /** Static member → class (`import static com.acme.config.SecurityConstants.JWT_SECRET;`). */
  readonly members: Map<string, string>;
  /** Classes whose static members are all imported (`import static ….SecurityConstants.*;`). */
  readonly staticClasses: string[];
  /** Where the package and import declarations are: an edit there changes what names resolve to. */
  readonly header: readonly [number, number];
}

function javaImports(ctx: AnalysisContext, root: Node): JavaImports {
  const imports = ctx.memo('xfile.java.imports', () => {
    const out: JavaImports = { pkg: '', classes: new Map(), packages: [], members: new Map(), staticClasses: [], header: [0, 0] };
    let pkg = '';
    let end = 0;
    for (const d of root.namedChildren) {
      if (!d) continue;
      if (d.type === 'package_declaration' || d.type === 'import_declaration') end = d.endIndex;
      const t = ctx.src(d).replace(/\s+/g, ' ').trim();
      if (d.type === 'package_declaration') pkg = /^package ([\w.]+)/.exec(t)?.[1] ?? '';
      if (d.type !== 'import_declaration') continue;
      const m = /^import (static )?([\w.]+?)(\.\*)? ?;/.exec(t.replace(/ ?\. ?/g, '.'));
      if (!m) continue;
      const [, isStatic, name, star] = m;
      if (isStatic && star) out.staticClasses.push(name);
      else if (isStatic) out.members.set(name.slice(name.lastIndexOf('.') + 1), name.slice(0, name.lastIndexOf('.')));
      else if (star) out.packages.push(name);
      else out.classes.set(name.slice(name.lastIndexOf('.') + 1), name);
    }
    // Up to the first type declaration: an import typed below the last one still counts.
    const firstType = root.namedChildren.find((d) => d && /declaration$/.test(d.type) && d.type !== 'package_declaration' && d.type !== 'import_declaration');
    return { ...out, pkg, header: [0, Math.max(end, firstType?.startIndex ?? end)] as const };
  });
  ctx.touch(imports.header[0], imports.header[1]);
  return imports;
}

/** The qualified classes a class name written in the file may be, in Java's order: imported, same package, imported packages. */
function javaClassCandidates(imports: JavaImports, written: string): string[] {
  const parts = written.split('.');
  // `com.acme.config.SecurityConstants`: already qualified.
  if (/^[a-z]/.test(parts[0]) && parts.length > 1) return [written];
  // `Outer.Inner`: the nested class is indexed under its simple name, in Outer's package.
  const simple = parts[parts.length - 1];
  const outer = parts[0];
  const imported = imports.classes.get(outer);
  if (imported) return [`${imported.slice(0, imported.lastIndexOf('.') + 1)}${simple}`.replace(/^\./, '')];
  return [imports.pkg ? `${imports.pkg}.${simple}` : simple, ...imports.packages.map((p) => `${p}.${simple}`)];
}

/** `SecurityConstants.JWT_SECRET`, `com.acme.config.SecurityConstants.JWT_SECRET`: a static final of a class in another file. */
export function javaClassConstant(ctx: AnalysisContext, at: Node, cls: string, name: string): External | undefined {
  if (!ctx.workspace) return undefined;
  const imports = javaImports(ctx, at.tree.rootNode);
  for (const c of javaClassCandidates(imports, cls)) {
    const v = fromTable(ctx, javaClassModule(c), name, at);
    if (v) return v;
  }
  return undefined;
}

/** The prefix of the workspace's `@ConfigurationProperties` class that `cls`, as written in the file, names (`jwt`). */
export function javaConfigPropertiesPrefix(ctx: AnalysisContext, at: Node, cls: string): string | undefined {
  if (!ctx.workspace) return undefined;
  for (const c of javaClassCandidates(javaImports(ctx, at.tree.rootNode), cls)) {
    const prefix = ctx.workspace.table.lookup(JAVA_CONFIG_PROPERTIES, c)?.value;
    if (typeof prefix === 'string') return prefix;
  }
  return undefined;
}

/**
 * A bare name the file does not declare: a static import (`import static ….SecurityConstants.JWT_SECRET`
 * or `.*`), or a constant inherited from an interface or superclass in another file (`class
 * JwtFilter implements SecurityConstants`).
 */
export function javaInheritedOrImported(ctx: AnalysisContext, at: Node, name: string, supertypes: readonly string[]): External | undefined {
  if (!ctx.workspace) return undefined;
  const imports = javaImports(ctx, at.tree.rootNode);
  const owner = imports.members.get(name);
  const classes = [...(owner ? [owner] : []), ...imports.staticClasses];
  for (const c of classes) {
    const v = fromTable(ctx, javaClassModule(c), name, at);
    if (v) return v;
  }
  for (const s of supertypes) {
    const v = javaClassConstant(ctx, at, s, name);
    if (v) return v;
  }
  return undefined;
}

// ---------------------------------------------------------------- C#

interface CSharpUsings {
  /** The file's namespace, then its parents (C# looks outward). */
  readonly namespaces: string[];
  readonly usings: string[];
  /** `using static Shop.Security.JwtDefaults;` */
  readonly staticClasses: string[];
  /** `using Defaults = Shop.Security.JwtDefaults;` */
  readonly aliases: Map<string, string>;
  /** From the start to the last using directive: an edit there changes what names resolve to. */
  readonly header: readonly [number, number];
}

function csharpUsings(ctx: AnalysisContext, root: Node): CSharpUsings {
  const u = ctx.memo('xfile.cs.usings', () => {
    let end = 0;
    const usings: string[] = [];
    const staticClasses: string[] = [];
    const aliases = new Map<string, string>();
    let ns = '';
    for (const d of root.descendantsOfType(['using_directive', 'namespace_declaration', 'file_scoped_namespace_declaration'])) {
      if (!d) continue;
      if (d.type !== 'using_directive') {
        ns ||= ctx.src(d.childForFieldName('name') ?? d).replace(/\s+/g, '');
        continue;
      }
      end = Math.max(end, d.endIndex);
      const t = ctx.src(d).replace(/\s+/g, ' ').replace(/^global /, '').trim();
      let m = /^using static ([\w.]+) ?;/.exec(t);
      if (m) {
        staticClasses.push(m[1]);
        continue;
      }
      m = /^using (\w+) ?= ?([\w.]+) ?;/.exec(t);
      if (m) {
        aliases.set(m[1], m[2]);
        continue;
      }
      m = /^using ([\w.]+) ?;/.exec(t);
      if (m) usings.push(m[1]);
    }
    const namespaces: string[] = [];
    for (let n = ns; n; n = n.includes('.') ? n.slice(0, n.lastIndexOf('.')) : '') namespaces.push(n);
    return { namespaces, usings, staticClasses, aliases, header: [0, end] as const };
  });
  ctx.touch(u.header[0], u.header[1]);
  return u;
}

/** `JwtDefaults.SigningKey`, `Shop.Security.JwtDefaults.SigningKey`: a const or static readonly of a class in another file. */
export function csharpClassConstant(ctx: AnalysisContext, at: Node, cls: string, name: string): External | undefined {
  if (!ctx.workspace) return undefined;
  const u = csharpUsings(ctx, at.tree.rootNode);
  const alias = u.aliases.get(cls);
  const candidates = alias ? [alias] : [...u.namespaces.map((n) => `${n}.${cls}`), ...u.usings.map((n) => `${n}.${cls}`), cls];
  for (const c of candidates) {
    const v = fromTable(ctx, csharpClassModule(c), name, at);
    if (v) return v;
  }
  return undefined;
}

/** A bare name: a member of a `using static` class, or of this (partial) class written in another file. */
export function csharpStaticOrPartial(ctx: AnalysisContext, at: Node, name: string, enclosingClass: string | undefined): External | undefined {
  if (!ctx.workspace) return undefined;
  const u = csharpUsings(ctx, at.tree.rootNode);
  for (const c of u.staticClasses) {
    const v = fromTable(ctx, csharpClassModule(c), name, at);
    if (v) return v;
  }
  return enclosingClass ? csharpClassConstant(ctx, at, enclosingClass, name) : undefined;
}

/**
 * `Configuration["Jwt:Key"]`, `config.GetValue<string>("Jwt:Key")`, `GetSection("Jwt")["Key"]`,
 * `GetSection("Jwt:Key").Value`, `GetSection("Jwt").GetValue<string>("Key")`: the literal of the
 * appsettings.json of the project (the nearest one above the file) behind a configuration read.
 */
export function csharpConfigValue(ctx: AnalysisContext, read: string, at: Node): { value: External; key: string; environment?: string } | undefined {
  if (!ctx.workspace) return undefined;
  const t = read.replace(/\s+/g, '');
  const section = /GetSection\("([^"]+)"\)/.exec(t)?.[1];
  const key = /(?:\[|GetValue<\w+\??>\(|GetValue\()"([^"]+)"[\])]/.exec(t)?.[1];
  const name = section && key ? `${section}:${key}` : key ?? (section && /\.Value$/.test(t) ? section : undefined);
  if (!name) return undefined;
  // appsettings.json first (every environment loads it), then an environment's own file.
  for (const environment of [undefined, ...APPSETTINGS_ENVIRONMENTS]) {
    let dir = path.dirname(ctx.workspace.filePath);
    for (let up = 0; up < 8; up++) {
      const v = fromTable(ctx, appSettingsModule(dir, environment), name.toLowerCase(), at);
      if (v) return { value: v, key: name, ...(environment ? { environment } : {}) };
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}

/**
 * `options.Value.Key`, `_jwt.CurrentValue.Key`, `_settings.Key` where the name is an
 * `IOptions<JwtSettings>` (or a `JwtSettings` field) and the workspace binds JwtSettings to a
 * configuration section (`Configure<JwtSettings>(….GetSection("Jwt"))`, `GetSection("Jwt").Get<JwtSettings>()`),
 * or a local of this file bound to one (`var s = ….GetSection("Jwt").Get<JwtSettings>()`,
 * `….GetSection("Jwt").Bind(s)`): the configuration key it reads (`Jwt:Key`), or undefined.
 */
export function csharpOptionsKey(ctx: AnalysisContext, holder: string, viaValue: boolean, property: string, at?: Node): string | undefined {
  if (!ctx.workspace || !/^\w+$/.test(holder)) return undefined;
  // Bound in this file: `var s = config.GetSection("Jwt").Get<JwtSettings>()`, `config.GetSection("Jwt").Bind(s)`.
  // Each way of binding names GetSection( or Bind(: a file with neither binds nothing (most files; the RegExp is built per name).
  if (!viaValue && ctx.memo('xfile.cs.binds', () => /GetSection\(|Bind\(/.test(ctx.memo('xfile.cs.nameof', () => csharpNameofAsString(ctx.text))))) {
    const text = ctx.memo('xfile.cs.nameof', () => csharpNameofAsString(ctx.text));
    const bound = new RegExp(String.raw`\b${holder}\s*=\s*[\w.]*GetSection\(\s*${CSHARP_SECTION_ARG}\s*\)\s*\.\s*Get<\w+>\(\s*\)|GetSection\(\s*${CSHARP_SECTION_ARG}\s*\)\s*\.\s*Bind\(\s*${holder}\s*\)|\.\s*Bind\(\s*${CSHARP_SECTION_ARG}\s*,\s*${holder}\s*\)`).exec(text);
    if (bound) {
      // An edit of the binding line changes what the name reads.
      ctx.touch(bound.index, bound.index + bound[0].length);
      const section = bound[1] ?? bound[3] ?? bound[5] ?? sectionConstant(ctx, bound[2] ?? bound[4] ?? bound[6], at);
      return section === undefined ? undefined : `${section}:${property}`;
    }
  }
  // The declarations of the name (a parameter, a field): the first whose type is bound (none when the workspace binds no options class).
  if (isEmpty(ctx.workspace.table.namesOf(CSHARP_OPTIONS))) return undefined;
  for (const m of ctx.text.matchAll(new RegExp(`\\b(?:IOptions(?:Snapshot|Monitor)?<(\\w+)>|(\\w+))\\??\\s+${holder}\\b`, 'g'))) {
    const type = viaValue ? m[1] : m[2];
    const section = type ? ctx.workspace.table.lookup(CSHARP_OPTIONS, type) : undefined;
    if (typeof section?.value !== 'string') continue;
    const name = section.value.startsWith(CSHARP_SECTION_CONSTANT) ? sectionConstant(ctx, section.value.slice(CSHARP_SECTION_CONSTANT.length), at) : section.value;
    if (name !== undefined) return `${name}:${property}`;
  }
  return undefined;
}

/**
 * `_settings.Key` where `_settings` is declared in the file as a type the workspace registers whole
 * (`AddSingleton(sp => new PartnerTokenSettings { Key = "…" })`): that literal, as the last scan indexed it.
 */
export function csharpRegisteredValue(ctx: AnalysisContext, holder: string, property: string, at: Node): External | undefined {
  if (!ctx.workspace || !/^\w+$/.test(holder) || isEmpty(ctx.workspace.table.namesOf(CSHARP_REGISTERED))) return undefined;
  for (const m of ctx.text.matchAll(new RegExp(`\\b(\\w+)\\??\\s+${holder}\\b`, 'g'))) {
    const v = fromTable(ctx, CSHARP_REGISTERED, `${m[1]}.${property}`, at);
    if (v) {
      ctx.touch(m.index, m.index + m[0].length);
      return v;
    }
  }
  return undefined;
}

/** `JwtSettings.SectionName` in `GetSection(…)`: the string constant, found from the file reading the options (it names the class too). */
function sectionConstant(ctx: AnalysisContext, written: string | undefined, at: Node | undefined): string | undefined {
  const dot = written?.lastIndexOf('.') ?? -1;
  if (!written || dot < 0 || !at) return undefined;
  const v = csharpClassConstant(ctx, at, written.slice(0, dot), written.slice(dot + 1));
  return typeof v?.symbol.value === 'string' ? v.symbol.value : undefined;
}

// ---------------------------------------------------------------- Go

/** Import name → import path of the file (`config "github.com/acme/shop/internal/config"`, or the path's last element). */
function goImports(ctx: AnalysisContext, root: Node): Map<string, string> {
  const imports = ctx.memo('xfile.go.imports', () => {
    const out = new Map<string, string>();
    let end = 0;
    for (const d of root.namedChildren) if (d?.type === 'import_declaration' || d?.type === 'package_clause') end = d.endIndex;
    for (const spec of root.descendantsOfType('import_spec')) {
      const p = spec?.childForFieldName('path');
      if (!spec || !p) continue;
      const importPath = ctx.src(p).slice(1, -1);
      const alias = spec.childForFieldName('name');
      // A major-version suffix (`/v2`) is not the package name.
      const last = importPath.split('/').filter((s) => !/^v\d+$/.test(s)).pop() ?? importPath;
      out.set(alias ? ctx.src(alias) : last.replace(/[.-].*$/, ''), importPath);
    }
    return { out, header: [0, end] as const };
  });
  // An edit of the imports changes what a package name resolves to.
  ctx.touch(imports.header[0], imports.header[1]);
  return imports.out;
}

/** A package-level name of another file of the same package (`jwtSecret`, or `signingKey()` for a function returning a literal). */
export function goSamePackage(ctx: AnalysisContext, at: Node, name: string): External | undefined {
  if (!ctx.workspace) return undefined;
  return fromTable(ctx, goPackageModule(path.dirname(ctx.workspace.filePath)), name, at);
}

/** `config.JWTSecret` (or `config.JWTSecret()`): an exported name of a package of the module, by its import path and go.mod. */
export function goImportedConstant(ctx: AnalysisContext, at: Node, pkg: string, name: string): External | undefined {
  if (!ctx.workspace) return undefined;
  const importPath = goImports(ctx, at.tree.rootNode).get(pkg);
  const dir = importPath ? goImportDir(ctx.workspace.table, importPath) : undefined;
  return dir ? fromTable(ctx, goPackageModule(dir), name, at) : undefined;
}

/**
 * True when a statement of the package (`Defaults.Secret = os.Getenv(…)` in an init() of another
 * file, or of this file) sets the field `Var.Field` of a package-level struct var: its literal is
 * then only a start value. `pkg` is the import name for a var of another package.
 */
export function goFieldReassigned(ctx: AnalysisContext, at: Node, pkg: string | undefined, varField: string): boolean {
  if (!ctx.workspace) return false;
  let dir: string | undefined = path.dirname(ctx.workspace.filePath);
  if (pkg !== undefined) {
    const importPath = goImports(ctx, at.tree.rootNode).get(pkg);
    dir = importPath ? goImportDir(ctx.workspace.table, importPath) : undefined;
  }
  if (!dir) return false;
  const mark = ctx.workspace.table.lookup(goPackageModule(dir), `${GO_FIELD_SET_MARK}${varField}`);
  // This file's own statements are read from its text (the table may be older than what is typed).
  const written = pkg === undefined ? new RegExp(`^[ \\t]+${varField.replace('.', '\\.')}[ \\t]*(?:=[^=]|[-+*/|&]=|\\+\\+|--)`, 'm').test(ctx.text) : false;
  return written || (!!mark && mark.file !== ctx.workspace.filePath);
}

/** The import path of the package in `dir`, by the go.mod above it. */
export function goOwnImportPath(ctx: AnalysisContext, dir: string): string | undefined {
  const module = ctx.workspace ? goModuleOf(ctx.workspace.table, dir) : undefined;
  return module ? goImportPathOf(module, dir) : undefined;
}

/** Import name → import path of the file being linted (an edit of the imports re-lints what read them). */
export function goFileImportsOf(ctx: AnalysisContext, at: Node): Map<string, string> {
  return goImports(ctx, at.tree.rootNode);
}

/**
 * `config.Session.Secure` (or `Session.Secure` in package config) that a statement of another
 * package sets (`config.Session.Secure = false` in cmd/api's init() or main): that literal, which
 * is what the field holds once the program has started; 'unknown' when the statement sets it from
 * an expression; undefined when no other package sets it.
 */
export function goForeignSet(ctx: AnalysisContext, at: Node, pkg: string | undefined, varField: string): External | 'unknown' | undefined {
  if (!ctx.workspace) return undefined;
  const importPath = pkg !== undefined ? goImports(ctx, at.tree.rootNode).get(pkg) : goOwnImportPath(ctx, path.dirname(ctx.workspace.filePath));
  if (!importPath) return undefined;
  const module = goForeignSetModule(importPath);
  if (fromTable(ctx, module, `${GO_FIELD_SET_MARK}${varField}`, at)) return 'unknown';
  return fromTable(ctx, module, varField, at);
}
