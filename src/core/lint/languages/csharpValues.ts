import type { Node } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, ancestorsOf, namedChildren } from '../analysis';
import { csharpClassConstant, csharpOptionsKey, csharpRegisteredValue, csharpStaticOrPartial } from './crossFileConstants';
import { conditionOf as conditionOfIn, ENV_SWITCH, negateValue, type ResolvedValue, UNKNOWN_VALUE, type ValueBranch } from './resolvedValue';

/** Reads of configuration or the environment: decided by the deployment, not by the code. */
export const CSHARP_ENV = /GetEnvironmentVariable|[Cc]onfiguration\s*\[|Configuration\s*\.|GetValue\s*<|GetSection\s*\(|GetConnectionString|\bconfig\s*\[|IsDevelopment|IsProduction|Environment\s*\./;

/** Calls that keep the meaning of the literal they are given: bytes, Base64. */
const WRAPPER_CALLS = /^(Encoding\s*\.\s*\w+\s*\.\s*GetBytes|Convert\s*\.\s*(FromBase64String|ToBase64String)|Base64UrlEncoder\s*\.\s*(Encode|DecodeBytes)|WebEncoders\s*\.\s*Base64UrlDecode)$/;
const WRAPPER_METHODS = new Set(['ToString', 'Trim', 'ToCharArray']);

/**
 * What a C# expression stands for, followed within one file: locals (with their `if`/`else`
 * assignments), parameters, fields (`const`, `static readonly`, readonly), constants of other
 * classes of the file, `?:`, `??` fallbacks after a configuration read, `!`, `"a" + "b"`, and
 * wrappers that keep a literal's meaning (`Encoding.UTF8.GetBytes`, `Convert.FromBase64String`).
 * An enum member or any other expression is returned as it is (`other`).
 */
export function csharpValue(ctx: AnalysisContext, node: Node, depth = 0): ResolvedValue {
  if (depth > 6) return UNKNOWN_VALUE;
  switch (node.type) {
    case 'parenthesized_expression':
    case 'argument':
    case 'postfix_unary_expression': {
      // `(x)`, an argument, `x!` (null-forgiving).
      const inner = namedChildren(node, ctx.text).pop();
      return inner ? csharpValue(ctx, inner, depth + 1) : UNKNOWN_VALUE;
    }
    case 'string_literal':
      return { k: 'str', v: ctx.src(node).slice(1, -1), node };
    case 'verbatim_string_literal':
      return { k: 'str', v: ctx.src(node).slice(2, -1), node };
    case 'boolean_literal':
      return { k: 'bool', v: ctx.src(node) === 'true', node };
    case 'prefix_unary_expression': {
      const operand = namedChildren(node, ctx.text)[0];
      if (!operand || !ctx.src(node).trim().startsWith('!')) return { k: 'other', node };
      return negateValue(csharpValue(ctx, operand, depth + 1), node);
    }
    case 'binary_expression': {
      const op = ctx.src(node.childForFieldName('operator')!);
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      if (!l || !r) return UNKNOWN_VALUE;
      if (op === '??') {
        const left = csharpValue(ctx, l, depth + 1);
        const right = csharpValue(ctx, r, depth + 1);
        if (left.k === 'env' && right.k === 'str') {
          const name = /"([^"]+)"/.exec(ctx.src(l))?.[1] ?? 'the setting';
          return { k: 'fallback', v: right.v, node: right.node, whole: node, replacement: `${ctx.src(l)} ?? throw new InvalidOperationException("${name} is not set")` };
        }
        return left.k === 'env' ? left : UNKNOWN_VALUE;
      }
      if (op !== '+') return { k: 'other', node };
      const a = csharpValue(ctx, l, depth + 1);
      const b = csharpValue(ctx, r, depth + 1);
      return a.k === 'str' && b.k === 'str' && a.node.startIndex >= node.startIndex && b.node.endIndex <= node.endIndex ? { k: 'str', v: a.v + b.v, node } : UNKNOWN_VALUE;
    }
    case 'conditional_expression': {
      const cond = node.childForFieldName('condition');
      const yes = node.childForFieldName('consequence');
      const no = node.childForFieldName('alternative');
      if (!cond || !yes || !no) return UNKNOWN_VALUE;
      const text = ctx.src(cond).trim();
      return {
        k: 'choice', text, env: ENV_SWITCH.test(text) || CSHARP_ENV.test(text),
        branches: [{ value: csharpValue(ctx, yes, depth + 1), when: `when ${text}` }, { value: csharpValue(ctx, no, depth + 1), when: `when not ${text}` }],
      };
    }
    case 'invocation_expression': {
      const fn = node.childForFieldName('function');
      const args = node.childForFieldName('arguments');
      const fnText = fn ? ctx.src(fn).replace(/\s+/g, '') : '';
      if (CSHARP_ENV.test(fnText)) return { k: 'env', text: ctx.src(node).trim() };
      const first = args ? namedChildren(args, ctx.text)[0] : undefined;
      if (first && WRAPPER_CALLS.test(fnText)) {
        const v = csharpValue(ctx, first, depth + 1);
        // The bytes of a configuration read are still decided by the deployment.
        return v.k === 'str' || v.k === 'fallback' || v.k === 'choice' || v.k === 'external' || v.k === 'env' ? v : UNKNOWN_VALUE;
      }
      const obj = fn?.type === 'member_access_expression' ? fn.childForFieldName('expression') : null;
      const name = fn?.type === 'member_access_expression' ? fn.childForFieldName('name') : null;
      if (obj && name && WRAPPER_METHODS.has(ctx.src(name))) return csharpValue(ctx, obj, depth + 1);
      // `KeyVault.Secret()`: a static method of a class of another file that only returns a literal.
      if (obj && name && (!args || namedChildren(args, ctx.text).length === 0) && /^[A-Z][\w.]*$/.test(ctx.src(obj).replace(/\s+/g, ''))) {
        const v = csharpClassConstant(ctx, node, ctx.src(obj).replace(/\s+/g, ''), `${ctx.src(name)}()`);
        if (v) return v;
      }
      // `GetSigningKey()`, `this.GetSigningKey()`: a method of the class that only returns a value.
      const called = fn?.type === 'identifier' ? fn : obj && name && ctx.src(obj) === 'this' ? name : undefined;
      if (called && (!args || namedChildren(args, ctx.text).length === 0)) {
        const returned = memberReturn(ctx, node, ctx.src(called), true);
        if (returned) return csharpValue(ctx, returned, depth + 1);
      }
      return { k: 'other', node };
    }
    case 'element_access_expression':
      return CSHARP_ENV.test(ctx.src(node)) ? { k: 'env', text: ctx.src(node).trim() } : { k: 'other', node };
    case 'identifier':
      return nameValue(ctx, node, ctx.src(node), depth);
    case 'member_access_expression': {
      const obj = node.childForFieldName('expression');
      const name = node.childForFieldName('name');
      if (!obj || !name) return UNKNOWN_VALUE;
      if (obj.type === 'this_expression' || ctx.src(obj) === 'this') return fieldValue(ctx, node, ctx.src(name), depth) ?? UNKNOWN_VALUE;
      if (CSHARP_ENV.test(ctx.src(node))) return { k: 'env', text: ctx.src(node).trim() };
      if (obj.type === 'identifier' && /^[A-Z]/.test(ctx.src(obj))) {
        const v = otherClassField(ctx, node, ctx.src(obj), ctx.src(name), depth) ?? csharpClassConstant(ctx, node, ctx.src(obj), ctx.src(name));
        if (v) return v;
      }
      // `options.Value.Key`, `_settings.Key` of an options class bound to a section: a configuration read.
      const viaValue = obj.type === 'member_access_expression' && /^(Value|CurrentValue)$/.test(ctx.src(obj.childForFieldName('name') ?? obj));
      let holder = viaValue ? obj.childForFieldName('expression') : obj;
      // `settings!.Key`: the null-forgiving `!` of a `Get<T>()` that may return null.
      if (holder?.type === 'postfix_unary_expression' && ctx.src(holder).trim().endsWith('!')) holder = holder.firstNamedChild;
      if (holder?.type === 'identifier') {
        const key = csharpOptionsKey(ctx, ctx.src(holder), viaValue, ctx.src(name), node);
        if (key) return { k: 'env', text: `Configuration["${key}"]` };
        // `_settings.Key` of an object registered whole with literal properties.
        const registered = viaValue ? undefined : csharpRegisteredValue(ctx, ctx.src(holder), ctx.src(name), node);
        if (registered) return registered;
      }
      // `Shop.Security.JwtDefaults.SigningKey`: a qualified class of another file.
      const qualified = ctx.src(obj).replace(/\s+/g, '');
      if (obj.type === 'member_access_expression' && /^[\w.]+$/.test(qualified)) {
        const v = csharpClassConstant(ctx, node, qualified, ctx.src(name));
        if (v) return v;
      }
      return { k: 'other', node };
    }
    default:
      return { k: 'other', node };
  }
}

/** A name read at `from`: a local of an enclosing block (top-level statements too), a parameter, a field. */
function nameValue(ctx: AnalysisContext, from: Node, name: string, depth: number): ResolvedValue {
  const up = ancestorsOf(from);
  for (let i = up.length - 1; i >= 0; i--) {
    const scope = up[i];
    const t = scope.type;
    if (t === 'block' || t === 'compilation_unit' || t === 'switch_section') {
      if (t === 'compilation_unit') ctx.lookups.add(name);
      const local = localIn(ctx, scope, name, from, depth);
      if (local) return local;
      continue;
    }
    if (t === 'method_declaration' || t === 'constructor_declaration' || t === 'lambda_expression' || t === 'local_function_statement') {
      const params = scope.childForFieldName('parameters');
      if (params && params.descendantsOfType('parameter').some((p) => p && ctx.src(p.childForFieldName('name') ?? p) === name)) return UNKNOWN_VALUE;
    }
    if (t === 'class_declaration' || t === 'record_declaration' || t === 'struct_declaration') {
      const cls = scope.childForFieldName('name');
      return fieldValue(ctx, from, name, depth) ?? csharpStaticOrPartial(ctx, from, name, cls ? ctx.src(cls) : undefined) ?? UNKNOWN_VALUE;
    }
  }
  return UNKNOWN_VALUE;
}

/** The declaration statements of a block: locals, and at the top level those inside global statements. */
function statementsOf(ctx: AnalysisContext, block: Node): Node[] {
  return namedChildren(block, ctx.text).map((s) => (s.type === 'global_statement' ? s.firstNamedChild ?? s : s));
}

/**
 * A local declared in `block` before `before`: its initializer, then the assignments to it up to
 * `before` (one in the block replaces the value, one under an `if`/`else` adds a branch).
 */
function localIn(ctx: AnalysisContext, block: Node, name: string, before: Node, depth: number): ResolvedValue | undefined {
  let decl: Node | undefined;
  for (const s of statementsOf(ctx, block)) {
    if (s.startIndex >= before.startIndex) break;
    if (s.type !== 'local_declaration_statement') continue;
    for (const d of s.descendantsOfType('variable_declarator')) {
      if (d && ctx.src(d.childForFieldName('name') ?? d.firstNamedChild!) === name) decl = d;
    }
  }
  if (!decl) return undefined;
  // Edits from the declaration to the use (a new assignment between them) change the value.
  ctx.touch(decl.startIndex, before.startIndex);
  const parts = namedChildren(decl, ctx.text);
  const init = parts.length > 1 ? parts[parts.length - 1] : undefined;
  let branches: ValueBranch[] = init ? [{ value: csharpValue(ctx, init, depth + 1), when: 'as declared' }] : [];
  const conditions: string[] = [];
  for (const a of block.descendantsOfType('assignment_expression')) {
    if (!a || a.startIndex < decl.endIndex || a.endIndex > before.startIndex) continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (!left || !right || ctx.src(left) !== name) continue;
    if (ctx.src(a.childForFieldName('operator')!) !== '=') return UNKNOWN_VALUE;
    // An assignment inside a lambda runs when the lambda does: not before `before`.
    if (ancestorsOf(a).some((p) => p.startIndex > block.startIndex && p.type === 'lambda_expression')) continue;
    const value = csharpValue(ctx, right, depth + 1);
    const cond = conditionOf(ctx, a, block);
    if (cond === undefined) {
      branches = [{ value, when: 'as assigned' }];
      conditions.length = 0;
    } else {
      branches.push({ value, when: cond });
      conditions.push(cond);
    }
  }
  if (branches.length === 0) return UNKNOWN_VALUE;
  if (branches.length === 1) return branches[0].value;
  return { k: 'choice', branches, env: conditions.every((c) => ENV_SWITCH.test(c) || CSHARP_ENV.test(c)), text: conditions.join('; ') };
}

function conditionOf(ctx: AnalysisContext, node: Node, block: Node): string | undefined {
  return conditionOfIn((n) => ctx.src(n), node, block, ancestorsOf(node), { loops: /^(for|foreach|while|do|switch|try|catch)/, suffix: /_(statement|section|clause)$/ });
}

/** A field of the class around `from`: `const`, `readonly`, or never assigned after its declaration. */
function fieldValue(ctx: AnalysisContext, from: Node, name: string, depth: number): ResolvedValue | undefined {
  ctx.lookups.add(name);
  const up = ancestorsOf(from);
  for (let i = up.length - 1; i >= 0; i--) {
    if (up[i].type !== 'declaration_list') continue;
    const v = fieldIn(ctx, up[i], name, depth, false);
    if (v) return v;
    const returned = memberReturn(ctx, from, name, false, up[i]);
    if (returned) return csharpValue(ctx, returned, depth + 1);
  }
  return undefined;
}

/**
 * What a property or a method without parameters of an enclosing class gives when it is only a
 * value: `string Key => "…"`, `string Key { get; } = "…"` (get-only: nothing else sets it),
 * `{ get { return "…"; } }`, `string GetKey() => "…"`, `string GetKey() { return "…"; }`.
 */
function memberReturn(ctx: AnalysisContext, from: Node, name: string, method: boolean, only?: Node): Node | undefined {
  ctx.lookups.add(name);
  const lists = only ? [only] : ancestorsOf(from).filter((a) => a.type === 'declaration_list').reverse();
  for (const list of lists) {
    for (const m of list.namedChildren) {
      if (m?.type !== (method ? 'method_declaration' : 'property_declaration') || ctx.src(m.childForFieldName('name')!) !== name) continue;
      ctx.touch(m.startIndex, m.endIndex);
      if (method) {
        const params = m.childForFieldName('parameters');
        if (params && namedChildren(params, ctx.text).length > 0) return undefined;
        return onlyReturn(ctx, m.childForFieldName('body'));
      }
      const value = m.childForFieldName('value');
      const accessors = m.childForFieldName('accessors');
      if (value?.type === 'arrow_expression_clause') return namedChildren(value, ctx.text)[0];
      const each = accessors ? namedChildren(accessors, ctx.text).filter((a) => a.type === 'accessor_declaration') : [];
      if (each.length !== 1 || !/^get\b/.test(ctx.src(each[0]).trim())) return undefined;
      return value ?? onlyReturn(ctx, each[0].childForFieldName('body'));
    }
  }
  return undefined;
}

/** The expression of `=> expr` or of a block that is one `return expr;`. */
function onlyReturn(ctx: AnalysisContext, body: Node | null): Node | undefined {
  if (!body) return undefined;
  if (body.type === 'arrow_expression_clause') return namedChildren(body, ctx.text)[0];
  const statements = namedChildren(body, ctx.text).filter((s) => s.type !== 'comment');
  return statements.length === 1 && statements[0].type === 'return_statement' ? namedChildren(statements[0], ctx.text)[0] : undefined;
}

/** The value of field `name` of a class body; `constantsOnly` for another class (const and static readonly). */
function fieldIn(ctx: AnalysisContext, list: Node, name: string, depth: number, constantsOnly: boolean): ResolvedValue | undefined {
  for (const f of list.namedChildren) {
    if (f?.type !== 'field_declaration') continue;
    const d = f.descendantsOfType('variable_declarator').find((x) => x && ctx.src(x.childForFieldName('name') ?? x.firstNamedChild!) === name);
    if (!d) continue;
    ctx.touch(f.startIndex, f.endIndex);
    const mods = f.namedChildren.filter((c): c is Node => c?.type === 'modifier').map((c) => ctx.src(c));
    const fixed = mods.includes('const') || mods.includes('readonly');
    const parts = namedChildren(d, ctx.text);
    const init = parts.length > 1 ? parts[parts.length - 1] : undefined;
    if (constantsOnly && !fixed) return UNKNOWN_VALUE;
    if (!init) return UNKNOWN_VALUE;
    if (!fixed && new RegExp(`(^|[^\\w.])(this\\s*\\.\\s*)?${name}\\s*=[^=>]`).test(ctx.src(list).slice(f.endIndex - list.startIndex))) return UNKNOWN_VALUE;
    return csharpValue(ctx, init, depth + 1);
  }
  return undefined;
}

/** `Settings.Key`: a const or static readonly field of another class of the same file. */
function otherClassField(ctx: AnalysisContext, at: Node, cls: string, name: string, depth: number): ResolvedValue | undefined {
  ctx.lookups.add(name);
  const list = ctx.memo(`cs.class.${cls}`, () => {
    for (const c of at.tree.rootNode.descendantsOfType(['class_declaration', 'struct_declaration', 'record_declaration'])) {
      if (c && ctx.src(c.childForFieldName('name')!) === cls) return c.childForFieldName('body') ?? undefined;
    }
    return undefined;
  });
  return list ? fieldIn(ctx, list, name, depth, true) : undefined;
}

/** The `const` modifier of the field declaring `literal`, if it is one: a const cannot hold a value read at run time. */
export function constModifierOf(ctx: AnalysisContext, literal: Node): Node | undefined {
  const field = ancestorsOf(literal).reverse().find((a) => a.type === 'field_declaration' || a.type === 'local_declaration_statement');
  return field?.namedChildren.find((c): c is Node => c?.type === 'modifier' && ctx.src(c) === 'const');
}
