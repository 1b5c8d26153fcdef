import * as path from 'node:path';
import type { Node } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, ancestorsOf, namedChildren } from '../analysis';
import { goCallModule } from '../symbols/goCookieCalls';
import { goConstructorParams, goMethodFieldSets, goOptionFields, goStructFields } from '../symbols/goStructs';
import { describeSymbol } from '../symbols/symbolTable';
import { GO_CONFLICT_MARK, GO_FIELD_SET_MARK, GO_OPTION_MARK, GO_PARAM_MARK, goPackageModule } from '../symbols/typeIndexers';
import { goOwnImportPath } from './crossFileConstants';
import { type ResolvedValue, UNKNOWN_VALUE, type ValueBranch } from './resolvedValue';

/*
 * `s.cookieSecure` read in a method of `*Server`: the value the type's constructor gives the field
 * (`return &Server{cookieSecure: false}`, or a local built then returned), in this file or another
 * file of the package, and the values functional options set (`WithInsecureCookies()` returning
 * `func(s *Server) { s.cookieSecure = false }`) when the constructor applies them. A field a method
 * of the type assigns, an option setting it from a parameter, or constructors that disagree leave
 * it unknown (no finding).
 */

interface OwnTypeFields {
  /** `Server{}.cookieSecure` → offsets of the constructor fields in this file. */
  readonly constructors: Map<string, number[]>;
  readonly options: Map<string, { option: string; offset: number }[]>;
  readonly unknown: Set<string>;
}

const IS_LITERAL = (raw: string) => (/^("|`|-?\d|true$|false$|\[\]byte\()/.test(raw.trim()) ? { value: raw } : undefined);

function ownTypeFields(ctx: AnalysisContext): OwnTypeFields {
  return ctx.memo('go.typeFields', () => {
    const constructors = new Map<string, number[]>();
    const options = new Map<string, { option: string; offset: number }[]>();
    const unknown = new Set<string>();
    for (const f of goStructFields(ctx.text, IS_LITERAL)) {
      if (!f.type) continue;
      const key = `${f.type}{}.${f.name.slice(f.name.indexOf('.') + 1)}`;
      constructors.set(key, [...(constructors.get(key) ?? []), f.offset]);
    }
    for (const o of goOptionFields(ctx.text, IS_LITERAL)) {
      const key = `${o.type}{}.${o.field}`;
      if (!o.literal) unknown.add(key);
      else options.set(key, [...(options.get(key) ?? []), { option: o.option, offset: o.offset }]);
    }
    for (const m of goMethodFieldSets(ctx.text)) unknown.add(`${m.type}{}.${m.field}`);
    return { constructors, options, unknown };
  });
}

/** The receiver's type when `operand` is the receiver of the method around it (`Server` of `func (s *Server) …`). */
function receiverType(ctx: AnalysisContext, operand: Node): string | undefined {
  const method = ancestorsOf(operand).reverse().find((a) => a.type === 'method_declaration' || a.type === 'func_literal' || a.type === 'function_declaration');
  if (method?.type !== 'method_declaration') return undefined;
  const receiver = method.childForFieldName('receiver');
  const decl = receiver?.descendantsOfType('parameter_declaration')[0];
  const name = decl?.childForFieldName('name');
  const type = decl?.childForFieldName('type');
  if (!name || !type || ctx.src(name) !== ctx.src(operand)) return undefined;
  // A local of the method with the receiver's name hides it.
  const body = method.childForFieldName('body');
  if (body && new RegExp(`(^|[^\\w.])${ctx.src(name)}\\s*:=`).test(ctx.text.slice(body.startIndex, operand.startIndex))) return undefined;
  ctx.touch(method.startIndex, body?.startIndex ?? method.endIndex);
  const t = ctx.src(type).replace(/^\*/, '').replace(/\[.*$/, '').trim();
  return /^\w+$/.test(t) ? t : undefined;
}

/** The value of `recv.field` in a method of the receiver's type, or undefined when the field is not traced. */
export function goReceiverField(ctx: AnalysisContext, operand: Node, field: string, read: (n: Node) => ResolvedValue): ResolvedValue | undefined {
  const type = receiverType(ctx, operand);
  if (!type) return undefined;
  const key = `${type}{}.${field}`;
  const own = ownTypeFields(ctx);
  const ws = ctx.workspace;
  const module = ws ? goPackageModule(path.dirname(ws.filePath)) : undefined;
  const other = (name: string) => {
    const s = ws && module ? ws.table.lookup(module, name) : undefined;
    return s && s.file !== ws!.filePath ? s : undefined;
  };
  if (own.unknown.has(key) || other(`${GO_FIELD_SET_MARK}${key}`) || other(`${GO_CONFLICT_MARK}${key}`)) return UNKNOWN_VALUE;
  const use = operand.parent ?? operand;
  const built: ResolvedValue[] = [];
  for (const offset of own.constructors.get(key) ?? []) {
    const v = goFieldValueAt(ctx, operand, offset, read);
    if (v) built.push(v);
  }
  const external = other(key);
  if (external) built.push({ k: 'external', symbol: external, node: use });
  if (built.length === 0) return undefined;
  const literalOf = (v: ResolvedValue) => (v.k === 'external' ? v.symbol.value : v.k === 'bool' || v.k === 'str' ? v.v : undefined);
  if (new Set(built.map(literalOf)).size > 1 || built.some((v) => literalOf(v) === undefined)) return UNKNOWN_VALUE;
  const branches: ValueBranch[] = [];
  for (const o of own.options.get(key) ?? []) {
    const v = goFieldValueAt(ctx, operand, o.offset, read);
    if (v) branches.push({ value: v, when: `when ${o.option}() (line ${ctx.lineOf(o.offset) + 1}) is passed to the constructor` });
  }
  if (ws && module) {
    for (const [name, symbol] of ws.table.namesOf(module)) {
      if (symbol.file === ws.filePath || !name.startsWith(`${key}${GO_OPTION_MARK}`)) continue;
      const option = name.slice(key.length + GO_OPTION_MARK.length);
      const where = describeSymbol(ws.filePath, option, symbol).replace(/^.* from /, '');
      branches.push({ value: { k: 'external', symbol, node: use }, when: `when ${option} (${where}) is passed to the constructor` });
    }
  }
  if (branches.length === 0) return built[0];
  return { k: 'choice', branches: [{ value: built[0], when: 'as the constructor builds it' }, ...branches], env: false, text: branches.map((b) => b.when).join('; ') };
}

/** The value written at a constructor's field or a `recv.field = …` statement starting at `offset` of this file (an assignment's offset is its line's: the statement starts after the indent). */
export function goFieldValueAt(ctx: AnalysisContext, at: Node, offset: number, read: (n: Node) => ResolvedValue): ResolvedValue | undefined {
  const start = offset + /^\s*/.exec(ctx.text.slice(offset, offset + 256))![0].length;
  let n: Node | null = at.tree.rootNode.descendantForIndex(start);
  while (n && n.type !== 'keyed_element' && n.type !== 'assignment_statement') n = n.parent;
  if (!n) return undefined;
  const fn = ancestorsOf(n).find((a) => a.type === 'function_declaration');
  if (fn) ctx.touch(fn.startIndex, fn.endIndex);
  const value = n.type === 'keyed_element' ? namedChildren(n, ctx.text)[1] : namedChildren(n.childForFieldName('right')!, ctx.text)[0];
  const inner = value?.type === 'literal_element' ? value.firstNamedChild : value;
  return inner ? read(inner) : undefined;
}

/**
 * `s.cfg.CookieSecure` in a method of `*Server` whose constructor keeps a parameter in the field
 * (`func NewServer(cfg Config) *Server { return &Server{cfg: cfg} }`): what the module's calls of
 * the constructor pass in a struct literal (`api.NewServer(api.Config{CookieSecure: false})` in
 * cmd/api), as the last scan indexed them. One value per calling place; undefined when no call
 * writes the field.
 */
export function goReceiverParamField(ctx: AnalysisContext, receiver: Node, holder: string, field: string, use: Node): ResolvedValue | undefined {
  const type = receiverType(ctx, receiver);
  const ws = ctx.workspace;
  if (!type || !ws) return undefined;
  const key = `${type}{}.${holder}`;
  const dir = path.dirname(ws.filePath);
  const module = goPackageModule(dir);
  if (ownTypeFields(ctx).unknown.has(key) || ws.table.lookup(module, `${GO_FIELD_SET_MARK}${key}`)) return undefined;
  let stored: { constructor: string; param: number } | undefined;
  for (const c of ctx.memo('go.constructorParams', () => goConstructorParams(ctx.text))) {
    if (`${c.type}{}.${c.field}` === key) stored = { constructor: c.constructor, param: c.param };
  }
  if (!stored) {
    for (const [name, symbol] of ws.table.namesOf(module)) {
      if (symbol.file !== ws.filePath && name.startsWith(`${key}${GO_PARAM_MARK}`) && typeof symbol.value === 'number') {
        stored = { constructor: name.slice(key.length + GO_PARAM_MARK.length), param: symbol.value };
      }
    }
  }
  const importPath = stored ? goOwnImportPath(ctx, dir) : undefined;
  if (!stored || !importPath) return undefined;
  const pattern = new RegExp(`^\\d+:${stored.param}\\.${field}:`);
  const branches: ValueBranch[] = [];
  for (const [name, symbol] of ws.table.namesOf(goCallModule(importPath, stored.constructor))) {
    if (symbol.file === ws.filePath || !pattern.test(name)) continue;
    const where = describeSymbol(ws.filePath, stored.constructor, symbol).replace(/^.* from /, '');
    branches.push({ value: { k: 'external', symbol, node: use }, when: `when ${stored.constructor}() is called with ${field}: ${String(symbol.value)} (${where})` });
  }
  if (branches.length === 0) return undefined;
  // One calling place: the value, named where it is written.
  if (branches.length === 1) return branches[0].value;
  return { k: 'choice', branches, env: false, text: branches.map((b) => b.when).join('; ') };
}
