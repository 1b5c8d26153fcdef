import type { Node, QueryMatch } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, type Fact, type OffsetEdit, ancestorsOf, insertListItem, namedChildren, removeListItem, span } from '../analysis';
import { type LanguageAnalyzer, capture } from '../analyzer';
import { type AttrWriter, type CookieAttr, type Truth, checkCookieSite } from '../cookieChecks';
import { reportExternalSecret, reportHardcodedSecret } from '../secrets';
import { GLOBAL_MODULE, type WorkspaceSymbol, describeSymbol } from '../symbols/symbolTable';
import { projectDotenv } from '../symbols/dotenvIndex';
import { type SettingEntry, type SettingValue, checkSettings, entryFromFact, settingFact } from '../settingsSite';

const QUERY = `
(function_call_expression
  function: (name) @fn
    (#any-of? @fn "setcookie" "setrawcookie" "session_set_cookie_params" "ini_set" "session_start" "session_name")
  arguments: (arguments) @args) @call
(scoped_call_expression scope: [(name) (qualified_name)] @scope name: (name) @method (#any-of? @method "encode" "decode") arguments: (arguments) @args) @call
(object_creation_expression (name) @cls (#eq? @cls "Key") (arguments) @args) @call
(property_element (variable_name (name) @prop (#eq? @prop "except")) (array_creation_expression) @except)
(member_call_expression name: (name) @csrfMethod (#eq? @csrfMethod "validateCsrfTokens") arguments: (arguments) @csrfArgs)
(program (return_statement (array_creation_expression) @configArray))
(program (return_statement (variable_name) @configVar))
`;

const ENV = /\bgetenv\b|\$_ENV\b|\$_SERVER\b|\benv\(/;

type PhpValue = SettingValue & {
  readonly node: Node;
  /** Set when branches disagree: where the value returned is set. */
  readonly branch?: string;
  /** The default of an `env('X', false)` whose fallback is the value: a fix writes there. */
  readonly fallbackArg?: Node;
};

/** PHP: setcookie/setrawcookie (both forms), session_set_cookie_params, ini_set, session_start options, firebase/php-jwt. */
export const phpAnalyzer: LanguageAnalyzer = {
  query: QUERY,
  containers: new Set(['program']),
  keywords: /cookie|session|jwt|secret|csrf|http_only|same_site/i,
  anchors: /\breturn\s*(?:\[|array\s*\(|\$\w+\s*;)|\$except\b|\bvalidateCsrfTokens\s*\(|\b(setcookie|setrawcookie|session_set_cookie_params|ini_set|session_start|session_name)\s*\(|\bJWT\s*::|\bnew\s+Key\s*\(/gi,
  declares(chunk, ctx) {
    if (chunk.type !== 'expression_statement') return [];
    const a = chunk.firstNamedChild;
    const left = a?.type === 'assignment_expression' ? a.childForFieldName('left') : null;
    return left ? [ctx.src(left)] : [];
  },
  analyze(matches, ctx) {
    for (const m of matches) analyzeMatch(m, ctx);
  },
  finish(facts, ctx, filePath) {
    if (filePath && /(^|[\\/])config[\\/]session\.php$/.test(filePath)) laravelSessionConfig(ctx, facts);
  },
};

/**
 * Laravel's config/session.php: `secure`, `http_only`, `same_site`, `domain`, `path`, `cookie` and
 * `lifetime` (minutes; ignored when `expire_on_close` is true, the cookie then ends with the browser).
 * A key left out falls back to the framework: no Secure, HttpOnly, no SameSite.
 */
function laravelSessionConfig(ctx: AnalysisContext, facts: readonly Fact[]): void {
  const entries = new Map<string, SettingEntry>();
  for (const f of facts) if (f.key === 'laravel.config') entries.set(f.name.toLowerCase(), entryFromFact(f));
  if (entries.size === 0) return;
  const closes = entries.get('expire_on_close');
  if (closes && closes.value.kind === 'bool' && closes.value.bool) entries.delete('lifetime');
  const first = [...entries.values()].sort((a, b) => a.start - b.start)[0];
  checkSettings(ctx, {
    framework: 'Laravel',
    keys: { secure: 'secure', httpOnly: 'http_only', sameSite: 'same_site', domain: 'domain', path: 'path', name: 'cookie', maxAge: 'lifetime' },
    maxAgeUnit: 60,
    defaults: { secure: 'false', httpOnly: 'true', path: '/' },
    render: (attr, v) => renderPhp(attr, attr === 'sameSite' ? v : v).replace(/^'(Lax|Strict|None)'$/, (_m, x: string) => `'${x.toLowerCase()}'`),
    add: () => undefined,
    anchor: { start: first.start, end: first.end },
    complete: true,
    sameSiteOf: (v) => (v.kind === 'str' ? (v.str ?? '').toLowerCase() : v.kind === 'none' ? '' : v.kind === 'env' ? 'env' : 'unknown'),
    renderLifetime: (days) => `60 * 24 * ${days}`,
  }, entries);
}

/** Exceptions to Laravel's CSRF check that match every URI: `'*'`, `'/*'`. */
function csrfExceptions(ctx: AnalysisContext, array: Node): void {
  const items = namedChildren(array, ctx.text).filter((e) => e.type === 'array_element_initializer');
  items.forEach((item, i) => {
    const value = namedChildren(item, ctx.text)[0];
    if (!value || namedChildren(item, ctx.text).length !== 1) return;
    const v = phpEval(ctx, value);
    if (v.kind !== 'str' || !/^\/?\*$/.test((v.str ?? '').trim())) return;
    ctx.report({
      ruleId: 'csrf-protection-disabled', ...span(item),
      message: `The CSRF exception '${v.str}' matches every URI, which switches CSRF protection off for the whole application: any site can make a logged-in browser post to it. List only the exact webhook URIs that need it.`,
      fix: { title: `Remove the '${v.str}' exception`, edits: [removeListItem(ctx, items.map(span), i)] },
    });
  });
}

function analyzeMatch(m: QueryMatch, ctx: AnalysisContext): void {
  const except = capture(m, 'except');
  if (except) {
    const cls = [...ancestorsOf(except)].reverse().find((a) => a.type === 'class_declaration');
    const head = cls ? ctx.text.slice(cls.startIndex, (cls.childForFieldName('body') ?? cls).startIndex) : '';
    if (cls) ctx.touch(cls.startIndex, cls.startIndex + head.length);
    // Laravel's CSRF middleware (App\Http\Middleware\VerifyCsrfToken extends the framework's).
    if (/Csrf/i.test(head)) csrfExceptions(ctx, except);
    return;
  }
  const configArray = capture(m, 'configArray');
  if (configArray) {
    // A config file's returned array (config/session.php): read as settings by finish, which knows the file.
    for (const el of namedChildren(configArray, ctx.text)) {
      if (el.type !== 'array_element_initializer') continue;
      const parts = namedChildren(el, ctx.text);
      const key = parts.length === 2 ? stringOf(ctx, parts[0]) : undefined;
      if (key !== undefined) ctx.facts.push(settingFact('laravel.config', entry(ctx, key, el, parts[1])));
    }
    return;
  }
  const configVar = capture(m, 'configVar');
  if (configVar) {
    // `$config = [...]; $config['secure'] = false; … return $config;`: the array as the statements before the return build it.
    const arr = arrayOf(ctx, configVar);
    if (!arr || arr.partial) return;
    const init = lookup(ctx, configVar, ctx.src(configVar));
    if (init) ctx.touch(init.startIndex, configVar.endIndex);
    for (const [key, { el, value, note }] of arr.map) ctx.facts.push(settingFact('laravel.config', entry(ctx, key, el, value, note)));
    return;
  }
  const csrfArgs = capture(m, 'csrfArgs');
  if (csrfArgs) {
    // Laravel 11: ->withMiddleware(fn ($m) => $m->validateCsrfTokens(except: ['*']))
    for (const a of namedChildren(csrfArgs, ctx.text)) {
      const arr = a.type === 'argument' ? namedChildren(a, ctx.text).find((c) => c.type === 'array_creation_expression') : undefined;
      if (arr && /^except\s*:/.test(ctx.src(a))) csrfExceptions(ctx, arr);
    }
    return;
  }
  const call = capture(m, 'call');
  const argsNode = capture(m, 'args');
  if (!call || !argsNode) return;
  const args = namedChildren(argsNode, ctx.text).map((a) => (a.type === 'argument' ? a.firstNamedChild ?? a : a));
  const fn = capture(m, 'fn');
  if (fn) {
    const name = ctx.src(fn).toLowerCase();
    if (name === 'setcookie' || name === 'setrawcookie') setcookie(ctx, call, argsNode, args, name);
    else if (name === 'session_set_cookie_params') sessionParams(ctx, call, argsNode, args);
    else if (name === 'ini_set') iniSet(ctx, call, args);
    else if (name === 'session_start' && args[0]) sessionStart(ctx, args[0]);
    else if (name === 'session_name' && args[0]) {
      const v = phpEval(ctx, args[0]);
      if (v.kind === 'str') checkSettings(ctx, iniSchema(ctx, call, 'session_name()'), new Map([['session.name', entry(ctx, 'session.name', args[0], args[0])]]));
    }
    return;
  }
  const scope = capture(m, 'scope');
  const method = capture(m, 'method');
  if (scope && method) {
    // `JWT::` after `use Firebase\JWT\JWT;`, or written whole: `\Firebase\JWT\JWT::`.
    if (ctx.src(scope).replace(/^.*\\/, '') !== 'JWT') return;
    if (ctx.src(method) === 'encode') {
      if (args[1]) secret(ctx, args[1], 'The JWT signing key');
      const alg = args[2] ? phpEval(ctx, args[2]) : undefined;
      if (alg?.kind === 'str' && (alg.str ?? '').toLowerCase() === 'none') {
        ctx.report({
          ruleId: 'jwt-alg-none', ...span(args[2]),
          message: 'Tokens signed with algorithm "none" carry no signature: anyone can forge them. Use HS256 with a strong key or an asymmetric algorithm.',
          fix: { title: 'Sign with HS256', edits: [{ ...span(args[2]), newText: "'HS256'" }] },
        });
      }
    } else if (args[1]) {
      // php-jwt 5: JWT::decode($jwt, 'key', ['HS256']); 6+: new Key(...) (checked on its own).
      if (args[1].type !== 'object_creation_expression') secret(ctx, args[1], 'The JWT verification key');
      const algs = args[2];
      if (!algs && args[1].type !== 'object_creation_expression') {
        ctx.report({
          ruleId: 'jwt-algorithm-confusion', ...span(call),
          message: 'JWT::decode with a bare key and no allowed algorithms is the old php-jwt API: before 5.0 it takes the algorithm from the token header. Upgrade and pass new Key($key, \'HS256\') (the algorithm you sign with).',
        });
      }
      if (algs?.type === 'array_creation_expression') {
        const items = namedChildren(algs, ctx.text);
        const idx = items.findIndex((i) => /^['"]none['"]$/i.test(ctx.src(i).trim()));
        if (idx !== -1) {
          ctx.report({
            ruleId: 'jwt-alg-none', ...span(items[idx]),
            message: 'The verifier accepts alg "none": unsigned tokens pass. Remove it.',
            fix: { title: 'Remove "none"', edits: [removeListItem(ctx, items.map(span), idx)] },
          });
        }
      }
    }
    return;
  }
  if (capture(m, 'cls') && args[0]) secret(ctx, args[0], 'The JWT key');
}

// ---------------------------------------------------------------- values

const clip = (t: string): string => (t.length > 40 ? `${t.slice(0, 37)}…` : t).replace(/\s+/g, ' ');

/** Assignments to `$name` inside if/else blocks between its first assignment and `from`, with the condition guarding each. */
function branchAssignments(ctx: AnalysisContext, from: Node, name: string, init: Node): { value: Node; where: string; env: boolean }[] {
  if (from.startIndex <= init.endIndex) return [];
  const between = ctx.text.slice(init.endIndex, from.startIndex);
  if (!between.includes(`${name} =`) && !between.includes(`${name}=`)) return [];
  const scope = ancestorsOf(from).reverse().find((a) => a.type === 'compound_statement' || a.type === 'program');
  if (!scope) return [];
  ctx.touch(init.endIndex, from.startIndex);
  const out: { value: Node; where: string; env: boolean }[] = [];
  for (const a of scope.descendantsOfType('assignment_expression', init.endPosition, from.startPosition)) {
    if (!a || a.startIndex < init.endIndex || a.endIndex > from.startIndex) continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (!left || !right || ctx.src(left) !== name) continue;
    const guard = ancestorsOf(a).reverse().find((x) => x.startIndex >= init.endIndex && (x.type === 'if_statement' || x.type === 'else_clause' || x.type === 'else_if_clause'));
    const guardIf = guard?.type === 'else_clause' ? guard.parent : guard;
    const cond = guardIf?.childForFieldName('condition');
    const condText = cond ? ctx.src(cond) : '';
    out.push({ value: right, where: guard ? (guard.type === 'else_clause' ? `the else branch of if ${clip(condText)}` : `if ${clip(condText)}`) : 'a later assignment', env: ENV.test(condText) });
  }
  return out;
}

/**
 * What an access reads when the workspace file writes it: an array element (`$keys[0]`,
 * `$config['jwt']['secret']`), a class constant (`self::KEY`, `Config::KEY`), a global constant
 * (`define('KEY', …)`, `const KEY = …`) or a property (`$this->secret`, a default or set in the constructor).
 */
function phpTarget(ctx: AnalysisContext, node: Node, depth = 0): Node | undefined {
  if (depth > 6) return undefined;
  const root = node.tree.rootNode;
  if (node.type === 'subscript_expression') {
    const [base, index] = namedChildren(node, ctx.text);
    if (!base || !index) return undefined;
    const key = phpEval(ctx, index, depth + 1);
    const baseValue = base.type === 'subscript_expression' ? phpTarget(ctx, base, depth + 1) : base;
    const arr = baseValue ? arrayOf(ctx, baseValue) : undefined;
    if (!arr) return undefined;
    if (key.kind === 'str') return arr.map.get((key.str ?? '').toLowerCase())?.value;
    if (key.kind === 'num') {
      const el = arr.items[key.num ?? 0];
      return el?.type === 'array_element_initializer' && namedChildren(el, ctx.text).length === 1 ? el.firstNamedChild ?? undefined : undefined;
    }
    return undefined;
  }
  if (node.type === 'class_constant_access_expression') {
    const [scope, constName] = namedChildren(node, ctx.text);
    if (!scope || !constName) return undefined;
    const scopeText = ctx.src(scope);
    const cls = /^(self|static)$/.test(scopeText)
      ? ancestorsOf(node).reverse().find((a) => a.type === 'class_declaration')
      : root.descendantsOfType('class_declaration').find((c) => c && ctx.src(c.childForFieldName('name') ?? c) === scopeText.replace(/^.*\\/, ''));
    if (!cls) return undefined;
    ctx.touch(cls.startIndex, cls.endIndex);
    for (const el of cls.descendantsOfType('const_element')) {
      const parts = el ? namedChildren(el, ctx.text) : [];
      if (parts.length === 2 && ctx.src(parts[0]) === ctx.src(constName)) return parts[1];
    }
    return undefined;
  }
  if (node.type === 'member_access_expression') {
    const obj = node.childForFieldName('object');
    const prop = node.childForFieldName('name');
    if (!obj || !prop || ctx.src(obj) !== '$this') return undefined;
    const cls = ancestorsOf(node).reverse().find((a) => a.type === 'class_declaration');
    if (!cls) return undefined;
    ctx.touch(cls.startIndex, cls.endIndex);
    const name = ctx.src(prop);
    for (const el of cls.descendantsOfType('property_element')) {
      const parts = el ? namedChildren(el, ctx.text) : [];
      if (parts.length === 2 && ctx.src(parts[0]) === `$${name}`) return parts[1];
    }
    for (const a of cls.descendantsOfType('assignment_expression')) {
      const left = a?.childForFieldName('left');
      if (a && left && ctx.src(left).replace(/\s+/g, '') === `$this->${name}`) return a.childForFieldName('right') ?? undefined;
    }
    return undefined;
  }
  if (node.type === 'name') {
    const name = ctx.src(node);
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) return undefined;
    ctx.lookups.add(name);
    const defines = ctx.memo('php.defines', () => {
      const out = new Map<string, Node>();
      for (const call of root.descendantsOfType('function_call_expression')) {
        if (!call || ctx.src(call.childForFieldName('function') ?? call).toLowerCase() !== 'define') continue;
        const args = namedChildren(call.childForFieldName('arguments') ?? call, ctx.text).map((a) => (a.type === 'argument' ? a.firstNamedChild ?? a : a));
        const key = args[0] ? stringOf(ctx, args[0]) : undefined;
        if (key !== undefined && args[1] && !out.has(key)) out.set(key, args[1]);
      }
      for (const c of root.namedChildren) {
        if (c?.type !== 'const_declaration') continue;
        for (const el of c.descendantsOfType('const_element')) {
          const parts = el ? namedChildren(el, ctx.text) : [];
          if (parts.length === 2 && !out.has(ctx.src(parts[0]))) out.set(ctx.src(parts[0]), parts[1]);
        }
      }
      return out;
    });
    const found = defines.get(name);
    if (found) ctx.touch(found.startIndex, found.endIndex);
    return found;
  }
  return undefined;
}

function lookup(ctx: AnalysisContext, from: Node, name: string): Node | undefined {
  const scopes = ancestorsOf(from);
  for (let i = scopes.length - 1; i >= 0; i--) {
    const scope = scopes[i];
    if (scope.type !== 'compound_statement' && scope.type !== 'program') continue;
    if (scope.type === 'program') ctx.lookups.add(name);
    let found: Node | undefined;
    for (const s of scope.namedChildren) {
      if (!s) continue;
      if (s.startIndex > from.startIndex) break;
      const a = s.type === 'expression_statement' ? s.firstNamedChild : null;
      if (a?.type !== 'assignment_expression') continue;
      const left = a.childForFieldName('left');
      if (left && ctx.src(left) === name) found = a.childForFieldName('right') ?? undefined;
    }
    if (found) return found;
  }
  return undefined;
}

function stringOf(ctx: AnalysisContext, n: Node): string | undefined {
  if (n.type === 'string') return ctx.src(n).slice(1, -1);
  if (n.type === 'encapsed_string') {
    if (namedChildren(n, ctx.text).some((c) => c.type !== 'string_content' && c.type !== 'escape_sequence')) return undefined;
    return ctx.src(n).slice(1, -1);
  }
  return undefined;
}

function phpEval(ctx: AnalysisContext, node: Node, depth = 0): PhpValue {
  const text = ctx.src(node);
  const unknown: PhpValue = { kind: ENV.test(text) ? 'env' : 'unknown', text, node };
  if (depth > 6) return unknown;
  switch (node.type) {
    case 'string':
    case 'encapsed_string': {
      const s = stringOf(ctx, node);
      return s === undefined ? unknown : { kind: 'str', str: s, text, node };
    }
    case 'integer':
    case 'float': {
      const v = Number(text.replace(/_/g, ''));
      return Number.isFinite(v) ? { kind: 'num', num: v, text, node } : unknown;
    }
    case 'boolean': return { kind: 'bool', bool: text.toLowerCase() === 'true', text, node };
    case 'null': return { kind: 'none', text, node };
    case 'parenthesized_expression': {
      const inner = node.firstNamedChild;
      return inner ? phpEval(ctx, inner, depth + 1) : unknown;
    }
    case 'binary_expression': {
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      const op = node.childForFieldName('operator');
      if (!l || !r) return unknown;
      const o = op ? ctx.src(op) : text.slice(l.endIndex - node.startIndex, r.startIndex - node.startIndex).trim();
      // time() + N: a lifetime of N seconds (time() - N: already expired, a deletion).
      if ((o === '+' || o === '-') && /^time\(\)$/.test(ctx.src(l))) {
        const v = phpEval(ctx, r, depth + 1);
        return v.kind === 'num' ? { kind: 'num', num: o === '-' ? -(v.num ?? 0) : v.num, text, node } : unknown;
      }
      const a = phpEval(ctx, l, depth + 1);
      const b = phpEval(ctx, r, depth + 1);
      if (o === '.' && a.kind === 'str' && b.kind === 'str') return { kind: 'str', str: (a.str ?? '') + (b.str ?? ''), text, node };
      if (a.kind === 'num' && b.kind === 'num') {
        const x = a.num ?? 0;
        const y = b.num ?? 0;
        if (o === '*') return { kind: 'num', num: x * y, text, node };
        if (o === '+') return { kind: 'num', num: x + y, text, node };
        if (o === '-') return { kind: 'num', num: x - y, text, node };
        if (o === '/' && y) return { kind: 'num', num: x / y, text, node };
      }
      return unknown;
    }
    case 'variable_name': {
      const init = lookup(ctx, node, text);
      if (!init) return unknown;
      const v = phpEval(ctx, init, depth + 1);
      const later = branchAssignments(ctx, node, text, init);
      if (later.length === 0 || v.kind !== 'bool') return { ...v, node };
      const values = later.map((r) => ({ ...r, v: phpEval(ctx, r.value, depth + 1) }));
      const env = values.find((r) => r.env);
      if (env) return { kind: 'env', text: env.where, node };
      if (!values.every((r) => r.v.kind === 'bool')) return unknown;
      const off = [{ v, where: '' }, ...values].find((r) => r.v.bool === false);
      if (!off || values.every((r) => r.v.bool === v.bool)) return { ...v, node };
      return { kind: 'bool', bool: false, text, node, branch: off.v === v ? `${text} starts false` : `${text} is set to false in ${off.where}` };
    }
    case 'function_call_expression': {
      // Laravel env('X', default): with a safe default (true, 'lax', 'strict') the setting is safe unless the variable says otherwise.
      const fn = ctx.src(node.childForFieldName('function') ?? node).toLowerCase();
      const args = namedChildren(node.childForFieldName('arguments') ?? node, ctx.text).map((a) => (a.type === 'argument' ? a.firstNamedChild ?? a : a));
      const variable = fn === 'env' && args[0] ? stringOf(ctx, args[0]) : undefined;
      const fromEnv = variable ? laravelEnvSetting(ctx, variable, args[1] ? phpEval(ctx, args[1], depth + 1) : undefined, node, args[1], '') : undefined;
      if (fromEnv) return fromEnv;
      if (fn === 'env' && args.length === 2) {
        const d = phpEval(ctx, args[1], depth + 1);
        if ((d.kind === 'bool' && d.bool) || (d.kind === 'str' && /^(lax|strict)$/i.test(d.str ?? '')) || d.kind === 'num') return { ...d, node };
      }
      if (fn === 'config' && args.length === 1) {
        // config('session.secure'): the literal config/session.php returns; an env() default counts only when safe, as above.
        const symbol = laravelConfig(ctx, args[0]);
        const v = symbol?.value;
        if (symbol?.fallbackFor && ctx.workspace) {
          const d: SettingValue = typeof v === 'boolean' ? { kind: 'bool', bool: v, text } : typeof v === 'number' ? { kind: 'num', num: v, text } : { kind: 'str', str: String(v), text };
          // ` in ../../config/session.php:17`: where the env() read with that default is written.
          const where = ` in ${describeSymbol(ctx.workspace.filePath, 'x', symbol).slice('x from '.length)}`;
          const fromEnv = laravelEnvSetting(ctx, symbol.fallbackFor, d, node, undefined, where);
          if (fromEnv) return fromEnv;
        }
        if (typeof v === 'boolean' && (!symbol!.fallbackFor || v)) return { kind: 'bool', bool: v, text, node };
        if (typeof v === 'number') return { kind: 'num', num: v, text, node };
        if (typeof v === 'string' && (!symbol!.fallbackFor || /^(lax|strict)$/i.test(v))) return { kind: 'str', str: v, text, node };
      }
      return unknown;
    }
    case 'conditional_expression': {
      const parts = namedChildren(node, ctx.text);
      if (parts.length !== 3) return unknown;
      const [cond, a, b] = parts;
      if (ENV.test(ctx.src(cond)) || /HTTPS|isSecure|APP_ENV|environment/i.test(ctx.src(cond))) return { kind: 'env', text, node };
      const av = phpEval(ctx, a, depth + 1);
      const bv = phpEval(ctx, b, depth + 1);
      if (av.kind === 'bool' && bv.kind === 'bool') {
        if (av.bool === bv.bool) return { ...av, node };
        return { kind: 'bool', bool: false, text, node, branch: `false when ${clip(ctx.src(cond))} is ${av.bool ? 'false' : 'true'}` };
      }
      return av.kind === 'env' || bv.kind === 'env' ? { kind: 'env', text, node } : unknown;
    }
    case 'subscript_expression':
    case 'class_constant_access_expression':
    case 'member_access_expression':
    case 'name': {
      const target = phpTarget(ctx, node, depth);
      return target ? { ...phpEval(ctx, target, depth + 1), node } : unknown;
    }
    default:
      return unknown;
  }
}

/** An array literal as key → element. */
/**
 * An options array: a literal, or a variable holding one, with the `$opts['key'] = value;`
 * statements written between its assignment and `use` applied (they win). A variable that starts
 * from `session_get_cookie_params()` gives only the keys set afterwards, with `partial` set.
 */
/** Where a value set on one branch of an `if` is set (`if ($remember)`, `the else branch of if (…)`), and whether the environment chooses it. */
interface BranchNote {
  readonly where: string;
  readonly env: boolean;
}

/** One key of an options array: the element or assignment giving it, its value, and for a value set on one branch, which. */
interface ArrayEntry {
  readonly el: Node;
  readonly value: Node;
  readonly note?: BranchNote;
}

function arrayOf(ctx: AnalysisContext, node: Node): { node: Node; items: Node[]; map: Map<string, ArrayEntry>; partial?: boolean } | undefined {
  let n = node;
  let overrides: ElementAssignment[] = [];
  let partial = false;
  if (n.type === 'variable_name') {
    const name = ctx.src(n);
    const init = lookup(ctx, n, name);
    if (!init) return undefined;
    overrides = elementAssignments(ctx, n, name, init);
    if (init.type !== 'array_creation_expression') {
      // What PHP currently has, changed key by key: the keys not written keep the ini values.
      if (!/^session_get_cookie_params\s*\(\s*\)$/i.test(ctx.src(init)) || overrides.length === 0) return undefined;
      partial = true;
    }
    n = init;
  }
  if (!partial && n.type !== 'array_creation_expression') return undefined;
  const items = partial ? [] : namedChildren(n, ctx.text);
  const map = new Map<string, ArrayEntry>();
  for (const el of items) {
    if (el.type !== 'array_element_initializer') continue;
    const parts = namedChildren(el, ctx.text);
    if (parts.length !== 2) continue;
    const key = stringOf(ctx, parts[0]);
    if (key !== undefined) map.set(key.toLowerCase(), { el, value: parts[1] });
  }
  // Assignments in order: one on every path replaces the key; ones inside if/else are the values some paths give.
  const branches = new Map<string, ElementAssignment[]>();
  for (const o of overrides) {
    if (!o.branch) {
      map.set(o.key, { el: o.el, value: o.value });
      branches.delete(o.key);
    } else branches.set(o.key, [...(branches.get(o.key) ?? []), o]);
  }
  for (const [key, set] of branches) {
    const chosen = weakestBranch(ctx, set);
    if (chosen) map.set(key, chosen);
  }
  return { node: n, items, map, ...(partial ? { partial } : {}) };
}

/**
 * What a key set on some branches gives the options: the reachable false value (a branch setting
 * it false, named; an environment condition makes it info), else the value every path gives; the
 * value before the branches (or the key's absence) stays reachable unless one if/else sets it on
 * both sides. Undefined keeps what was before the branches (a flag only some branches set true,
 * or values the lint cannot read).
 */
function weakestBranch(ctx: AnalysisContext, set: readonly ElementAssignment[]): ArrayEntry | undefined {
  const truth = (v: Node) => truthOf(phpEval(ctx, v));
  const sides = new Map<number, Set<string>>();
  for (const a of set) sides.set(a.branch!.ifId, (sides.get(a.branch!.ifId) ?? new Set()).add(a.branch!.side));
  const covered = [...sides.values()].some((x) => x.has('then') && x.has('else'));
  const off = set.find((a) => truth(a.value) === 'false');
  if (off) return { el: off.el, value: off.value, note: { where: off.branch!.where, env: off.branch!.env } };
  if (!covered) return undefined;
  return set.every((a) => truth(a.value) === 'true') ? { el: set[set.length - 1].el, value: set[set.length - 1].value } : undefined;
}

/** `$name['key'] = value;`, with the if/else branch it is written in (undefined: on every path). */
interface ElementAssignment {
  readonly key: string;
  readonly el: Node;
  readonly value: Node;
  readonly branch?: BranchNote & { readonly ifId: number; readonly side: 'then' | 'else' };
}

/**
 * `$name['key'] = value;` statements of the scope of `use`, after `init` and before `use`, in
 * order: those written directly in the scope, and those inside an if/elseif/else there (any
 * depth, not in a closure), each with its branch.
 */
function elementAssignments(ctx: AnalysisContext, use: Node, name: string, init: Node): ElementAssignment[] {
  const scope = ancestorsOf(use).reverse().find((a) => a.type === 'compound_statement' || a.type === 'program');
  if (!scope) return [];
  const out: ElementAssignment[] = [];
  const read = (a: Node): { key: string; value: Node } | undefined => {
    const left = a.type === 'assignment_expression' ? a.childForFieldName('left') : null;
    const right = a.childForFieldName('right');
    if (!left || !right || left.type !== 'subscript_expression') return undefined;
    const [obj, index] = namedChildren(left, ctx.text);
    const key = index ? stringOf(ctx, index) : undefined;
    if (!obj || ctx.src(obj) !== name || key === undefined) return undefined;
    return { key: key.toLowerCase(), value: right };
  };
  for (const st of namedChildren(scope, ctx.text)) {
    if (st.startIndex < init.endIndex) continue;
    if (st.startIndex > use.startIndex) break;
    if (st.type === 'if_statement') {
      // Cheap text test first: most ifs do not touch the options.
      if (!ctx.src(st).includes(`${name}[`)) continue;
      for (const a of st.descendantsOfType('assignment_expression')) {
        const got = a ? read(a) : undefined;
        if (!a || !got) continue;
        const path = ancestorsOf(a).filter((x) => x.startIndex >= st.startIndex);
        if (path.some((x) => /^(anonymous_function|arrow_function|function_definition|method_declaration)/.test(x.type))) continue;
        // The innermost if/elseif/else holding the assignment names the branch.
        const clause = [...path].reverse().find((x) => x.type === 'else_clause' || x.type === 'else_if_clause' || x.type === 'if_statement');
        if (!clause) continue;
        const ifNode = clause.type === 'if_statement' ? clause : clause.parent ?? clause;
        const cond = (clause.type === 'else_if_clause' ? clause : ifNode).childForFieldName('condition');
        const condText = cond ? ctx.src(cond) : '';
        const where = clause.type === 'else_clause' ? `the else branch of if ${clip(condText)}` : `if ${clip(condText)}`;
        ctx.touch(st.startIndex, st.endIndex);
        out.push({ ...got, el: a, branch: { where, env: ENV.test(condText), ifId: ifNode.id, side: clause.type === 'else_clause' ? 'else' : 'then' } });
      }
      continue;
    }
    const a = st.type === 'expression_statement' ? st.firstNamedChild : null;
    const got = a ? read(a) : undefined;
    if (!a || !got) continue;
    ctx.touch(a.startIndex, a.endIndex);
    out.push({ ...got, el: a });
  }
  return out;
}

function entry(ctx: AnalysisContext, name: string, whole: Node, value: Node, note?: BranchNote): SettingEntry {
  const { node: _n, fallbackArg, branch: _b, ...evaluated } = phpEval(ctx, value);
  // Set on one branch: an environment switch is environment-dependent (info), another condition names the branch.
  const v: SettingValue = !note ? evaluated
    : note.env ? { kind: 'env', text: note.where }
      : { ...evaluated, via: `${evaluated.via ? `${evaluated.via}, ` : ''}set on one branch: ${note.where}` };
  // env('SESSION_SECURE_COOKIE', false): a fix changes the default, which is what production gets.
  const target = fallbackArg ?? value;
  return { name, value: v, start: whole.startIndex, end: whole.endIndex, valueStart: target.startIndex, valueEnd: target.endIndex };
}

/** What Laravel's env() makes of a dotenv value: (true)/(false)/(null)/(empty) and their bare spellings, else the string. */
function dotenvSetting(raw: string): Pick<SettingValue, 'kind' | 'bool' | 'str'> {
  const t = raw.trim().toLowerCase().replace(/^\((\w+)\)$/, '$1');
  if (t === 'true' || t === 'false') return { kind: 'bool', bool: t === 'true' };
  if (t === 'null') return { kind: 'none' };
  return { kind: 'str', str: t === 'empty' ? '' : raw.trim() };
}

/**
 * A Laravel setting read from the environment with a default (`env('SESSION_SECURE_COOKIE', false)`,
 * or `config('session.secure')` where config/session.php reads it so): the value a workspace dotenv
 * file production loads sets (named), else a literal false default, which is what production gets
 * wherever the variable is missing (named as such); with a safe default, a false value that only a
 * development dotenv file sets is an environment switch (info). Undefined when none of these applies.
 */
function laravelEnvSetting(ctx: AnalysisContext, variable: string, fallback: SettingValue | undefined, node: Node, fallbackArg: Node | undefined, where: string): PhpValue | undefined {
  const text = ctx.src(node);
  const ws = ctx.workspace;
  // The project's own dotenv files (a monorepo's other app has its own .env).
  const found = ws ? projectDotenv(ws.table, ws.filePath, variable, 'laravel') : undefined;
  const named = found?.symbol && ws ? describeSymbol(ws.filePath, `${variable}=${String(found.symbol.value)}`, found.symbol) : undefined;
  if (found?.production && named) return { ...dotenvSetting(String(found.symbol!.value)), text, node, via: `as ${named} sets it` };
  if (fallback?.kind === 'bool' && !fallback.bool) {
    return { kind: 'bool', bool: false, text, node, via: `false is the default of env('${variable}', false)${where}: what production gets wherever ${variable} is missing`, ...(fallbackArg ? { fallbackArg } : {}) };
  }
  const safe = fallback && ((fallback.kind === 'bool' && fallback.bool) || fallback.kind === 'num' || (fallback.kind === 'str' && /^(lax|strict)$/i.test(fallback.str ?? '')));
  if (safe && found && named) {
    const dev = dotenvSetting(String(found.symbol!.value));
    if ((dev.kind === 'bool' && !dev.bool) || dev.kind === 'none') return { kind: 'env', text: `${named}, which only development and tests load`, node };
  }
  return undefined;
}

// ---------------------------------------------------------------- setcookie

const POSITIONAL = ['name', 'value', 'expires', 'path', 'domain', 'secure', 'httponly'];
const OPTION_KEY: Readonly<Record<CookieAttr, string>> = {
  secure: 'secure', httpOnly: 'httponly', sameSite: 'samesite', path: 'path', domain: 'domain', name: 'name', partitioned: 'partitioned',
};

function renderPhp(attr: CookieAttr, value: string): string {
  if (value === 'true' || value === 'false') return value;
  return attr === 'sameSite' ? `'${value.charAt(0).toUpperCase()}${value.slice(1)}'` : `'${value}'`;
}

function truthOf(v: PhpValue): Truth {
  if (v.kind === 'bool') return v.bool ? 'true' : 'false';
  if (v.kind === 'num') return v.num ? 'true' : 'false';
  if (v.kind === 'none') return 'false';
  if (v.kind === 'env') return 'env';
  if (v.kind === 'str') return ['1', 'true', 'on'].includes((v.str ?? '').toLowerCase()) ? 'true' : 'false';
  return 'unknown';
}

function setcookie(ctx: AnalysisContext, call: Node, argsNode: Node, args: Node[], fn: string): void {
  if (args.length === 0) return;
  const third = args[2];
  const options = third ? arrayOf(ctx, third) : undefined;
  const get = (key: string): { whole: Node; value: Node; note?: BranchNote } | undefined => {
    if (options) {
      const e = options.map.get(key);
      return e ? { whole: e.el, value: e.value, ...(e.note ? { note: e.note } : {}) } : undefined;
    }
    const i = POSITIONAL.indexOf(key);
    const a = i >= 2 ? args[i] : undefined;
    return a ? { whole: a, value: a } : undefined;
  };
  const nameV = phpEval(ctx, args[0]);
  const complete = third === undefined || !!options || third.type !== 'variable_name';
  if (third && third.type === 'variable_name' && !options) return;

  const writer: AttrWriter = options
    ? {
      set(changes) {
        const edits: OffsetEdit[] = [];
        const inserts: string[] = [];
        for (const [attr, value] of changes) {
          const e = options.map.get(OPTION_KEY[attr]);
          if (e) edits.push({ ...span(e.value), newText: renderPhp(attr, value) });
          else inserts.push(`'${OPTION_KEY[attr]}' => ${renderPhp(attr, value)}`);
        }
        if (inserts.length) edits.push(insertListItem(ctx, span(options.node), options.items.map(span), inserts));
        return edits.sort((a, b) => a.start - b.start);
      },
      setLifetime(days) {
        const e = options.map.get('expires');
        return e ? [{ ...span(e.value), newText: `time() + 60 * 60 * 24 * ${days}` }] : undefined;
      },
      remove(attr) {
        const e = options.map.get(OPTION_KEY[attr]);
        return e ? [removeListItem(ctx, options.items.map(span), options.items.findIndex((i) => i.startIndex === e.el.startIndex))] : undefined;
      },
    }
    : {
      // Positional form: rewrite everything after the value as the options array (PHP 7.3+), which also has samesite.
      set(changes) {
        // Flip an argument in place when it is written; otherwise switch to the options array.
        const inPlace = changes.every(([attr]) => {
          const i = POSITIONAL.indexOf(OPTION_KEY[attr]);
          return i >= 2 && args[i] !== undefined;
        });
        if (inPlace) return changes.map(([attr, value]) => ({ ...span(args[POSITIONAL.indexOf(OPTION_KEY[attr])]), newText: renderPhp(attr, value) }));
        const opts = new Map<string, string>();
        POSITIONAL.slice(2).forEach((k, i) => {
          const a = args[i + 2];
          if (a) opts.set(k, ctx.src(a));
        });
        for (const [attr, value] of changes) opts.set(OPTION_KEY[attr], renderPhp(attr, value));
        const body = [...opts].map(([k, v]) => `'${k === 'expires' ? 'expires' : k}' => ${v}`).join(', ');
        const from = args[1] ? args[1].endIndex : args[0].endIndex;
        const to = argsNode.endIndex - 1;
        if (to < from || ctx.text[to] !== ')') return undefined;
        return [{ start: from, end: to, newText: `${args[1] ? '' : ", ''"}, [${body}]` }];
      },
      setLifetime(days) {
        return args[2] ? [{ ...span(args[2]), newText: `time() + 60 * 60 * 24 * ${days}` }] : undefined;
      },
      remove(attr) {
        const i = POSITIONAL.indexOf(OPTION_KEY[attr]);
        const a = args[i];
        return a ? [{ ...span(a), newText: "''" }] : undefined;
      },
    };

  const secureA = get('secure');
  const httpOnlyA = get('httponly');
  const ss = get('samesite');
  const expires = get('expires');
  const domain = get('domain');
  const path = get('path');
  const t = (a: { whole: Node; value: Node; note?: BranchNote } | undefined) => {
    if (!a) return undefined;
    const v = phpEval(ctx, a.value);
    // Set on one branch of the function building the options: that branch, or the environment choosing it.
    if (a.note) return { value: a.note.env ? 'env' as const : truthOf(v), ...span(a.whole), ...(a.note.env ? { envText: a.note.where } : { branch: a.note.where }) };
    return { value: truthOf(v), ...span(a.whole), ...(v.kind === 'env' ? { envText: v.text } : {}), ...(v.branch ? { branch: v.branch } : {}), ...(v.via ? { via: v.via } : {}) };
  };
  const expV = expires ? phpEval(ctx, expires.value) : undefined;
  const ssV = ss ? phpEval(ctx, ss.value) : undefined;
  const domV = domain ? phpEval(ctx, domain.value) : undefined;
  const pathV = path ? phpEval(ctx, path.value) : undefined;
  const secureT = t(secureA);
  const httpOnlyT = t(httpOnlyA);
  checkCookieSite(ctx, {
    framework: `${fn}()`,
    ...(nameV.kind === 'str' ? { name: { value: nameV.str ?? '', ...span(args[0]) } } : { nameHint: ctx.src(args[0]) }),
    ...(args[1] ? { valueHint: ctx.src(args[1]) } : {}),
    session: false,
    anchor: span(call),
    complete,
    ...(secureT ? { secure: secureT } : {}),
    ...(httpOnlyT ? { httpOnly: httpOnlyT } : {}),
    ...(ss && ssV ? { sameSite: { value: ssV.kind === 'str' ? (ssV.str ?? '').toLowerCase() : ssV.kind === 'env' ? 'env' : 'unknown', ...span(ss.whole) } } : {}),
    // `time() + N` is a lifetime of N seconds; an absolute timestamp is not judged.
    ...(expires && expV && expV.kind === 'num' && /time\(\)/.test(expV.text) ? { maxAgeSeconds: { value: expV.num, ...span(expires.whole) } } : {}),
    ...(domain && domV ? { domain: { value: domV.kind === 'str' ? domV.str : undefined, ...span(domain.whole), ...(domV.kind !== 'str' ? { envText: ctx.src(domain.value) } : {}) } } : {}),
    ...(path && pathV ? { path: { value: pathV.kind === 'str' && pathV.str ? pathV.str : undefined, ...span(path.whole) } } : {}),
    defaults: { secure: 'false', httpOnly: 'false' },
    writer,
  });
}

// ---------------------------------------------------------------- sessions

/** The session.* ini settings as a schema; missing values fall back to PHP's defaults. */
export function iniSchema(_ctx: AnalysisContext, anchorNode: { startIndex: number; endIndex: number }, framework: string, complete = false): Parameters<typeof checkSettings>[1] {
  return {
    framework,
    keys: {
      secure: 'session.cookie_secure', httpOnly: 'session.cookie_httponly', sameSite: 'session.cookie_samesite',
      maxAge: 'session.cookie_lifetime', domain: 'session.cookie_domain', path: 'session.cookie_path', name: 'session.name',
      idle: 'session.gc_maxlifetime',
    },
    defaults: { secure: 'false', httpOnly: 'false', path: '/', name: 'PHPSESSID' },
    render: (attr, value) => (value === 'true' ? "'1'" : value === 'false' ? "'0'" : renderPhp(attr, value)),
    add: () => undefined,
    anchor: { start: anchorNode.startIndex, end: anchorNode.endIndex },
    complete,
    renderLifetime: (days) => String(days * 86400),
    sameSiteOf: (v) => (v.kind === 'str' ? (v.str ?? '').toLowerCase() : v.kind === 'none' ? '' : 'unknown'),
  };
}

function iniSet(ctx: AnalysisContext, call: Node, args: Node[]): void {
  if (args.length < 2) return;
  const key = phpEval(ctx, args[0]);
  if (key.kind !== 'str' || !(key.str ?? '').startsWith('session.')) return;
  const name = (key.str ?? '').toLowerCase();
  const schema = iniSchema(ctx, call, 'ini_set()');
  checkSettings(ctx, schema, new Map([[name, entry(ctx, name, call, args[1])]]));
}

function sessionStart(ctx: AnalysisContext, arg: Node): void {
  const arr = arrayOf(ctx, arg);
  if (!arr) return;
  const entries = new Map<string, SettingEntry>();
  for (const [k, { el, value, note }] of arr.map) entries.set(`session.${k}`, entry(ctx, `session.${k}`, el, value, note));
  checkSettings(ctx, { ...iniSchema(ctx, arg, 'session_start() options'), render: renderPhp }, entries);
}

function sessionParams(ctx: AnalysisContext, call: Node, argsNode: Node, args: Node[]): void {
  const arr = args[0] ? arrayOf(ctx, args[0]) : undefined;
  const entries = new Map<string, SettingEntry>();
  const keyMap: Readonly<Record<string, string>> = {
    lifetime: 'session.cookie_lifetime', path: 'session.cookie_path', domain: 'session.cookie_domain',
    secure: 'session.cookie_secure', httponly: 'session.cookie_httponly', samesite: 'session.cookie_samesite',
  };
  if (arr) {
    for (const [k, { el, value, note }] of arr.map) if (keyMap[k]) entries.set(keyMap[k], entry(ctx, keyMap[k], el, value, note));
  } else if (args[0] && args[0].type !== 'variable_name') {
    ['lifetime', 'path', 'domain', 'secure', 'httponly'].forEach((k, i) => {
      if (args[i]) entries.set(keyMap[k], entry(ctx, keyMap[k], args[i], args[i]));
    });
  } else if (args[0]) return;
  const schema = iniSchema(ctx, call, 'session_set_cookie_params()', !arr?.partial);
  const back: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(keyMap).map(([a, b]) => [b, a]));
  checkSettings(ctx, {
    ...schema,
    keys: { ...schema.keys, name: undefined, idle: undefined },
    // PHP's session name comes from session.name, not from these parameters.
    defaults: { ...schema.defaults, name: undefined },
    render: (attr, v) => renderPhp(attr, v),
    add: (name, valueText) => {
      if (arr && !arr.partial) return insertListItem(ctx, span(arr.node), arr.items.map(span), `'${back[name]}' => ${valueText}`);
      if (args.length === 0) return { start: argsNode.startIndex + 1, end: argsNode.endIndex - 1, newText: `['${back[name]}' => ${valueText}]` };
      return undefined;
    },
  }, entries);
}

// ---------------------------------------------------------------- secrets

/**
 * Reports a literal key, followed through variables, `getenv('X') ?: 'dev'` and `$_ENV['X'] ?? 'dev'`
 * fallbacks, ternaries, concatenation, array elements, define()/class constants and properties.
 */
function secret(ctx: AnalysisContext, node: Node, what: string, via?: string, depth = 0): void {
  if (depth > 6) return;
  const n = node.type === 'parenthesized_expression' && node.firstNamedChild ? node.firstNamedChild : node;
  const next = (x: Node, how: string | undefined) => secret(ctx, x, what, how ?? via, depth + 1);
  // Constant expressions (class constants, property defaults) cannot call getenv(): no fix there.
  const parentType = n.parent?.type;
  const viaPart = { ...(via ? { via } : {}), ...(parentType === 'const_element' || parentType === 'property_element' ? { fixable: false } : {}) };
  const replacement = "getenv('JWT_SECRET')";
  switch (n.type) {
    case 'string':
    case 'encapsed_string':
      if (stringOf(ctx, n) !== undefined) reportHardcodedSecret(ctx, { kind: 'jwt', ...span(n), what, envName: 'JWT_SECRET', replacement, ...viaPart });
      return;
    case 'variable_name': {
      const init = lookup(ctx, n, ctx.src(n));
      if (init) next(init, `through ${ctx.src(n)}`);
      return;
    }
    case 'subscript_expression':
    case 'class_constant_access_expression':
    case 'member_access_expression':
    case 'name': {
      const target = phpTarget(ctx, n);
      if (target) next(target, `through ${ctx.src(n).replace(/\s+/g, '')}`);
      else if (n.type === 'name' || n.type === 'class_constant_access_expression') {
        // A constant another workspace file defines (define(), a class constant).
        const [scope, constName] = namedChildren(n, ctx.text);
        const key = n.type === 'name' ? ctx.src(n) : scope && constName && !/^(self|static|parent)$/.test(ctx.src(scope)) ? `${ctx.src(scope).replace(/^.*\\/, '')}::${ctx.src(constName)}` : undefined;
        const symbol = key && ctx.workspace ? ctx.workspace.table.lookup(GLOBAL_MODULE, key) : undefined;
        if (symbol) reportExternalSecret(ctx, { kind: 'jwt', ...span(n), what, envName: 'JWT_SECRET', ...(via ? { via } : {}), symbol, expression: ctx.src(n) });
      }
      return;
    }
    case 'binary_expression': {
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      if (!l || !r) return;
      const op = ctx.text.slice(l.endIndex, r.startIndex).trim();
      if (op === '??' && phpEval(ctx, r).kind === 'str') {
        fallback(ctx, n, l, what, viaPart);
      } else if (op === '.' && phpEval(ctx, n).kind === 'str') {
        reportHardcodedSecret(ctx, { kind: 'jwt', ...span(n), what, envName: 'JWT_SECRET', replacement, ...viaPart });
      }
      return;
    }
    case 'conditional_expression': {
      const parts = namedChildren(n, ctx.text);
      if (parts.length === 2) {
        // `getenv('X') ?: 'dev'`
        if (phpEval(ctx, parts[1]).kind === 'str') fallback(ctx, n, parts[0], what, viaPart);
        return;
      }
      const [cond, a, b] = parts;
      if (!cond || !a || !b) return;
      const c = ctx.src(cond).replace(/\s+/g, ' ');
      next(a, `on the branch where ${c} is true`);
      next(b, `on the branch where ${c} is false`);
      return;
    }
    case 'function_call_expression': {
      const fn = ctx.src(n.childForFieldName('function') ?? n).toLowerCase();
      const args = namedChildren(n.childForFieldName('arguments') ?? n, ctx.text).map((a) => (a.type === 'argument' ? a.firstNamedChild ?? a : a));
      // Laravel env('JWT_SECRET', 'dev'): the default is what a host without the variable gets.
      if (fn === 'env' && args[1] && phpEval(ctx, args[1]).kind === 'str') {
        const name = stringOf(ctx, args[0]) ?? 'JWT_SECRET';
        reportHardcodedSecret(ctx, { kind: 'jwt', ...span(n), what, envName: name, replacement: `env(${ctx.src(args[0])})`, fallback: true, ...viaPart });
      } else if (fn === 'config' && args.length === 1) {
        // Laravel config('jwt.secret'): the value config/jwt.php returns (a literal, or env()'s default).
        const symbol = laravelConfig(ctx, args[0]);
        if (symbol) reportExternalSecret(ctx, { kind: 'jwt', ...span(n), what, envName: 'JWT_SECRET', ...(via ? { via } : {}), symbol, expression: ctx.src(n) });
      } else if (/^(base64_encode|base64_decode|hex2bin|trim|strval)$/.test(fn) && args[0]) next(args[0], undefined);
      return;
    }
    default:
      return;
  }
}

/** The workspace value of a Laravel `config('file.key')` read with a literal key, as the last scan indexed config/*.php. */
function laravelConfig(ctx: AnalysisContext, keyNode: Node): WorkspaceSymbol | undefined {
  const key = stringOf(ctx, keyNode);
  return key && ctx.workspace ? ctx.workspace.table.lookup(GLOBAL_MODULE, `config:${key}`) : undefined;
}

function fallback(ctx: AnalysisContext, whole: Node, envRead: Node, what: string, viaPart: { via?: string; fixable?: boolean }): void {
  const src = ctx.src(envRead);
  const m = /getenv\(\s*['"]([^'"]+)['"]|\$_(?:ENV|SERVER)\[\s*['"]([^'"]+)['"]|env\(\s*['"]([^'"]+)['"]/.exec(src);
  if (!m && !ENV.test(src)) return;
  reportHardcodedSecret(ctx, { kind: 'jwt', ...span(whole), what, envName: m ? (m[1] ?? m[2] ?? m[3]) : 'JWT_SECRET', replacement: src, fallback: true, ...viaPart });
}
