import type { Node } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, ancestorsOf, namedChildren } from '../analysis';
import { javaClassConstant, javaConfigPropertiesPrefix, javaInheritedOrImported } from './crossFileConstants';
import { JAVA_CONFIG_DEFAULTS, JAVA_FACTORY, JAVA_NEW_ARGUMENT, textBlockValue } from '../symbols/javaIndexer';
import { springCanonicalKey } from '../symbols/springIndexer';
import { configurationFallback, formatLiterals } from '../symbols/typeIndexers';
import { declaredTypeOf, propertyOfAccessor, springPropertyValue, springSourceOf } from './springBinding';
import { conditionOf as conditionOfIn, ENV_SWITCH, negateValue, type ResolvedValue, UNKNOWN_VALUE, type ValueBranch } from './resolvedValue';

/** A Java expression followed within its file; see ResolvedValue. */
export type JavaValue = ResolvedValue;

const UNKNOWN = UNKNOWN_VALUE;

/** Reads of the environment: a value from there is decided by deployment, not by the code. */
export const JAVA_ENV = /System\s*\.\s*getenv|System\s*\.\s*getProperty|@Value|environment\s*\.|\benv\s*\.|getProperty\s*\(/;

/** Calls that keep the meaning of the literal they are given: encodings, bytes, key wrappers. */
const WRAPPER_METHODS = new Set(['getBytes', 'toCharArray', 'trim', 'strip', 'intern', 'toString']);
const WRAPPER_CALLS = new Set(['encode', 'encodeToString', 'decode', 'parseBase64Binary', 'printBase64Binary', 'hmacShaKeyFor', 'valueOf', 'copyOf', 'wrap']);

/**
 * What a Java expression stands for, followed within one file: locals, fields, constants of other
 * classes of the file, ternaries and `if` assignments, literal fallbacks after an environment read,
 * and wrappers that keep a literal's meaning (getBytes, Base64, `"a" + "b"`).
 * Follows at most a few hops.
 */
export function javaValue(ctx: AnalysisContext, node: Node, depth = 0): JavaValue {
  if (depth > 6) return UNKNOWN;
  switch (node.type) {
    case 'parenthesized_expression': {
      const inner = namedChildren(node, ctx.text)[0];
      return inner ? javaValue(ctx, inner, depth + 1) : UNKNOWN;
    }
    case 'string_literal': {
      const t = ctx.src(node);
      return t.startsWith('"""') ? { k: 'str', v: textBlockValue(t), node } : { k: 'str', v: t.slice(1, -1), node };
    }
    case 'true':
    case 'false':
      return { k: 'bool', v: node.type === 'true', node };
    case 'unary_expression': {
      const operand = node.childForFieldName('operand');
      if (!operand || !ctx.src(node).trim().startsWith('!')) return UNKNOWN;
      return negateValue(javaValue(ctx, operand, depth + 1), node);
    }
    case 'binary_expression': {
      const op = node.childForFieldName('operator');
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      if (!op || !l || !r || ctx.src(op) !== '+') return UNKNOWN;
      const a = javaValue(ctx, l, depth + 1);
      const b = javaValue(ctx, r, depth + 1);
      // `"sec" + "ret"`, `PREFIX + "-signing-key"`: one literal in parts, replaced whole by a fix.
      if (a.k === 'str' && b.k === 'str') return { k: 'str', v: a.v + b.v, node };
      // A constant of another file with a literal: that constant, its value completed.
      const ext = a.k === 'external' ? a : b.k === 'external' ? b : undefined;
      const lit = a.k === 'str' ? a : b.k === 'str' ? b : undefined;
      if (ext && lit && typeof ext.symbol.value === 'string' && ext.symbol.fallbackFor === undefined) {
        return { ...ext, symbol: { ...ext.symbol, value: ext === a ? ext.symbol.value + lit.v : lit.v + ext.symbol.value } };
      }
      return UNKNOWN;
    }
    case 'ternary_expression': {
      const cond = node.childForFieldName('condition');
      const yes = node.childForFieldName('consequence');
      const no = node.childForFieldName('alternative');
      if (!cond || !yes || !no) return UNKNOWN;
      const text = ctx.src(cond).trim();
      return {
        k: 'choice', text, env: ENV_SWITCH.test(text),
        branches: [{ value: javaValue(ctx, yes, depth + 1), when: `when ${text}` }, { value: javaValue(ctx, no, depth + 1), when: `when not ${text}` }],
      };
    }
    case 'method_invocation':
      return callValue(ctx, node, depth);
    case 'identifier':
      return nameValue(ctx, node, ctx.src(node), depth);
    case 'field_access': {
      const obj = node.childForFieldName('object');
      const field = node.childForFieldName('field');
      if (!obj || !field) return UNKNOWN;
      if (obj.type === 'this') return fieldValue(ctx, node, ctx.src(field), depth);
      const whole = ctx.src(node).replace(/\s+/g, '');
      if (whole === 'Boolean.TRUE' || whole === 'Boolean.FALSE') return { k: 'bool', v: whole === 'Boolean.TRUE', node };
      const objText = ctx.src(obj).replace(/\s+/g, '');
      if (obj.type === 'field_access' && /^[\w.$]+$/.test(objText)) return javaClassConstant(ctx, node, objText, ctx.src(field)) ?? UNKNOWN;
      if (obj.type !== 'identifier' || !/^[A-Z]/.test(objText)) return UNKNOWN;
      return otherClassConstant(ctx, node, objText, ctx.src(field), depth) ?? javaClassConstant(ctx, node, objText, ctx.src(field)) ?? UNKNOWN;
    }
    default: {
      const t = ctx.src(node);
      return JAVA_ENV.test(t) ? { k: 'env', text: t.trim() } : UNKNOWN;
    }
  }
}

/** The text of `new StringBuilder("a").append("b")…` when every part is a literal; undefined otherwise. */
function builderValue(ctx: AnalysisContext, node: Node, depth: number): string | undefined {
  if (depth > 12) return undefined;
  if (node.type === 'object_creation_expression') {
    if (!/^StringBu(ilder|ffer)$/.test(ctx.src(node.childForFieldName('type') ?? node).trim())) return undefined;
    const args = namedChildren(node.childForFieldName('arguments') ?? node, ctx.text);
    if (args.length === 0) return '';
    const v = args.length === 1 ? javaValue(ctx, args[0], depth + 1) : UNKNOWN;
    return v.k === 'str' ? v.v : undefined;
  }
  if (node.type !== 'method_invocation' || ctx.src(node.childForFieldName('name') ?? node) !== 'append') return undefined;
  const obj = node.childForFieldName('object');
  const args = namedChildren(node.childForFieldName('arguments') ?? node, ctx.text);
  const before = obj ? builderValue(ctx, obj, depth + 1) : undefined;
  const v = args.length === 1 && before !== undefined ? javaValue(ctx, args[0], depth + 1) : UNKNOWN;
  return v.k === 'str' ? before + v.v : undefined;
}

/**
 * The text of a StringBuilder/StringBuffer local at `use` (`sb.toString()`): its initializer, then each
 * `sb.append(…)` statement of the same block before the use, every part a literal. Undefined when the
 * local is used any other way before (`sb.insert(…)`, `sb.setLength(0)`, handed to a method), appended to
 * under a condition, or declared elsewhere.
 */
function localBuilderValue(ctx: AnalysisContext, local: Node, use: Node, depth: number): string | undefined {
  const name = ctx.src(local);
  let stmt: Node | null = use;
  while (stmt && stmt.parent && stmt.parent.type !== 'block' && stmt.parent.type !== 'constructor_body') stmt = stmt.parent;
  const block = stmt?.parent;
  if (!stmt || !block) return undefined;
  let text: string | undefined;
  let declared = false;
  const mentions = new RegExp(`(^|[^\\w.$])${name}\\b`);
  for (const s of namedChildren(block, ctx.text)) {
    if (s.startIndex >= stmt.startIndex) break;
    if (s.type === 'local_variable_declaration') {
      const d = s.namedChildren.find((x) => x?.type === 'variable_declarator' && ctx.src(x.childForFieldName('name')!) === name);
      if (d) {
        const init = d.childForFieldName('value');
        text = init ? builderValue(ctx, init, depth + 1) : undefined;
        declared = true;
        ctx.touch(s.startIndex, stmt.startIndex);
        continue;
      }
    }
    if (!declared || !mentions.test(ctx.src(s))) continue;
    // `sb.append("ret");` (or a chain of appends) as a whole statement; anything else about sb: not one text.
    const e = s.type === 'expression_statement' ? s.firstNamedChild : null;
    let head: Node | null = e;
    const parts: Node[] = [];
    while (head?.type === 'method_invocation' && ctx.src(head.childForFieldName('name') ?? head) === 'append') {
      const args = namedChildren(head.childForFieldName('arguments') ?? head, ctx.text);
      if (args.length !== 1) return undefined;
      parts.unshift(args[0]);
      head = head.childForFieldName('object');
    }
    if (!head || head.type !== 'identifier' || ctx.src(head) !== name || text === undefined) return undefined;
    for (const p of parts) {
      const v = javaValue(ctx, p, depth + 1);
      if (v.k !== 'str') return undefined;
      text += v.v;
    }
  }
  return declared ? text : undefined;
}

function callValue(ctx: AnalysisContext, call: Node, depth: number): JavaValue {
  const name = call.childForFieldName('name');
  const obj = call.childForFieldName('object');
  const argsNode = call.childForFieldName('arguments');
  if (!name) return UNKNOWN;
  const method = ctx.src(name);
  const args = argsNode ? namedChildren(argsNode, ctx.text) : [];
  const objText = obj ? ctx.src(obj).replace(/\s+/g, '') : '';
  const whole = ctx.src(call).trim();
  // Fallbacks: the literal is what runs when the environment value is missing.
  const fallback = (lit: Node | undefined, envRead: string): JavaValue => {
    const v = lit ? javaValue(ctx, lit, depth + 1) : UNKNOWN;
    return v.k === 'str' ? { k: 'fallback', v: v.v, node: v.node, whole: call, replacement: envRead } : { k: 'env', text: whole };
  };
  if ((method === 'orElse' || method === 'or') && /getenv|getProperty/.test(objText)) {
    const read = /(System\.getenv\("[^"]*"\)|System\.getProperty\("[^"]*"\))/.exec(objText)?.[1];
    return fallback(args[0], read ?? objText);
  }
  if (method === 'getOrDefault' && objText === 'System.getenv()' && args.length === 2) return fallback(args[1], `System.getenv(${ctx.src(args[0])})`);
  // `environment.getProperty("jwt.secret")`: Spring's Environment reads the application's configuration files.
  if ((method === 'getProperty' || method === 'getRequiredProperty') && obj && objText !== 'System' && args[0]?.type === 'string_literal') {
    const fromConfig = springPropertyValue(ctx, ctx.src(args[0]).slice(1, -1), call);
    if (fromConfig) return fromConfig;
  }
  if (method === 'getProperty' && args.length === 2) return fallback(args[1], `${ctx.src(obj ?? call).trim()}.getProperty(${ctx.src(args[0])})`);
  if (method === 'requireNonNullElse' && args.length === 2 && JAVA_ENV.test(ctx.src(args[0]))) return fallback(args[1], ctx.src(args[0]));
  if (method === 'getenv' || method === 'getProperty' || JAVA_ENV.test(objText)) return { k: 'env', text: whole };
  // `new StringBuilder("sec").append("ret").toString()`: a constant when every part is a literal (a builder held in a local may be appended to elsewhere: not followed).
  if (method === 'toString' && obj && (obj.type === 'method_invocation' || obj.type === 'object_creation_expression')) {
    const built = builderValue(ctx, obj, depth);
    if (built !== undefined) return built === '' ? UNKNOWN : { k: 'str', v: built, node: call };
  }
  // `StringBuilder sb = new StringBuilder("sec"); sb.append("ret"); … sb.toString()`: a builder kept in a local of the block.
  if (method === 'toString' && obj?.type === 'identifier') {
    const built = localBuilderValue(ctx, obj, call, depth);
    if (built !== undefined) return built === '' ? UNKNOWN : { k: 'str', v: built, node: call };
  }
  if (obj && WRAPPER_METHODS.has(method)) return javaValue(ctx, obj, depth + 1);
  // `String.format("%s-%s", "sec", "ret")`, `"%s-%s".formatted(…)`: a constant when the format only places literals.
  if ((method === 'format' && objText === 'String' && args.length >= 1) || (method === 'formatted' && obj)) {
    const parts = [...(method === 'formatted' ? [obj!] : []), ...args].map((a) => javaValue(ctx, a, depth + 1));
    const written = [...(method === 'formatted' ? [obj!] : []), ...args];
    // A number written in place (`%d` of `2024`) is its digits.
    const strings = parts.map((p, i) => (p.k === 'str' ? p.v : p.k === 'external' && (typeof p.symbol.value === 'string' || typeof p.symbol.value === 'number') && p.symbol.fallbackFor === undefined ? String(p.symbol.value) : written[i].type === 'decimal_integer_literal' ? String(Number(ctx.src(written[i]).replace(/[_lL]/g, ''))) : undefined));
    if (strings.some((x) => x === undefined)) return UNKNOWN;
    const v = formatLiterals(strings[0]!, strings.slice(1) as string[]);
    if (v === undefined) return UNKNOWN;
    // A constant of another file among the parts: that constant, its value completed (as for `+`).
    const ext = parts.find((p) => p.k === 'external');
    return ext?.k === 'external' ? { ...ext, symbol: { ...ext.symbol, value: v } } : { k: 'str', v, node: call };
  }
  // `"sec".concat("ret")`, `String.join("-", "sec", "ret")`: a constant when every part is a literal (one literal, replaced whole by a fix).
  if ((method === 'concat' && obj && args.length === 1) || (method === 'join' && objText === 'String' && args.length >= 2)) {
    const parts = [...(method === 'concat' ? [obj!] : []), ...args].map((a) => javaValue(ctx, a, depth + 1));
    if (parts.every((p) => p.k === 'str')) {
      const strings = parts.map((p) => (p.k === 'str' ? p.v : ''));
      return { k: 'str', v: method === 'concat' ? strings.join('') : strings.slice(1).join(strings[0]), node: call };
    }
    return UNKNOWN;
  }
  if (WRAPPER_CALLS.has(method) && args[0]) {
    const v = javaValue(ctx, args[0], depth + 1);
    return v.k === 'str' || v.k === 'fallback' || v.k === 'choice' || v.k === 'external' ? v : UNKNOWN;
  }
  // `Boolean.parseBoolean(System.getenv("DEV"))`: decided by the deployment.
  if (args.some((a) => JAVA_ENV.test(ctx.src(a)))) return { k: 'env', text: whole };
  // `KeyHolder.secret()`: a static method of a class of another file that only returns a literal.
  if (args.length === 0 && obj && /^[A-Z][\w$.]*$|^[a-z][\w$]*(\.[\w$]+)*\.[A-Z][\w$]*$/.test(objText)) {
    const v = javaClassConstant(ctx, call, objText, `${method}()`);
    if (v) return v;
  }
  // `jwtConfig.getSecret()`, `new SecurityConfig().getJwtSecret()`, `props.secret()`: a getter of another class.
  if (args.length === 0 && obj && obj.type !== 'this') {
    const v = receiverGetter(ctx, call, obj, method);
    if (v) return v;
  }
  // `getSecret()`, `this.getSecret()`: a method of the class that only returns a value.
  if (args.length === 0 && (!obj || obj.type === 'this')) {
    const returned = returnedBy(ctx, call, method);
    if (returned) return javaValue(ctx, returned, depth + 1);
  }
  return UNKNOWN;
}

/**
 * A getter called on an object of a workspace class: of a `@ConfigurationProperties` class, the
 * property it binds (`jwtProperties.getSecret()` is `jwt.secret` of application.yml); of another
 * class, what the last scan indexed the method to return (a literal, a constant).
 */
function receiverGetter(ctx: AnalysisContext, call: Node, obj: Node, method: string): JavaValue | undefined {
  if (!ctx.workspace) return undefined;
  // `appProperties.getJwt().getSecret()`: a nested group of a @ConfigurationProperties class (`app.jwt.secret`).
  const group = obj.type === 'method_invocation' ? configurationGroup(ctx, call, obj, 0) : undefined;
  if (group) {
    const key = `${group}.${propertyOfAccessor(method)}`;
    // No file sets it: a @DefaultValue of the nested group's record binds.
    const fallback = ctx.workspace.table.lookup(JAVA_CONFIG_DEFAULTS, springCanonicalKey(key));
    return springPropertyValue(ctx, key, call) ?? (fallback ? { k: 'external', symbol: fallback, node: call } : undefined);
  }
  let type: string | undefined;
  if (obj.type === 'object_creation_expression') type = ctx.src(obj.childForFieldName('type') ?? obj).replace(/\s+/g, '').replace(/<.*$/, '');
  else if (obj.type === 'identifier') type = receiverType(ctx, call, ctx.src(obj));
  else if (obj.type === 'field_access' && obj.childForFieldName('object')?.type === 'this') type = declaredTypeOf(ctx, ctx.src(obj.childForFieldName('field')!), call);
  // `configuration.disputeKeys().signingKey()`: the class an instance or static factory of the workspace returns.
  else if (obj.type === 'method_invocation') type = inferredType(ctx, obj);
  if (!type || !/^[\w$.]+$/.test(type)) return undefined;
  // `settings.setSecret(System.getenv(…))` in the method before the read: the object no longer holds what its class starts with.
  const accessor = /^(?:get|is)([A-Z][\w$]*)$/.exec(method);
  const body = ancestorsOf(call).reverse().find((a) => a.type === 'method_declaration' || a.type === 'constructor_declaration' || a.type === 'lambda_expression');
  if (accessor && obj.type === 'identifier' && body && new RegExp(`\\b${ctx.src(obj).replace(/\$/g, '\\$')}\\s*\\.\\s*set${accessor[1]}\\s*\\(`).test(ctx.text.slice(body.startIndex, call.startIndex))) return undefined;
  const prefix = javaConfigPropertiesPrefix(ctx, call, type);
  if (prefix) {
    // No configuration file sets the property: the field's initializer binds, unless the environment sets it.
    const field = propertyOfAccessor(method).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const initial = springPropertyValue(ctx, `${prefix}.${propertyOfAccessor(method)}`, call) ?? javaClassConstant(ctx, call, type, `=${field}`);
    // A class bound by a @Bean method elsewhere: its initializer was indexed without the property it falls back for.
    if (initial?.k === 'external' && initial.symbol.fallbackFor === undefined && !springSourceOf(initial.symbol)) {
      return { ...initial, symbol: { ...initial.symbol, fallbackFor: configurationFallback(prefix, field) } };
    }
    return initial;
  }
  return javaClassConstant(ctx, call, type, `${method}()`);
}

/**
 * The type of the object a name holds at `at`: a local declared before it in an enclosing block
 * (`JwtConfig cfg = …`; with `var`, what its initializer builds or returns: `new JwtConfig()`, a
 * method of the class, `Keys.defaults()` of a workspace class), the variable of an enclosing `for`,
 * try-with-resources or `catch`, a parameter of the enclosing method or lambda, else the field of
 * that name of the enclosing class (declaredTypeOf): the declaration in scope at the use.
 */
function receiverType(ctx: AnalysisContext, at: Node, name: string): string | undefined {
  const up = ancestorsOf(at);
  const typeOf = (decl: Node, declarator: Node | undefined): string | undefined => {
    // A new declaration, or an edit of this one, changes the type.
    ctx.touch(decl.startIndex, at.startIndex);
    const written = ctx.src(decl.childForFieldName('type') ?? decl).replace(/\s+/g, '').replace(/<.*$/, '');
    if (written !== 'var') return written;
    const init = declarator?.childForFieldName('value');
    return init ? inferredType(ctx, init) : undefined;
  };
  for (let i = up.length - 1; i >= 0; i--) {
    const scope = up[i];
    if (scope.type === 'block' || scope.type === 'constructor_body' || scope.type === 'switch_block_statement_group') {
      let decl: { statement: Node; declarator: Node } | undefined;
      for (const s of namedChildren(scope, ctx.text)) {
        if (s.startIndex >= at.startIndex) break;
        if (s.type !== 'local_variable_declaration') continue;
        for (const d of s.namedChildren) if (d?.type === 'variable_declarator' && ctx.src(d.childForFieldName('name')!) === name) decl = { statement: s, declarator: d };
      }
      if (decl) return typeOf(decl.statement, decl.declarator);
      continue;
    }
    // `for (DemoKeys keys : …)`, `for (var k = …; …)`, `try (var keys = …)`, `catch (KeyException e)`: their variables are in scope inside.
    if (scope.type === 'enhanced_for_statement' && ctx.src(scope.childForFieldName('name') ?? scope) === name && at.startIndex >= (scope.childForFieldName('body')?.startIndex ?? Infinity)) {
      const t = typeOf(scope, undefined);
      return t === 'var' ? undefined : t;
    }
    if (scope.type === 'for_statement' || scope.type === 'try_with_resources_statement') {
      const decls = scope.type === 'for_statement' ? scope.childrenForFieldName('init') : (scope.childForFieldName('resources')?.namedChildren ?? []);
      for (const d of decls) {
        if (!d || d.startIndex >= at.startIndex) continue;
        if (d.type === 'local_variable_declaration') {
          const declarator = d.namedChildren.find((c) => c?.type === 'variable_declarator' && ctx.src(c.childForFieldName('name')!) === name);
          if (declarator) return typeOf(d, declarator);
        } else if (d.type === 'resource' && ctx.src(d.childForFieldName('name') ?? d) === name) return typeOf(d, d);
      }
    }
    if (scope.type === 'catch_clause') {
      const param = scope.namedChildren.find((c) => c?.type === 'catch_formal_parameter');
      if (param && ctx.src(param.childForFieldName('name') ?? param) === name) return undefined;
    }
    if (scope.type === 'method_declaration' || scope.type === 'constructor_declaration' || scope.type === 'lambda_expression') {
      const params = scope.childForFieldName('parameters');
      // `keys -> keys.getSecret()`: a lambda's parameter without a type is in scope, its type unknown here.
      if (params?.type === 'identifier' && ctx.src(params) === name) return undefined;
      for (const p of params ? namedChildren(params, ctx.text) : []) {
        if (ctx.src(p.childForFieldName('name') ?? p) !== name) continue;
        const t = p.childForFieldName('type');
        return t ? ctx.src(t).replace(/\s+/g, '').replace(/<.*$/, '') : undefined;
      }
    }
    if (scope.type === 'class_body') break;
  }
  return declaredTypeOf(ctx, name, at);
}

/** The class a `var` initializer gives: `new T(…)`, a method of an enclosing class (its return type), `Keys.defaults()` (the return type the last scan indexed). */
function inferredType(ctx: AnalysisContext, init: Node, depth = 0): string | undefined {
  if (init.type === 'object_creation_expression') return ctx.src(init.childForFieldName('type') ?? init).replace(/\s+/g, '').replace(/<.*$/, '');
  if (init.type !== 'method_invocation') return undefined;
  const obj = init.childForFieldName('object');
  const method = ctx.src(init.childForFieldName('name') ?? init);
  if (!obj || obj.type === 'this') {
    ctx.lookups.add(method);
    for (const body of ancestorsOf(init).filter((a) => a.type === 'class_body').reverse()) {
      const m = body.namedChildren.find((c) => c?.type === 'method_declaration' && ctx.src(c.childForFieldName('name')!) === method);
      const t = m?.childForFieldName('type');
      if (!m || !t) continue;
      ctx.touch(m.startIndex, t.endIndex);
      return ctx.src(t).replace(/\s+/g, '').replace(/<.*$/, '');
    }
    return undefined;
  }
  let cls = ctx.src(obj).replace(/\s+/g, '');
  // `config.jwtProperties()`, `this.config.keys()`, `config.keys().signing()`: an instance method of the receiver's class.
  if (obj.type === 'identifier' && /^[a-z_$]/.test(cls)) cls = receiverType(ctx, init, cls) ?? '';
  else if (obj.type === 'field_access' && obj.childForFieldName('object')?.type === 'this') cls = declaredTypeOf(ctx, ctx.src(obj.childForFieldName('field')!), init) ?? '';
  else if (obj.type === 'method_invocation') cls = (depth < 3 ? inferredType(ctx, obj, depth + 1) : undefined) ?? '';
  if (!/^[A-Z][\w$.]*$|^[a-z][\w$]*(\.[\w$]+)*\.[A-Z][\w$]*$/.test(cls)) return undefined;
  const returned = javaClassConstant(ctx, init, cls, `${JAVA_FACTORY}${method}`)?.symbol.value;
  return typeof returned === 'string' ? returned : undefined;
}

/** The property prefix a chain of getters on a @ConfigurationProperties object stands for (`props.getJwt()` → `app.jwt`), at most three deep. */
function configurationGroup(ctx: AnalysisContext, at: Node, getter: Node, depth: number): string | undefined {
  const name = getter.childForFieldName('name');
  const inner = getter.childForFieldName('object');
  const args = getter.childForFieldName('arguments');
  if (depth > 2 || !name || !inner || (args && namedChildren(args, ctx.text).length > 0)) return undefined;
  let prefix: string | undefined;
  if (inner.type === 'method_invocation') prefix = configurationGroup(ctx, at, inner, depth + 1);
  else {
    const holder = inner.type === 'identifier' ? ctx.src(inner) : inner.type === 'field_access' && inner.childForFieldName('object')?.type === 'this' ? ctx.src(inner.childForFieldName('field')!) : undefined;
    const type = holder ? (inner.type === 'identifier' ? receiverType(ctx, at, holder) : declaredTypeOf(ctx, holder, at)) : undefined;
    prefix = type && /^[\w$.]+$/.test(type) ? javaConfigPropertiesPrefix(ctx, at, type) : undefined;
  }
  return prefix ? `${prefix}.${propertyOfAccessor(ctx.src(name))}` : undefined;
}

/**
 * The expression a method without parameters of an enclosing class returns, when its body is
 * that one `return` (`private String getSecret() { return "…"; }`); an overridable method of a
 * class that others extend may be replaced, but the code as written calls this one.
 */
function returnedBy(ctx: AnalysisContext, from: Node, method: string): Node | undefined {
  ctx.lookups.add(method);
  for (const body of ancestorsOf(from).filter((a) => a.type === 'class_body').reverse()) {
    for (const m of body.namedChildren) {
      if (m?.type !== 'method_declaration' || ctx.src(m.childForFieldName('name')!) !== method) continue;
      const params = m.childForFieldName('parameters');
      const block = m.childForFieldName('body');
      if (!block || (params && namedChildren(params, ctx.text).length > 0)) return undefined;
      const statements = namedChildren(block, ctx.text).filter((s) => s.type !== 'line_comment' && s.type !== 'block_comment');
      if (statements.length !== 1 || statements[0].type !== 'return_statement') return undefined;
      ctx.touch(m.startIndex, m.endIndex);
      return statements[0].namedChildren.find((c) => c && c.type !== 'line_comment' && c.type !== 'block_comment') ?? undefined;
    }
  }
  return undefined;
}

/**
 * A name read at `from`: a local variable or parameter of the enclosing method (with the
 * assignments made to it before `from`), else a field of an enclosing class.
 */
function nameValue(ctx: AnalysisContext, from: Node, name: string, depth: number): JavaValue {
  const up = ancestorsOf(from);
  for (let i = up.length - 1; i >= 0; i--) {
    const scope = up[i];
    const t = scope.type;
    if (t === 'block' || t === 'constructor_body' || t === 'switch_block_statement_group') {
      const local = localIn(ctx, scope, name, from, depth);
      if (local) return local;
      continue;
    }
    if (t === 'method_declaration' || t === 'constructor_declaration' || t === 'lambda_expression') {
      const params = scope.childForFieldName('parameters');
      for (const p of params ? namedChildren(params, ctx.text) : []) {
        if (ctx.src(p.childForFieldName('name') ?? p) === name) return parameterValue(ctx, p, from);
      }
      if (t === 'lambda_expression') continue;
    }
    if (t === 'class_body') return fieldValue(ctx, from, name, depth);
  }
  return UNKNOWN;
}

/** `@Value("${app.secure:true}") boolean secure`: decided by the deployment. */
function parameterValue(ctx: AnalysisContext, p: Node, at: Node): JavaValue {
  const modifiers = p.namedChildren.find((c) => c?.type === 'modifiers');
  return (modifiers && springValue(ctx, modifiers, at)) ?? constructorArgument(ctx, p, at) ?? UNKNOWN;
}

/**
 * A constructor's parameter that a factory of the workspace passes as a literal
 * (`@Bean TokenSigner signer() { return new HmacSigner("secret"); }` for `HmacSigner(String secret)`):
 * that literal, named where the factory writes it.
 */
function constructorArgument(ctx: AnalysisContext, p: Node, at: Node): JavaValue | undefined {
  const params = p.parent;
  const ctor = params?.parent;
  if (!ctx.workspace || !params || ctor?.type !== 'constructor_declaration') return undefined;
  const list = namedChildren(params, ctx.text).filter((c) => c.type === 'formal_parameter' || c.type === 'spread_parameter');
  const index = list.findIndex((c) => c.startIndex === p.startIndex);
  const name = ctor.childForFieldName('name');
  if (index === -1 || !name) return undefined;
  return javaClassConstant(ctx, at, ctx.src(name), `${JAVA_NEW_ARGUMENT}${list.length}#${index}`);
}

/**
 * `@Value("${key}")` on a field or parameter: decided by the deployment; `@Value("${key:literal}")`
 * falls back to the literal when the property is unset (a boolean default stays an environment value).
 */
function springValue(ctx: AnalysisContext, modifiers: Node, at: Node): JavaValue | undefined {
  const spring = /@Value\s*\(\s*("(?:[^"\\]|\\.)*")\s*\)/.exec(ctx.src(modifiers));
  if (!spring) return undefined;
  const lit = modifiers.descendantsOfType('string_literal').find((s) => s && ctx.src(s) === spring[1]);
  const m = /^"\$\{([^:}]+):([^}]*)\}"$/.exec(spring[1]);
  // A configuration file that sets the property wins over the default written here.
  const key = m?.[1] ?? /^"\$\{([^:}]+)\}"$/.exec(spring[1])?.[1];
  const fromConfig = key ? springPropertyValue(ctx, key, at) : undefined;
  if (fromConfig) return fromConfig;
  if (lit && m && m[2] !== '' && !/^\$\{/.test(m[2]) && m[2] !== 'true' && m[2] !== 'false') {
    return { k: 'fallback', v: m[2], node: lit, whole: lit, replacement: `"\${${m[1]}}"` };
  }
  return { k: 'env', text: spring[0] };
}

/**
 * A local declared in `block` before `before`: its initializer, then the assignments to it up to
 * `before`. An assignment in the block itself replaces the value; one inside an `if`/`else` (or a
 * loop, a switch) adds a branch taken when its condition holds.
 */
function localIn(ctx: AnalysisContext, block: Node, name: string, before: Node, depth: number): JavaValue | undefined {
  let decl: Node | undefined;
  for (const s of namedChildren(block, ctx.text)) {
    if (s.startIndex >= before.startIndex) break;
    if (s.type !== 'local_variable_declaration') continue;
    for (const d of s.namedChildren) {
      if (d?.type === 'variable_declarator' && ctx.src(d.childForFieldName('name')!) === name) decl = d;
    }
  }
  if (!decl) return undefined;
  // Edits from the declaration to the use (a new assignment between them) change the value.
  ctx.touch(decl.startIndex, before.startIndex);
  const init = decl.childForFieldName('value');
  let branches: ValueBranch[] = init ? [{ value: javaValue(ctx, init, depth + 1), when: 'as declared' }] : [];
  let conditions: string[] = [];
  for (const a of block.descendantsOfType('assignment_expression')) {
    if (!a || a.startIndex < decl.endIndex || a.endIndex > before.startIndex) continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (!left || !right || ctx.src(left) !== name) continue;
    const op = ctx.text.slice(left.endIndex, right.startIndex).trim();
    if (op !== '=') return UNKNOWN;
    const value = javaValue(ctx, right, depth + 1);
    const cond = conditionOf(ctx, a, block);
    if (cond === undefined) {
      branches = [{ value, when: 'as assigned' }];
      conditions = [];
    } else {
      branches.push({ value, when: cond });
      conditions.push(cond);
    }
  }
  if (branches.length === 0) return UNKNOWN;
  if (branches.length === 1) return branches[0].value;
  const text = conditions.join('; ');
  return { k: 'choice', branches, env: conditions.every((c) => ENV_SWITCH.test(c)), text };
}

/** The condition under which `node` runs inside `block` (`when clientReadsToken`), or undefined when it always runs. */
function conditionOf(ctx: AnalysisContext, node: Node, block: Node): string | undefined {
  return conditionOfIn((n) => ctx.src(n), node, block, ancestorsOf(node), { loops: /^(for|enhanced_for|while|do|switch|try|catch)/, suffix: /_(statement|expression|clause|block)$/, trim: /^\(\s*|\s*\)$/g });
}

/**
 * A field of an enclosing class: its initializer (a final field, or one the class never assigns
 * elsewhere), `@Value("${key:default}")` (the default is a literal fallback), or the value one
 * constructor assigns to it.
 */
function fieldValue(ctx: AnalysisContext, from: Node, name: string, depth: number): JavaValue {
  ctx.lookups.add(name);
  const up = ancestorsOf(from);
  const supertypes: string[] = [];
  for (let i = up.length - 1; i >= 0; i--) {
    if (up[i].type === 'class_declaration' || up[i].type === 'interface_declaration') supertypes.push(...supertypesOf(ctx, up[i]));
    if (up[i].type !== 'class_body') continue;
    const v = fieldInBody(ctx, up[i], name, depth, from);
    if (v) return v;
  }
  return javaInheritedOrImported(ctx, from, name, supertypes) ?? UNKNOWN;
}

/** The names a class extends or implements (`implements SecurityConstants`), whose constants it inherits. */
function supertypesOf(ctx: AnalysisContext, decl: Node): string[] {
  const out: string[] = [];
  for (const c of decl.namedChildren) {
    if (c?.type !== 'superclass' && c?.type !== 'super_interfaces' && c?.type !== 'extends_interfaces') continue;
    for (const t of c.descendantsOfType(['type_identifier', 'scoped_type_identifier'])) {
      if (t && t.parent?.type !== 'scoped_type_identifier') out.push(ctx.src(t).replace(/\s+/g, ''));
    }
  }
  return out;
}

function fieldInBody(ctx: AnalysisContext, body: Node, name: string, depth: number, at: Node): JavaValue | undefined {
  for (const f of body.namedChildren) {
    if (f?.type !== 'field_declaration' && f?.type !== 'constant_declaration') continue;
    const d = f.namedChildren.find((c) => c?.type === 'variable_declarator' && ctx.src(c.childForFieldName('name')!) === name);
    if (!d) continue;
    ctx.touch(f.startIndex, f.endIndex);
    const modifiers = f.namedChildren.find((c) => c?.type === 'modifiers');
    const mods = modifiers ? ctx.src(modifiers) : '';
    const spring = modifiers ? springValue(ctx, modifiers, at) : undefined;
    if (spring) return spring;
    const init = d.childForFieldName('value');
    const final = f.type === 'constant_declaration' || /\bfinal\b/.test(mods);
    if (init) {
      // A field the class re-assigns only from itself (`secretKey = Base64…encode(secretKey…)` in an
      // init method) still starts from the literal.
      const self = new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\b`);
      if (final || assignmentsIn(ctx, body, name).every((a) => self.test(ctx.src(a)))) return javaValue(ctx, init, depth + 1);
      return UNKNOWN;
    }
    // `this.key = …` in the constructor.
    const assigned = assignmentsIn(ctx, body, name);
    return assigned.length === 1 ? javaValue(ctx, assigned[0], depth + 1) : UNKNOWN;
  }
  return undefined;
}

function assignmentsIn(ctx: AnalysisContext, body: Node, name: string): Node[] {
  return ctx.memo(`java.assign.${body.id}.${name}`, () => {
    const out: Node[] = [];
    const re = new RegExp(`(^|[^\\w$.])(this\\s*\\.\\s*)?${name.replace(/\$/g, '\\$')}\\s*=[^=]`);
    if (!re.test(ctx.src(body))) return out;
    for (const a of body.descendantsOfType('assignment_expression')) {
      const left = a?.childForFieldName('left');
      const right = a?.childForFieldName('right');
      if (!left || !right) continue;
      const lt = ctx.src(left).replace(/\s+/g, '');
      if (lt === name || lt === `this.${name}`) out.push(right);
    }
    return out;
  });
}

/** `Other.NAME`: a static final field (or interface constant) of another class of the same file; undefined when the file has no such class or field. */
function otherClassConstant(ctx: AnalysisContext, at: Node, cls: string, name: string, depth: number): JavaValue | undefined {
  ctx.lookups.add(name);
  const body = ctx.memo(`java.class.${cls}`, () => {
    for (const c of at.tree.rootNode.descendantsOfType(['class_declaration', 'interface_declaration'])) {
      if (c && ctx.src(c.childForFieldName('name')!) === cls) return c.childForFieldName('body') ?? undefined;
    }
    return undefined;
  });
  if (!body) return undefined;
  for (const f of body.namedChildren) {
    if (f?.type === 'field_declaration') {
      const modifiers = f.namedChildren.find((c) => c?.type === 'modifiers');
      if (!modifiers || !/\bfinal\b/.test(ctx.src(modifiers))) continue;
    } else if (f?.type !== 'constant_declaration') continue;
    for (const d of f.namedChildren) {
      if (d?.type !== 'variable_declarator' || ctx.src(d.childForFieldName('name')!) !== name) continue;
      ctx.touch(f.startIndex, f.endIndex);
      const v = d.childForFieldName('value');
      return v ? javaValue(ctx, v, depth + 1) : UNKNOWN;
    }
  }
  return undefined;
}
