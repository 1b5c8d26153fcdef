import type { Node } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, ancestorsOf } from '../analysis';

/** A JavaScript/TypeScript expression, evaluated as far as the lint needs. */
export type JsValue =
  | { readonly k: 'str'; readonly v: string; readonly node: Node; /** Has `${…}` parts (replaced by same-length filler). */ readonly partial?: boolean }
  | { readonly k: 'num'; readonly v: number; readonly node: Node }
  | { readonly k: 'bool'; readonly v: boolean; readonly node: Node }
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

/** Finds the initialiser of `name` in the scopes around `from` (same function, enclosing blocks, the module). */
export function lookupVariable(ctx: AnalysisContext, from: Node, name: string): Node | undefined {
  const scopes = ancestorsOf(from);
  for (let i = scopes.length - 1; i >= 0; i--) {
    const scope = scopes[i];
    const t = scope.type;
    if (t !== 'statement_block' && t !== 'program' && t !== 'class_body' && t !== 'switch_body') continue;
    if (t === 'program') ctx.lookups.add(name);
    // Declarations of a scope are read once per pass: a big file has many calls looking them up.
    const s = scope;
    const found = ctx.memo(`js.decls:${s.id}`, () => declarationsIn(ctx, s)).get(name);
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
  return ctx.memo(`js.statements:${scope.id}`, () => scope.namedChildren);
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

/** The module an identifier was imported from (`import x from 'm'`, `const x = require('m')`), if any. */
export function importSourceOf(ctx: AnalysisContext, from: Node, name: string): string | undefined {
  ctx.lookups.add(name);
  const imports = ctx.memo('js.imports', () => {
    // The program is the root (and the only program node) of the tree.
    const root = from.tree.rootNode;
    return root.type === 'program' ? importsIn(ctx, root) : [];
  });
  for (const im of imports) if (im.binds(name)) return im.source;
  return undefined;
}

function importsIn(ctx: AnalysisContext, root: Node): { binds: (name: string) => boolean; source: string }[] {
  const out: { binds: (name: string) => boolean; source: string }[] = [];
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
      const names = [...ctx.src(clause).matchAll(/[\w$]+/g)].map((m) => m[0]);
      // A local binding is a name not followed by `as` (`{ sign as s }` binds s).
      out.push({ binds: (name) => names.some((t, i) => t === name && names[i + 1] !== 'as'), source: ctx.src(source).slice(1, -1) });
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
      });
    }
  }
  return out;
}

/** Evaluates an expression: literals, constants through variables, arithmetic, object spreads. */
export function evaluate(ctx: AnalysisContext, node: Node, depth = 0): JsValue {
  // unwrap(), keeping the type read on the way (each read is a call into the parser).
  let n = node;
  let type = n.type;
  while (WRAPPERS.has(type)) {
    const inner = n.firstNamedChild;
    if (!inner) break;
    n = inner;
    type = n.type;
  }
  if (depth > 6) return { k: 'unknown', node: n };
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
      if (init) {
        const v = evaluate(ctx, init, depth + 1);
        return v.k === 'unknown' ? { k: 'unknown', node: n } : v;
      }
      if (ENV_TEXT.test(name)) return { k: 'env', node: n, text: name };
      return { k: 'unknown', node: n };
    }
    case 'unary_expression': {
      const text = ctx.src(n);
      if (ENV_TEXT.test(text)) return { k: 'env', node: n, text };
      const arg = n.childForFieldName('argument');
      if (text.startsWith('!') && arg) {
        const v = evaluate(ctx, arg, depth + 1);
        if (v.k === 'bool') return { k: 'bool', v: !v.v, node: n };
        if (v.k === 'num') return { k: 'bool', v: v.v === 0, node: n };
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
        if (av.k === 'env' || bv.k === 'env') return { k: 'env', node: n, text };
      }
      return ENV_TEXT.test(text) ? { k: 'env', node: n, text } : { k: 'unknown', node: n };
    }
    case 'member_expression':
    case 'subscript_expression':
    case 'call_expression': {
      const text = ctx.src(n);
      return ENV_TEXT.test(text) ? { k: 'env', node: n, text } : { k: 'unknown', node: n };
    }
    case 'object':
      return evaluateObject(ctx, n, depth);
    case 'array':
      return { k: 'arr', node: n, elements: n.namedChildren.filter((c): c is Node => !!c && !c.type.includes('comment')) };
    default:
      return { k: 'unknown', node: n };
  }
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
      if (keyType === 'property_identifier' || keyType === 'number') name = ctx.src(key);
      else if (keyType === 'string') name = ctx.src(key).slice(1, -1);
      else complete = false;
      if (name !== undefined) props.set(name, { key, value, pair: c });
    } else if (type === 'shorthand_property_identifier') {
      props.set(ctx.src(c), { key: c, value: c, pair: c });
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
