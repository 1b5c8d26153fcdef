import type { Node } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, ancestorsOf, namedChildren } from '../analysis';
import { goStructFields } from '../symbols/goStructs';
import { symbolPlace } from '../symbols/symbolTable';
import { GO_KEYS_SUFFIX } from '../symbols/typeIndexers';
import { goFieldValueAt, goReceiverField, goReceiverParamField } from './goReceiverFields';
import { goFieldReassigned, goForeignSet, goImportedConstant, goSamePackage } from './crossFileConstants';
import { conditionOf as conditionOfIn, ENV_SWITCH, negateValue, type ResolvedValue, UNKNOWN_VALUE, type ValueBranch } from './resolvedValue';

/** Reads of the environment or of configuration: decided by the deployment, not by the code. */
export const GO_ENV = /os\s*\.\s*(Getenv|LookupEnv)|viper\s*\.\s*Get|\.Getenv\b|cfg\s*\.|config\s*\.|conf\s*\./i;

/**
 * What a Go expression stands for, followed within one file: locals (`:=`, `var`) with the
 * assignments made to them before the use (an `if secret == "" { secret = "dev" }` after an
 * environment read is a literal fallback), package-level `var`/`const`, `[]byte("…")`, `"a" + "b"`,
 * `!x`, and helpers of the file like `getEnv("KEY", "default")` that return a parameter when the
 * variable is unset.
 */
export function goValue(ctx: AnalysisContext, node: Node, depth = 0): ResolvedValue {
  if (depth > 6) return UNKNOWN_VALUE;
  switch (node.type) {
    case 'parenthesized_expression':
    case 'literal_element':
    case 'expression_list': {
      const inner = namedChildren(node, ctx.text)[0];
      return inner ? goValue(ctx, inner, depth + 1) : UNKNOWN_VALUE;
    }
    case 'interpreted_string_literal':
    case 'raw_string_literal':
      return { k: 'str', v: ctx.src(node).slice(1, -1), node };
    case 'true':
    case 'false':
      return { k: 'bool', v: node.type === 'true', node };
    case 'type_conversion_expression': {
      // []byte("…"), string(…)
      const operand = node.childForFieldName('operand');
      return operand ? goValue(ctx, operand, depth + 1) : UNKNOWN_VALUE;
    }
    case 'unary_expression': {
      const operand = node.childForFieldName('operand');
      const op = ctx.src(node.childForFieldName('operator')!);
      if (!operand || op !== '!') return { k: 'other', node };
      const v = goValue(ctx, operand, depth + 1);
      return negateValue(v, node);
    }
    case 'binary_expression': {
      const op = ctx.src(node.childForFieldName('operator')!);
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      if (!l || !r) return UNKNOWN_VALUE;
      const text = ctx.src(node).trim();
      if (op === '+') {
        const a = goValue(ctx, l, depth + 1);
        const b = goValue(ctx, r, depth + 1);
        return a.k === 'str' && b.k === 'str' && a.node.startIndex >= node.startIndex && b.node.endIndex <= node.endIndex ? { k: 'str', v: a.v + b.v, node } : UNKNOWN_VALUE;
      }
      // `cfg.Env == "production"`, `os.Getenv("GIN_MODE") == "release"`: the environment decides.
      return ENV_SWITCH.test(text) || GO_ENV.test(text) ? { k: 'env', text } : { k: 'other', node };
    }
    case 'call_expression':
      return callValue(ctx, node, depth);
    case 'identifier':
      return nameValue(ctx, node, ctx.src(node), depth);
    case 'selector_expression': {
      // `config.JWTSecret`: an exported constant of a package of the module, before the name reads as configuration.
      const operand = node.childForFieldName('operand');
      const field = node.childForFieldName('field');
      if (operand?.type === 'identifier' && field) {
        // `s.cookieSecure` in a method of `*Server`: what the type's constructor and options give the field.
        const received = goReceiverField(ctx, operand, ctx.src(field), (n) => goValue(ctx, n, depth + 1));
        if (received) return received;
        const v = structField(ctx, operand, ctx.src(field), depth) ?? goImportedConstant(ctx, node, ctx.src(operand), ctx.src(field));
        if (v) return v;
      }
      // `config.Defaults.Secret`: a field of a package-level struct var of another package.
      const pkg = operand?.type === 'selector_expression' ? operand.childForFieldName('operand') : null;
      const holder = operand?.type === 'selector_expression' ? operand.childForFieldName('field') : null;
      // `s.cfg.CookieSecure` in a method of `*Server` that keeps its constructor's `cfg`: what the callers pass.
      if (pkg?.type === 'identifier' && holder && field) {
        const passed = goReceiverParamField(ctx, pkg, ctx.src(holder), ctx.src(field), node);
        if (passed) return passed;
      }
      // `config.Session.Secure = false` in an init() of another package: what the field holds at run time.
      const foreign = pkg?.type === 'identifier' && holder && field ? goForeignSet(ctx, node, ctx.src(pkg), `${ctx.src(holder)}.${ctx.src(field)}`) : undefined;
      if (foreign) return foreign === 'unknown' ? UNKNOWN_VALUE : foreign;
      if (pkg?.type === 'identifier' && holder && field && !goFieldReassigned(ctx, node, ctx.src(pkg), `${ctx.src(holder)}.${ctx.src(field)}`)) {
        const v = goImportedConstant(ctx, node, ctx.src(pkg), `${ctx.src(holder)}.${ctx.src(field)}`);
        if (v) return v;
      }
      return GO_ENV.test(ctx.src(node)) ? { k: 'env', text: ctx.src(node).trim() } : { k: 'other', node };
    }
    default:
      return { k: 'other', node };
  }
}

function callValue(ctx: AnalysisContext, call: Node, depth: number): ResolvedValue {
  const fn = call.childForFieldName('function');
  const argsNode = call.childForFieldName('arguments');
  if (!fn) return UNKNOWN_VALUE;
  const fnText = ctx.src(fn).replace(/\s+/g, '');
  const args = argsNode ? namedChildren(argsNode, ctx.text) : [];
  // `config.JWTSecret()` of a package of the module that returns a literal.
  const operand = fn.type === 'selector_expression' ? fn.childForFieldName('operand') : null;
  const field = fn.type === 'selector_expression' ? fn.childForFieldName('field') : null;
  if (args.length === 0 && operand?.type === 'identifier' && field) {
    const v = goImportedConstant(ctx, call, ctx.src(operand), `${ctx.src(field)}()`);
    if (v) return v;
  }
  // `keys.Signing()` where `keys` is a value of a type of the package whose method only returns a literal.
  if (args.length === 0 && operand?.type === 'identifier' && field) {
    const v = receiverMethod(ctx, call, operand, ctx.src(field), depth);
    if (v) return v;
  }
  if (GO_ENV.test(fnText)) return { k: 'env', text: ctx.src(call).trim() };
  if (fn.type !== 'identifier') return { k: 'other', node: call };
  if (args.length === 0) {
    const returned = literalReturn(ctx, call, fnText);
    if (returned) return goValue(ctx, returned, depth + 1);
    const v = goSamePackage(ctx, call, `${fnText}()`);
    if (v) return v;
  }
  // A helper of this file that reads the environment and returns one of its parameters when unset.
  const helper = envHelper(ctx, call, fnText);
  if (helper === undefined) return { k: 'other', node: call };
  const arg = args[helper];
  const v = arg ? goValue(ctx, arg, depth + 1) : UNKNOWN_VALUE;
  if (v.k !== 'str') return { k: 'env', text: ctx.src(call).trim() };
  const key = args.find((a, i) => i !== helper && (a.type === 'interpreted_string_literal' || a.type === 'raw_string_literal'));
  return { k: 'fallback', v: v.v, node: v.node, whole: call, replacement: `os.Getenv(${key ? ctx.src(key) : '""'})` };
}

/** The expression a function of this file without parameters returns, when its body is that one return (`func jwtKey() []byte { return []byte("…") }`). */
function literalReturn(ctx: AnalysisContext, at: Node, name: string): Node | undefined {
  ctx.lookups.add(name);
  return ctx.memo(`go.literalReturn.${name}`, () => {
    for (const d of at.tree.rootNode.namedChildren) {
      if (d?.type !== 'function_declaration' || ctx.src(d.childForFieldName('name')!) !== name) continue;
      const params = d.childForFieldName('parameters');
      const body = d.childForFieldName('body');
      if (!body || (params && namedChildren(params, ctx.text).length > 0)) return undefined;
      const returns = body.descendantsOfType('return_statement');
      if (returns.length !== 1 || !returns[0]) return undefined;
      ctx.touch(d.startIndex, d.endIndex);
      const list = returns[0].firstNamedChild;
      const values = list ? namedChildren(list, ctx.text) : [];
      return values.length === 1 ? values[0] : list?.type !== 'expression_list' ? list ?? undefined : undefined;
    }
    return undefined;
  });
}

/**
 * `cfg.Secret` where `cfg` is a struct literal (`cfg := Config{Secret: "…"}`, `&Config{…}`, or a
 * package-level var of one) that the code never assigns a field of: the field's value in the literal.
 */
function structField(ctx: AnalysisContext, operand: Node, field: string, depth: number): ResolvedValue | undefined {
  const name = ctx.src(operand);
  const built = constructedField(ctx, operand, name, field);
  if (built) return built;
  const local = localStructField(ctx, operand, name, field, depth);
  if (local) return local.k === 'unknown' ? undefined : local;
  const base = nameValue(ctx, operand, name, depth + 1);
  // `Defaults.Secret`: a package-level struct var of another file of the package, when no local or parameter has the name.
  if (base.k === 'unknown' && !declaredInFunction(ctx, operand, name)) {
    const foreign = goForeignSet(ctx, operand, undefined, `${name}.${field}`);
    if (foreign) return foreign === 'unknown' ? UNKNOWN_VALUE : { ...foreign, node: operand.parent ?? operand };
    return goFieldReassigned(ctx, operand, undefined, `${name}.${field}`) ? undefined : goSamePackage(ctx, operand.parent ?? operand, `${name}.${field}`);
  }
  if (base.k !== 'other') return undefined;
  let lit: Node | null = base.node;
  if (lit.type === 'unary_expression' && ctx.src(lit.childForFieldName('operator')!) === '&') lit = lit.childForFieldName('operand');
  if (lit?.type !== 'composite_literal') return undefined;
  // Any later `cfg.Secret = …` (from a flag, the environment) changes it.
  if (new RegExp(`(^|[^\\w.])${name}\\.${field}\\s*=[^=]`).test(ctx.text)) return undefined;
  const body = lit.childForFieldName('body');
  for (const el of body ? namedChildren(body, ctx.text) : []) {
    if (el.type !== 'keyed_element') continue;
    const [key, value] = namedChildren(el, ctx.text);
    if (key && value && ctx.src(key).trim() === field) return goValue(ctx, value, depth + 1);
  }
  return undefined;
}

/** True when a function around `from` has `name` as a parameter or declares it in a block before `from`. */
function declaredInFunction(ctx: AnalysisContext, from: Node, name: string): boolean {
  for (const scope of ancestorsOf(from)) {
    if (scope.type === 'function_declaration' || scope.type === 'func_literal' || scope.type === 'method_declaration') {
      const params = scope.childForFieldName('parameters');
      const receiver = scope.childForFieldName('receiver');
      if ([params, receiver].some((p) => p?.descendantsOfType('identifier').some((i) => i && ctx.src(i) === name))) return true;
    } else if (scope.type === 'block') {
      const list = namedChildren(scope, ctx.text);
      const statements = list.length === 1 && list[0].type === 'statement_list' ? namedChildren(list[0], ctx.text) : list;
      if (statements.some((s) => s.startIndex < from.startIndex && declaredValue(ctx, s, name))) return true;
    }
  }
  return false;
}

/**
 * `cfg.Field` where `cfg := config.Default()` (or `NewConfig()` of another file of the package) and
 * that constructor returns a struct literal: the field as the workspace table indexed it
 * (`Default().Field`), unless this file assigns `cfg.Field` itself.
 */
function constructedField(ctx: AnalysisContext, operand: Node, name: string, field: string): ResolvedValue | undefined {
  if (!ctx.workspace) return undefined;
  const up = ancestorsOf(operand);
  for (let i = up.length - 1; i >= 0; i--) {
    const scope = up[i];
    if (scope.type !== 'block' && scope.type !== 'source_file') continue;
    const list = namedChildren(scope, ctx.text);
    const statements = list.length === 1 && list[0].type === 'statement_list' ? namedChildren(list[0], ctx.text) : list;
    for (const s of statements) {
      if (s.startIndex >= operand.startIndex) break;
      const call = declaredValue(ctx, s, name)?.node;
      // `cfg := defaultConfig` / `cfg := config.Defaults`: a copy of a package-level struct var of another file.
      if (call?.type === 'identifier' || call?.type === 'selector_expression') return copiedVarField(ctx, operand, s, scope, call, name, field);
      if (call?.type !== 'call_expression') continue;
      const fn = call.childForFieldName('function');
      // Arguments are fine: the indexer keeps only fields whose value does not depend on them.
      if (!fn) return undefined;
      // Set by this function after the call (the name is its local: other functions' statements are not about it).
      if (new RegExp(`(^|[^\\w.])${name}\\.${field}\\s*=[^=]`).test(ctx.text.slice(s.endIndex, scope.endIndex))) return undefined;
      ctx.touch(s.startIndex, s.endIndex);
      const pkg = fn.type === 'selector_expression' ? fn.childForFieldName('operand') : null;
      const fnName = fn.type === 'selector_expression' ? fn.childForFieldName('field') : fn.type === 'identifier' ? fn : null;
      if (!fnName) return undefined;
      const key = `${ctx.src(fnName)}().${field}`;
      // Reported where the field is read (`cfg.SessionKey`), which is what a fix replaces.
      const use = operand.parent ?? operand;
      if (pkg?.type === 'identifier') return goImportedConstant(ctx, use, ctx.src(pkg), key);
      if (fn.type !== 'identifier') return undefined;
      return goSamePackage(ctx, use, key) ?? sameFileConstructorField(ctx, operand, key);
    }
  }
  return undefined;
}

/**
 * `cfg.Field` where `cfg := defaultConfig` (a struct var of another file of the package) or
 * `cfg := config.Defaults` (of another package): the field of that var as the table indexed it,
 * unless this function sets `cfg.Field` after the copy or a statement of the package sets the var's field.
 */
function copiedVarField(ctx: AnalysisContext, operand: Node, decl: Node, scope: Node, value: Node, name: string, field: string): ResolvedValue | undefined {
  const held = heldVar(ctx, value);
  if (!held) return undefined;
  if (new RegExp(`(^|[^\\w.])${name}\\.${field}\\s*=[^=]`).test(ctx.text.slice(decl.endIndex, scope.endIndex))) return undefined;
  ctx.touch(decl.startIndex, decl.endIndex);
  const use = operand.parent ?? operand;
  if (goFieldReassigned(ctx, value, held.pkg, `${held.name}.${field}`)) return undefined;
  return held.pkg !== undefined ? goImportedConstant(ctx, use, held.pkg, `${held.name}.${field}`) : goSamePackage(ctx, use, `${held.name}.${field}`);
}

/** `defaultConfig` (a var of the package) or `config.Defaults` (of an imported package), as a name and the package's import name. */
function heldVar(ctx: AnalysisContext, value: Node): { pkg?: string; name: string } | undefined {
  if (value.type === 'identifier') return { name: ctx.src(value) };
  const pkg = value.childForFieldName('operand');
  const v = value.childForFieldName('field');
  return pkg?.type === 'identifier' && v ? { pkg: ctx.src(pkg), name: ctx.src(v) } : undefined;
}

type External = Extract<ResolvedValue, { k: 'external' }>;

/** Where a bool field left out of a struct literal comes from: what holds the literal, and the field. */
export interface GoZeroField {
  readonly field: string;
  /** `config.LoadWeb() (../config/web.go:21)`, `cfg (line 12)` for a literal of the function. */
  readonly holder: string;
}

/**
 * `cfg.Secure` (or `config.Defaults.Secure`) where the struct literal behind `cfg` leaves `Secure`
 * out, so that it holds its type's zero value (`false` for the bools a cookie reads): a keyed literal
 * of this function, a constructor returning one (`cfg := config.Load()`), or a package-level struct var
 * (`cfg := defaultConfig`, `config.Defaults`), as long as nothing sets the field afterwards. Undefined
 * otherwise (the field is written, or what `cfg` holds is not known).
 */
export function goZeroField(ctx: AnalysisContext, n: Node): GoZeroField | undefined {
  if (n.type !== 'selector_expression') return undefined;
  const operand = n.childForFieldName('operand');
  const fieldNode = n.childForFieldName('field');
  if (!operand || !fieldNode) return undefined;
  const field = ctx.src(fieldNode);
  const keysLeaveOut = (keys: External | undefined) => keys !== undefined && typeof keys.symbol.value === 'string' && !keys.symbol.value.split(',').includes(field);
  const place = (e: External) => (ctx.workspace ? symbolPlace(ctx.workspace.filePath, e.symbol) : '');
  // `config.Defaults.Secure`: a package var of another package read in place.
  if (operand.type === 'selector_expression') {
    const held = heldVar(ctx, operand);
    if (!held?.pkg || goFieldReassigned(ctx, n, held.pkg, `${held.name}.${field}`) || goForeignSet(ctx, n, held.pkg, `${held.name}.${field}`)) return undefined;
    const keys = goImportedConstant(ctx, n, held.pkg, `${held.name}${GO_KEYS_SUFFIX}`);
    return keysLeaveOut(keys) ? { field, holder: `${ctx.src(operand)} (${place(keys!)})` } : undefined;
  }
  if (operand.type !== 'identifier') return undefined;
  const name = ctx.src(operand);
  let local: Node | undefined;
  const literal = localStructField(ctx, operand, name, field, 1, (decl) => {
    local = decl;
  });
  if (local && literal === undefined) return { field, holder: `${name} (line ${ctx.lineOf(local.startIndex) + 1})` };
  if (!ctx.workspace) return undefined;
  for (const scope of [...ancestorsOf(operand)].reverse()) {
    if (scope.type !== 'block') continue;
    for (const s of statementsIn(ctx, scope)) {
      if (s.startIndex >= operand.startIndex) break;
      const value = declaredValue(ctx, s, name)?.node;
      if (!value) continue;
      if (new RegExp(`(^|[^\\w.])${name}\\.${field}\\s*=[^=]`).test(ctx.text.slice(s.endIndex, scope.endIndex))) return undefined;
      ctx.touch(s.startIndex, s.endIndex);
      let keys: External | undefined;
      let holder = '';
      if (value.type === 'call_expression') {
        const fn = value.childForFieldName('function');
        const pkg = fn?.type === 'selector_expression' ? fn.childForFieldName('operand') : null;
        const fnName = fn?.type === 'selector_expression' ? fn.childForFieldName('field') : fn?.type === 'identifier' ? fn : null;
        if (!fnName || (fn?.type === 'selector_expression' && pkg?.type !== 'identifier')) return undefined;
        keys = pkg ? goImportedConstant(ctx, n, ctx.src(pkg), `${ctx.src(fnName)}()${GO_KEYS_SUFFIX}`) : goSamePackage(ctx, n, `${ctx.src(fnName)}()${GO_KEYS_SUFFIX}`);
        holder = `${ctx.src(fn!).replace(/\s+/g, '')}()`;
      } else {
        const held = heldVar(ctx, value);
        if (!held || goFieldReassigned(ctx, n, held.pkg, `${held.name}.${field}`)) return undefined;
        keys = held.pkg !== undefined ? goImportedConstant(ctx, n, held.pkg, `${held.name}${GO_KEYS_SUFFIX}`) : goSamePackage(ctx, n, `${held.name}${GO_KEYS_SUFFIX}`);
        holder = ctx.src(value).replace(/\s+/g, '');
      }
      return keysLeaveOut(keys) ? { field, holder: `${holder} (${place(keys!)})` } : undefined;
    }
  }
  return undefined;
}

/** For `func getEnv(key, fallback string) string { if v, ok := os.LookupEnv(key); ok { return v }; return fallback }`: the index of `fallback`. */
function envHelper(ctx: AnalysisContext, at: Node, name: string): number | undefined {
  ctx.lookups.add(name);
  return ctx.memo(`go.envHelper.${name}`, () => {
    const root = at.tree.rootNode;
    for (const d of root.namedChildren) {
      if (d?.type !== 'function_declaration' || ctx.src(d.childForFieldName('name')!) !== name) continue;
      const body = d.childForFieldName('body');
      const params = d.childForFieldName('parameters');
      if (!body || !params || !GO_ENV.test(ctx.src(body))) return undefined;
      ctx.touch(d.startIndex, d.endIndex);
      const names = params.descendantsOfType('identifier').filter((i) => i?.parent?.type === 'parameter_declaration').map((i) => ctx.src(i!));
      for (const r of body.descendantsOfType('return_statement')) {
        const first = r?.firstNamedChild?.firstNamedChild;
        if (first?.type === 'identifier' && names.includes(ctx.src(first))) return names.indexOf(ctx.src(first));
      }
      return undefined;
    }
    return undefined;
  });
}

/** A name read at `from`: a local of an enclosing block or a package-level var/const. */
function nameValue(ctx: AnalysisContext, from: Node, name: string, depth: number): ResolvedValue {
  const up = ancestorsOf(from);
  for (let i = up.length - 1; i >= 0; i--) {
    const scope = up[i];
    if (scope.type === 'block') {
      const local = localIn(ctx, scope, name, from, depth);
      if (local) return local;
    } else if (scope.type === 'function_declaration' || scope.type === 'func_literal' || scope.type === 'method_declaration') {
      const params = scope.childForFieldName('parameters');
      if (params?.descendantsOfType('identifier').some((p) => p && ctx.src(p) === name)) return UNKNOWN_VALUE;
    } else if (scope.type === 'source_file') {
      return packageLevel(ctx, scope, name, depth, from);
    }
  }
  return UNKNOWN_VALUE;
}

function packageLevel(ctx: AnalysisContext, root: Node, name: string, depth: number, from: Node): ResolvedValue {
  ctx.lookups.add(name);
  for (const d of root.namedChildren) {
    if (d?.type !== 'var_declaration' && d?.type !== 'const_declaration') continue;
    for (const spec of d.descendantsOfType(['var_spec', 'const_spec'])) {
      const n = spec?.childForFieldName('name');
      const v = spec?.childForFieldName('value');
      if (!spec || !n || ctx.src(n) !== name) continue;
      ctx.touch(spec.startIndex, spec.endIndex);
      // A package variable may be changed by any function: only a constant, or a var never assigned, is its initializer.
      if (d.type === 'var_declaration' && new RegExp(`(^|[^\\w.])${name}\\s*=[^=]`).test(ctx.text.slice(d.endIndex))) return UNKNOWN_VALUE;
      const first = v ? namedChildren(v, ctx.text)[0] : undefined;
      return first ? goValue(ctx, first, depth + 1) : UNKNOWN_VALUE;
    }
  }
  // Declared in another file of the package.
  return goSamePackage(ctx, from, name) ?? UNKNOWN_VALUE;
}

/** Names declared by a statement of a block: `a, b := …`, `var a = …`. */
function declaredValue(ctx: AnalysisContext, s: Node, name: string): { node?: Node; decl: Node } | undefined {
  if (s.type === 'short_var_declaration') {
    const left = s.childForFieldName('left');
    const right = s.childForFieldName('right');
    const names = left ? namedChildren(left, ctx.text).map((n) => ctx.src(n)) : [];
    const i = names.indexOf(name);
    if (i === -1) return undefined;
    const values = right ? namedChildren(right, ctx.text) : [];
    // `v, ok := os.LookupEnv(…)`: one call for two names.
    return { decl: s, ...(values.length === names.length ? { node: values[i] } : i === 0 && values[0] ? { node: values[0] } : {}) };
  }
  if (s.type === 'var_declaration') {
    for (const spec of s.descendantsOfType('var_spec')) {
      const n = spec?.childForFieldName('name');
      if (!spec || !n || ctx.src(n) !== name) continue;
      const v = spec.childForFieldName('value');
      const first = v ? namedChildren(v, ctx.text)[0] : undefined;
      return { decl: s, ...(first ? { node: first } : {}) };
    }
  }
  return undefined;
}

/**
 * A local declared in `block` before `before`, then the assignments to it up to `before`: one in
 * the block replaces the value, one under an `if`/`else` adds a branch. A literal assigned when an
 * environment read came back empty (`if secret == "" { secret = "dev" }`) is a fallback.
 */
function localIn(ctx: AnalysisContext, block: Node, name: string, before: Node, depth: number): ResolvedValue | undefined {
  let decl: { node?: Node; decl: Node } | undefined;
  // A block holds its statements in a statement_list.
  const list = namedChildren(block, ctx.text);
  const statements = list.length === 1 && list[0].type === 'statement_list' ? namedChildren(list[0], ctx.text) : list;
  for (const s of statements) {
    if (s.startIndex >= before.startIndex) break;
    decl = declaredValue(ctx, s, name) ?? decl;
  }
  if (!decl) return undefined;
  // Edits from the declaration to the use (a new assignment between them) change the value.
  ctx.touch(decl.decl.startIndex, before.startIndex);
  const initial = decl.node ? goValue(ctx, decl.node, depth + 1) : UNKNOWN_VALUE;
  let branches: ValueBranch[] = decl.node ? [{ value: initial, when: 'as declared' }] : [];
  const conditions: string[] = [];
  for (const a of block.descendantsOfType('assignment_statement')) {
    if (!a || a.startIndex < decl.decl.endIndex || a.endIndex > before.startIndex) continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (!left || !right || ctx.src(left).trim() !== name) continue;
    if (ctx.src(a.childForFieldName('operator')!) !== '=') return UNKNOWN_VALUE;
    if (ancestorsOf(a).some((p) => p.startIndex > block.startIndex && p.type === 'func_literal')) continue;
    const rhs = namedChildren(right, ctx.text)[0];
    const value = rhs ? goValue(ctx, rhs, depth + 1) : UNKNOWN_VALUE;
    const cond = conditionOf(ctx, a, block);
    if (cond === undefined) {
      branches = [{ value, when: 'as assigned' }];
      conditions.length = 0;
      continue;
    }
    const empty = new RegExp(`^when (${name}\\s*==\\s*""|len\\(${name}\\)\\s*==\\s*0|!ok)$`);
    if (value.k === 'str' && empty.test(cond) && (initial.k === 'env' || branches.some((b) => b.value.k === 'env'))) {
      const stmt = a.parent?.type === 'expression_statement' ? a.parent : a;
      const envRead = branches.find((b) => b.value.k === 'env');
      const key = envRead?.value.k === 'env' ? /"([^"]+)"/.exec(envRead.value.text)?.[1] ?? name : name;
      branches.push({ value: { k: 'fallback', v: value.v, node: value.node, whole: stmt, replacement: `panic("${key} is not set")` }, when: cond });
      continue;
    }
    branches.push({ value, when: cond });
    conditions.push(cond);
  }
  if (branches.length === 0) return UNKNOWN_VALUE;
  if (branches.length === 1) return branches[0].value;
  // The fallback is what a missing variable gives: the environment read itself is not a branch to judge.
  const fallback = branches.find((b) => b.value.k === 'fallback');
  if (fallback && conditions.length === 0) return fallback.value;
  return { k: 'choice', branches, env: conditions.every((c) => ENV_SWITCH.test(c) || GO_ENV.test(c)), text: conditions.join('; ') };
}

function conditionOf(ctx: AnalysisContext, node: Node, block: Node): string | undefined {
  return conditionOfIn((n) => ctx.src(n), node, block, ancestorsOf(node), { loops: /^(for|expression_switch|type_switch|select)_statement/, suffix: /_statement$/ });
}

/** The statements of a block (Go's grammar holds them in a statement_list). */
function statementsIn(ctx: AnalysisContext, block: Node): Node[] {
  const list = namedChildren(block, ctx.text);
  return list.length === 1 && list[0].type === 'statement_list' ? namedChildren(list[0], ctx.text) : list;
}

/**
 * `cfg.Secret` where `cfg` is a struct local built over statements before the use (`var cfg Config`
 * or `cfg := &Config{…}`, then `cfg.Secret = "…"`): the last value the block gives the field. An
 * assignment under an `if` or in a loop, or `cfg` handed to a function or a method before the use,
 * makes it unknown (`{ k: 'unknown' }`); undefined when `cfg` is not such a local.
 */
function localStructField(ctx: AnalysisContext, operand: Node, name: string, field: string, depth: number, onZero?: (decl: Node) => void): ResolvedValue | undefined {
  const up = ancestorsOf(operand);
  for (let i = up.length - 1; i >= 0; i--) {
    const scope = up[i];
    if (scope.type !== 'block') continue;
    const statements = statementsIn(ctx, scope);
    let decl: Node | undefined;
    let lit: Node | null | undefined;
    for (const s of statements) {
      if (s.startIndex >= operand.startIndex) break;
      const d = declaredValue(ctx, s, name);
      if (!d) continue;
      decl = s;
      lit = d.node;
      if (lit?.type === 'unary_expression' && ctx.src(lit.childForFieldName('operator')!) === '&') lit = lit.childForFieldName('operand');
    }
    if (!decl) continue;
    // `var cfg Config` has no value; anything else must be a struct literal.
    if (lit ? lit.type !== 'composite_literal' : decl.type !== 'var_declaration') return undefined;
    ctx.touch(decl.startIndex, operand.startIndex);
    let value: ResolvedValue | undefined;
    const body = lit?.childForFieldName('body');
    for (const el of body ? namedChildren(body, ctx.text) : []) {
      if (el.type !== 'keyed_element') continue;
      const [key, v] = namedChildren(el, ctx.text);
      if (key && v && ctx.src(key).trim() === field) value = goValue(ctx, v, depth + 1);
    }
    const mention = new RegExp(`(^|[^\\w.])${name}\\b`);
    const setsField = new RegExp(`(^|[^\\w.])${name}\\s*\\.\\s*${field}\\s*(=[^=]|[-+*/|&]=|\\+\\+|--)`);
    for (const s of statements) {
      if (s.startIndex <= decl.startIndex) continue;
      if (s.endIndex > operand.startIndex) {
        // The statement holding the use (an if, a loop): a setting or a hand-over inside it before the use.
        const before = ctx.text.slice(s.startIndex, operand.startIndex);
        if (setsField.test(before) || new RegExp(`(^|[^\\w.])&?${name}\\b(?!\\s*\\.\\s*\\w+\\b(?!\\s*\\())`).test(before)) return UNKNOWN_VALUE;
        break;
      }
      const text = ctx.src(s);
      if (!mention.test(text)) continue;
      const left = s.type === 'assignment_statement' ? s.childForFieldName('left') : null;
      const lt = left ? ctx.src(left).replace(/\s+/g, '') : '';
      if (lt.startsWith(`${name}.`) && !mention.test(ctx.src(s.childForFieldName('right')!))) {
        if (lt === `${name}.${field}`) {
          if (ctx.src(s.childForFieldName('operator')!) !== '=') return UNKNOWN_VALUE;
          const rhs = namedChildren(s.childForFieldName('right')!, ctx.text)[0];
          value = rhs ? goValue(ctx, rhs, depth + 1) : UNKNOWN_VALUE;
        }
        continue;
      }
      // Set on some paths only, passed to a function or a method called on it: not one value any more.
      if (setsField.test(text) || usesWhole(ctx, s, name)) return UNKNOWN_VALUE;
    }
    // Left out of a keyed literal (or `var cfg Config`) and never set: the zero value.
    if (value === undefined && onZero && !(body && namedChildren(body, ctx.text).some((el) => el.type !== 'keyed_element'))) onZero(decl);
    return value;
  }
  return undefined;
}

/** True when `s` uses `name` other than by reading one of its fields (`load(&cfg)`, `cfg.Load()`). */
function usesWhole(ctx: AnalysisContext, s: Node, name: string): boolean {
  for (const id of s.descendantsOfType('identifier')) {
    if (!id || ctx.src(id) !== name) continue;
    const p = id.parent;
    const readsField = p?.type === 'selector_expression' && p.childForFieldName('operand')?.id === id.id && p.parent?.type !== 'call_expression';
    if (!readsField) return true;
  }
  return false;
}

/** `cfg.Field` of `cfg := newConfig()` where newConfig is a constructor of this file: the literal it gives the field. */
function sameFileConstructorField(ctx: AnalysisContext, at: Node, key: string): ResolvedValue | undefined {
  const fields = ctx.memo('go.structFields', () => {
    const out = new Map<string, number>();
    // The literal reader only says whether the text is a literal; the value is read from the tree.
    for (const f of goStructFields(ctx.text, (raw) => (/^("|`|-?\d|true$|false$|\[\]byte\()/.test(raw.trim()) ? { value: raw } : undefined))) out.set(f.name, f.offset);
    return out;
  });
  const offset = fields.get(key);
  if (offset === undefined) return undefined;
  ctx.lookups.add(key.slice(0, key.indexOf('(')));
  return goFieldValueAt(ctx, at, offset, (n) => goValue(ctx, n, 1));
}

/**
 * `keys.Signing()` where `keys` is declared in the file as a value of type T (`var keys Keys`,
 * `keys := Keys{}`, a parameter `keys *Keys`) and T's method `Signing()` only returns a value:
 * that value, from this file or another file of the package.
 */
function receiverMethod(ctx: AnalysisContext, call: Node, operand: Node, method: string, depth: number): ResolvedValue | undefined {
  const type = goTypeOf(ctx, operand);
  if (!type || type.includes('.')) return undefined;
  ctx.lookups.add(method);
  const own = ctx.memo(`go.method.${type}.${method}`, () => {
    for (const d of operand.tree.rootNode.namedChildren) {
      if (d?.type !== 'method_declaration' || ctx.src(d.childForFieldName('name')!) !== method) continue;
      const receiver = d.childForFieldName('receiver');
      const params = d.childForFieldName('parameters');
      if (!receiver || ctx.src(receiver).replace(/[()*\s]/g, ' ').trim().split(/\s+/).pop() !== type) continue;
      if (params && namedChildren(params, ctx.text).length > 0) return undefined;
      const returns = d.descendantsOfType('return_statement');
      if (returns.length !== 1 || !returns[0]) return undefined;
      ctx.touch(d.startIndex, d.endIndex);
      const values = returns[0].firstNamedChild ? namedChildren(returns[0].firstNamedChild, ctx.text) : [];
      return values.length === 1 ? values[0] : undefined;
    }
    return undefined;
  });
  if (own) return goValue(ctx, own, depth + 1);
  return goSamePackage(ctx, call, `${type}.${method}()`);
}

/** The type written for a name in its declaration: a parameter or receiver, `var x T`, `x := T{}` / `&T{}`. */
function goTypeOf(ctx: AnalysisContext, operand: Node): string | undefined {
  const name = ctx.src(operand);
  const clean = (t: string) => t.replace(/^\*/, '').trim();
  for (const scope of [...ancestorsOf(operand)].reverse()) {
    if (scope.type === 'block') {
      for (const s of statementsIn(ctx, scope)) {
        if (s.startIndex >= operand.startIndex) break;
        if (s.type === 'var_declaration') {
          for (const spec of s.descendantsOfType('var_spec')) {
            if (spec && ctx.src(spec.childForFieldName('name') ?? spec).trim() === name && spec.childForFieldName('type')) return clean(ctx.src(spec.childForFieldName('type')!));
          }
        }
        const d = declaredValue(ctx, s, name);
        let v = d?.node;
        if (v?.type === 'unary_expression') v = v.childForFieldName('operand') ?? undefined;
        if (v?.type === 'composite_literal') return clean(ctx.src(v.childForFieldName('type')!));
      }
    } else if (scope.type === 'function_declaration' || scope.type === 'method_declaration' || scope.type === 'func_literal') {
      for (const list of [scope.childForFieldName('parameters'), scope.childForFieldName('receiver')]) {
        for (const p of list?.descendantsOfType('parameter_declaration') ?? []) {
          if (p && p.descendantsOfType('identifier').some((i) => i && ctx.src(i) === name)) return clean(ctx.src(p.childForFieldName('type')!));
        }
      }
    }
  }
  return undefined;
}
