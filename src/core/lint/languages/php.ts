import type { Node, QueryMatch } from '@vscode/tree-sitter-wasm';
import { type AnalysisContext, type OffsetEdit, ancestorsOf, insertListItem, namedChildren, removeListItem, span } from '../analysis';
import { type LanguageAnalyzer, capture } from '../analyzer';
import { type AttrWriter, type CookieAttr, type Truth, checkCookieSite } from '../cookieChecks';
import { reportHardcodedSecret } from '../secrets';
import { type SettingEntry, type SettingValue, checkSettings } from '../settingsSite';

const QUERY = `
(function_call_expression
  function: (name) @fn
    (#any-of? @fn "setcookie" "setrawcookie" "session_set_cookie_params" "ini_set" "session_start" "session_name")
  arguments: (arguments) @args) @call
(scoped_call_expression scope: (name) @scope name: (name) @method (#any-of? @method "encode" "decode") arguments: (arguments) @args) @call
(object_creation_expression (name) @cls (#eq? @cls "Key") (arguments) @args) @call
(property_element (variable_name (name) @prop (#eq? @prop "except")) (array_creation_expression) @except)
(member_call_expression name: (name) @csrfMethod (#eq? @csrfMethod "validateCsrfTokens") arguments: (arguments) @csrfArgs)
`;

const ENV = /\bgetenv\b|\$_ENV\b|\$_SERVER\b|\benv\(/;

type PhpValue = SettingValue & { readonly node: Node };

/** PHP: setcookie/setrawcookie (both forms), session_set_cookie_params, ini_set, session_start options, firebase/php-jwt. */
export const phpAnalyzer: LanguageAnalyzer = {
  query: QUERY,
  containers: new Set(['program']),
  keywords: /cookie|session|jwt|secret|csrf/i,
  anchors: /\$except\b|\bvalidateCsrfTokens\s*\(|\b(setcookie|setrawcookie|session_set_cookie_params|ini_set|session_start|session_name)\s*\(|\bJWT\s*::|\bnew\s+Key\s*\(/gi,
  declares(chunk, ctx) {
    if (chunk.type !== 'expression_statement') return [];
    const a = chunk.firstNamedChild;
    const left = a?.type === 'assignment_expression' ? a.childForFieldName('left') : null;
    return left ? [ctx.src(left)] : [];
  },
  analyze(matches, ctx) {
    for (const m of matches) analyzeMatch(m, ctx);
  },
};

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
    if (ctx.src(scope) !== 'JWT') return;
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
      return init ? { ...phpEval(ctx, init, depth + 1), node } : unknown;
    }
    default:
      return unknown;
  }
}

/** An array literal as key → element. */
function arrayOf(ctx: AnalysisContext, node: Node): { node: Node; items: Node[]; map: Map<string, { el: Node; value: Node }> } | undefined {
  let n = node;
  if (n.type === 'variable_name') {
    const init = lookup(ctx, n, ctx.src(n));
    if (!init) return undefined;
    n = init;
  }
  if (n.type !== 'array_creation_expression') return undefined;
  const items = namedChildren(n, ctx.text);
  const map = new Map<string, { el: Node; value: Node }>();
  for (const el of items) {
    if (el.type !== 'array_element_initializer') continue;
    const parts = namedChildren(el, ctx.text);
    if (parts.length !== 2) continue;
    const key = stringOf(ctx, parts[0]);
    if (key !== undefined) map.set(key.toLowerCase(), { el, value: parts[1] });
  }
  return { node: n, items, map };
}

function entry(ctx: AnalysisContext, name: string, whole: Node, value: Node): SettingEntry {
  const { node: _n, ...v } = phpEval(ctx, value);
  return { name, value: v, start: whole.startIndex, end: whole.endIndex, valueStart: value.startIndex, valueEnd: value.endIndex };
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
  const get = (key: string): { whole: Node; value: Node } | undefined => {
    if (options) {
      const e = options.map.get(key);
      return e ? { whole: e.el, value: e.value } : undefined;
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
  const t = (a: { whole: Node; value: Node } | undefined) => {
    if (!a) return undefined;
    const v = phpEval(ctx, a.value);
    return { value: truthOf(v), ...span(a.whole), ...(v.kind === 'env' ? { envText: v.text } : {}) };
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
    session: false,
    anchor: span(call),
    complete,
    ...(secureT ? { secure: secureT } : {}),
    ...(httpOnlyT ? { httpOnly: httpOnlyT } : {}),
    ...(ss && ssV ? { sameSite: { value: ssV.kind === 'str' ? (ssV.str ?? '').toLowerCase() : ssV.kind === 'env' ? 'env' : 'unknown', ...span(ss.whole) } } : {}),
    // `time() + N` is a lifetime of N seconds; an absolute timestamp is not judged.
    ...(expires && expV && expV.kind === 'num' && /time\(\)/.test(expV.text) ? { maxAgeSeconds: { value: expV.num, ...span(expires.whole) } } : {}),
    ...(domain && domV ? { domain: { value: domV.kind === 'str' ? domV.str : undefined, ...span(domain.whole) } } : {}),
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
  for (const [k, { el, value }] of arr.map) entries.set(`session.${k}`, entry(ctx, `session.${k}`, el, value));
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
    for (const [k, { el, value }] of arr.map) if (keyMap[k]) entries.set(keyMap[k], entry(ctx, keyMap[k], el, value));
  } else if (args[0] && args[0].type !== 'variable_name') {
    ['lifetime', 'path', 'domain', 'secure', 'httponly'].forEach((k, i) => {
      if (args[i]) entries.set(keyMap[k], entry(ctx, keyMap[k], args[i], args[i]));
    });
  } else if (args[0]) return;
  const schema = iniSchema(ctx, call, 'session_set_cookie_params()', true);
  const back: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(keyMap).map(([a, b]) => [b, a]));
  checkSettings(ctx, {
    ...schema,
    keys: { ...schema.keys, name: undefined, idle: undefined },
    // PHP's session name comes from session.name, not from these parameters.
    defaults: { ...schema.defaults, name: undefined },
    render: (attr, v) => renderPhp(attr, v),
    add: (name, valueText) => {
      if (arr) return insertListItem(ctx, span(arr.node), arr.items.map(span), `'${back[name]}' => ${valueText}`);
      if (args.length === 0) return { start: argsNode.startIndex + 1, end: argsNode.endIndex - 1, newText: `['${back[name]}' => ${valueText}]` };
      return undefined;
    },
  }, entries);
}

// ---------------------------------------------------------------- secrets

function secret(ctx: AnalysisContext, node: Node, what: string): void {
  let n = node;
  if (n.type === 'variable_name') {
    const init = lookup(ctx, n, ctx.src(n));
    if (!init) return;
    n = init;
  }
  if (n.type === 'string' || n.type === 'encapsed_string') {
    if (stringOf(ctx, n) === undefined) return;
    reportHardcodedSecret(ctx, { kind: 'jwt', ...span(n), what, envName: 'JWT_SECRET', replacement: "getenv('JWT_SECRET')" });
  } else if (n.type === 'binary_expression' && /\?:|\?\?/.test(ctx.src(n))) {
    const l = n.childForFieldName('left');
    const r = n.childForFieldName('right');
    if (l && r && (r.type === 'string' || r.type === 'encapsed_string')) {
      reportHardcodedSecret(ctx, { kind: 'jwt', ...span(n), what, envName: 'JWT_SECRET', replacement: ctx.src(l), fallback: true });
    }
  }
}
