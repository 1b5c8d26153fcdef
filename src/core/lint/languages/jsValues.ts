import * as TreeSitter from '@vscode/tree-sitter-wasm';
import type { Node, Tree } from '@vscode/tree-sitter-wasm';
import { AnalysisContext, ancestorsOf } from '../analysis';
import { JS_IMPORT_SUFFIX, JS_SOURCE_SUFFIX } from '../symbols/indexText';
import { nodeConfigModule } from '../symbols/nodeConfigIndex';
import { type WorkspaceSymbol, describeSymbol } from '../symbols/symbolTable';

/** A JavaScript/TypeScript expression, evaluated as far as the lint needs. */
export type JsValue =
  | {
    readonly k: 'str'; readonly v: string; readonly node: Node; /** Has `${…}` parts (replaced by same-length filler). */ readonly partial?: boolean;
    /** Set when the value is a constant of another workspace file. */ readonly external?: ExternalConstant;
  }
  | { readonly k: 'num'; readonly v: number; readonly node: Node }
  | { readonly k: 'bool'; readonly v: boolean; readonly node: Node; /** Set when branches disagree: where the value returned is taken. */ readonly branch?: string }
  | { readonly k: 'nullish'; readonly node: Node }
  | { readonly k: 'obj'; readonly node: Node; readonly props: ReadonlyMap<string, JsProp>; readonly items: readonly Node[]; readonly complete: boolean }
  | { readonly k: 'arr'; readonly node: Node; readonly elements: readonly Node[] }
  | { readonly k: 'env'; readonly node: Node; readonly text: string }
  | { readonly k: 'unknown'; readonly node: Node };

/** One property of an object literal: its key, value and the whole pair. */
export interface JsProp {
  readonly key: Node;
  readonly value: Node;
  readonly pair: Node;
  /**
   * The value, evaluated where the property was built: set for objects built inside a call whose
   * parameters are bound to its arguments (`cookieOptions(false)`), where the value node alone no
   * longer says what it is once the call is left. Read it through propValue.
   */
  readonly resolved?: JsValue;
  /** Set when the property is written in another workspace file: how it reaches this one (`cookieOptions() from ./cookies.ts:3`). */
  readonly via?: string;
}

/** The value of an object's property: as evaluated where it was built (see JsProp.resolved), else its node's. */
export function propValue(ctx: AnalysisContext, p: JsProp): JsValue {
  return p.resolved ?? evaluate(ctx, p.value);
}

const WRAPPERS = new Set(['parenthesized_expression', 'as_expression', 'satisfies_expression', 'non_null_expression', 'type_assertion', 'await_expression']);
const ENV_TEXT = /\bprocess\.env\b|\bimport\.meta\.env\b|\bNODE_ENV\b|\bisProd(uction)?\b|\bisDev(elopment)?\b/;

/** Strips parentheses, `as`, `satisfies`, `!` and `await`. */
export function unwrap(node: Node): Node {
  let n = node;
  while (WRAPPERS.has(n.type)) {
    const inner = n.firstNamedChild;
    if (!inner) break;
    n = inner;
  }
  return n;
}

/**
 * The raw contents of a string or template literal, `${…}` parts replaced by filler of the same
 * length. `type` is the node's type when the caller has read it already (each read is a call into the parser).
 */
export function stringContent(ctx: AnalysisContext, node: Node, type = node.type): { v: string; partial: boolean } | undefined {
  if (type === 'string') return { v: ctx.text.slice(node.startIndex + 1, node.endIndex - 1), partial: false };
  if (type === 'template_string') {
    let v = ctx.text.slice(node.startIndex + 1, node.endIndex - 1);
    let partial = false;
    for (const sub of node.namedChildren) {
      if (sub?.type !== 'template_substitution') continue;
      partial = true;
      const s = sub.startIndex - node.startIndex - 1;
      const len = sub.endIndex - sub.startIndex;
      v = v.slice(0, s) + 'x'.repeat(len) + v.slice(s + len);
    }
    return { v, partial };
  }
  return undefined;
}

/**
 * The per-pass table of one kind of per-node value (a scope's declarations, a call's arguments),
 * keyed by node id: the same memo as ctx.memo, without building a string key (and a closure) for
 * every lookup of a big file's many calls.
 */
export function nodeTable<T>(ctx: AnalysisContext, kind: string): Map<number, T> {
  let table = ctx.shared.get(kind) as Map<number, T> | undefined;
  if (!table) {
    table = new Map<number, T>();
    ctx.shared.set(kind, table);
  }
  return table;
}

/** Finds the initialiser of `name` in the scopes around `from` (same function, enclosing blocks, the module). */
export function lookupVariable(ctx: AnalysisContext, from: Node, name: string): Node | undefined {
  const scopes = ancestorsOf(from);
  const declarations = nodeTable<Map<string, Node>>(ctx, 'js.decls');
  for (let i = scopes.length - 1; i >= 0; i--) {
    const scope = scopes[i];
    const t = scope.type;
    if (t !== 'statement_block' && t !== 'program' && t !== 'class_body' && t !== 'switch_body') continue;
    if (t === 'program') ctx.lookups.add(name);
    // Declarations of a scope are read once per pass: a big file has many calls looking them up.
    let declared = declarations.get(scope.id);
    if (!declared) {
      declared = declarationsIn(ctx, scope);
      declarations.set(scope.id, declared);
    }
    const found = declared.get(name);
    if (found || t === 'program') return found;
  }
  return undefined;
}

/*
 * Whether a statement starting at `offset` can be a declaration (or an import), judged by its
 * text: every such statement starts with its keyword (or a decorator). Reading the text spares a
 * round trip into the parser for each of the many other statements of a big file.
 */
function mayDeclare(text: string, offset: number): boolean {
  if (text.startsWith('const', offset) || text.startsWith('let', offset) || text.startsWith('var', offset)) return true;
  if (text.charAt(offset) === '@') return true;
  if (!text.startsWith('export', offset)) return false;
  // `export const|let|var`, perhaps with a comment between (`export function`, `export default` are not).
  let i = offset + 6;
  while (i < text.length && /\s/.test(text.charAt(i))) i++;
  return i >= text.length || 'clv/'.includes(text.charAt(i));
}

function mayImport(text: string, offset: number): boolean {
  return text.startsWith('import', offset) || text.startsWith('const', offset) || text.startsWith('let', offset) || text.startsWith('var', offset);
}

/** The named children of a scope, read once per pass (declarations and imports both walk the module). */
function statementsOf(ctx: AnalysisContext, scope: Node): (Node | null)[] {
  const statements = nodeTable<(Node | null)[]>(ctx, 'js.statements');
  let list = statements.get(scope.id);
  if (!list) {
    list = scope.namedChildren;
    statements.set(scope.id, list);
  }
  return list;
}

function declarationsIn(ctx: AnalysisContext, scope: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const s of statementsOf(ctx, scope)) {
    if (!s || !mayDeclare(ctx.text, s.startIndex)) continue;
    const sType = s.type;
    const decl = sType === 'export_statement' ? s.childForFieldName('declaration') : s;
    const declType = decl === s ? sType : decl?.type;
    if (!decl || (declType !== 'lexical_declaration' && declType !== 'variable_declaration')) continue;
    for (const d of decl.namedChildren) {
      if (d?.type !== 'variable_declarator') continue;
      const id = d.childForFieldName('name');
      if (!id || id.type !== 'identifier') continue;
      const value = d.childForFieldName('value');
      const name = value ? ctx.src(id) : '';
      if (value && !out.has(name)) out.set(name, value);
    }
  }
  return out;
}

/**
 * The expression a call of a function of this file returns, when the function returns one thing:
 * `function getSecret() { return 'dev'; }`, `const getSecret = () => 'dev'`, `const f = function () { … }`.
 * Undefined for calls of anything else, or functions with several returns (see returnSites).
 */
export function returnedExpression(ctx: AnalysisContext, call: Node): Node | undefined {
  const sites = returnSites(ctx, call);
  return sites?.length === 1 ? sites[0].expr : undefined;
}

/** One `return <expr>` of a function, where it is and the path that leads to it. */
export interface ReturnSite {
  readonly expr: Node;
  /** 1-based line of the return. */
  readonly line: number;
  /** The `if` the return sits in, or the early returns passed before it, in words (`if (env === 'test')`). */
  readonly guard?: string;
  /** Whether that path is chosen by the environment (NODE_ENV, process.env…). */
  readonly env: boolean;
  /** The conditions on the path to the return, each with the value it must have there. */
  readonly conds?: readonly { readonly node: Node; readonly holds: boolean }[];
}

const FUNCTION_TYPES = /^(arrow_function|function_expression|function|function_declaration|method_definition|generator_function_declaration)$/;

/** A function a call runs: its node, the context that reads it, and for one of another file how it reaches this one. */
interface CalledFunction {
  readonly fn: Node;
  readonly name: string;
  readonly ctx: AnalysisContext;
  /** `cookieOptions() from ./cookies.ts:3`, for a function of another file. */
  readonly via?: string;
  /** Lines before the function in its file (another file's definition is parsed alone). */
  readonly lineOffset: number;
}

/**
 * The function a call runs, when this file defines it: a function or const of the scopes around
 * it, or `this.name()` of the class; with `foreign`, also a function imported from another
 * workspace file, as the last scan indexed its source (see indexJsDefinitions).
 */
function calledFunction(ctx: AnalysisContext, call: Node, foreign = false): CalledFunction | undefined {
  const callee = call.childForFieldName('function');
  if (!callee) return undefined;
  if (callee.type === 'identifier') {
    const name = ctx.src(callee);
    const fn = lookupVariable(ctx, callee, name) ?? functionDeclaration(ctx, callee, name);
    if (fn && FUNCTION_TYPES.test(fn.type)) return { fn, name, ctx, lineOffset: lineOffsetOf(ctx) };
    if (fn || !foreign) return undefined;
    const def = foreignDefinition(ctx, callee, name);
    return def && FUNCTION_TYPES.test(def.node.type) ? { fn: def.node, name, ctx: def.ctx, via: def.describe(`${name}()`), lineOffset: def.symbol.line - 1 } : undefined;
  }
  if (callee.type !== 'member_expression' || unwrap(callee.childForFieldName('object') ?? callee).type !== 'this') return undefined;
  const name = ctx.src(callee.childForFieldName('property') ?? callee);
  const body = ancestorsOf(call).reverse().find((a) => a.type === 'class_body');
  for (const member of body?.namedChildren ?? []) {
    if (member?.type === 'method_definition' && ctx.src(member.childForFieldName('name') ?? member) === name) return { fn: member, name: `this.${name}`, ctx, lineOffset: lineOffsetOf(ctx) };
  }
  return undefined;
}

/**
 * Every `return <expr>` of the function a call runs (returns of functions nested inside do not
 * count; an arrow with an expression body returns that), with the path to each; undefined when the
 * function is not of this file or returns nothing.
 */
export function returnSites(ctx: AnalysisContext, call: Node): ReturnSite[] | undefined {
  const called = calledFunction(ctx, call);
  return called ? sitesOf(called) : undefined;
}

function sitesOf(called: CalledFunction): ReturnSite[] | undefined {
  const { fn, ctx, lineOffset } = called;
  const body = fn.childForFieldName('body');
  if (!body) return undefined;
  ctx.touch(fn.startIndex, fn.endIndex);
  if (body.type !== 'statement_block') return [{ expr: body, line: body.startPosition.row + 1 + lineOffset, env: false }];
  const out: ReturnSite[] = [];
  for (const r of body.descendantsOfType('return_statement')) {
    if (!r) continue;
    const path = ancestorsOf(r).filter((a) => a.startIndex >= body.startIndex && a.endIndex <= body.endIndex);
    if (path.some((a) => a.id !== fn.id && FUNCTION_TYPES.test(a.type))) continue;
    const expr = r.firstNamedChild;
    if (!expr || expr.type.includes('comment')) continue;
    // The ifs around the return, and the early returns of the blocks around it passed on the way.
    const conds: string[] = [];
    const condNodes: { node: Node; holds: boolean }[] = [];
    let env = false;
    for (const a of path) {
      if (a.type !== 'if_statement') continue;
      const cond = a.childForFieldName('condition');
      if (!cond) continue;
      const text = ctx.src(cond).replace(/\s+/g, ' ');
      const inElse = path.some((x) => x.type === 'else_clause' && x.parent?.id === a.id);
      conds.push(inElse ? `unless ${text}` : `if ${text}`);
      condNodes.push({ node: cond, holds: !inElse });
      env ||= ENV_TEXT.test(text);
    }
    for (const block of path.filter((a) => a.type === 'statement_block')) {
      for (const st of block.namedChildren) {
        if (!st || st.startIndex >= r.startIndex) break;
        if (st.type !== 'if_statement' || st.endIndex > r.startIndex || !/\breturn\b/.test(ctx.src(st))) continue;
        const cond = st.childForFieldName('condition');
        if (!cond) continue;
        const text = ctx.src(cond).replace(/\s+/g, ' ');
        conds.push(`unless ${text}`);
        // Passed only when the early return was not taken: reliable when the if has no else.
        if (!st.childForFieldName('alternative') && alwaysReturns(st.childForFieldName('consequence'))) condNodes.push({ node: cond, holds: false });
        env ||= ENV_TEXT.test(text);
      }
    }
    const guard = conds.join(', ');
    out.push({ expr, line: r.startPosition.row + 1 + lineOffset, ...(guard ? { guard: guard.length > 70 ? `${guard.slice(0, 67)}…` : guard } : {}), env, conds: condNodes });
  }
  return out.length ? out : undefined;
}

/** Whether a statement ends in a return on every path through it (a return, or a block whose last statement is one). */
function alwaysReturns(st: Node | null): boolean {
  if (!st) return false;
  if (st.type === 'return_statement') return true;
  if (st.type !== 'statement_block') return false;
  const last = st.namedChildren.filter((c) => !!c && !c.type.includes('comment')).pop();
  return last?.type === 'return_statement';
}

/** The name of the function a call runs, as the messages write it (`cookieOptions()`, `this.getSecret()`). */
export function calledName(ctx: AnalysisContext, call: Node): string {
  const callee = call.childForFieldName('function');
  return `${callee ? ctx.src(callee).replace(/\s+/g, '') : 'the function'}()`;
}

/** A `function name() {}` declared in a scope around `from` (or exported from the module). */
function functionDeclaration(ctx: AnalysisContext, from: Node, name: string): Node | undefined {
  for (const scope of ancestorsOf(from).reverse()) {
    if (scope.type !== 'statement_block' && scope.type !== 'program') continue;
    for (const st of statementsOf(ctx, scope)) {
      if (!st) continue;
      const decl = st.type === 'export_statement' ? st.childForFieldName('declaration') : st;
      if (decl?.type === 'function_declaration' && ctx.src(decl.childForFieldName('name') ?? decl) === name) return decl;
    }
    if (scope.type === 'program') return undefined;
  }
  return undefined;
}

/** The module an identifier was imported from (`import x from 'm'`, `const x = require('m')`), if any. */
export function importSourceOf(ctx: AnalysisContext, from: Node, name: string): string | undefined {
  ctx.lookups.add(name);
  if (foreignOrigin.has(ctx)) return recordedImport(ctx, name)?.source;
  const imports = ctx.memo('js.imports', () => {
    // The program is the root (and the only program node) of the tree.
    const root = from.tree.rootNode;
    return root.type === 'program' ? importsIn(ctx, root) : [];
  });
  for (const im of imports) if (im.binds(name)) return im.source;
  return undefined;
}

/** One import: whether it binds a local name, the module, and what a local name stands for there ('default', '*' or an export). */
interface ImportEntry {
  binds: (name: string) => boolean;
  source: string;
  imported?: (name: string) => string | undefined;
}

/** What each local name of an import clause or destructuring pattern stands for in the module. */
function bindingNames(clause: string, whole: '*' | 'default'): Map<string, string> {
  const out = new Map<string, string>();
  const braces = /\{([^}]*)\}/.exec(clause);
  const outside = clause.replace(/\{[^}]*\}/, '').trim();
  const ns = /\*\s*as\s+([\w$]+)/.exec(outside);
  if (ns) out.set(ns[1], '*');
  else {
    const def = /^([\w$]+)/.exec(outside);
    if (def && def[1] !== 'type') out.set(def[1], whole);
  }
  for (const part of braces ? braces[1].split(',') : []) {
    const m = /^\s*(?:type\s+)?([\w$]+)\s*(?:(?:as|:)\s*([\w$]+))?\s*(?:=.*)?$/.exec(part);
    if (m) out.set(m[2] ?? m[1], m[1]);
  }
  return out;
}

/** The module and exported name a local name was imported as (`import { A as b }` → A; a default or require() → 'default'/'*'). */
export function importBinding(ctx: AnalysisContext, from: Node, name: string): { source: string; imported: string } | undefined {
  ctx.lookups.add(name);
  // Another file's definition is parsed alone: its file's imports are those the scan recorded.
  if (foreignOrigin.has(ctx)) return recordedImport(ctx, name);
  const imports = ctx.memo('js.imports', () => {
    const root = from.tree.rootNode;
    return root.type === 'program' ? importsIn(ctx, root) : [];
  });
  for (const im of imports) {
    if (!im.binds(name)) continue;
    const imported = im.imported?.(name);
    return imported ? { source: im.source, imported } : undefined;
  }
  return undefined;
}

function importsIn(ctx: AnalysisContext, root: Node): ImportEntry[] {
  const out: ImportEntry[] = [];
  for (const s of statementsOf(ctx, root)) {
    if (!s || !mayImport(ctx.text, s.startIndex)) continue;
    const sText = ctx.src(s);
    // Only `import …` and declarations calling require( or import( bind a module (checked on the text first).
    if (!sText.startsWith('import') && !sText.includes('require(') && !sText.includes('import(')) continue;
    const sType = s.type;
    if (sType === 'import_statement') {
      const source = s.childForFieldName('source');
      const clause = s.namedChildren.find((c) => c?.type === 'import_clause');
      if (!source || !clause) continue;
      const clauseText = ctx.src(clause);
      const names = [...clauseText.matchAll(/[\w$]+/g)].map((m) => m[0]);
      let bindings: Map<string, string> | undefined;
      // A local binding is a name not followed by `as` (`{ sign as s }` binds s).
      out.push({
        binds: (name) => names.some((t, i) => t === name && names[i + 1] !== 'as'),
        source: ctx.src(source).slice(1, -1),
        imported: (name) => (bindings ??= bindingNames(clauseText, 'default')).get(name),
      });
      continue;
    }
    if (sType !== 'lexical_declaration' && sType !== 'variable_declaration') continue;
    for (const d of s.namedChildren) {
      if (d?.type !== 'variable_declarator') continue;
      const id = d.childForFieldName('name');
      const value = d.childForFieldName('value');
      if (!id || !value) continue;
      const idText = ctx.src(id);
      const m = /^(?:await\s+)?(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/.exec(ctx.src(value));
      if (!m) continue;
      const simple = id.type === 'identifier';
      out.push({
        binds: (name) => (simple ? idText === name : new RegExp(`(^|[\\s{,:])${name.replace(/\$/g, '\\$')}\\s*[,}]`).test(idText)),
        source: m[1],
        imported: (name) => (simple ? (idText === name ? '*' : undefined) : bindingNames(idText, '*').get(name)),
      });
    }
  }
  return out;
}

/** Evaluates an expression: literals, constants through variables, arithmetic, object spreads. */
export function evaluate(ctx: AnalysisContext, node: Node, depth = 0): JsValue {
  // A node of another file's definition, or of the caller while a call is evaluated, is read by its own tree's context.
  if (contextOfTree.size !== 0) ctx = contextOfTree.get(node.tree) ?? ctx;
  // unwrap(), keeping the type read on the way (each read is a call into the parser).
  let n = node;
  let type = n.type;
  while (WRAPPERS.has(type)) {
    const inner = n.firstNamedChild;
    if (!inner) break;
    n = inner;
    type = n.type;
  }
  // Deep enough for a lifetime of another file built over its constants (90 * DAY, DAY = 24 * HOUR) inside a call.
  if (depth > 10) return { k: 'unknown', node: n };
  switch (type) {
    case 'string':
    case 'template_string': {
      const s = stringContent(ctx, n, type)!;
      if (s.partial && ENV_TEXT.test(ctx.src(n))) return { k: 'env', node: n, text: ctx.src(n) };
      return { k: 'str', v: s.v, node: n, ...(s.partial ? { partial: true } : {}) };
    }
    case 'number': {
      const v = Number(ctx.src(n).replace(/_/g, ''));
      return Number.isFinite(v) ? { k: 'num', v, node: n } : { k: 'unknown', node: n };
    }
    case 'true': return { k: 'bool', v: true, node: n };
    case 'false': return { k: 'bool', v: false, node: n };
    case 'null':
    case 'undefined': return { k: 'nullish', node: n };
    case 'identifier':
    case 'shorthand_property_identifier': {
      const name = ctx.src(n);
      if (name === 'undefined') return { k: 'nullish', node: n };
      const init = lookupVariable(ctx, n, name);
      if (frames.length !== 0) {
        const bound = boundParameter(n, name, init);
        if (bound) return bound;
      }
      if (init) {
        const v = evaluate(ctx, init, depth + 1);
        const reassigned = reassignedValue(ctx, n, name, init, v, depth);
        if (reassigned) return reassigned;
        return v.k === 'unknown' ? { k: 'unknown', node: n } : v;
      }
      if (ENV_TEXT.test(name)) return { k: 'env', node: n, text: name };
      const ext = externalValue(ctx, n);
      if (ext.k !== 'unknown' || !ctx.workspace) return ext;
      // A const of another file kept whole (an options object spread or passed here), or of the same file as a definition being read.
      const def = foreignDefinition(ctx, n, name);
      if (def && !FUNCTION_TYPES.test(def.node.type)) return tagged(evaluate(def.ctx, def.node, depth + 1), def.describe(name));
      const own = foreignOrigin.get(ctx);
      const lit = own ? ctx.workspace.table.lookupJs(own.file, name) : undefined;
      return lit ? symbolValue(n, { symbol: lit }) : ext;
    }
    case 'unary_expression': {
      const text = ctx.src(n);
      if (ENV_TEXT.test(text)) return { k: 'env', node: n, text };
      const arg = n.childForFieldName('argument');
      if (text.startsWith('!') && arg) {
        const v = evaluate(ctx, arg, depth + 1);
        if (v.k === 'bool') return { k: 'bool', v: !v.v, node: n };
        if (v.k === 'num') return { k: 'bool', v: v.v === 0, node: n };
        if (v.k === 'nullish') return { k: 'bool', v: true, node: n };
      }
      if (text.startsWith('-') && arg) {
        const v = evaluate(ctx, arg, depth + 1);
        if (v.k === 'num') return { k: 'num', v: -v.v, node: n };
      }
      return { k: 'unknown', node: n };
    }
    case 'binary_expression': {
      const text = ctx.src(n);
      const op = n.childForFieldName('operator');
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      if (!op || !l || !r) return { k: 'unknown', node: n };
      const o = ctx.src(op);
      const lv = evaluate(ctx, l, depth + 1);
      const rv = evaluate(ctx, r, depth + 1);
      if (lv.k === 'num' && rv.k === 'num') {
        switch (o) {
          case '*': return { k: 'num', v: lv.v * rv.v, node: n };
          case '+': return { k: 'num', v: lv.v + rv.v, node: n };
          case '-': return { k: 'num', v: lv.v - rv.v, node: n };
          case '/': return rv.v === 0 ? { k: 'unknown', node: n } : { k: 'num', v: lv.v / rv.v, node: n };
          case '**': return { k: 'num', v: lv.v ** rv.v, node: n };
          default: break;
        }
      }
      if (o === '+' && lv.k === 'str' && rv.k === 'str') return { k: 'str', v: lv.v + rv.v, node: n, ...(lv.partial || rv.partial ? { partial: true } : {}) };
      if (lv.k === 'env' || rv.k === 'env' || ENV_TEXT.test(text)) return { k: 'env', node: n, text };
      if ((o === '||' || o === '??') && lv.k === 'bool') return lv.v || o === '??' ? lv : rv;
      if (o === '&&' && lv.k === 'bool') return lv.v ? rv : lv;
      const same = sameLiteral(lv, rv);
      if (same !== undefined && /^[!=]==?$/.test(o)) return { k: 'bool', v: o.startsWith('=') ? same : !same, node: n };
      return { k: 'unknown', node: n };
    }
    case 'ternary_expression': {
      const text = ctx.src(n);
      const cond = n.childForFieldName('condition');
      const a = n.childForFieldName('consequence');
      const b = n.childForFieldName('alternative');
      if (cond && ENV_TEXT.test(ctx.src(cond))) return { k: 'env', node: n, text };
      if (a && b) {
        const av = evaluate(ctx, a, depth + 1);
        const bv = evaluate(ctx, b, depth + 1);
        if (av.k === 'bool' && bv.k === 'bool' && av.v === bv.v) return { k: 'bool', v: av.v, node: n };
        // A switch on something other than the environment: the false branch is reachable, report it.
        if (av.k === 'bool' && bv.k === 'bool' && cond) {
          return { k: 'bool', v: false, node: n, branch: `false when ${clip(ctx.src(cond))} is ${av.v ? 'false' : 'true'}` };
        }
        if (av.k === 'env' || bv.k === 'env') return { k: 'env', node: n, text };
      }
      return ENV_TEXT.test(text) ? { k: 'env', node: n, text } : { k: 'unknown', node: n };
    }
    case 'member_expression':
    case 'subscript_expression': {
      const text = ctx.src(n);
      if (ENV_TEXT.test(text)) return { k: 'env', node: n, text };
      const target = memberTarget(ctx, n, depth);
      return target ? evaluate(ctx, target, depth + 1) : nodeConfigObject(ctx, n, depth) ?? externalValue(ctx, n);
    }
    case 'call_expression': {
      const text = ctx.src(n);
      if (text.startsWith('Object.assign(')) return assigned(ctx, n, depth);
      // The function's one reachable return, its parameters bound to the arguments (`cookieOptions(false)`), in this file or another.
      const returns = evaluateReturns(ctx, n, depth);
      if (returns?.returns.length === 1) return returns.returns[0].value;
      if (ENV_TEXT.test(text)) return { k: 'env', node: n, text };
      return nodeConfigObject(ctx, n, depth) ?? externalValue(ctx, n);
    }
    case 'object':
      return evaluateObject(ctx, n, depth);
    case 'array':
      return { k: 'arr', node: n, elements: n.namedChildren.filter((c): c is Node => !!c && !c.type.includes('comment')) };
    default:
      return { k: 'unknown', node: n };
  }
}

/**
 * The expression a member or element access reads, when it is written in this file: a property
 * of a constant object (`config.jwt.secret`), an element of a literal array (`keys[0]`), a class
 * field or a field the constructor sets (`this.secret`).
 */
export function memberTarget(ctx: AnalysisContext, node: Node, depth = 0): Node | undefined {
  if (depth > 6) return undefined;
  ctx = contextFor(ctx, node);
  const n = unwrap(node);
  const object = n.childForFieldName('object');
  if (!object) return undefined;
  let key: string | number | undefined;
  if (n.type === 'member_expression') {
    const prop = n.childForFieldName('property');
    if (!prop) return undefined;
    key = ctx.src(prop);
    if (unwrap(object).type === 'this') return classField(ctx, n, key);
  } else {
    const index = n.childForFieldName('index');
    const iv = index ? evaluate(ctx, index, depth + 1) : undefined;
    if (iv?.k === 'num' || iv?.k === 'str') key = iv.v;
  }
  if (key === undefined) return undefined;
  const base = evaluate(ctx, object, depth + 1);
  if (base.k === 'obj') return base.props.get(String(key))?.value;
  if (base.k === 'arr' && typeof key === 'number') return base.elements[key];
  return undefined;
}

/** The value a class gives `this.<name>`: a field initialiser, or an assignment in the constructor. */
function classField(ctx: AnalysisContext, from: Node, name: string): Node | undefined {
  const body = ancestorsOf(from).reverse().find((a) => a.type === 'class_body');
  if (!body) return undefined;
  ctx.touch(body.startIndex, body.endIndex);
  for (const member of body.namedChildren) {
    if (!member) continue;
    if (member.type === 'field_definition' || member.type === 'public_field_definition') {
      const key = member.childForFieldName('property') ?? member.childForFieldName('name');
      const value = member.childForFieldName('value');
      if (key && value && ctx.src(key) === name) return value;
    } else if (member.type === 'method_definition' && ctx.src(member.childForFieldName('name') ?? member) === 'constructor') {
      const fnBody = member.childForFieldName('body');
      for (const st of fnBody?.namedChildren ?? []) {
        const a = st?.type === 'expression_statement' ? st.firstNamedChild : null;
        if (a?.type !== 'assignment_expression') continue;
        const left = a.childForFieldName('left');
        if (left && ctx.src(left).replace(/\s+/g, '') === `this.${name}`) return a.childForFieldName('right') ?? undefined;
      }
    }
  }
  return undefined;
}

/** `a.b.c` as its root (`a`) and the property names after it (`['b', 'c']`), parentheses unwrapped; undefined when a part is missing. */
function memberPath(ctx: AnalysisContext, node: Node): { root: Node; keys: string[] } | undefined {
  const keys: string[] = [];
  let n = unwrap(node);
  while (n.type === 'member_expression') {
    const prop = n.childForFieldName('property');
    const obj = n.childForFieldName('object');
    if (!prop || !obj) return undefined;
    keys.unshift(ctx.src(prop));
    n = unwrap(obj);
  }
  return { root: n, keys };
}

/** `x.get('a.b')` with a string literal (node-config's accessor): the receiver `x` and the keys `['a', 'b']`. */
function configGetCall(ctx: AnalysisContext, call: Node): { receiver: Node; keys: string[] } | undefined {
  const fn = call.childForFieldName('function');
  const first = call.childForFieldName('arguments')?.namedChildren.find((c) => !!c && !c.type.includes('comment'));
  const m = fn?.type === 'member_expression' && ctx.src(fn.childForFieldName('property') ?? fn) === 'get' && first?.type === 'string' ? /^['"]([\w$.-]+)['"]$/.exec(ctx.src(first)) : null;
  const receiver = m ? fn!.childForFieldName('object') : null;
  return m && receiver ? { receiver: unwrap(receiver), keys: m[1].split('.') } : undefined;
}

/** A constant of another workspace file that an expression names, with how this file reaches it. */
export interface ExternalConstant {
  readonly symbol: WorkspaceSymbol;
}

/**
 * The workspace constant an imported name or a member of an imported module names
 * (`import { JWT_SECRET } from './constants'`, `config.cookieSecret` with
 * `const config = require('../config')`, `require('../config').jwt.secret`, tsconfig path aliases),
 * from the table the last scan built.
 */
export function externalConstant(ctx: AnalysisContext, node: Node): ExternalConstant | undefined {
  const ws = ctx.workspace;
  if (!ws) return undefined;
  const path = memberPath(ctx, node);
  if (!path) return undefined;
  let { root: n, keys } = path;
  // `config.get('jwt.secret')` on an imported config module: the key names the property.
  if (n.type === 'call_expression' && keys.length === 0) {
    const fn = n.childForFieldName('function');
    const get = configGetCall(ctx, n);
    if (get) {
      keys = get.keys;
      n = get.receiver;
    } else if (fn?.type === 'identifier') {
      // `currentSigningKey()` imported from a module where it returns a literal (indexed as `name()`).
      const binding = importBinding(ctx, fn, ctx.src(fn));
      const file = binding && binding.imported !== '*' ? ws.table.resolveJsImport(ws.filePath, binding.source) : undefined;
      const symbol = file ? ws.table.lookupJs(file, `${binding!.imported}()`) : undefined;
      return symbol ? { symbol } : undefined;
    } else return undefined;
  }
  let binding: { source: string; imported: string } | undefined;
  if (n.type === 'identifier') binding = importBinding(ctx, n, ctx.src(n));
  else if (n.type === 'call_expression') {
    const m = /^require\(\s*['"]([^'"]+)['"]\s*\)$/.exec(ctx.src(n));
    if (m) binding = { source: m[1], imported: '*' };
  }
  if (!binding) return undefined;
  if (binding.source === 'config' && keys.length) {
    // node-config: `config.get('cookie.secret')`, `config.cookie.secret`, as production's merged config/ files set it.
    const module = nodeConfigModule(ws.table, ws.filePath);
    const symbol = module ? ws.table.lookup(module, keys.join('.')) : undefined;
    return symbol ? { symbol } : undefined;
  }
  const file = ws.table.resolveJsImport(ws.filePath, binding.source);
  if (!file) return undefined;
  const rest = keys.join('.');
  const candidates = binding.imported === '*'
    ? (rest ? [rest, `default.${rest}`] : [])
    : binding.imported === 'default'
      ? (rest ? [`default.${rest}`, rest] : ['default'])
      : [rest ? `${binding.imported}.${rest}` : binding.imported];
  for (const c of candidates) {
    const symbol = ws.table.lookupJs(file, c);
    if (symbol) return { symbol };
  }
  return undefined;
}

/**
 * An object of node-config's merged configuration (`config.get('session.cookie')`, `config.session.cookie`
 * with `const config = require('config')`), evaluated from the source the scan wrote for it; each
 * property names the file and line that set the object.
 */
function nodeConfigObject(ctx: AnalysisContext, n: Node, depth: number): JsValue | undefined {
  const ws = ctx.workspace;
  // Once per pass: most files never import node-config.
  if (!ws || !ctx.memo('js.nodeConfig', () => /\brequire\(\s*['"]config['"]\s*\)|\bfrom\s+['"]config['"]/.test(ctx.text))) return undefined;
  const keys: string[] = [];
  let x = unwrap(n);
  if (x.type === 'call_expression') {
    const get = configGetCall(ctx, x);
    if (!get) return undefined;
    keys.push(...get.keys);
    x = get.receiver;
  }
  const path = memberPath(ctx, x);
  if (!path) return undefined;
  keys.unshift(...path.keys);
  x = path.root;
  if (x.type !== 'identifier' || keys.length === 0) return undefined;
  const binding = importBinding(ctx, x, ctx.src(x));
  if (binding?.source !== 'config') return undefined;
  const module = nodeConfigModule(ws.table, ws.filePath);
  const symbol = module ? ws.table.lookup(module, `${keys.join('.')}${JS_SOURCE_SUFFIX}`) : undefined;
  const def = symbol ? loadDefinition(ctx, n, symbol, undefined) : undefined;
  return def ? tagged(evaluate(def.ctx, def.node, depth + 1), def.describe(`config.get('${keys.join('.')}')`)) : undefined;
}

function externalValue(ctx: AnalysisContext, n: Node): JsValue {
  const ext = externalConstant(ctx, n);
  return ext ? symbolValue(n, ext) : { k: 'unknown', node: n };
}

function symbolValue(n: Node, ext: ExternalConstant): JsValue {
  const v = ext.symbol.value;
  if (ext.symbol.fallbackFor !== undefined) return { k: 'env', node: n, text: `process.env.${ext.symbol.fallbackFor}` };
  if (typeof v === 'string') return { k: 'str', v, node: n, external: ext };
  if (typeof v === 'number') return { k: 'num', v, node: n };
  return { k: 'bool', v, node: n };
}

const clip = (s: string): string => (s.length > 40 ? `${s.slice(0, 37)}…` : s).replace(/\s+/g, ' ');

/**
 * A `let`/`var` boolean assigned again between its declaration and `use` (`let httpOnly = true;
 * if (debug) { httpOnly = false; }`): when the values disagree the false one is reachable, and
 * the result says where it is set; under an environment condition the value is environment-dependent.
 */
function reassignedValue(ctx: AnalysisContext, use: Node, name: string, init: Node, initValue: JsValue, depth: number): JsValue | undefined {
  if (use.startIndex <= init.endIndex) return undefined;
  // Cheap text test first: most variables are never assigned again.
  if (!assignedBetween(ctx.text, name, init.endIndex, use.startIndex)) return undefined;
  const declarator = init.parent;
  const decl = declarator?.parent;
  if (!decl || !/^(let|var)\b/.test(ctx.src(decl))) return undefined;
  const scope = decl.parent;
  if (!scope) return undefined;
  ctx.touch(init.endIndex, use.startIndex);
  const values: { v: JsValue; at: Node; where: string }[] = [{ v: initValue, at: init, where: '' }];
  for (const a of scope.descendantsOfType('assignment_expression', init.endPosition, use.startPosition)) {
    if (!a || a.startIndex < init.endIndex || a.endIndex > use.startIndex) continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (!left || !right || ctx.src(left) !== name) continue;
    const guard = ancestorsOf(a).reverse().find((x) => x.startIndex > init.endIndex && (x.type === 'if_statement' || x.type === 'else_clause' || LOOP_OR_CALLBACK.test(x.type)));
    if (guard && LOOP_OR_CALLBACK.test(guard.type)) {
      // Set in a loop or a callback: reachable, not on every path.
      values.push({ v: evaluate(ctx, right, depth + 1), at: a, where: /function/.test(guard.type) ? 'a callback' : `a ${guard.type.replace(/_statement$/, '').replace(/_/g, '-')} loop` });
      continue;
    }
    // An `if` without braces holds its statement: name it by its condition.
    const condition = guard?.type === 'if_statement' ? guard.childForFieldName('condition') : null;
    const guardText = condition ? `if ${ctx.src(condition)}` : guard ? ctx.src(guard.type === 'else_clause' ? guard.parent! : guard) : '';
    if (ENV_TEXT.test(guardText.slice(0, guardText.indexOf('{') === -1 ? undefined : guardText.indexOf('{')))) {
      return { k: 'env', node: use, text: clip(guardText.split('{')[0].trim()) };
    }
    values.push({ v: evaluate(ctx, right, depth + 1), at: a, where: guard ? clip(guardText.split('{')[0].trim()) : '' });
  }
  if (values.length < 2 || !values.every((x) => x.v.k === 'bool')) return values.length < 2 ? undefined : { k: 'unknown', node: use };
  const falses = values.filter((x) => x.v.k === 'bool' && !x.v.v);
  if (falses.length === 0) return { k: 'bool', v: true, node: use };
  if (falses.length === values.length) return { k: 'bool', v: false, node: use };
  // No line numbers: an edit elsewhere would make the message stale without re-analysing this chunk.
  const first = falses[0];
  return { k: 'bool', v: false, node: use, branch: first.at === init ? `${name} starts false` : `${name} is set to false${first.where ? ` in ${first.where}` : ''}` };
}

const LOOP_OR_CALLBACK = /^(for_statement|for_in_statement|while_statement|do_statement|arrow_function|function_expression)$/;

/** What must follow a name for `name = …` (not `==`): one RegExp for every name, tried where the name occurs. */
const ASSIGNMENT_TAIL = /\s*=[^=]/y;

/**
 * Whether `name = …` is written in text[from, to), as the RegExp `name\s*=[^=]` run from `from`
 * would say (the start of the range counting as a boundary), without copying the slice or
 * compiling a RegExp per name: this runs for every use of a `let` or `const`, and most names of a
 * scan are met once (a RegExp per name was compiled, and run, for each).
 */
function assignedBetween(text: string, name: string, from: number, to: number): boolean {
  // A backslash (a \u escape in the name) would be read as an escape by that RegExp: keep its meaning.
  if (name.length === 0 || name.includes('\\')) return assignedBetweenByRegExp(text, name, from, to);
  for (let at = text.indexOf(name, from); at !== -1 && at < to; at = text.indexOf(name, at + 1)) {
    ASSIGNMENT_TAIL.lastIndex = at + name.length;
    const m = ASSIGNMENT_TAIL.exec(text);
    if (!m) continue;
    // The first match past the end of the range ends the search, as the RegExp's first match would.
    if (at + name.length + m[0].length > to) return false;
    if (at === from || !/[\w$.]/.test(text[at - 1])) return true;
  }
  return false;
}

/** assignedBetween for a name the plain search cannot take. */
function assignedBetweenByRegExp(text: string, name: string, from: number, to: number): boolean {
  const re = new RegExp(`${name.replace(/\$/g, '\\$')}\\s*=[^=]`, 'g');
  for (let at = from; at < to;) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m || m.index + m[0].length > to) return false;
    if (m.index === from || !/[\w$.]/.test(text[m.index - 1])) return true;
    at = m.index + 1;
  }
  return false;
}

/** Identifier characters as Unicode defines them. */
const IDENTIFIER_AT = /[\p{ID_Continue}$\u200c\u200d]+/uy;

/**
 * The name of a pair's property key starting at `offset`, read from the text: the key's end would
 * be one more call into the parser for every property of every options object. Only when the
 * name is followed by what ends a key in a pair (`:`, a space or a comment): tree-sitter takes more
 * characters into an identifier than Unicode's ID_Continue (escapes, symbols), and such a key is
 * read from the tree.
 */
function keyNameAt(text: string, offset: number): string | undefined {
  IDENTIFIER_AT.lastIndex = offset;
  const m = IDENTIFIER_AT.exec(text);
  if (!m) return undefined;
  const next = text.charAt(offset + m[0].length);
  return next === ':' || next === '/' || /\s/.test(next) ? m[0] : undefined;
}

function evaluateObject(ctx: AnalysisContext, n: Node, depth: number): JsValue {
  const props = new Map<string, JsProp>();
  const items: Node[] = [];
  let complete = true;
  for (const c of n.namedChildren) {
    if (!c) continue;
    const type = c.type;
    if (type.includes('comment')) continue;
    items.push(c);
    if (type === 'pair') {
      const key = c.childForFieldName('key');
      const value = c.childForFieldName('value');
      if (!key || !value) continue;
      let name: string | undefined;
      const keyType = key.type;
      if (keyType === 'property_identifier') name = keyNameAt(ctx.text, key.startIndex) ?? ctx.src(key);
      else if (keyType === 'number') name = ctx.src(key);
      else if (keyType === 'string') name = ctx.src(key).slice(1, -1);
      else complete = false;
      // Inside a call being evaluated, the value is read now: its parameters mean nothing once the call is left.
      if (name !== undefined) props.set(name, frames.length !== 0 ? { key, value, pair: c, resolved: evaluate(ctx, value, depth + 1) } : { key, value, pair: c });
    } else if (type === 'shorthand_property_identifier') {
      props.set(ctx.src(c), frames.length !== 0 ? { key: c, value: c, pair: c, resolved: evaluate(ctx, c, depth + 1) } : { key: c, value: c, pair: c });
    } else if (type === 'spread_element') {
      const inner = c.firstNamedChild;
      const v = inner ? evaluate(ctx, inner, depth + 1) : undefined;
      if (v && v.k === 'obj') {
        for (const [k, p] of v.props) props.set(k, p);
        if (!v.complete) complete = false;
      } else complete = false;
    }
  }
  return { k: 'obj', node: n, props, items, complete };
}

/** Reads a boolean option: true/false, environment-dependent, or unknown. */
export function truthOf(v: JsValue): 'true' | 'false' | 'env' | 'unknown' {
  if (v.k === 'bool') return v.v ? 'true' : 'false';
  if (v.k === 'nullish') return 'false';
  if (v.k === 'env') return 'env';
  if (v.k === 'str' && v.v === 'auto') return 'true';
  if (v.k === 'num') return v.v ? 'true' : 'false';
  return 'unknown';
}

// ---------------------------------------------------------------- calls evaluated with their arguments; definitions of other files

/**
 * The context reading each tree other than the linted one: another file's definition (for as long
 * as it is cached), and the caller's tree while a call is evaluated (its arguments are read there).
 */
const contextOfTree = new Map<Tree, AnalysisContext>();

/** The context that reads `node`'s text: its own tree's when that is another file's definition. */
export function contextFor(ctx: AnalysisContext, node: Node): AnalysisContext {
  return contextOfTree.size === 0 ? ctx : contextOfTree.get(node.tree) ?? ctx;
}

/** A node's source text, whichever file's tree it belongs to. */
export function sourceOf(ctx: AnalysisContext, node: Node): string {
  return contextFor(ctx, node).src(node);
}

/** Whether a node is written in the linted file (not in another file's definition). */
export function isLocal(ctx: AnalysisContext, node: Node): boolean {
  return contextFor(ctx, node) === ctx && !foreignOrigin.has(ctx);
}

/** A call being evaluated: the function, and what each of its parameters stands for. */
interface Frame {
  readonly fn: Node;
  readonly params: ReadonlyMap<string, () => JsValue>;
}
const frames: Frame[] = [];

/** The value a parameter of a call being evaluated stands for, when `n` is inside that function and no local of it shadows the name. */
function boundParameter(n: Node, name: string, init: Node | undefined): JsValue | undefined {
  for (let i = frames.length - 1; i >= 0; i--) {
    const { fn, params } = frames[i];
    if (n.tree !== fn.tree || n.startIndex < fn.startIndex || n.endIndex > fn.endIndex) continue;
    if (init && init.tree === fn.tree && init.startIndex >= fn.startIndex && init.endIndex <= fn.endIndex) return undefined;
    const bound = params.get(name);
    if (bound) return bound();
  }
  return undefined;
}

function withCall<T>(ctx: AnalysisContext, call: Node, called: CalledFunction, depth: number, body: () => T): T {
  const params = bindParameters(ctx, call, called, depth);
  const tree = call.tree;
  const registered = contextOfTree.has(tree);
  if (!registered) contextOfTree.set(tree, ctx);
  frames.push({ fn: called.fn, params });
  try {
    return body();
  } finally {
    frames.pop();
    if (!registered) contextOfTree.delete(tree);
  }
}

const UNKNOWN = (node: Node): JsValue => ({ k: 'unknown', node });

/**
 * What each parameter of the called function stands for: the argument in its position (read in
 * the caller), else the parameter's default; a destructured object parameter (`{ secure = true }`)
 * takes the argument object's property, else its default. Read lazily, once.
 */
function bindParameters(ctx: AnalysisContext, call: Node, called: CalledFunction, depth: number): Map<string, () => JsValue> {
  const { fn, ctx: fnCtx } = called;
  const out = new Map<string, () => JsValue>();
  const argsNode = call.childForFieldName('arguments');
  const args = (argsNode?.namedChildren ?? []).filter((c): c is Node => !!c && !c.type.includes('comment'));
  const single = fn.childForFieldName('parameter');
  const params = single ? [single] : (fn.childForFieldName('parameters')?.namedChildren ?? []).filter((c): c is Node => !!c && !c.type.includes('comment'));
  const once = (f: () => JsValue) => {
    let v: JsValue | undefined;
    return () => (v ??= f());
  };
  for (let i = 0; i < params.length; i++) {
    // Past a spread argument, positions are unknown: those parameters stay unbound (unknown).
    if (args.slice(0, i + 1).some((a) => a.type === 'spread_element')) break;
    let p: Node = params[i];
    let fallback: Node | null = null;
    if (p.type === 'required_parameter' || p.type === 'optional_parameter') {
      fallback = p.childForFieldName('value');
      p = p.childForFieldName('pattern') ?? p;
    }
    if (p.type === 'assignment_pattern') {
      fallback = p.childForFieldName('right');
      p = p.childForFieldName('left') ?? p;
    }
    const arg = args[i];
    const whole = once((): JsValue => (arg ? evaluate(ctx, arg, depth + 1) : fallback ? evaluate(fnCtx, fallback, depth + 1) : { k: 'nullish', node: call }));
    if (p.type === 'identifier') {
      out.set(fnCtx.src(p), whole);
      continue;
    }
    if (p.type !== 'object_pattern') continue;
    for (const c of p.namedChildren) {
      if (!c) continue;
      let key: Node | null = null;
      let local: Node | null = null;
      let dflt: Node | null = null;
      if (c.type === 'shorthand_property_identifier_pattern') key = local = c;
      else if (c.type === 'object_assignment_pattern') {
        key = local = c.childForFieldName('left');
        dflt = c.childForFieldName('right');
      } else if (c.type === 'pair_pattern') {
        key = c.childForFieldName('key');
        local = c.childForFieldName('value');
        if (local?.type === 'assignment_pattern') {
          dflt = local.childForFieldName('right');
          local = local.childForFieldName('left');
        }
      }
      if (!key || !local || (local.type !== 'identifier' && local.type !== 'shorthand_property_identifier_pattern')) continue;
      const keyName = fnCtx.src(key);
      const k = key;
      const d = dflt;
      out.set(fnCtx.src(local), once((): JsValue => {
        const obj = whole();
        if (obj.k === 'obj') {
          const prop = obj.props.get(keyName);
          if (prop) return propValue(contextFor(ctx, prop.value), prop);
          if (!obj.complete) return UNKNOWN(k);
        } else if (obj.k !== 'nullish') return UNKNOWN(k);
        return d ? evaluate(fnCtx, d, depth + 1) : { k: 'nullish', node: k };
      }));
    }
  }
  return out;
}

/** One return a call can reach, with its value (evaluated with the call's arguments). */
export interface ReturnValue {
  readonly site: ReturnSite;
  readonly value: JsValue;
}

/**
 * The returns a call can reach and what each gives, the function's parameters bound to the call's
 * arguments: a condition on the way that the arguments decide prunes the returns it rules out
 * (`cookieOptions(false)` with `if (!secure) return …`), one the environment decides marks the
 * return environment-dependent. Functions of this file and, through the last scan's table, of
 * other workspace files (`via` then says which). Undefined when the function is not known.
 */
export function evaluateReturns(ctx: AnalysisContext, call: Node, depth = 0): { returns: ReturnValue[]; fnName: string; via?: string } | undefined {
  if (depth > 6) return undefined;
  const called = calledFunction(ctx, call, true);
  if (!called) return undefined;
  const sites = sitesOf(called);
  if (!sites) return undefined;
  const fnCtx = called.ctx;
  const returns = withCall(ctx, call, called, depth, () => {
    const out: ReturnValue[] = [];
    for (const site of sites) {
      let env = site.env;
      let reachable = true;
      for (const c of site.conds ?? []) {
        const v = evaluate(fnCtx, c.node, depth + 1);
        const t = truthy(v);
        if (t !== undefined && t !== c.holds) {
          reachable = false;
          break;
        }
        if (v.k === 'env') env = true;
      }
      if (!reachable) continue;
      const value = evaluate(fnCtx, site.expr, depth + 1);
      out.push({ site: env === site.env ? site : { ...site, env }, value: called.via ? tagged(value, called.via) : value });
    }
    return out;
  });
  return { returns, fnName: `${called.name}()`, ...(called.via ? { via: called.via } : {}) };
}

/** Whether a value is truthy in JavaScript, when it is known. */
function truthy(v: JsValue): boolean | undefined {
  switch (v.k) {
    case 'bool': return v.v;
    case 'nullish': return false;
    case 'num': return v.v !== 0;
    case 'str': return v.partial ? undefined : v.v !== '';
    case 'obj':
    case 'arr': return true;
    default: return undefined;
  }
}

/** Whether two literal values are equal (`===`), when both are known literals. */
function sameLiteral(a: JsValue, b: JsValue): boolean | undefined {
  if (a.k === 'nullish' && b.k === 'nullish') return true;
  if ((a.k === 'str' && a.partial) || (b.k === 'str' && b.partial)) return undefined;
  if ((a.k === 'str' || a.k === 'num' || a.k === 'bool') && (b.k === 'str' || b.k === 'num' || b.k === 'bool' || b.k === 'nullish')) return b.k !== 'nullish' && a.k === b.k && a.v === b.v;
  if (a.k === 'nullish' && (b.k === 'str' || b.k === 'num' || b.k === 'bool')) return false;
  return undefined;
}

/** `Object.assign({}, defaults, overrides)`: the objects merged, later keys winning; complete only when every piece is known. */
function assigned(ctx: AnalysisContext, call: Node, depth: number): JsValue {
  const argsNode = call.childForFieldName('arguments');
  const args = (argsNode?.namedChildren ?? []).filter((c): c is Node => !!c && !c.type.includes('comment'));
  const props = new Map<string, JsProp>();
  let complete = true;
  let first: Extract<JsValue, { k: 'obj' }> | undefined;
  for (const a of args) {
    const v = a.type === 'spread_element' ? UNKNOWN(a) : evaluate(ctx, a, depth + 1);
    if (v.k === 'obj') {
      first ??= v;
      for (const [k, p] of v.props) props.set(k, p);
      complete &&= v.complete;
    } else if (v.k !== 'nullish') complete = false;
  }
  if (!first) return UNKNOWN(call);
  return { k: 'obj', node: first.node, props, items: first.items, complete };
}

/**
 * Contexts reading another file's definition: the file and the line it starts on, and how many
 * files away from the linted one it is (1: imported by it; 2: imported by that file…).
 */
const foreignOrigin = new WeakMap<AnalysisContext, { readonly file: string; readonly line: number; hops: number; linted: string }>();

/** Files followed from the linted one through definitions' own imports, at most (cycles end here too). */
const MAX_DEFINITION_HOPS = 3;

/** What a name of another file's definition was imported as in that file, as the scan recorded it (indexJsImports). */
function recordedImport(ctx: AnalysisContext, name: string): { source: string; imported: string } | undefined {
  const own = foreignOrigin.get(ctx);
  const value = own && ctx.workspace?.table.lookup(own.file, `${name}${JS_IMPORT_SUFFIX}`)?.value;
  if (typeof value !== 'string') return undefined;
  const nl = value.indexOf('\n');
  return { source: value.slice(0, nl), imported: value.slice(nl + 1) };
}

/** Lines before the text a context reads in its file (0 but for another file's definition). */
function lineOffsetOf(ctx: AnalysisContext): number {
  const o = foreignOrigin.get(ctx);
  return o ? o.line - 1 : 0;
}

/** Another file's definitions, parsed on first use, by file, line and text (bounded: the trees live in the parser's memory). */
const definitions = new Map<string, { readonly tree: Tree; readonly ctx: AnalysisContext; readonly node: Node | undefined }>();
const MAX_DEFINITIONS = 64;
let definitionParser: TreeSitter.Parser | undefined;

/**
 * A definition of another workspace file that `name` stands for here: imported (`import {
 * cookieOptions } from './cookies'`, `const { baseCookie } = require('./cookies')`), or, while such a
 * definition is read, another definition of its own file. Read from the source the last scan kept
 * (indexJsDefinitions), parsed alone with the linted file's grammar.
 */
function foreignDefinition(ctx: AnalysisContext, from: Node, name: string): { node: Node; ctx: AnalysisContext; symbol: WorkspaceSymbol; describe: (expression: string) => string } | undefined {
  const ws = ctx.workspace;
  if (!ws) return undefined;
  const own = foreignOrigin.get(ctx);
  // Looked up once per name and pass: most names evaluated are not imported definitions, and resolving an import walks paths.
  const symbol = ctx.memo(`js.def:${name}`, () => {
    if (own) {
      // Another definition of the same file, else (bounded) one its file imports from a third file.
      const same = ws.table.lookupJs(own.file, `${name}${JS_SOURCE_SUFFIX}`);
      if (same && typeof same.value === 'string') return same;
      if (own.hops >= MAX_DEFINITION_HOPS) return undefined;
    }
    const binding = importBinding(ctx, from, name);
    if (!binding || binding.imported === '*' || binding.imported === 'default') return undefined;
    const file = ws.table.resolveJsImport(ws.filePath, binding.source);
    const found = file ? ws.table.lookupJs(file, `${binding.imported}${JS_SOURCE_SUFFIX}`) : undefined;
    return found && typeof found.value === 'string' ? found : undefined;
  });
  if (!symbol || typeof symbol.value !== 'string') return undefined;
  return loadDefinition(ctx, from, symbol, own);
}

/** A definition's source (a symbol the table keeps), parsed on first use and bound to the latest table. */
function loadDefinition(ctx: AnalysisContext, from: Node, symbol: WorkspaceSymbol, own: ReturnType<typeof foreignOrigin.get>): { node: Node; ctx: AnalysisContext; symbol: WorkspaceSymbol; describe: (expression: string) => string } | undefined {
  const ws = ctx.workspace;
  if (!ws || typeof symbol.value !== 'string') return undefined;
  const key = `${symbol.file}\n${symbol.line}\n${symbol.value}`;
  let def = definitions.get(key);
  if (!def) {
    definitionParser ??= new TreeSitter.Parser();
    definitionParser.setLanguage(from.tree.language);
    const tree = definitionParser.parse(symbol.value);
    if (!tree) return undefined;
    if (definitions.size >= MAX_DEFINITIONS) {
      const [oldKey, old] = definitions.entries().next().value!;
      definitions.delete(oldKey);
      contextOfTree.delete(old.tree);
      old.tree.delete();
    }
    const dctx = new AnalysisContext(symbol.value, ctx.thresholds, ctx.language);
    foreignOrigin.set(dctx, { file: symbol.file, line: symbol.line, hops: 1, linted: ws.filePath });
    def = { tree, ctx: dctx, node: definitionNode(tree.rootNode) };
    definitions.set(key, def);
    contextOfTree.set(tree, dctx);
  }
  // The table of the latest scan (a definition of the same text may outlive the table it came from):
  // what the definition's memo found through another table (a third file's definition) is forgotten.
  if (def.ctx.workspace && def.ctx.workspace.table !== ws.table) def.ctx.shared.clear();
  def.ctx.workspace = { table: ws.table, filePath: symbol.file };
  // How far from the linted file this reading is (a definition is shared by every path reaching it: the latest sets it).
  const origin = foreignOrigin.get(def.ctx)!;
  const third = !!own && symbol.file !== own.file;
  origin.hops = own ? own.hops + (third ? 1 : 0) : 1;
  origin.linted = own ? own.linted : ws.filePath;
  if (!def.node) return undefined;
  // A definition of a third file is named from the linted file (`SESSION_DEFAULTS from ../config/defaults.ts:4`).
  const using = own ? (third ? own.linted : undefined) : ws.filePath;
  return {
    node: def.node, ctx: def.ctx, symbol,
    describe: (expression) => (using ? describeSymbol(using, expression, symbol) : expression),
  };
}

/** The function or value a definition's text declares: `function f() {}`, `const f = () => …`, `const base = { … }`. */
function definitionNode(root: Node): Node | undefined {
  const first = root.namedChildren.find((c) => !!c && !c.type.includes('comment'));
  const decl = first?.type === 'export_statement' ? first.childForFieldName('declaration') : first;
  if (!decl) return undefined;
  if (decl.type === 'function_declaration' || decl.type === 'generator_function_declaration') return decl;
  if (decl.type !== 'lexical_declaration' && decl.type !== 'variable_declaration') return undefined;
  const declarator = decl.namedChildren.find((c) => c?.type === 'variable_declarator');
  return declarator?.childForFieldName('value') ?? undefined;
}

/** An object of another file with each property marked by how it reaches the linted file. */
function tagged(v: JsValue, via: string): JsValue {
  if (v.k !== 'obj') return v;
  const props = new Map<string, JsProp>();
  for (const [k, p] of v.props) props.set(k, p.via ? p : { ...p, via });
  return { ...v, props };
}
